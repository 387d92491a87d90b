// goro_leak_report — the debug runtime's exit leak check on N leaked
// goroutines (default 1,000,000), all blocked on one channel: one group.
// Prints the CLOCK_MONOTONIC time at which main returns on stderr, so that
// bench/leak_report.py can split the time after it into the report (collect,
// group, symbolize, print) and the process's teardown. Not a test.
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <goro/goro.hpp>

namespace {
goro::chan<int> leaked_on;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  leaked_on = goro::make_chan<int>();
  goro::wait_group started;
  started.add(static_cast<int>(n));
  for (long i = 0; i < n; ++i)
    goro::go([&started] {
      started.done();
      leaked_on.recv();
    });
  started.wait();
  // Let the last ones reach recv(): runnable goroutines would form a second
  // group.
  goro::sleep(std::chrono::milliseconds(200));
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  std::fprintf(stderr, "main returns at %lld\n",
               static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec);
  return 0;
}
