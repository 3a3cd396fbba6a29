#include <doctest/doctest.h>

#include "kdumpcfg/config.h"

using namespace kdump::cfg;

TEST_CASE("rewrite_core_collector follows kdump.sh per target and CPU count") {
  struct Case {
    std::string_view command;
    std::optional<TargetKind> kind;
    unsigned cpus;
    CollectorRewrite expected;
  };
  const auto raw = TargetKind::kRaw, ssh = TargetKind::kSsh, fs = TargetKind::kFilesystem;
  const auto nfs = TargetKind::kNfs, virtiofs = TargetKind::kVirtiofs;
  const Case cases[] = {
      // -F for streamed targets, and never twice.
      {"makedumpfile -l -d 31", ssh, 1,
       {"makedumpfile -l -d 31 -F", {"core_collector: added -F (an ssh target receives a flattened stream)"}}},
      {"makedumpfile -l -d 31", raw, 4,
       {"makedumpfile -l -d 31 -F", {"core_collector: added -F (a raw target receives a flattened stream)"}}},
      {"makedumpfile -F -l -d 31", ssh, 8, {"makedumpfile -F -l -d 31", {}}},
      {"makedumpfile -lF -d 31", raw, 1, {"makedumpfile -lF -d 31", {}}},
      // No -F for file targets, wherever the F sits in a cluster.
      {"makedumpfile -F -l -d 31", fs, 1,
       {"makedumpfile -l -d 31", {"core_collector: removed -F (a file system target gets a normal dump file)"}}},
      {"makedumpfile -Fl -d 31", std::nullopt, 1,
       {"makedumpfile -l -d 31", {"core_collector: removed -F (the local file system gets a normal dump file)"}}},
      {"makedumpfile -lFc -d 31", virtiofs, 1,
       {"makedumpfile -lc -d 31", {"core_collector: removed -F (a virtiofs target gets a normal dump file)"}}},
      {"makedumpfile -F -F -d 31", nfs, 1,
       {"makedumpfile -d 31", {"core_collector: removed -F (an nfs target gets a normal dump file)"}}},
      // An F that is an option's argument is not a flag.
      {"makedumpfile -x F -d 31", fs, 1, {"makedumpfile -x F -d 31", {}}},
      {"makedumpfile -xF -d 31", fs, 1, {"makedumpfile -xF -d 31", {}}},
      {"makedumpfile -d31 -F", fs, 1,
       {"makedumpfile -d31", {"core_collector: removed -F (a file system target gets a normal dump file)"}}},
      {"makedumpfile --message-level 1 -d 31 -- -F", fs, 1, {"makedumpfile --message-level 1 -d 31 -- -F", {}}},
      {"makedumpfile -d 31 -- -F", ssh, 1,
       {"makedumpfile -d 31 -F -- -F", {"core_collector: added -F (an ssh target receives a flattened stream)"}}},
      // Nor after an option whose argument is missing: they would become it.
      {"makedumpfile -l -d", ssh, 1,
       {"makedumpfile -l -F -d", {"core_collector: added -F (an ssh target receives a flattened stream)"}}},
      {"makedumpfile -l --message-level", raw, 1,
       {"makedumpfile -l -F --message-level", {"core_collector: added -F (a raw target receives a flattened stream)"}}},
      {"makedumpfile --message-level -F", ssh, 1,
       {"makedumpfile --message-level -F -F", {"core_collector: added -F (an ssh target receives a flattened stream)"}}},
      {"makedumpfile -d 31 --", fs, 2,
       {"makedumpfile -d 31 --num-threads=2 --", {"core_collector: added --num-threads=2 (2 CPUs online)"}}},
      // Threads when the output is a plain dump file and more than one CPU is up.
      {"makedumpfile -l -d 31", fs, 4,
       {"makedumpfile -l -d 31 --num-threads=4", {"core_collector: added --num-threads=4 (4 CPUs online)"}}},
      {"makedumpfile -F -l -d 31", nfs, 2,
       {"makedumpfile -l -d 31 --num-threads=2",
        {"core_collector: removed -F (an nfs target gets a normal dump file)",
         "core_collector: added --num-threads=2 (2 CPUs online)"}}},
      {"makedumpfile -E -d 31", fs, 4, {"makedumpfile -E -d 31", {}}},
      {"makedumpfile -El -d 31", fs, 4, {"makedumpfile -El -d 31", {}}},
      {"makedumpfile -l --num-threads=2 -d 31", fs, 4, {"makedumpfile -l --num-threads=2 -d 31", {}}},
      {"makedumpfile -l -d 31", fs, 1, {"makedumpfile -l -d 31", {}}},
      {"makedumpfile -l -d 31", fs, 0, {"makedumpfile -l -d 31", {}}},
      // Our collector and full paths count; other programs pass unchanged.
      {"kdump-collector -l -d 31", ssh, 1,
       {"kdump-collector -l -d 31 -F", {"core_collector: added -F (an ssh target receives a flattened stream)"}}},
      {"/usr/sbin/makedumpfile -F -c", fs, 1,
       {"/usr/sbin/makedumpfile -c", {"core_collector: removed -F (a file system target gets a normal dump file)"}}},
      {"/usr/bin/kdump-collector -c", fs, 3,
       {"/usr/bin/kdump-collector -c --num-threads=3", {"core_collector: added --num-threads=3 (3 CPUs online)"}}},
      {"scp", ssh, 4, {"scp", {}}},
      {"cp --sparse=always -F", fs, 4, {"cp --sparse=always -F", {}}},
      {"makedumpfile-wrapper -F", fs, 4, {"makedumpfile-wrapper -F", {}}},
      {"", fs, 4, {"", {}}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.command);
    CAPTURE(c.cpus);
    const CollectorRewrite once = rewrite_core_collector(c.command, c.kind, c.cpus);
    CHECK(once == c.expected);
    // The capture step rewrites again what parse_config already rewrote.
    CHECK(rewrite_core_collector(once.command, c.kind, c.cpus).command == once.command);
  }
}
