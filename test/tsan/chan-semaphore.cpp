// A buffered channel as a semaphore (the seeds' bounded concurrency): with
// capacity 1, the k-th receive happens before the (k+1)-th send completes, so
// the slot's reuse orders the critical sections. The racy worker skips the
// semaphore.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

long total = 0;

int main() {
  auto sem = goro::make_chan<goro::unit>(1);
  goro::wait_group wg;
  for (int w = 0; w < 8; ++w) {
    wg.add(1);
    goro::go([&, w] {
      for (int i = 0; i < 100; ++i) {
        bool use_sem = true;
#ifndef SYNC
        use_sem = w != 3; // this worker forgot to take a slot
#endif
        if (use_sem)
          sem.send(goro::unit{});
        total += 1;
        if (use_sem)
          sem.recv();
      }
      wg.done();
    });
  }
  wg.wait();
  std::printf("total: %ld\n", total);
  // SYNC: total: 800
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK: {{#0 .*}}chan-semaphore.cpp:28
// CHECK: Location is global 'total'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at chan-semaphore.cpp:20)'
