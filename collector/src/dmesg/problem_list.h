#pragma once
// The problems a log reader met, kept for the user. A garbage ring can yield
// one complaint per slot, so the list keeps the first kLimit and then counts.

#include <cstddef>
#include <string>
#include <vector>

namespace kdump::dmesg {

/// Collects problem messages up to a limit, then a count of the rest.
class ProblemList {
 public:
  static constexpr std::size_t kLimit = 64;

  /// Records one problem (dropped, but counted, past the limit).
  void add(std::string message) {
    if (kept_.size() < kLimit)
      kept_.push_back(std::move(message));
    else
      ++dropped_;
  }

  /// The kept messages, plus a closing line that counts the dropped ones.
  std::vector<std::string> take() {
    if (dropped_ > 0)
      kept_.push_back(std::to_string(dropped_) + " more problem" + (dropped_ == 1 ? "" : "s") + " not listed");
    dropped_ = 0;
    return std::move(kept_);
  }

 private:
  std::vector<std::string> kept_;
  std::size_t dropped_ = 0;
};

}  // namespace kdump::dmesg
