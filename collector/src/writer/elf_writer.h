#pragma once
// The ELF writer (-E); call it through write_dump().

#include "writer/write_dump.h"

namespace kdump {

/// Writes an ELF64 core dump (PT_NOTE, then PT_LOADs of the dumped pages) and finishes the sink.
WriteReport write_elf(PageSource& source, PageFilter* filter, const WriteOptions& options, ByteSink& sink);

}  // namespace kdump
