#pragma once
// Parsing a verb's own options, with --help handled the same way for all verbs.

#include <boost/program_options.hpp>
#include <string_view>

#include "verb.h"

namespace kdumpctl {

/// Parses context.args against `options` (which gets --help added). Returns
/// false after printing the verb's help, when --help was given.
bool parse_verb_options(const Context& context, std::string_view usage,
                        boost::program_options::options_description& options,
                        boost::program_options::variables_map& vm);

}  // namespace kdumpctl
