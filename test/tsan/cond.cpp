// cond: a queue whose consumer waits on a cond. signal() with the item pushed
// under the mutex orders the item before the consumer's pop. The racy
// producer publishes the item before writing it, outside the mutex; a
// milestone makes the consumer read the first item before it is written, so
// the race is certain.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

#include "milestone.hpp"

goro::mutex mu;
goro::cond nonempty(mu);
int queue[16];
int queued = 0; // how many of queue[] are filled
milestone first_read;

int main() {
  auto finished = goro::make_chan<long>();
  goro::go([finished] {
    long sum = 0;
    for (int taken = 0; taken < 16; ++taken) {
      mu.lock();
      while (queued == taken)
        nonempty.wait();
      sum += queue[taken];
#ifndef SYNC
      if (taken == 0)
        first_read.reach();
#endif
      mu.unlock();
    }
    finished.send(sum);
  });
  for (int i = 0; i < 16; ++i) {
#ifdef SYNC
    mu.lock();
    queue[i] = i;
    ++queued;
    mu.unlock();
    nonempty.signal();
#else
    mu.lock();
    ++queued;
    mu.unlock();
    nonempty.signal();
    if (i == 0)
      first_read.await();
    queue[i] = i; // published before it is written, outside the mutex
#endif
  }
  std::printf("sum: %ld\n", finished.recv().value());
  // SYNC: sum: 120
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}cond.cpp:30
// CHECK-DAG: {{#0 main .*}}cond.cpp:53
// CHECK: Location is global 'queue'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at cond.cpp:24)'
