// goro-close-of-closed: the second close of a channel (typically two
// goroutines both thinking they own the close). Reported with where the
// first close happened; still panics.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>

void finish(goro::chan<int> done) {
  done.close();
}

int main() {
  auto done = goro::make_chan<int>();
  finish(done);
  try {
    done.close();
    // CHECK: {{^/.*}}/misuse-close-of-closed.cpp:[[#@LINE-1]]:5: error: close of closed channel: the second close panics (goro::panic) [goro-close-of-closed]
    // CHECK-NEXT: {{^/.*}}/misuse-close-of-closed.cpp:[[#@LINE-9]]:3: note: the channel was closed here
    // CHECK-NEXT: {{^/.*}}/misuse-close-of-closed.cpp:[[#@LINE-6]]:15: note: the channel was made here
  } catch (const goro::panic& p) {
    std::printf("panic: %s\n", p.what());
    // OUT: panic: close of closed channel
  }
  return 0;
}
