// bench/boost_fiber_bench.cpp — Boost.Fiber's side of the benchmark
// comparison, for the primitives Boost.Fiber has (it has no select).
//
// The same unit of work per iteration as bench/goro_bench.cpp and
// bench/go/bench_test.go. Differences, all forced by Boost.Fiber's API:
//   - spawn+join waits with fiber::join() (Boost has no wait group; join is
//     its native "wait until that fiber is done").
//   - buffered_channel needs a power-of-two capacity >= 2 and keeps one slot
//     empty: capacity 2 buffers exactly 1 value (goro/Go capacity 1) and
//     capacity 128 buffers 127 (goro/Go capacity 100). The benchmarks are
//     named for the capacity passed: Buffered2, Buffered128.
// Threads: --threads=N (see boost_fiber_pool.hpp for the scheduler). The timed
// loops run on main()'s fiber, which Boost.Fiber treats as a fiber like any
// other, so no loop runs outside the fiber scheduler here either.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "boost_fiber_pool.hpp"

namespace {

using boost::fibers::channel_op_status;

void spawn_join(benchmark::State& state) {
  for (auto _ : state)
    bench::spawn([] {}).join();
}

void ping_pong(benchmark::State& state) {
  boost::fibers::unbuffered_channel<std::int64_t> ping;
  boost::fibers::unbuffered_channel<std::int64_t> pong;
  boost::fibers::fiber echo = bench::spawn([&] {
    std::int64_t v = 0;
    while (ping.pop(v) == channel_op_status::success)
      pong.push(v);
    pong.close();
  });
  std::int64_t i = 0;
  bool ok = true;
  for (auto _ : state) {
    ping.push(i);
    std::int64_t v = -1;
    ok &= pong.pop(v) == channel_op_status::success && v == i;
    ++i;
  }
  ping.close();
  echo.join();
  if (!ok)
    state.SkipWithError("ping-pong: a wrong value came back");
}

void buffered(benchmark::State& state, std::size_t capacity) {
  boost::fibers::buffered_channel<std::int64_t> ch(capacity);
  const std::int64_t n = state.max_iterations;
  boost::fibers::fiber sender = bench::spawn([&ch, n] {
    for (std::int64_t i = 0; i < n; ++i)
      ch.push(i);
    ch.close();
  });
  std::int64_t expect = 0;
  bool ok = true;
  for (auto _ : state) {
    std::int64_t v = -1;
    ok &= ch.pop(v) == channel_op_status::success && v == expect;
    ++expect;
  }
  std::int64_t extra = 0;
  ok &= ch.pop(extra) == channel_op_status::closed;
  sender.join();
  if (!ok)
    state.SkipWithError("buffered: values lost, duplicated or reordered");
}

void mutex_contended(benchmark::State& state, int workers) {
  boost::fibers::mutex mu;
  std::int64_t counter = 0;
  const std::int64_t n = state.max_iterations;
  while (state.KeepRunningBatch(n)) {
    std::vector<boost::fibers::fiber> fibers;
    for (int w = 0; w < workers; ++w) {
      std::int64_t share = n / workers + (w == 0 ? n % workers : 0);
      fibers.push_back(bench::spawn([&mu, &counter, share] {
        for (std::int64_t j = 0; j < share; ++j) {
          mu.lock();
          ++counter;
          mu.unlock();
        }
      }));
    }
    for (auto& f : fibers)
      f.join();
  }
  if (counter != n)
    state.SkipWithError("mutex: lost increments");
}

void configure(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->MeasureProcessCPUTime();
}

} // namespace

int main(int argc, char** argv) {
  int threads = bench::take_threads_flag(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  bench::fiber_pool pool(threads);
  configure(benchmark::RegisterBenchmark("SpawnJoin", spawn_join));
  configure(benchmark::RegisterBenchmark("PingPong", ping_pong));
  configure(benchmark::RegisterBenchmark("Buffered2", buffered, std::size_t{2}));
  configure(benchmark::RegisterBenchmark("Buffered128", buffered, std::size_t{128}));
  configure(benchmark::RegisterBenchmark("Mutex4", mutex_contended, 4));
  benchmark::AddCustomContext("system", "boost.fiber");
  benchmark::AddCustomContext("procs", std::to_string(threads));
  benchmark::AddCustomContext("scheduler", threads == 1 ? "round_robin" : "work_stealing");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
