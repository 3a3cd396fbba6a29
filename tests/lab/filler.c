/* filler MIB: holds MIB of anonymous memory of mixed content until killed.
 *
 * Busy mode of the crash lab runs this in the guest before the crash so that
 * the vmcore holds real data for the dump tools to filter and compress: a
 * third random bytes (incompressible), a third repetitive text (compresses
 * well, but no page is zero), a third written zeros (pages makedumpfile's
 * dump level 1 drops). Built static on the host; prints one READY line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2 || atol(argv[1]) <= 0) {
    fprintf(stderr, "usage: filler MIB\n");
    return 2;
  }
  size_t bytes = (size_t)atol(argv[1]) << 20;
  size_t third = bytes / 3 & ~(size_t)4095;
  unsigned char *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    perror("filler: mmap");
    return 1;
  }
  /* xorshift64*: fast, and random enough that no compressor gains. */
  uint64_t x = 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
  for (size_t i = 0; i + 8 <= third; i += 8) {
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    uint64_t v = x * 0x2545F4914F6CDD1Dull;
    memcpy(mem + i, &v, 8);
  }
  for (size_t off = third; off + 4096 <= 2 * third; off += 4096) {
    char line[64];
    int n = snprintf(line, sizeof line, "KDUMP-LAB busy page %zu repeats. ", off / 4096);
    for (size_t i = 0; i < 4096; i += n)
      memcpy(mem + off + i, line, i + n <= 4096 ? (size_t)n : 4096 - i);
  }
  memset(mem + 2 * third, 0, bytes - 2 * third);
  printf("FILLER-READY mib=%s random=%zu repetitive=%zu zero=%zu\n", argv[1], third, third,
         bytes - 2 * third);
  fflush(stdout);
  for (;;) pause();
}
