// goro::debug::verify_none (goleak's VerifyNone), callable from any test
// framework: returns as soon as no goroutine but the caller (and ignored
// ones) is alive, or reports the rest after `settle` and returns how many.
// Its findings are goro-leak reports like the others ("after verify_none's
// settle time"), count for the exit status, and are not repeated at exit.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.out --check-prefix=OUT
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>

using namespace std::chrono_literals;

goro::wait_group never_done;

void cache_refresher() {
  never_done.wait();
}
// CHECK: {{^/.*}}/verify-none.cpp:[[#@LINE-2]]:3: error: goroutine leak: goroutine 2 is blocked in wait_group wait after verify_none's settle time [goro-leak]
// CHECK-NEXT: {{^/.*}}/verify-none.cpp:[[#@LINE+10]]:3: note: the goroutine was created here

int main() {
  never_done.add(1);
  auto release = goro::make_chan<int>();
  goro::go([release] { release.recv(); }); // finishes once released
  while (goro::debug::goroutines().front().st != goro::debug::state::blocked)
    goro::yield();
  release.close();

  goro::go(cache_refresher);
  // The released goroutine is on its way out; the other one is ignored.
  std::printf("ignored: %zu\n",
              goro::debug::verify_none({.ignore = {"cache_refresher"}, .settle = 60s}));
  // OUT: ignored: 0
  std::printf("leaked: %zu\n", goro::debug::verify_none({.ignore = {}, .settle = 10ms}));
  // OUT-NEXT: leaked: 1
  std::printf("again: %zu\n", goro::debug::verify_none({.ignore = {}, .settle = 10ms}));
  // OUT-NEXT: again: 0
  return 0;
}
