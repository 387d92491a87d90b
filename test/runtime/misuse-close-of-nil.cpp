// goro-close-of-nil: closing a channel handle that was never made (the nil
// channel, a default-constructed goro::chan). Still panics.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>

struct pipeline {
  goro::chan<int> out; // make_chan forgotten in the constructor
};

int main() {
  pipeline p;
  try {
    p.out.close();
    // CHECK: {{^/.*}}/misuse-close-of-nil.cpp:[[#@LINE-1]]:5: error: close of nil channel: the channel handle was never made (goro::panic) [goro-close-of-nil]
    // CHECK-NEXT: the main thread:
    // CHECK-NEXT: #0 main {{/.*}}/misuse-close-of-nil.cpp:[[#@LINE-3]]
  } catch (const goro::panic& e) {
    std::printf("panic: %s\n", e.what());
    // OUT: panic: close of nil channel
  }
  return 0;
}
