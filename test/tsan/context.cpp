// context: cancel() happens before the observers of done() (a receive that
// returns because done is closed) and before an err() that reports it. The
// racy canceller records its reason after canceling; main waits (a milestone,
// no synchronisation) until it has, so the write cannot be cut off by the exit.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>

#include "milestone.hpp"

const char* reason = "none";
milestone written;

int main() {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  auto finished = goro::make_chan<int>();
  for (int w = 0; w < 2; ++w) {
    goro::go([ctx, finished, w] {
      if (w == 0) {
        ctx.done().recv(); // parked until the cancel
      } else {
        while (!ctx.err()) // polls err()
          goro::sleep(std::chrono::milliseconds(1));
      }
      std::printf("worker %d stopped: %s\n", w, reason);
      finished.send(w);
    });
  }
  goro::go([cancel] {
    goro::sleep(std::chrono::milliseconds(5));
#ifdef SYNC
    reason = "shutdown";
    cancel();
#else
    cancel();
    reason = "shutdown"; // the workers may be reading it
    written.reach();
#endif
  });
  finished.recv();
  finished.recv();
#ifndef SYNC
  written.await();
#endif
  // SYNC-DAG: worker 0 stopped: shutdown
  // SYNC-DAG: worker 1 stopped: shutdown
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}context.cpp:41
// CHECK-DAG: {{#0 .*}}context.cpp:30
// CHECK: Location is global 'reason'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at context.cpp:{{23|34}})'
