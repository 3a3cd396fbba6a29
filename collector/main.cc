// kdump-collector: the command-line face of the collector library.
#include <cstdio>

int main() {
  std::fprintf(stderr, "kdump-collector: no command yet\n");
  return 2;
}
