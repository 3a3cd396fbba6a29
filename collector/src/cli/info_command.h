#pragma once
// `kdump-collector info VMCORE [--json]`: what a dump is and what the engine
// found in it.

#include <ostream>

#include "vmcore/dump.h"

namespace kdump::cli {

/// Writes the human-readable view of an open dump.
void write_info_text(Dump& dump, std::ostream& out);
/// Writes the same facts as one JSON object.
void write_info_json(Dump& dump, std::ostream& out);

}  // namespace kdump::cli
