// Buffered channel: the send of a value happens before its receive, through
// the buffer slot. The racy producer fills the item after sending its index;
// a milestone makes the consumer read the first item before it is filled, so
// the race is certain.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <cstdio>
#include <goro/goro.hpp>

#include "milestone.hpp"

int items[64];
milestone first_read;

int main() {
  auto ready = goro::make_chan<int>(4);
  goro::go([ready] {
    for (int i = 0; i < 64; ++i) {
#ifdef SYNC
      items[i] = i * i;
      ready.send(i);
#else
      ready.send(i);
      if (i == 0)
        first_read.await();
      items[i] = i * i; // the consumer may already be reading it
#endif
    }
    ready.close();
  });
  long sum = 0;
  for (int i : ready) {
    sum += items[i];
#ifndef SYNC
    if (i == 0)
      first_read.reach();
#endif
  }
  std::printf("sum: %ld\n", sum);
  // SYNC: sum: 85344
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}chan-buffered.cpp:29
// CHECK-DAG: {{#0 .*}}chan-buffered.cpp:36
// CHECK: Location is global 'items'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at chan-buffered.cpp:20)'
