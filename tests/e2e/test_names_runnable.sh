#!/usr/bin/env bash
# CTest cuts a doctest case's name at ';' (a CMake list separator), so a case
# with one in its name matches nothing when CTest runs it, and "passes"
# having tested nothing. No case name may hold one, nor a backslash (','
# is escaped by doctest_discover_tests and runs).
set -uo pipefail
src=${KDUMP_SOURCE_DIR:?}
bad=$(grep -rnE '(TEST_CASE|SUBCASE)\("[^"]*[;\\]' "$src/tests" --include='*.cc')
if [[ -n $bad ]]; then
  echo "FAIL: test names CTest cannot run (rename without ';' or '\\'):"
  echo "$bad"
  exit 1
fi
echo "every test name is runnable by CTest"
