// GORO_OPTIONS=detect_deadlocks=0: a deadlocked program is not stopped or
// reported; it hangs, as it would with the release runtime (here `timeout`
// ends it). With the default, it is reported and stopped with 66.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err
// RUN: env GORO_OPTIONS=detect_deadlocks=0 %expect_exit 124 timeout 2 %t 2> %t.err
// RUN: count 0 < %t.err
#include <goro/goro.hpp>

int main() {
  auto ch = goro::make_chan<int>();
  ch.recv();
  // CHECK: {{^/.*}}/detect-deadlocks-off.cpp:[[#@LINE-1]]:3: error: deadlock: all goroutines are asleep
  return 0;
}
