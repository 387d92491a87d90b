// The seed's unsynchronised counter (1000 goroutines increment a global), and
// its fix with a goro::mutex (SYNC). The wait_group orders every goroutine
// before main's read in both.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

int counter = 0;
goro::mutex mu;

int main() {
  goro::wait_group wg;
  for (int i = 0; i < 1000; ++i) {
    wg.add(1);
    goro::go([&wg] {
      goro::defer done([&wg] { wg.done(); });
#ifdef SYNC
      mu.lock();
#endif
      counter++;
#ifdef SYNC
      mu.unlock();
#endif
    });
  }
  wg.wait();
  std::printf("counter: %d\n", counter);
  // SYNC: counter: 1000
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-NEXT: {{(Read|Write)}} of size 4 at {{.*}} by thread T{{[0-9]+}}:
// CHECK-NEXT: #0 {{.*}}counter.cpp:24
// CHECK: Previous {{(read|write)}} of size 4 at {{.*}} by thread T{{[0-9]+}}:
// CHECK-NEXT: #0 {{.*}}counter.cpp:24
// CHECK: Location is global 'counter'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at counter.cpp:19)'
