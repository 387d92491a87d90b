// bench/boost_fiber_parked.cpp — resident memory per parked Boost.Fiber fiber.
//
// The same steps as bench/goro_parked.cpp: COUNT fibers (default 1,000,000)
// each block popping from one shared unbuffered_channel; report
// (VmRSS after - VmRSS before) / COUNT; close the channel; wait for all.
// Stacks: fixedsize_stack of 64 KiB (malloc'ed, touched only where used).
//
//   boost_fiber_parked [--threads=N] [COUNT]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "boost_fiber_pool.hpp"
#include "rss.hpp"

int main(int argc, char** argv) {
  int threads = bench::take_threads_flag(&argc, argv);
  long count = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1'000'000;
  if (count < 1 || count > 100'000'000) {
    std::fprintf(stderr, "usage: %s [--threads=N] [COUNT]  (1 to 100000000 fibers)\n", argv[0]);
    return 2;
  }
  {
    bench::fiber_pool pool(threads);
    bench::spawn([] {}).join(); // the scheduler's own fibers exist before the baseline
    const long before = bench::rss_kib();

    boost::fibers::unbuffered_channel<int> release;
    bench::fiber_wait_group started;
    bench::fiber_wait_group exited;
    started.add(count);
    exited.add(count);
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < count; ++i)
      bench::spawn([&] {
        started.done();
        int v = 0;
        (void)release.pop(v); // parks here until close
        exited.done();
      }).detach();
    started.wait();
    double park_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    boost::this_fiber::sleep_for(std::chrono::milliseconds(200));
    const long after = bench::rss_kib();

    release.close();
    exited.wait();
    bench::print_parked("boost.fiber", count, before, after, park_seconds);
  }
  return 0;
}
