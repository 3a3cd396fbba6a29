#include "kdumpcfg/config.h"

// kdump-utils rewrites a makedumpfile command in the capture kernel
// (dracut/99kdumpbase/kdump.sh get_kdump_confs): it strips every "-F", adds
// "-F" back for raw and ssh targets (they take a flattened stream through dd),
// and adds "--num-threads=$(nproc)" when more than one CPU is online and the
// command has neither -F nor -E. It does this with sed on the whole string,
// which also mangles "-Fl" into "l"; here the command is split into words and
// short-option clusters are read the way makedumpfile's getopt reads them, so
// only the F flag itself is touched. Added options go at the end, where
// kdump.sh puts them, but before a "--" or an option still missing its
// argument, either of which would swallow them. An existing --num-threads is
// kept rather than doubled. kdump-collector takes makedumpfile's options and
// is treated the same.

#include <algorithm>
#include <array>
#include <utility>

namespace kdump::cfg {
namespace {

// makedumpfile 1.7's short options that take an argument (from its getopt
// string "b:cDd:eEFfg:hi:lL:pRvXx:z").
constexpr std::string_view kArgumentLetters = "bdgiLx";

constexpr std::array<std::string_view, 2> kMakedumpfileLike = {"makedumpfile", "kdump-collector"};

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string_view target_phrase(std::optional<TargetKind> kind) {
  if (!kind) return "the local file system";
  switch (*kind) {
    case TargetKind::kRaw: return "a raw target";
    case TargetKind::kFilesystem: return "a file system target";
    case TargetKind::kVirtiofs: return "a virtiofs target";
    case TargetKind::kNfs: return "an nfs target";
    case TargetKind::kSsh: return "an ssh target";
  }
  return "the target";
}

// makedumpfile's long options that take the next word as their argument.
constexpr std::array<std::string_view, 8> kArgumentLongOptions = {
    "--message-level", "--num-threads", "--cyclic-buffer", "--splitblock-size",
    "--eppic",         "--config",      "--work-dir",      "--vtop"};

struct Flags {
  bool flat = false;  // -F: flattened output
  bool elf = false;   // -E: ELF output
  bool threads = false;
  // Where added options go: at the end, but before a "--" (after it they would
  // be operands) or an option still waiting for its argument (they would
  // become that argument).
  std::size_t options_end = 0;
};

// Reads one short-option cluster ("-lF", "-d31") as getopt does, dropping its
// F when `drop_flat`. Returns what is left of it and whether the option's
// argument is the next word.
std::pair<std::string, bool> read_cluster(std::string_view word, bool drop_flat, Flags& flags) {
  std::string cluster = "-";
  for (std::size_t j = 1; j < word.size(); ++j) {
    const char letter = word[j];
    if (letter == 'F') {
      flags.flat = true;
      if (drop_flat) continue;
    }
    flags.elf |= letter == 'E';
    cluster += letter;
    if (kArgumentLetters.find(letter) != std::string_view::npos) {
      cluster += word.substr(j + 1);  // the rest of the word is the argument
      return {cluster, j + 1 == word.size()};
    }
  }
  return {cluster, false};
}

// Reads the options, dropping every F flag when `drop_flat`.
Flags scan_options(std::vector<std::string>& words, bool drop_flat) {
  Flags flags;
  std::vector<std::string> kept{words.front()};
  std::optional<std::size_t> end;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--") {
      end = kept.size();
      kept.insert(kept.end(), words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
      break;
    }
    bool takes_next = false;
    if (word.starts_with("--")) {
      flags.threads |= word.starts_with("--num-threads");
      takes_next = std::find(kArgumentLongOptions.begin(), kArgumentLongOptions.end(), word) !=
                   kArgumentLongOptions.end();
      kept.push_back(word);
    } else if (word.size() >= 2 && word[0] == '-') {
      auto [cluster, next] = read_cluster(word, drop_flat, flags);
      if (cluster != "-") kept.push_back(std::move(cluster));
      takes_next = next;
    } else {
      kept.push_back(word);
    }
    if (takes_next) {
      if (i + 1 < words.size()) {
        kept.push_back(words[++i]);
      } else {
        end = kept.size() - 1;
      }
    }
  }
  flags.options_end = end.value_or(kept.size());
  words = std::move(kept);
  return flags;
}

}  // namespace

bool is_makedumpfile_like(std::string_view program) {
  const std::size_t slash = program.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? program : program.substr(slash + 1);
  for (auto name : kMakedumpfileLike)
    if (base == name) return true;
  return false;
}

std::vector<std::string> split_command_words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

CollectorRewrite rewrite_core_collector(std::string_view command, std::optional<TargetKind> kind,
                                        unsigned cpus) {
  std::vector<std::string> words = split_command_words(command);
  if (words.empty() || !is_makedumpfile_like(words.front())) return {std::string(command), {}};

  CollectorRewrite out;
  const bool wants_flat = kind == TargetKind::kRaw || kind == TargetKind::kSsh;
  const Flags flags = scan_options(words, !wants_flat);
  std::vector<std::string> added;
  if (flags.flat && !wants_flat)
    out.notes.push_back("core_collector: removed -F (" + std::string(target_phrase(kind)) +
                        " gets a normal dump file)");
  if (wants_flat && !flags.flat) {
    added.emplace_back("-F");
    out.notes.push_back("core_collector: added -F (" + std::string(target_phrase(kind)) +
                        " receives a flattened stream)");
  }
  if (cpus > 1 && !wants_flat && !flags.elf && !flags.threads) {
    added.push_back("--num-threads=" + std::to_string(cpus));
    out.notes.push_back("core_collector: added --num-threads=" + std::to_string(cpus) + " (" +
                        std::to_string(cpus) + " CPUs online)");
  }
  words.insert(words.begin() + static_cast<std::ptrdiff_t>(flags.options_end), added.begin(), added.end());
  out.command = join(words);
  return out;
}

}  // namespace kdump::cfg
