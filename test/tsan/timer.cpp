// timer: starting (or resetting) a timer happens before the receive of its
// tick. The racy main writes after resetting the timer.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>

int deadline_note = 0;

int main() {
  goro::timer t(std::chrono::hours(1));
  auto finished = goro::make_chan<int>();
  goro::go([&t, finished] {
    t.c().recv();
    std::printf("fired, note %d\n", deadline_note);
    finished.send(1);
  });
#ifdef SYNC
  deadline_note = 5;
  t.reset(std::chrono::milliseconds(5));
#else
  t.reset(std::chrono::milliseconds(5));
  deadline_note = 5; // nothing orders this before the receiver's read
#endif
  finished.recv();
  // SYNC: fired, note 5
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 main .*}}timer.cpp:27
// CHECK-DAG: {{#0 .*}}timer.cpp:19
// CHECK: Location is global 'deadline_note'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at timer.cpp:17)'
