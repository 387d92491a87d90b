// The seeds' unsynchronised map, and its fix (SYNC): a SafeMap whose writers
// take the rw_mutex exclusively and whose readers take it shared.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>

class safe_map {
public:
  void set(const std::string& key, int value) {
#ifdef SYNC
    std::lock_guard lock(mu_);
#endif
    data_[key] = value;
  }
  int get(const std::string& key) {
#ifdef SYNC
    std::shared_lock lock(mu_);
#endif
    auto it = data_.find(key);
    return it == data_.end() ? -1 : it->second;
  }

private:
  goro::rw_mutex mu_;
  std::map<std::string, int> data_;
};

int main() {
  safe_map m;
  goro::wait_group wg;
  for (int w = 0; w < 4; ++w) {
    wg.add(2);
    goro::go([&, w] {
      for (int i = 0; i < 50; ++i)
        m.set("key" + std::to_string(w * 50 + i), i);
      wg.done();
    });
    goro::go([&, w] {
      for (int i = 0; i < 50; ++i)
        (void)m.get("key" + std::to_string(w * 50 + i));
      wg.done();
    });
  }
  wg.wait();
  std::printf("key42: %d\n", m.get("key42"));
  // SYNC: key42: 42
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK: map.cpp:{{21|27}}
// CHECK: map.cpp:{{21|27}}
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at map.cpp:{{41|46}})'
