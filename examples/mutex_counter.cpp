// Shared state under a mutex: a thousand goroutines increment one counter.
// Guarded by a goro::mutex (SafeCounter), or made atomic, the total is always
// 1000; unguarded it is a data race (seed 001 prints "unpredictable result").
// Then the other use of a mutex in the seeds: goroutines appending query
// results to one shared slice.
//
// Seeds: 001 "Race Condition Example" / "Fixing with Mutex" / "Atomic
// Operations", 004 "sync.Mutex — Protect Shared State", 000 "Pattern 3: Using
// sync.WaitGroup" (allUsers appended under a mutex).
//
// Notice: value() takes the lock too. Reading without it while writers run is
// as much a data race as an unguarded write.
#include <goro/goro.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace {

class safe_counter {
public:
  void increment() {
    std::lock_guard lock(mu_); // Go: c.mu.Lock(); defer c.mu.Unlock()
    ++count_;
  }
  int value() const {
    std::lock_guard lock(mu_);
    return count_;
  }

private:
  mutable goro::mutex mu_;
  int count_ = 0;
};

} // namespace

int main() {
  safe_counter counter;
  std::atomic<long> atomic_counter{0};
  goro::wait_group wg;
  for (int i = 0; i < 1000; ++i) {
    wg.add(1);
    goro::go([&] {
      goro::defer done([&] { wg.done(); });
      counter.increment();
      atomic_counter.fetch_add(1, std::memory_order_relaxed);
    });
  }
  wg.wait();
  std::printf("mutex counter: %d\n", counter.value());
  std::printf("atomic counter: %ld\n", atomic_counter.load());

  // Two "queries" run at once and append to one result under a mutex.
  goro::mutex mu;
  std::vector<std::string> all_users;
  auto query = [&](std::vector<std::string> rows) {
    return [&, rows = std::move(rows)] {
      goro::defer done([&] { wg.done(); });
      std::lock_guard lock(mu);
      all_users.insert(all_users.end(), rows.begin(), rows.end());
    };
  };
  wg.add(2);
  goro::go(query({"ada", "grace"}));   // active users
  goro::go(query({"barbara", "ken"})); // recently created users
  wg.wait();

  std::ranges::sort(all_users); // the two appends happen in either order
  std::printf("users:");
  for (const auto& u : all_users)
    std::printf(" %s", u.c_str());
  std::printf("\n");
  return counter.value() == 1000 && atomic_counter.load() == 1000 && all_users.size() == 4 ? 0 : 1;
}
