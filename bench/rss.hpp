// bench/rss.hpp — resident memory of this process, for the parked-goroutine
// programs (goro and Boost.Fiber; the Go program reads the same file).
//
// VmRSS from /proc/self/status: every resident page of the process, heap,
// stacks and runtime alike, so the three peers are compared RSS to RSS.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bench {

// Resident set size in KiB, or -1 when /proc is unreadable.
inline long rss_kib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr)
    return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) {
      kib = std::strtol(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kib;
}

// The line every parked program prints; bench/report.py parses it.
inline void print_parked(const char* system, long count, long before_kib, long after_kib,
                         double park_seconds) {
  std::printf("parked system=%s count=%ld rss_before_kib=%ld rss_after_kib=%ld "
              "bytes_per_goroutine=%.0f park_seconds=%.3f\n",
              system, count, before_kib, after_kib,
              static_cast<double>(after_kib - before_kib) * 1024.0 / static_cast<double>(count),
              park_seconds);
}

} // namespace bench
