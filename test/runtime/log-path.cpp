// GORO_OPTIONS=log_path=FILE: the text reports go to FILE (appended) instead
// of stderr, which stays the program's own.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: rm -f %t.log
// RUN: env GORO_OPTIONS=log_path=%t.log %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --check-prefix=STDERR --input-file %t.err
// RUN: FileCheck %s --input-file %t.log
// STDERR: the program's own stderr
// STDERR-NOT: error:
#include <cstdio>
#include <goro/goro.hpp>

int main() {
  std::fprintf(stderr, "the program's own stderr\n");
  goro::wait_group wg;
  try {
    wg.done();
    // CHECK: {{^/.*}}/log-path.cpp:[[#@LINE-1]]:5: error: negative wait_group counter: done() or add(-n) without a matching add() (goro::panic) [goro-negative-wait-group]
    // CHECK-NEXT: the main thread:
  } catch (const goro::panic&) {
  }
  return 0;
}
