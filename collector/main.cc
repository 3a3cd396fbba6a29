// kdump-collector: the command-line face of the collector library.
//
// Two shapes of command line, both tables: makedumpfile's option style
// (`kdump-collector --dump-dmesg VMCORE LOGFILE`), where the first matching
// action option decides what runs and later collector options (-d, -c, -l, -z,
// -F, -R) slot into the same option list and action table; and subcommands
// (`kdump-collector info VMCORE`). Only main() catches: every failure prints
// `kdump-collector: error: ...` and exits non-zero.

#include <boost/program_options.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/capture_command.h"
#include "cli/dmesg_command.h"
#include "cli/dump_command.h"
#include "cli/info_command.h"
#include "vmcore/dump.h"

namespace po = boost::program_options;

namespace {

constexpr std::string_view kUsage =
    "usage: kdump-collector [-c|-l|-p|-z] [-d LEVEL] [-E] [--num-threads N] VMCORE DUMPFILE\n"
    "       kdump-collector [-c|-l|-p|-z] [-d LEVEL] -F VMCORE > FLATTENED\n"
    "       kdump-collector -R DUMPFILE < FLATTENED\n"
    "       kdump-collector --dump-dmesg VMCORE LOGFILE\n"
    "       kdump-collector --vmcore-dmesg VMCORE\n"
    "       kdump-collector info [--json] VMCORE\n"
    "       kdump-collector capture [--config FILE] [--vmcore FILE] [--ssh-config FILE] [--simulate-actions]\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- subcommands -----------------------------------------------------------

int run_info(const std::vector<std::string>& args) {
  po::options_description opts("info options");
  opts.add_options()("json", "print JSON")("vmcore", po::value<std::string>(), "dump file");
  po::positional_options_description pos;
  pos.add("vmcore", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
  if (!vm.count("vmcore")) throw UsageError("info needs a VMCORE");
  auto dump = kdump::Dump::open(vm["vmcore"].as<std::string>());
  if (vm.count("json"))
    kdump::cli::write_info_json(*dump, std::cout);
  else
    kdump::cli::write_info_text(*dump, std::cout);
  return 0;
}


// ---- makedumpfile-style actions --------------------------------------------

int run_dump_dmesg(const std::vector<std::string>& files) {
  if (files.size() != 2) throw UsageError("--dump-dmesg needs VMCORE and LOGFILE");
  auto dump = kdump::Dump::open(files[0]);
  std::ofstream log(files[1], std::ios::binary | std::ios::trunc);
  if (!log) throw std::runtime_error("cannot create " + files[1] + ": " + std::strerror(errno));
  int rc = kdump::cli::write_dmesg(*dump, kdump::cli::DmesgFormat::kMakedumpfile, log, std::cerr);
  log.close();
  if (!log) throw std::runtime_error("cannot write " + files[1]);
  std::cout << "The dmesg log is saved to " << files[1] << ".\n";
  return rc;
}

int run_vmcore_dmesg(const std::vector<std::string>& files) {
  if (files.size() != 1) throw UsageError("--vmcore-dmesg needs exactly one VMCORE");
  auto dump = kdump::Dump::open(files[0]);
  int rc = kdump::cli::write_dmesg(*dump, kdump::cli::DmesgFormat::kVmcoreDmesg, std::cout, std::cerr);
  std::cout.flush();
  return rc;
}

struct Action {
  const char* option;
  const char* help;
  int (*run)(const std::vector<std::string>& files);
};
constexpr Action kActions[] = {
    {"dump-dmesg", "write the crashed kernel's log in makedumpfile's format: VMCORE LOGFILE", run_dump_dmesg},
    {"vmcore-dmesg", "print the crashed kernel's log as vmcore-dmesg does: VMCORE", run_vmcore_dmesg},
};

// makedumpfile options we accept so existing core_collector lines keep
// working, although they only tune makedumpfile's own memory use and mean
// nothing here (our memory is bounded without them).
constexpr const char* kIgnoredTuning[] = {"cyclic-buffer", "splitblock-size", "work-dir"};
// --non-mmap: we read with pread and never map the vmcore, which is what it asks for.
constexpr const char* kIgnoredFlags[] = {"non-cyclic", "non-mmap"};

// makedumpfile 1.7's options that we do not have (yet): named in the error
// and in --help rather than reported as unknown. `spec` is the option as
// Boost.Program_options declares it, `shown` how makedumpfile spells it.
struct MissingOption {
  const char* spec;
  bool takes_value;
  const char* shown;
};
constexpr MissingOption kNotYet[] = {
    {"split", false, "--split"},
    {"reassemble", false, "--reassemble"},
    {"mem-usage", false, "--mem-usage"},
    {"eppic", true, "--eppic"},
    {"config", true, "--config"},
    {"dry-run", false, "--dry-run"},
    {"show-stats", false, "--show-stats"},
    {"partial-dmesg", false, "--partial-dmesg"},
    {"check-params", false, "--check-params"},
    {"vtop", true, "--vtop"},
    {"vmlinux,x", true, "-x VMLINUX"},
    {"vmcoreinfo-in,i", true, "-i VMCOREINFO"},
    {"generate-vmcoreinfo,g", true, "-g VMCOREINFO"},
    {"exclude-unused-vmemmap,e", false, "-e"},
    {"limit-size,L", true, "-L SIZE"},
    {"cache-order,b", true, "-b ORDER"},
    {"force,f", false, "-f"},
    {"debug,D", false, "-D"},
    {"version,v", false, "-v"},
    {"xen,X", false, "-X"},
    {"xen-syms", true, "--xen-syms"},
    {"xen-vmcoreinfo", true, "--xen-vmcoreinfo"},
    {"xen_phys_start", true, "--xen_phys_start"},
    {"diskset", true, "--diskset"},
};

// The variables_map key of an option spec ("vmlinux,x" -> "vmlinux").
std::string option_key(const char* spec) {
  const std::string s(spec);
  return s.substr(0, s.find(','));
}

kdump::CodecKind chosen_codec(const po::variables_map& vm) {
  static constexpr std::pair<const char*, kdump::CodecKind> kCodecs[] = {
      {"zlib", kdump::CodecKind::kZlib}, {"lzo", kdump::CodecKind::kLzo},
      {"snappy", kdump::CodecKind::kSnappy}, {"zstd", kdump::CodecKind::kZstd}};
  const char* chosen = nullptr;
  kdump::CodecKind codec = kdump::CodecKind::kNone;
  for (const auto& [option, kind] : kCodecs) {
    if (!vm.count(option)) continue;
    if (chosen) throw UsageError("choose one compression: -c, -l, -p or -z");
    chosen = option;
    codec = kind;
  }
  return codec;
}

// makedumpfile's options: the command line of this program, and of the
// core_collector line a capture runs in-process.
po::options_description makedumpfile_options(kdump::cli::DumpCommand& dump) {
  po::options_description opts("options (as makedumpfile's)");
  opts.add_options()
      ("help,h", "show this help")
      ("dump-level,d", po::value(&dump.dump_level)->value_name("LEVEL"),
       "leave out pages: 1 zero, 2 non-private cache, 4 private cache, 8 user, 16 free (sum them; 31 all)")
      ("zlib,c", "compress pages with zlib")
      ("lzo,l", "compress pages with LZO")
      ("snappy,p", "compress pages with snappy")
      ("zstd,z", "compress pages with zstd")
      ("elf,E", "write an ELF dump instead of kdump-compressed")
      ("flatten,F", "write the flattened format to standard output (for ssh and raw targets)")
      ("rearrange,R", "read a flattened stream from standard input into DUMPFILE")
      ("message-level", po::value(&dump.message_level)->value_name("N"),
       "1 progress, 2 common messages, 4 errors, 16 page report (default 7)")
      ("num-threads", po::value(&dump.threads)->value_name("N"), "compression threads (default 1)");
  for (const auto& a : kActions) opts.add_options()(a.option, a.help);
  return opts;
}

struct ParsedLine {
  po::options_description visible;  // no caption: its one group has its own
  po::variables_map vm;
  kdump::cli::DumpCommand dump;
  std::vector<std::string> files;
};

std::unique_ptr<ParsedLine> parse_makedumpfile_line(const std::vector<std::string>& args) {
  auto line = std::make_unique<ParsedLine>();
  line->visible.add(makedumpfile_options(line->dump));
  po::options_description hidden;
  hidden.add_options()("files", po::value<std::vector<std::string>>()->default_value({}, ""), "");
  for (const char* name : kIgnoredTuning) hidden.add_options()(name, po::value<std::string>(), "");
  for (const char* name : kIgnoredFlags) hidden.add_options()(name, "");
  for (const auto& o : kNotYet) {
    if (o.takes_value)
      hidden.add_options()(o.spec, po::value<std::string>(), "");
    else
      hidden.add_options()(o.spec, "");
  }
  po::options_description all;
  all.add(line->visible).add(hidden);
  po::positional_options_description pos;
  pos.add("files", -1);
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), line->vm);
  po::notify(line->vm);
  for (const auto& o : kNotYet)
    if (line->vm.count(option_key(o.spec)))
      throw UsageError(std::string(o.shown) + " is a makedumpfile option kdump-collector does not have yet");
  line->files = line->vm["files"].as<std::vector<std::string>>();
  line->dump.codec = chosen_codec(line->vm);
  line->dump.elf = line->vm.count("elf") > 0;
  line->dump.flattened = line->vm.count("flatten") > 0;
  if (line->dump.elf && line->dump.codec != kdump::CodecKind::kNone)
    throw UsageError("an ELF dump (-E) cannot be compressed");
  return line;
}

int run_options(int argc, char** argv) {
  const auto parsed = parse_makedumpfile_line(std::vector<std::string>(argv + 1, argv + argc));
  const po::variables_map& vm = parsed->vm;
  const auto& opts = parsed->visible;
  kdump::cli::DumpCommand dump = parsed->dump;
  if (vm.count("help")) {
    std::cout << kUsage << opts << "\nmakedumpfile options kdump-collector does not have (yet); refused:\n ";
    std::size_t column = 1;
    for (const auto& o : kNotYet) {
      const std::string item = std::string(" ") + o.shown + (&o == std::end(kNotYet) - 1 ? "." : ",");
      if (column + item.size() > 78) {
        std::cout << "\n ";
        column = 1;
      }
      std::cout << item;
      column += item.size();
    }
    std::cout << "\nAccepted and ignored: --cyclic-buffer, --splitblock-size, --work-dir, --non-cyclic\n"
                 "(memory is bounded without them), --non-mmap (the vmcore is never mapped).\n";
    return 0;
  }
  const auto& files = parsed->files;
  const Action* chosen = nullptr;
  for (const auto& a : kActions) {
    if (!vm.count(a.option)) continue;
    if (chosen) throw UsageError(std::string("--") + chosen->option + " and --" + a.option + " cannot be combined");
    chosen = &a;
  }
  if (chosen) return chosen->run(files);

  if (vm.count("rearrange")) {
    if (files.size() != 1) throw UsageError("-R needs exactly one DUMPFILE (the stream comes on standard input)");
    return kdump::cli::run_rearrange(files[0], dump.message_level, std::cerr);
  }
  if (dump.flattened) {
    if (files.size() != 1) throw UsageError("-F needs exactly one VMCORE (the dump goes to standard output)");
    dump.vmcore = files[0];
  } else {
    if (files.size() != 2) throw UsageError("needs VMCORE and DUMPFILE");
    dump.vmcore = files[0];
    dump.dumpfile = files[1];
  }
  return kdump::cli::run_dump(dump, std::cerr);
}

// ---- capture ----------------------------------------------------------------

int run_capture(const std::vector<std::string>& args) {
  kdump::cli::CaptureCommand c;
  po::options_description opts("capture options");
  opts.add_options()
      ("help,h", "show this help")
      ("config", po::value(&c.config)->value_name("FILE"), "kdump.conf to follow (default /etc/kdump.conf)")
      ("vmcore", po::value(&c.vmcore)->value_name("FILE"), "the crashed kernel's memory (default /proc/vmcore)")
      ("ssh-config", po::value(&c.ssh_config)->value_name("FILE"), "OpenSSH client configuration, as ssh -F")
      ("simulate-actions", po::bool_switch(&c.simulate_actions), "print the action (\"action: reboot\") instead of taking it")
      ("hooks-dir", po::value(&c.hooks_dir)->value_name("DIR"), "where pre.d and post.d are (default /etc/kdump)")
      ("hook-timeout", po::value(&c.hook_timeout_seconds)->value_name("SECONDS"), "longest a hook may run (default 300)")
      ("rootfs", po::value(&c.rootfs)->value_name("DIR"), "the root file system for dump_to_rootfs (default /sysroot, else /)")
      ("mountinfo", po::value(&c.mountinfo)->value_name("FILE"), "mount table to resolve the target with")
      ("attempts", po::value(&c.attempts)->value_name("N"), "tries at saving to the target when it goes away (default 3)")
      ("retry-delay", po::value(&c.retry_delay_seconds)->value_name("SECONDS"), "pause between tries (default 5)")
      ("timeout", po::value(&c.timeout_seconds)->value_name("SECONDS"), "a target silent this long has failed (default 30)")
      ("nfs-port", po::value(&c.nfs_port)->value_name("PORT"), "nfs target: the server's NFS port (default: ask its portmapper)")
      ("nfs-mount-port", po::value(&c.nfs_mount_port)->value_name("PORT"), "nfs target: the server's MOUNT port (default: ask its portmapper)")
      ("mount-base", po::value(&c.mount_base)->value_name("DIR"), "where an fs target that is not mounted gets mounted, each time on a new 0700 directory (default /run/kdump-collector)");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(opts).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << "usage: kdump-collector capture [--config FILE] [--vmcore FILE] [--ssh-config FILE] [--simulate-actions]\n\n"
              << opts;
    return 0;
  }
  const auto parse_collector = [](const std::vector<std::string>& words) {
    auto line = parse_makedumpfile_line(words);
    if (!line->files.empty())
      throw UsageError("core_collector: the capture names the vmcore and the output itself; remove \"" +
                       line->files.front() + "\"");
    return line->dump;
  };
  return kdump::cli::run_capture_command(c, parse_collector, std::cout, std::cerr);
}

struct Subcommand {
  std::string_view name;
  int (*run)(const std::vector<std::string>& args);
};
constexpr Subcommand kSubcommands[] = {
    {"info", run_info},
    {"capture", run_capture},
};

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc >= 2) {
      for (const auto& sub : kSubcommands)
        if (argv[1] == sub.name) return sub.run(std::vector<std::string>(argv + 2, argv + argc));
    }
    return run_options(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "kdump-collector: error: " << e.what() << '\n' << kUsage;
    return 2;
  } catch (const po::error& e) {
    std::cerr << "kdump-collector: error: " << e.what() << '\n' << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "kdump-collector: error: " << e.what() << '\n';
    return 1;
  }
}
