// go(): everything the spawner did before go() happens before the goroutine
// starts; what it does after go() is not ordered with the goroutine.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

int config = 0;

int main() {
  goro::wait_group wg;
  wg.add(1);
#ifdef SYNC
  config = 1;
#endif
  goro::go([&wg] {
    std::printf("config: %d\n", config);
    wg.done();
  });
#ifndef SYNC
  config = 1; // too late: the goroutine may already be reading it
#endif
  wg.wait();
  // SYNC: config: 1
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: #0 main {{.*}}spawn.cpp:24
// CHECK-DAG: #0 {{.*}}spawn.cpp:20
// CHECK: Location is global 'config'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at spawn.cpp:19)'
