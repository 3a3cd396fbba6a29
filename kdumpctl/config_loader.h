#pragma once
// Reading kdump.conf for a verb: the file is read here (the library never
// opens files), every diagnostic goes to stderr, and errors stop the verb.

#include <kdumpcfg/config.h>

#include "verb.h"

namespace kdumpctl {

/// The effective configuration of context.config_path. Prints warnings and
/// errors to stderr as FILE:LINE: message; throws Error if there were errors.
kdump::cfg::Config load_config(const Context& context);

/// The whole content of a file; throws Error naming the file and the cause.
std::string read_text_file(const std::string& path);

}  // namespace kdumpctl
