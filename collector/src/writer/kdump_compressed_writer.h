#pragma once
// The kdump-compressed writer; call it through write_dump().

#include "writer/write_dump.h"

namespace kdump {

/// Writes a kdump-compressed dump (header version 6) and finishes the sink.
WriteReport write_kdump_compressed(PageSource& source, PageFilter* filter, const WriteOptions& options,
                                   ByteSink& sink);

}  // namespace kdump
