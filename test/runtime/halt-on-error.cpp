// GORO_OPTIONS=halt_on_error=1 stops the program at its first finding (exit
// status: exitcode, 66), after writing the SARIF file. Without it, the
// program goes on and every finding is reported.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --check-prefixes=CHECK,ALL --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefixes=OUT,OUT-ALL --input-file %t.out
// RUN: env GORO_OPTIONS=halt_on_error=1,sarif_path=%t.sarif %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out --implicit-check-not=second
// RUN: %validate_sarif %t.sarif | FileCheck %s --check-prefix=SARIF
#include <cstdio>
#include <goro/goro.hpp>

int main() {
  auto ch = goro::make_chan<int>();
  ch.close();
  std::printf("first\n");
  std::fflush(stdout);
  // OUT: first
  try {
    ch.close();
    // CHECK: {{^/.*}}/halt-on-error.cpp:[[#@LINE-1]]:5: error: close of closed channel
  } catch (const goro::panic&) {
  }
  std::printf("second\n");
  // OUT-ALL: second
  goro::chan<int> nil;
  try {
    nil.close();
    // ALL: {{^/.*}}/halt-on-error.cpp:[[#@LINE-1]]:5: error: close of nil channel
  } catch (const goro::panic&) {
  }
  return 0;
}
// SARIF: result 0: ruleId=goro-close-of-closed
// SARIF: results: 1
