// goro-leak, certain: the seed's leaky(), an unbuffered send whose caller
// returned without receiving. Nothing else holds the channel, so the sender
// can never proceed; reported while the program runs.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <goro/goro.hpp>

int expensive_computation() {
  return 42;
}

// Goroutine leaks if nobody reads from ch.
goro::recv_chan<int> leaky() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    ch.send(expensive_computation()); // blocks forever if nobody reads
  });
  return ch;
}
// CHECK: {{^/.*}}/leak-certain-send.cpp:[[#@LINE-4]]:5: error: goroutine leak: goroutine 1 is blocked in chan send forever: no other goroutine or thread can reach the channel [goro-leak]
// CHECK-NEXT: {{^/.*}}/leak-certain-send.cpp:[[#@LINE-6]]:3: note: the goroutine was created here
// CHECK-NEXT: {{^/.*}}/leak-certain-send.cpp:[[#@LINE-8]]:13: note: the channel was made here
// CHECK-NEXT: goroutine 1 [chan send]:

int main() {
  {
    auto result = leaky();
    // The caller gives up on the result (an early return, an error path...).
  }
  while (goro::debug::findings_reported() == 0)
    goro::yield();
  return 0;
}
