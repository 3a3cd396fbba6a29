#pragma once
// The one error type the vmcore engine throws: the input is not a dump it can
// read at all (unknown format, unreadable header). Damage further in is
// reported as a problem string and reading goes on.

#include <stdexcept>
#include <string>

namespace kdump {

/// A dump that cannot be opened; the message names the file and the reason.
class DumpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace kdump
