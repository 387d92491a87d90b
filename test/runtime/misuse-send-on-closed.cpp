// goro-send-on-closed: a send on a closed channel, every way it can happen.
// Each is reported at the user's line with where the channel was closed and
// made, and the send still throws goro::panic (caught here to go on).
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>

template <class F>
void expect_panic(const char* what, F f) {
  try {
    f();
    std::printf("%s: no panic\n", what);
  } catch (const goro::panic& p) {
    std::printf("%s: panic: %s\n", what, p.what());
  }
}

int main() {
  auto results = goro::make_chan<int>(1);
  results.close();

  expect_panic("send", [&] { results.send(1); });
  // CHECK: {{^/.*}}/misuse-send-on-closed.cpp:[[#@LINE-1]]:30: error: send on closed channel: the send panics (goro::panic) [goro-send-on-closed]
  // CHECK-NEXT: {{^/.*}}/misuse-send-on-closed.cpp:[[#@LINE-4]]:3: note: the channel was closed here
  // CHECK-NEXT: {{^/.*}}/misuse-send-on-closed.cpp:[[#@LINE-6]]:18: note: the channel was made here
  // CHECK-NEXT: the main thread:
  // CHECK-NEXT: #0 main::$_0::operator()() const {{/.*}}/misuse-send-on-closed.cpp:[[#@LINE-5]]
  // OUT: send: panic: send on closed channel

  expect_panic("try_send", [&] { results.try_send(2); });
  // CHECK: {{^/.*}}/misuse-send-on-closed.cpp:[[#@LINE-1]]:42: error: send on closed channel
  // CHECK-NEXT: note: the channel was closed here
  // OUT: try_send: panic: send on closed channel

  expect_panic("select", [&] { goro::select(goro::on_send(results, 3, [] {})); });
  // CHECK: {{^/.*}}/misuse-send-on-closed.cpp:[[#@LINE-1]]:32: error: send on closed channel
  // OUT: select: panic: send on closed channel

  // A sender blocked on a full channel when another goroutine closes it
  // wakes up to panic.
  auto full = goro::make_chan<int>(1);
  full.send(0);
  auto caught = goro::make_chan<int>();
  goro::go([full, caught] {
    expect_panic("blocked send", [&] { full.send(4); });
    // CHECK: {{^/.*}}/misuse-send-on-closed.cpp:[[#@LINE-1]]:40: error: send on closed channel
    // CHECK-NEXT: {{^/.*}}/misuse-send-on-closed.cpp:[[#@LINE+7]]:3: note: the channel was closed here
    // CHECK-NEXT: note: the channel was made here
    // CHECK-NEXT: goroutine 1:
    caught.send(1);
  });
  while (goro::debug::goroutines().front().st != goro::debug::state::blocked)
    goro::yield();
  full.close();
  caught.recv();
  // OUT: blocked send: panic: send on closed channel
  return 0;
}
