// bench/goro_bench.cpp — goro's side of the benchmark comparison with Go
// (bench/go/bench_test.go) and Boost.Fiber (bench/boost_fiber_bench.cpp).
//
// Rules that keep the three sides comparable (docs/performance.md):
//   - One iteration is the same unit of work in every peer: one spawn+join,
//     one ping-pong round trip, one value through a buffered channel, one
//     select with exactly one ready case, one lock/increment/unlock.
//   - Every timed loop runs on a goroutine, never on main(): Go's testing
//     package runs benchmark functions on a goroutine too, so both sides time
//     goroutine-to-goroutine operations (a plain thread waking a fiber takes a
//     futex round trip that no Go program pays).
//   - Times are wall-clock (UseRealTime); CPU time is the whole process's
//     (MeasureProcessCPUTime), because the timing goroutine may move between
//     worker threads.
//   - Parallelism comes from GORO_MAXPROCS, set by bench/run.sh to the
//     GOMAXPROCS the Go side gets.
//   - Each benchmark checks its result (values echoed, order kept, counter
//     total) and reports an error instead of a time when it is wrong.
//   - The harness's own joins (waiting for the timing goroutine, for the
//     mutex workers) close or fill a channel rather than use a wait_group:
//     a wait_group destroyed right after wait() returns can still be touched
//     by the done() that released it (docs/performance.md, "wait_group").
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <benchmark/benchmark.h>
#include <goro/goro.hpp>

namespace {

// Runs body(state) on a goroutine; the calling thread waits until it returns.
template <class Body>
void on_goroutine(benchmark::State& state, Body body) {
  auto finished = goro::make_chan<goro::unit>();
  goro::go([&state, &body, finished] {
    body(state);
    finished.close();
  });
  (void)finished.recv();
}

// Go: wg.Add(1); go func() { wg.Done() }(); wg.Wait()
void spawn_join(benchmark::State& state) {
  on_goroutine(state, [](benchmark::State& st) {
    // Never destroyed, so the last done() may finish after the loop.
    static goro::wait_group& wg = *new goro::wait_group;
    for (auto _ : st) {
      wg.add();
      goro::go([] { wg.done(); });
      wg.wait();
    }
  });
}

// One round trip over two unbuffered channels to an echo goroutine.
void ping_pong(benchmark::State& state) {
  on_goroutine(state, [](benchmark::State& st) {
    auto ping = goro::make_chan<std::int64_t>();
    auto pong = goro::make_chan<std::int64_t>();
    goro::go([ping, pong] {
      for (std::int64_t v : ping)
        pong.send(v);
      pong.close();
    });
    std::int64_t i = 0;
    bool ok = true;
    for (auto _ : st) {
      ping.send(i);
      ok &= pong.recv() == i;
      ++i;
    }
    ping.close();
    ok &= !pong.recv().has_value(); // the echo goroutine has finished
    if (!ok)
      st.SkipWithError("ping-pong: a wrong value came back");
  });
}

// One value per iteration from a sender goroutine to the timing goroutine
// through a channel of the given capacity.
void buffered(benchmark::State& state, std::size_t capacity) {
  on_goroutine(state, [capacity](benchmark::State& st) {
    auto ch = goro::make_chan<std::int64_t>(capacity);
    const std::int64_t n = st.max_iterations;
    goro::go([ch, n] {
      for (std::int64_t i = 0; i < n; ++i)
        ch.send(i);
      ch.close();
    });
    std::int64_t expect = 0;
    bool ok = true;
    for (auto _ : st) {
      ok &= ch.recv() == expect;
      ++expect;
    }
    ok &= !ch.recv().has_value(); // drained and closed
    if (!ok)
      st.SkipWithError("buffered: values lost, duplicated or reordered");
  });
}

template <std::size_t K, std::size_t... I>
void select_one(const std::array<goro::chan<std::int64_t>, K>& chs, std::int64_t& sum,
                std::index_sequence<I...>) {
  // Expands to a select with K literal receive cases, like Go's select statement.
  goro::select(goro::on_recv(chs[I], [&sum](std::optional<std::int64_t> v) { sum += *v; })...);
}

// A select over K receive cases of which exactly one is ready: the timing
// goroutine first sends into one channel (capacity 1, so it never blocks),
// rotating through them, then selects.
template <std::size_t K>
void select_k(benchmark::State& state) {
  on_goroutine(state, [](benchmark::State& st) {
    std::array<goro::chan<std::int64_t>, K> chs;
    for (auto& c : chs)
      c = goro::make_chan<std::int64_t>(1);
    std::int64_t sum = 0;
    std::size_t i = 0;
    for (auto _ : st) {
      chs[i % K].send(1);
      select_one<K>(chs, sum, std::make_index_sequence<K>{});
      ++i;
    }
    if (sum != static_cast<std::int64_t>(st.iterations()))
      st.SkipWithError("select: wrong number of values received");
  });
}

// `workers` goroutines share the iterations; each iteration is one
// lock / increment / unlock of a single mutex.
void mutex_contended(benchmark::State& state, int workers) {
  on_goroutine(state, [workers](benchmark::State& st) {
    goro::mutex mu;
    std::int64_t counter = 0;
    const std::int64_t n = st.max_iterations;
    while (st.KeepRunningBatch(n)) {
      auto finished = goro::make_chan<goro::unit>(static_cast<std::size_t>(workers));
      for (int w = 0; w < workers; ++w) {
        std::int64_t share = n / workers + (w == 0 ? n % workers : 0);
        goro::go([&mu, &counter, finished, share] {
          for (std::int64_t j = 0; j < share; ++j) {
            mu.lock();
            ++counter;
            mu.unlock();
          }
          finished.send(goro::unit{});
        });
      }
      for (int w = 0; w < workers; ++w)
        (void)finished.recv();
    }
    if (counter != n)
      st.SkipWithError("mutex: lost increments");
  });
}

void configure(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->MeasureProcessCPUTime();
}

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  configure(benchmark::RegisterBenchmark("SpawnJoin", spawn_join));
  configure(benchmark::RegisterBenchmark("PingPong", ping_pong));
  configure(benchmark::RegisterBenchmark("Buffered1", buffered, std::size_t{1}));
  configure(benchmark::RegisterBenchmark("Buffered100", buffered, std::size_t{100}));
  configure(benchmark::RegisterBenchmark("Select2", select_k<2>));
  configure(benchmark::RegisterBenchmark("Select8", select_k<8>));
  configure(benchmark::RegisterBenchmark("Mutex4", mutex_contended, 4));
  benchmark::AddCustomContext("system", "goro");
  benchmark::AddCustomContext("procs", std::to_string(goro::max_procs()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
