// The single doctest main for every unit test; test files live beside it,
// mirroring the source tree (tests/unit/libkdumpcfg/..., tests/unit/collector/...).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
