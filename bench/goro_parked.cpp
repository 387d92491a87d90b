// bench/goro_parked.cpp — resident memory per parked goroutine.
//
// Starts COUNT goroutines (default 1,000,000) that each block receiving from
// one shared channel, and reports (VmRSS after - VmRSS before) / COUNT, then
// closes the channel and waits until every goroutine has exited. The Go
// (bench/go/parked) and Boost.Fiber (boost_fiber_parked.cpp) programs do the
// same steps; bench/run.sh runs each in a fresh process.
//
//   GORO_MAXPROCS=2 goro_parked [COUNT]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <goro/goro.hpp>

#include "rss.hpp"

int main(int argc, char** argv) {
  long count = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1'000'000;
  if (count < 1 || count > 100'000'000) {
    std::fprintf(stderr, "usage: %s [COUNT]  (1 to 100000000 goroutines)\n", argv[0]);
    return 2;
  }
  // Everything runs on a goroutine, as Go's main does: spawning from a plain
  // thread would go through the global run queue instead.
  auto finished = goro::make_chan<goro::unit>();
  goro::go([count, finished] {
    // Start the runtime (workers, poller) before the baseline, so the
    // difference is what the goroutines cost.
    {
      auto warm = goro::make_chan<int>();
      goro::go([warm] { warm.send(1); });
      (void)warm.recv();
    }
    const long before = bench::rss_kib();

    auto release = goro::make_chan<goro::unit>();
    // Never destroyed: a done() may still be finishing when wait() returns.
    auto& started = *new goro::wait_group;
    auto& exited = *new goro::wait_group;
    started.add(static_cast<int>(count));
    exited.add(static_cast<int>(count));
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < count; ++i)
      goro::go([release, &started, &exited] {
        started.done();
        (void)release.recv(); // parks here until close
        exited.done();
      });
    started.wait();
    double park_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Each goroutine is a few instructions from parking once it has signalled;
    // give the last ones time to get there.
    goro::sleep(std::chrono::milliseconds(200));
    const long after = bench::rss_kib();

    release.close();
    exited.wait();
    bench::print_parked("goro", count, before, after, park_seconds);
    finished.close();
  });
  (void)finished.recv();
  return 0;
}
