// bench/boost_fiber_pool.hpp — runs Boost.Fiber on N threads, for the peer
// benchmarks (boost_fiber_bench.cpp, boost_fiber_parked.cpp).
//
// Scheduler choice (docs/performance.md says the same):
//   - 1 thread: algo::round_robin, Boost.Fiber's default.
//   - N > 1 threads: algo::work_stealing(N) with its default suspend=false:
//     an idle thread keeps polling the others' queues instead of sleeping.
//     That is the configuration Boost's own examples use. With suspend=true
//     an idle thread sleeps until one of *its own* fibers is readied
//     (work_stealing::notify), so it would never wake to steal newly spawned
//     fibers: N threads would mostly behave like one.
// The calling thread (main) is one of the N; the pool starts N - 1 helper
// threads that only run fibers. work_stealing keeps its thread count in
// statics, so one process can use one pool size only (bench/run.sh starts a
// process per thread count, as it does for goro and Go).
//
// Every fiber gets a fixedsize_stack of 64 KiB (goro's default stack size),
// which Boost allocates with malloc: pooled_fixedsize_stack would be faster
// but is not thread-safe, and fibers migrate between threads here.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/fiber/all.hpp>

namespace bench {

inline constexpr std::size_t fiber_stack_size = 64 * 1024;

inline boost::fibers::fixedsize_stack fiber_stack() {
  return boost::fibers::fixedsize_stack(fiber_stack_size);
}

// Starts a fiber with the benchmark stack; returns it joinable.
template <class F>
boost::fibers::fiber spawn(F&& f) {
  return boost::fibers::fiber(std::allocator_arg, fiber_stack(), std::forward<F>(f));
}

// Go's sync.WaitGroup on Boost.Fiber primitives (fiber-aware mutex and
// condition variable; Boost has no wait group).
class fiber_wait_group {
public:
  void add(long n) {
    std::unique_lock<boost::fibers::mutex> lock(mu_);
    count_ += n;
    if (count_ == 0)
      zero_.notify_all();
  }
  void done() { add(-1); }
  void wait() {
    std::unique_lock<boost::fibers::mutex> lock(mu_);
    zero_.wait(lock, [this] { return count_ == 0; });
  }

private:
  boost::fibers::mutex mu_;
  boost::fibers::condition_variable zero_;
  long count_ = 0;
};

class fiber_pool {
public:
  explicit fiber_pool(int threads) : threads_(threads) {
    if (threads_ < 1) {
      std::fprintf(stderr, "boost fiber pool: need at least one thread\n");
      std::exit(2);
    }
    if (threads_ == 1)
      return; // round_robin on this thread: nothing to set up
    for (int i = 1; i < threads_; ++i)
      helpers_.emplace_back([this] {
        boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(
            static_cast<std::uint32_t>(threads_));
        std::unique_lock<boost::fibers::mutex> lock(stop_mu_);
        stop_cv_.wait(lock, [this] { return stopping_; });
      });
    boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(
        static_cast<std::uint32_t>(threads_));
  }
  fiber_pool(const fiber_pool&) = delete;
  fiber_pool& operator=(const fiber_pool&) = delete;
  // Every fiber the program started must have finished by now.
  ~fiber_pool() {
    {
      std::unique_lock<boost::fibers::mutex> lock(stop_mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    for (std::thread& t : helpers_)
      t.join();
  }
  int threads() const { return threads_; }

private:
  int threads_;
  std::vector<std::thread> helpers_;
  boost::fibers::mutex stop_mu_;
  boost::fibers::condition_variable stop_cv_;
  bool stopping_ = false;
};

// The thread count from --threads=N (removed from argv), else 1.
inline int take_threads_flag(int* argc, char** argv) {
  int threads = 1;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--threads=", 0) == 0) {
      char* end = nullptr;
      long v = std::strtol(arg.c_str() + 10, &end, 10);
      if (end == arg.c_str() + 10 || *end != '\0' || v < 1 || v > 1024) {
        std::fprintf(stderr, "%s: --threads expects an integer from 1 to 1024, got '%s'\n", argv[0],
                     arg.c_str() + 10);
        std::exit(2);
      }
      threads = static_cast<int>(v);
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = nullptr;
  return threads;
}

} // namespace bench
