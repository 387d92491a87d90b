// wait_group: every done() happens before wait() returns. The racy main
// looks at a result before waiting.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

int results[8];

int main() {
  goro::wait_group wg;
  for (int i = 0; i < 8; ++i) {
    wg.add(1);
    goro::go([&wg, i] {
      results[i] = i * 10;
      wg.done();
    });
  }
#ifndef SYNC
  std::printf("early: %d\n", results[7]); // nothing orders this after the write
#endif
  wg.wait();
  int sum = 0;
  for (int r : results)
    sum += r;
  std::printf("sum: %d\n", sum);
  // SYNC: sum: 280
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}wait-group.cpp:18
// CHECK-DAG: {{#0 main .*}}wait-group.cpp:23
// CHECK: Location is global 'results'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at wait-group.cpp:17)'
