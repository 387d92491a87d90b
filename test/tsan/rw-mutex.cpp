// rw_mutex: unlock happens before every later lock and lock_shared, and
// unlock_shared before the next lock; readers are not ordered among
// themselves. The racy readers update a statistic under the shared lock.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

goro::rw_mutex mu;
int value = 0; // written under lock, read under lock_shared
int hits = 0;  // the readers' statistic

int main() {
  goro::wait_group wg;
  for (int r = 0; r < 4; ++r) {
    wg.add(1);
    goro::go([&wg] {
      for (int i = 0; i < 100; ++i) {
        mu.lock_shared();
        int v = value;
#ifdef SYNC
        mu.unlock_shared();
        mu.lock();
        hits += v >= 0;
        mu.unlock();
#else
        hits += v >= 0; // a write under a read lock: other readers run too
        mu.unlock_shared();
#endif
      }
      wg.done();
    });
  }
  for (int i = 0; i < 100; ++i) {
    mu.lock();
    value = i + hits;
    mu.unlock();
  }
  wg.wait();
  std::printf("hits: %d\n", hits);
  // SYNC: hits: 400
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK: {{#0 .*}}rw-mutex.cpp:30
// CHECK: {{#0 .*}}rw-mutex.cpp:30
// CHECK: Location is global 'hits'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at rw-mutex.cpp:20)'
