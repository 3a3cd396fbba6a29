#pragma once
// VMCOREINFO, the kernel's self-description in a crash dump: "KEY=value"
// lines (kernel/crash_core.c). Parsed into typed look-ups; a feature that
// needs a key the dump lacks gets an error naming that key.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kdump {

/// A key a feature needed and the dump did not have.
class MissingVmcoreinfo : public std::runtime_error {
 public:
  explicit MissingVmcoreinfo(const std::string& key)
      : std::runtime_error("VMCOREINFO lacks " + key), key_(key) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

/// Parsed VMCOREINFO.
class VmcoreInfo {
 public:
  /// Parses the note's text. Lines that are not KEY=value are kept in `bad_lines`.
  static VmcoreInfo parse(std::string_view text);

  /// Raw value of a key ("OSRELEASE", "SYMBOL(init_uts_ns)", ...).
  std::optional<std::string> value(std::string_view key) const;
  bool has(std::string_view key) const { return value(key).has_value(); }

  // Typed look-ups; nullopt if absent or malformed. SYMBOL and KERNELOFFSET
  // are hexadecimal; OFFSET, SIZE, LENGTH, NUMBER, PAGESIZE and CRASHTIME decimal
  // (NUMBER may be negative).
  std::optional<std::uint64_t> symbol(std::string_view name) const;
  std::optional<std::int64_t> offset(std::string_view type_member) const;  // "printk_info.seq"
  std::optional<std::int64_t> size(std::string_view type) const;
  std::optional<std::int64_t> length(std::string_view name) const;
  std::optional<std::int64_t> number(std::string_view name) const;
  std::optional<std::string> osrelease() const;
  std::optional<std::uint64_t> page_size() const;
  std::optional<std::string> build_id() const;
  std::optional<std::int64_t> crash_time() const;
  std::optional<std::uint64_t> kernel_offset() const;

  // The same, throwing MissingVmcoreinfo naming the key when absent.
  std::uint64_t require_symbol(std::string_view name) const;
  std::int64_t require_offset(std::string_view type_member) const;
  std::int64_t require_size(std::string_view type) const;
  std::int64_t require_length(std::string_view name) const;
  std::int64_t require_number(std::string_view name) const;

  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }
  const std::vector<std::string>& bad_lines() const { return bad_lines_; }
  const std::string& text() const { return text_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
  std::vector<std::string> bad_lines_;
  std::string text_;
};

}  // namespace kdump
