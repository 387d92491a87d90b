// rw_mutex: unlock happens before every later lock and lock_shared, and
// unlock_shared before the next lock; readers are not ordered among
// themselves. The racy readers update a statistic under the shared lock. Two
// readers meet in the shared section (milestones) before the writer starts,
// so that two of the racy writes are certain to happen with no unlock ->
// lock between them.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

#include "milestone.hpp"

goro::rw_mutex mu;
int value = 0;          // written under lock, read under lock_shared
int hits = 0;           // the readers' statistic
milestone in_shared[2]; // readers 0 and 1 hold the shared lock

int main() {
  goro::wait_group wg;
  for (int r = 0; r < 4; ++r) {
    wg.add(1);
    goro::go([&wg, r] {
      (void)r; // used by the racy readers only
      for (int i = 0; i < 100; ++i) {
        mu.lock_shared();
        int v = value;
#ifdef SYNC
        mu.unlock_shared();
        mu.lock();
        hits += v >= 0;
        mu.unlock();
#else
        if (i == 0 && r < 2) { // two readers in the shared section at once
          in_shared[r].reach();
          in_shared[1 - r].await();
        }
        hits += v >= 0; // a write under a read lock: other readers run too
        mu.unlock_shared();
#endif
      }
      wg.done();
    });
  }
#ifndef SYNC
  in_shared[0].await(); // a waiting writer would keep reader 1 out
  in_shared[1].await();
#endif
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
// CHECK: {{#0 .*}}rw-mutex.cpp:41
// CHECK: {{#0 .*}}rw-mutex.cpp:41
// CHECK: Location is global 'hits'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at rw-mutex.cpp:26)'
