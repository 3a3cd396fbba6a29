#pragma once
// Where tests that read real crashes find the crash lab's output: the CTest
// fixture's directory ($KDUMP_LAB_DIR), else the newest complete result in the
// lab's cache ($KDUMP_LAB_CACHE or ~/.cache/kdump-toolkit/lab), so such a test
// also runs by hand after any lab run.

#include <filesystem>

namespace kdump::test {

/// The lab directory (holding vmcore and ref/), or an empty path if there is none.
std::filesystem::path find_lab_dir();

}  // namespace kdump::test
