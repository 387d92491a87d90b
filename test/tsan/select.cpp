// select: a send case that fires happens before the receive case that takes
// its value, whether the other side is a select or a plain operation, and
// whichever side parked first. The racy sender writes after its select.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>

int payload[5];

int main() {
  auto data = goro::make_chan<int>();
  auto quit = goro::make_chan<int>();
  auto finished = goro::make_chan<int>();
  goro::go([=] {
    for (int i = 1; i <= 4; ++i) {
      if (i % 2 == 0)
        goro::sleep(std::chrono::milliseconds(2)); // let main park first
      payload[i] = i * 10;
      goro::select(goro::on_send(data, i, [] {}), goro::on_recv(quit, [](auto) {}));
#ifndef SYNC
      payload[i] = i * 10; // main may be reading it
#endif
    }
    finished.send(1);
  });
  for (int i = 1; i <= 4; ++i) {
    if (i == 3)
      goro::sleep(std::chrono::milliseconds(5)); // let the sender park first
    goro::select(goro::on_recv(
        data, [&](std::optional<int> v) { std::printf("got %d payload %d\n", *v, payload[*v]); }));
  }
  finished.recv();
  // SYNC: got 1 payload 10
  // SYNC: got 2 payload 20
  // SYNC: got 3 payload 30
  // SYNC: got 4 payload 40
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}select.cpp:{{23|26}}
// CHECK-DAG: {{#0 .*}}select.cpp:35
// CHECK: Location is global 'payload'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at select.cpp:19)'
