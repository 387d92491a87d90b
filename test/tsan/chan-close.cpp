// close happens before a receive that returns because the channel is closed:
// a receiver parked before the close and one that arrives after it. The
// racy closer writes after closing; main waits (a milestone, no
// synchronisation) until it has, so the write cannot be cut off by the exit.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>

#include "milestone.hpp"

int status = 0;
milestone written;

int main() {
  auto done = goro::make_chan<goro::unit>();
  auto late = goro::make_chan<int>(1);
  goro::go([=] {
    goro::sleep(std::chrono::milliseconds(5)); // usually after main parked
    status = 1;
    done.close();
#ifndef SYNC
    status = 2; // the receivers may be reading it
    written.reach();
#endif
  });
  goro::go([=] {
    goro::sleep(std::chrono::milliseconds(20)); // usually after the close
    bool got = done.recv().has_value();
    late.send(got ? -1 : status);
  });
  bool got = done.recv().has_value();
  std::printf("main: closed=%d status=%d\n", !got, status);
  std::printf("late: status=%d\n", late.recv().value());
#ifndef SYNC
  written.await();
#endif
  // SYNC: main: closed=1 status=1
  // SYNC: late: status=1
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}chan-close.cpp:27
// CHECK-DAG: {{#0 .*}}chan-close.cpp:{{34|37}}
// CHECK: Location is global 'status'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at chan-close.cpp:22)'
