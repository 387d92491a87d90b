// GORO_OPTIONS=ignore=PATTERN;PATTERN...: a leak whose creation or blocking
// site ("file:line function") contains one of the patterns is not reported.
// Without the option both leaks are reported; with it only the other one.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --check-prefixes=CHECK,BOTH --input-file %t.err --implicit-check-not=error:
// RUN: env GORO_OPTIONS=ignore=background_flusher %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: env "GORO_OPTIONS=ignore='no_such_site;background_flusher'" %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// Ignoring every leak leaves nothing to report: exit status 0.
// RUN: env "GORO_OPTIONS=ignore='background_flusher;request_worker'" %t 2> %t.err
// RUN: count 0 < %t.err
#include <goro/goro.hpp>

goro::wait_group never_done; // add(1) below, never done()

// A long-lived helper the team decided to live with (goleak's IgnoreTopFunction).
void background_flusher() {
  never_done.wait();
}
// BOTH: {{^/.*}}/leak-ignore.cpp:[[#@LINE-2]]:3: error: goroutine leak: goroutine 1 is blocked in wait_group wait at exit [goro-leak]

void request_worker() {
  never_done.wait();
}
// CHECK: {{^/.*}}/leak-ignore.cpp:[[#@LINE-2]]:3: error: goroutine leak: goroutine 2 is blocked in wait_group wait at exit [goro-leak]

int main() {
  never_done.add(1);
  goro::go(background_flusher);
  goro::go(request_worker);
  std::size_t blocked = 0;
  while (blocked < 2) {
    goro::yield();
    blocked = 0;
    for (const auto& g : goro::debug::goroutines())
      blocked += g.st == goro::debug::state::blocked;
  }
  return 0;
}
