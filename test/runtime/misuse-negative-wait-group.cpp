// goro-negative-wait-group: done() (or add(-n)) without a matching add().
// The counter is left unchanged and the call panics.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>

int main() {
  goro::wait_group wg;
  wg.add(1);
  auto finished = goro::make_chan<int>();
  goro::go([&wg, finished] {
    wg.done();
    try {
      wg.done(); // one done() too many
      // CHECK: {{^/.*}}/misuse-negative-wait-group.cpp:[[#@LINE-1]]:7: error: negative wait_group counter: done() or add(-n) without a matching add() (goro::panic) [goro-negative-wait-group]
      // CHECK-NEXT: goroutine 1:
    } catch (const goro::panic& p) {
      std::printf("panic: %s\n", p.what());
      // OUT: panic: sync: negative wait_group counter
    }
    finished.send(1);
  });
  finished.recv();
  try {
    wg.add(-2);
    // CHECK: {{^/.*}}/misuse-negative-wait-group.cpp:[[#@LINE-1]]:5: error: negative wait_group counter
    // CHECK-NEXT: the main thread:
  } catch (const goro::panic& p) {
    std::printf("panic: %s\n", p.what());
    // OUT: panic: sync: negative wait_group counter
  }
  wg.wait(); // the counter is still 0
  return 0;
}
