// GORO_OPTIONS=leak_check_at_exit=0 turns the exit check off: the goroutine
// still blocked at exit is not reported and the program exits 0. (Default:
// reported, exit status 66.)
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err
// RUN: env GORO_OPTIONS=leak_check_at_exit=0 %t 2> %t.err
// RUN: count 0 < %t.err
#include <goro/goro.hpp>

goro::wait_group never_done;

int main() {
  never_done.add(1);
  goro::go([] { never_done.wait(); });
  // CHECK: {{^/.*}}/leak-check-at-exit-off.cpp:[[#@LINE-1]]:17: error: goroutine leak: goroutine 1 is blocked in wait_group wait at exit [goro-leak]
  while (goro::debug::goroutines().front().st != goro::debug::state::blocked)
    goro::yield();
  return 0;
}
