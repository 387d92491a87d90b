// Unbuffered channel: a send happens before the matching receive completes,
// and the receive before the send completes (Go's memory model), whichever
// side parked first. The racy version writes after its send.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>

int result = 0; // the goroutine's answer, for main
int reply = 0;  // main's note, for the goroutine

// receiver_first: main is parked in recv() when the goroutine sends (the
// sender hands over to a waiter); otherwise the goroutine is parked in
// send() when main receives.
void round(bool receiver_first) {
  auto ch = goro::make_chan<int>();
  auto finished = goro::make_chan<int>();
  goro::go([=] {
    if (receiver_first)
      goro::sleep(std::chrono::milliseconds(5));
    result = 42;
    ch.send(1);
#ifdef SYNC
    std::printf("reply: %d\n", reply);
#else
    result = 43; // after the send: main may be reading it
#endif
    finished.send(1);
  });
  if (!receiver_first)
    goro::sleep(std::chrono::milliseconds(5));
  reply = 7;
  ch.recv();
  std::printf("result: %d\n", result);
  finished.recv();
}

int main() {
  round(true);
  round(false);
  // SYNC-DAG: reply: 7
  // SYNC-DAG: result: 42
  // SYNC-DAG: reply: 7
  // SYNC-DAG: result: 42
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}chan-unbuffered.cpp:30
// CHECK-DAG: {{#0 .*}}chan-unbuffered.cpp:38
// CHECK: Location is global 'result'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at chan-unbuffered.cpp:22)'
