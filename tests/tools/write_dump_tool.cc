// A test-only front end to the dump writers, for the end-to-end scripts until
// kdump-collector grows the same options:
//   write_dump_tool [-c|-l|-p|-z] [-d LEVEL] [-E] [--threads N] [--timestamp SEC] VMCORE OUT
//   write_dump_tool [-c|-l|-p|-z] [-d LEVEL] -F [--threads N] VMCORE > FLAT
//   write_dump_tool -R OUT < FLAT
// It prints the WriteReport to stderr. VMCORE is an ELF core (/proc/vmcore copy).

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "io/file_source.h"
#include "sink/fd_stream.h"
#include "sink/file_sink.h"
#include "vmcore/dump.h"
#include "writer/dump_level_page_filter.h"
#include "writer/elf_vmcore_page_source.h"
#include "writer/flattened_writer.h"
#include "writer/rearrange.h"
#include "writer/write_dump.h"

using namespace kdump;

namespace {

int usage() {
  std::fprintf(stderr, "usage: write_dump_tool [-c|-l|-p|-z] [-d LEVEL] [-E|-F] [--threads N] [--timestamp SEC] VMCORE [OUT]\n"
                       "       write_dump_tool -R OUT < FLATTENED\n");
  return 2;
}

int run(int argc, char** argv) {
  WriteOptions options;
  options.codec = CodecKind::kNone;
  bool flattened = false, rearrange = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-c") options.codec = CodecKind::kZlib;
    else if (a == "-l") options.codec = CodecKind::kLzo;
    else if (a == "-p") options.codec = CodecKind::kSnappy;
    else if (a == "-z") options.codec = CodecKind::kZstd;
    else if (a == "-E") options.format = DumpFormat::kElf;
    else if (a == "-F") flattened = true;
    else if (a == "-R") rearrange = true;
    else if (a == "-d" && i + 1 < argc) options.dump_level = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) options.threads = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (a == "--timestamp" && i + 1 < argc) options.timestamp_sec = std::atoll(argv[++i]);
    else if (!a.empty() && a[0] == '-') return usage();
    else files.push_back(a);
  }
  if (rearrange) {
    if (files.size() != 1) return usage();
    FdInputStream in(0, "<stdin>");
    FileSink out(files[0]);
    RearrangeReport r = rearrange_flattened(in, out);
    std::fprintf(stderr, "rearranged %llu records, %llu bytes, dump size %llu\n",
                 static_cast<unsigned long long>(r.records), static_cast<unsigned long long>(r.bytes),
                 static_cast<unsigned long long>(r.dump_size));
    return 0;
  }
  if (files.size() != (flattened ? 1u : 2u)) return usage();
  FileSource file(files[0]);
  ElfVmcorePageSource source(file);
  std::unique_ptr<Dump> dump;
  std::unique_ptr<DumpLevelPageFilter> filter;
  auto level = DumpLevel::from_int(options.dump_level);
  if (!level) return usage();
  dump = Dump::open(files[0]);
  source.set_kernel_memory(*dump);
  if (level->needs_mem_map()) filter = std::make_unique<DumpLevelPageFilter>(*dump, *level, pfn_ranges_of(source));
  std::unique_ptr<FdOutputStream> stream;
  std::unique_ptr<ByteSink> sink;
  if (flattened) {
    stream = std::make_unique<FdOutputStream>(1, "<stdout>");
    sink = std::make_unique<FlattenedSink>(*stream);
  } else {
    sink = std::make_unique<FileSink>(files[1]);
  }
  WriteReport r = write_dump(source, filter.get(), options, *sink);
  std::fprintf(stderr,
               "max_pfn %llu present %llu filtered %llu zero %llu unreadable %llu stored %llu compressed %llu "
               "bytes_in %llu bytes_out %llu seconds %.3f\n",
               static_cast<unsigned long long>(r.max_pfn), static_cast<unsigned long long>(r.pages_present),
               static_cast<unsigned long long>(r.pages_filtered), static_cast<unsigned long long>(r.pages_zero),
               static_cast<unsigned long long>(r.pages_unreadable), static_cast<unsigned long long>(r.pages_stored),
               static_cast<unsigned long long>(r.pages_compressed), static_cast<unsigned long long>(r.bytes_in),
               static_cast<unsigned long long>(r.bytes_out), r.seconds);
  for (const auto& p : r.problems) std::fprintf(stderr, "problem: %s\n", p.c_str());
  if (filter && filter->filter())
    for (const auto& p : filter->filter()->problems()) std::fprintf(stderr, "filter: %s\n", p.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_dump_tool: error: %s\n", e.what());
    return 1;
  }
}
