// goro-deadlock: main waits on a channel and no goroutine exists that could
// send. The report names who waits on what (main, on the channel made at
// line N, held by main alone) and the program stops at once with the exit
// code: 66 by default, GORO_OPTIONS=exitcode=N otherwise.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: count 0 < %t.out
// RUN: env GORO_OPTIONS=exitcode=3 %expect_exit 3 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <cstdio>
#include <goro/goro.hpp>

int main() {
  auto messages = goro::make_chan<int>();
  int first = *messages.recv(); // nobody sends: the classic `<-ch` in main
  std::printf("never printed %d\n", first);
  return 0;
}
// CHECK: {{^/.*}}/deadlock-main.cpp:[[#@LINE-4]]:16: error: deadlock: all goroutines are asleep (0 goroutines, 1 thread blocked in goro calls) [goro-deadlock]
// CHECK-NEXT: {{^/.*}}/deadlock-main.cpp:[[#@LINE-5]]:16: note: the main thread is blocked in chan receive on channel made at deadlock-main.cpp:[[#@LINE-6]] (held by the main thread)
// CHECK-NEXT: the main thread [chan receive]:
// CHECK-NEXT: #0 main {{/.*}}/deadlock-main.cpp:[[#@LINE-7]]
