#include "writer/write_dump.h"

#include <stdexcept>

#include "writer/elf_writer.h"
#include "writer/kdump_compressed_writer.h"

namespace kdump {

WriteReport write_dump(PageSource& source, PageFilter* filter, const WriteOptions& options, ByteSink& sink) {
  if (options.batch_pages == 0) throw std::invalid_argument("batch_pages must be at least 1");
  // A damaged header that lists no memory must fail loudly, not leave an empty dump under the final name.
  if (source.memory_ranges().empty())
    throw std::runtime_error("the vmcore describes no memory (no PT_LOAD holding a whole page): nothing to dump");
  switch (options.format) {
    case DumpFormat::kKdumpCompressed:
      return write_kdump_compressed(source, filter, options, sink);
    case DumpFormat::kElf:
      if (options.codec != CodecKind::kNone)
        throw std::invalid_argument("an ELF dump cannot be compressed (codec " + std::string(codec_name(options.codec)) +
                                    ")");
      return write_elf(source, filter, options, sink);
  }
  throw std::invalid_argument("unknown dump format");
}

}  // namespace kdump
