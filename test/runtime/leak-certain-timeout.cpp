// goro-leak, certain: the timeout pattern whose worker leaks. The caller
// selects between the worker's result and a timer; when the timer wins it
// returns, and the worker's later send on the unbuffered channel blocks
// forever. (The fix: make the channel buffered, capacity 1.)
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>

int fetch_with_timeout(goro::chan<int> slow_done) {
  auto result = goro::make_chan<int>();
  goro::go([result, slow_done] {
    slow_done.recv(); // the slow query; finishes only after the caller gave up
    result.send(42);
  });
  int got = -1;
  goro::select(goro::on_recv(result, [&](std::optional<int> v) { got = *v; }),
               goro::on_recv(goro::after(std::chrono::milliseconds(1)), [&](auto) { got = 0; }));
  return got;
}
// CHECK: {{^/.*}}/leak-certain-timeout.cpp:[[#@LINE-7]]:5: error: goroutine leak: goroutine 1 is blocked in chan send forever: no other goroutine or thread can reach the channel [goro-leak]
// CHECK-NEXT: {{^/.*}}/leak-certain-timeout.cpp:[[#@LINE-10]]:3: note: the goroutine was created here
// CHECK-NEXT: {{^/.*}}/leak-certain-timeout.cpp:[[#@LINE-12]]:17: note: the channel was made here

int main() {
  auto slow_done = goro::make_chan<int>();
  std::printf("result: %d\n", fetch_with_timeout(slow_done));
  // OUT: result: 0
  slow_done.close(); // the slow query ends
  while (goro::debug::findings_reported() == 0)
    goro::yield();
  return 0;
}
