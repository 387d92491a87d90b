// Pitfall: lock-order inversion (goro-lock-order-inversion).
//
// A cache and its statistics, each with its own mutex. A lookup holds the
// cache's lock and records a hit, which takes the statistics' lock:
// cache.mu_ -> stats.mu_. The periodic report holds the statistics' lock and
// asks the cache for its size, which takes the cache's lock: stats.mu_ ->
// cache.mu_. Most runs finish fine: the two goroutines deadlock only when a
// lookup and a report each take their first lock in the same instant. The
// check reports the cycle from the source, whether or not a run deadlocks:
//
//   clang-tidy-19 --load=build/default/checkers/goro-tidy.so \
//     --checks=-*,goro-lock-order-inversion \
//     examples/pitfalls/lock-order-inversion.cpp -- -std=c++20 -Iruntime/include
//
// The fix: never call out of a critical section into code that locks, e.g.
// report() copies the counters under stats.mu_ and asks for the size after
// releasing it (or size() is read first); see
// docs/checks/goro-lock-order-inversion.md.
//
// (Wrong on purpose: not built by CMake; the main job runs the checks here.)
#include <goro/goro.hpp>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>

namespace {

class Stats {
public:
  void recordHit() {
    std::lock_guard<goro::mutex> lock(mu_);
    ++hits_;
  }
  void recordMiss() {
    std::lock_guard<goro::mutex> lock(mu_);
    ++misses_;
  }
  // Defined below: it needs the cache.
  void report(const class Cache& cache);

private:
  goro::mutex mu_;
  long hits_ = 0;
  long misses_ = 0;
};

class Cache {
public:
  explicit Cache(Stats& stats) : stats_(stats) {}

  std::string get(const std::string& key) {
    std::lock_guard<goro::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      stats_.recordMiss(); // cache.mu_ -> stats.mu_
      return {};
    }
    stats_.recordHit(); // cache.mu_ -> stats.mu_
    return it->second;
  }

  void put(const std::string& key, std::string value) {
    std::lock_guard<goro::mutex> lock(mu_);
    entries_[key] = std::move(value);
  }

  std::size_t size() const {
    std::lock_guard<goro::mutex> lock(mu_);
    return entries_.size();
  }

private:
  mutable goro::mutex mu_;
  std::map<std::string, std::string> entries_;
  Stats& stats_;
};

void Stats::report(const Cache& cache) {
  std::lock_guard<goro::mutex> lock(mu_);
  // stats.mu_ -> cache.mu_: the inversion. Reading cache.size() before
  // taking mu_ (or after releasing it) fixes it.
  std::printf("hits=%ld misses=%ld entries=%zu\n", hits_, misses_, cache.size());
}

} // namespace

int main() {
  Stats stats;
  Cache cache(stats);
  cache.put("a", "1");

  goro::wait_group wg;
  wg.add(2);
  goro::go([&] {
    for (int i = 0; i < 1000; ++i)
      cache.get(i % 2 == 0 ? "a" : "b");
    wg.done();
  });
  goro::go([&] {
    for (int i = 0; i < 10; ++i)
      stats.report(cache);
    wg.done();
  });
  wg.wait();
  return 0;
}
