// A cache guarded by an rw_mutex: many readers at once, one writer at a time.
// Lookups take the shared lock; a miss takes the exclusive lock, checks again
// and loads the value, so each key is loaded exactly once however many
// goroutines miss it together.
//
// Seeds: 004 "sync.RWMutex — Multiple Readers, Single Writer" (Cache),
// 001 "RWMutex for Read/Write Operations" (SafeMap, GetAll).
//
// Notice: after trading the shared lock for the exclusive one, look again.
// Another goroutine may have loaded the key in between; loading it blindly
// would load it twice and overwrite a value someone already returned.
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

using namespace std::chrono_literals;

namespace {

class cache {
public:
  std::optional<std::string> get(const std::string& key) const {
    std::shared_lock lock(mu_); // read lock: shared with other readers
    auto it = items_.find(key);
    if (it == items_.end())
      return std::nullopt;
    return it->second;
  }

  void set(const std::string& key, std::string value) {
    std::lock_guard lock(mu_); // write lock: exclusive
    items_[key] = std::move(value);
  }

  // Read-through: the value, loading it on a miss.
  std::string get_or_load(const std::string& key,
                          const std::function<std::string(const std::string&)>& load) {
    if (auto v = get(key))
      return *v;
    std::lock_guard lock(mu_);
    if (auto it = items_.find(key); it != items_.end())
      return it->second; // someone else loaded it while we waited for the lock
    return items_[key] = load(key);
  }

  // A copy: handing out the guarded map itself would let callers read it
  // after the lock is released.
  std::map<std::string, std::string> snapshot() const {
    std::shared_lock lock(mu_);
    return items_;
  }

private:
  mutable goro::rw_mutex mu_;
  std::map<std::string, std::string> items_;
};

std::atomic<int> loads{0};

std::string load_user(const std::string& key) {
  loads.fetch_add(1, std::memory_order_relaxed);
  goro::sleep(2ms); // a slow query, under the exclusive lock: waiting readers park
  return "user record for " + key;
}

} // namespace

int main() {
  cache c;
  std::atomic<int> lookups{0};
  goro::wait_group wg;

  // Eight readers look up the same five users three times each, all at once.
  for (int r = 0; r < 8; ++r) {
    wg.add(1);
    goro::go([&] {
      goro::defer done([&] { wg.done(); });
      for (int round = 0; round < 3; ++round)
        for (int u = 1; u <= 5; ++u) {
          c.get_or_load("user:" + std::to_string(u), load_user);
          lookups.fetch_add(1, std::memory_order_relaxed);
        }
    });
  }
  // Meanwhile two writers store sessions.
  for (int w = 1; w <= 2; ++w) {
    wg.add(1);
    goro::go([&, w] {
      goro::defer done([&] { wg.done(); });
      for (int s = 1; s <= 2; ++s)
        c.set("session:" + std::to_string(w) + "." + std::to_string(s),
              "writer " + std::to_string(w));
    });
  }
  wg.wait();

  std::printf("%d lookups, %d loads\n", lookups.load(), loads.load());
  for (const auto& [key, value] : c.snapshot())
    std::printf("%s = %s\n", key.c_str(), value.c_str());
  return loads.load() == 5 ? 0 : 1;
}
