// goro-leak, certain: a range consumer whose producer forgot to close the
// channel. The producer sends its values and returns; the consumer's loop
// then waits for a next value (or the close) forever.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>

void produce(goro::send_chan<int> out) {
  for (int i = 1; i <= 3; ++i)
    out.send(i);
  // forgot: out.close();
}

void consume(goro::recv_chan<int> in, goro::chan<int> seen) {
  for (int v : in)
    seen.send(v);
  std::printf("never printed\n");
}
// CHECK: {{^/.*}}/leak-certain-range.cpp:[[#@LINE-4]]:14: error: goroutine leak: goroutine 2 is blocked in chan receive forever: no other goroutine or thread can reach the channel [goro-leak]
// CHECK-NEXT: {{^/.*}}/leak-certain-range.cpp:[[#@LINE+8]]:5: note: the goroutine was created here
// CHECK-NEXT: {{^/.*}}/leak-certain-range.cpp:[[#@LINE+5]]:17: note: the channel was made here

int main() {
  auto seen = goro::make_chan<int>(3);
  {
    auto nums = goro::make_chan<int>();
    goro::go(produce, nums);
    goro::go(consume, nums, seen);
  }
  for (int i = 0; i < 3; ++i)
    std::printf("seen %d\n", *seen.recv());
  // OUT: seen 1
  // OUT: seen 2
  // OUT: seen 3
  // OUT-NOT: never printed
  while (goro::debug::findings_reported() == 0)
    goro::yield();
  return 0;
}
