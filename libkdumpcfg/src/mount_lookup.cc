#include "kdumpcfg/target.h"

// Which mount a path goes through. "The longest mount point that is a prefix
// of the path" is the usual answer and is right as long as nothing is
// mounted over something else. With overmounts it is wrong: when a
// filesystem is mounted on /var after /var/lib was mounted, /var/lib is
// still in the table but unreachable. The mount tree in mountinfo (mount id
// and parent id) tells which mounts are hidden, so this file first marks
// them and then takes the longest mount point among the rest:
//
//   - a mount with a child on the same mount point is covered by it
//     (stacked mounts: the child is the one on top), and so are its other
//     children;
//   - a mount with a sibling whose mount point is the same or an ancestor
//     of its own is hidden by that sibling (the sibling came later, or the
//     first would be its parent); on equal mount points the later line wins;
//   - a mount below a hidden one is hidden too.
//
// A table without a usable tree (hand-written, or whose parents lie outside
// this namespace) degrades to the plain longest-prefix rule.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kdump::cfg {
namespace {

// True if `ancestor` is `path` or one of its parent directories (both normalised).
bool is_same_or_under(std::string_view ancestor, std::string_view path) {
  if (ancestor == "/") return !path.empty() && path[0] == '/';
  if (path.size() < ancestor.size() || path.substr(0, ancestor.size()) != ancestor) return false;
  return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

// Whether a mount's mount point can be reached from the root at all.
enum class Visibility : unsigned char { kUnknown, kVisiting, kVisible, kHidden };

std::vector<bool> hidden_mounts(const std::vector<MountEntry>& mounts) {
  const std::size_t n = mounts.size();
  std::vector<std::string> points(n);
  std::unordered_map<int, std::size_t> by_id;
  std::unordered_map<int, std::vector<std::size_t>> children;
  for (std::size_t i = 0; i < n; ++i) {
    points[i] = normalize_path(mounts[i].mount_point);
    by_id.emplace(mounts[i].mount_id, i);  // a duplicated id keeps its first line
    children[mounts[i].parent_id].push_back(i);
  }
  auto parent_of = [&](std::size_t i) -> std::optional<std::size_t> {
    auto it = by_id.find(mounts[i].parent_id);
    if (it == by_id.end() || it->second == i) return std::nullopt;
    return it->second;
  };
  // A child on the mount's own mount point covers it (the child is on top).
  auto covered_by = [&](std::size_t i, std::optional<std::size_t> except) {
    auto it = children.find(mounts[i].mount_id);
    if (it == children.end()) return false;
    for (std::size_t c : it->second)
      if (c != i && c != except && points[c] == points[i]) return true;
    return false;
  };
  // Hidden at its own level: by a sibling on an ancestor (or the same) mount
  // point, or because another child covers the whole parent.
  auto blocked = [&](std::size_t i) {
    auto parent = parent_of(i);
    if (!parent) return false;
    if (covered_by(*parent, i)) return true;
    for (std::size_t s : children[mounts[i].parent_id]) {
      if (s == i || s == *parent || !is_same_or_under(points[s], points[i])) continue;
      if (points[s] != points[i] || s > i) return true;
    }
    return false;
  };

  std::vector<Visibility> state(n, Visibility::kUnknown);
  std::vector<std::size_t> chain;
  for (std::size_t start = 0; start < n; ++start) {
    // Walk up to a mount whose visibility is known (or to a root, or a cycle),
    // then decide top-down; iterative, because a chain can be as long as the table.
    chain.clear();
    std::size_t i = start;
    Visibility above = Visibility::kVisible;
    while (true) {
      if (state[i] == Visibility::kVisible || state[i] == Visibility::kHidden) {
        above = state[i];
        break;
      }
      if (state[i] == Visibility::kVisiting) break;  // a cycle: treat as a root
      state[i] = Visibility::kVisiting;
      chain.push_back(i);
      auto parent = parent_of(i);
      if (!parent) break;
      i = *parent;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      bool hidden = above == Visibility::kHidden || blocked(*it);
      state[*it] = hidden ? Visibility::kHidden : Visibility::kVisible;
      above = state[*it];
    }
  }
  // Reachable is not yet visible: a mount covered by a child is reached only
  // to get to that child.
  std::vector<bool> hidden(n);
  for (std::size_t i = 0; i < n; ++i) hidden[i] = state[i] == Visibility::kHidden || covered_by(i, std::nullopt);
  return hidden;
}

std::optional<std::size_t> longest_holding(const std::vector<MountEntry>& mounts, const std::string& path,
                                           const std::vector<bool>* hidden) {
  std::optional<std::size_t> best;
  std::size_t best_length = 0;
  for (std::size_t i = 0; i < mounts.size(); ++i) {
    if (hidden && (*hidden)[i]) continue;
    std::string point = normalize_path(mounts[i].mount_point);
    if (!is_same_or_under(point, path)) continue;
    if (!best || point.size() >= best_length) {
      best = i;
      best_length = point.size();
    }
  }
  return best;
}

}  // namespace

std::string normalize_path(std::string_view path) {
  const bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string_view> parts;
  std::size_t leading_dotdots = 0;  // only for relative paths
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      } else if (!absolute) {
        ++leading_dotdots;
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (std::size_t i = 0; i < leading_dotdots; ++i) out += i == 0 ? ".." : "/..";
  for (std::string_view part : parts) {
    if (!out.empty() && out.back() != '/') out += '/';
    out += part;
  }
  return out.empty() ? "." : out;
}

std::optional<MountEntry> mount_containing(const std::vector<MountEntry>& mounts, const std::string& path) {
  const std::string clean = normalize_path(path);
  if (clean.empty() || clean[0] != '/') return std::nullopt;
  const std::vector<bool> hidden = hidden_mounts(mounts);
  auto best = longest_holding(mounts, clean, &hidden);
  if (!best) best = longest_holding(mounts, clean, nullptr);
  if (!best) return std::nullopt;
  return mounts[*best];
}

}  // namespace kdump::cfg
