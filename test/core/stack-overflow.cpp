// A goroutine that overflows its stack is reported: which goroutine, where it
// was started, and what to do about it.
//
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t
// An overflow by a few KiB, found by the canary at the next switch:
// RUN: env GORO_STACK_SIZE=64k not --crash %t shallow 2>&1 | FileCheck %s --check-prefix=SHALLOW
// Runaway recursion, which runs far past the bottom of the stack:
// RUN: env GORO_STACK_SIZE=64k not --crash %t deep 2>&1 | FileCheck %s --check-prefix=DEEP
// RUN: env GORO_STACK_SIZE=64k GORO_GUARD_PAGES=1 not --crash %t deep 2>&1 | FileCheck %s --check-prefix=DEEP
// The same recursion fits in a larger stack:
// RUN: env GORO_STACK_SIZE=1m %t shallow | FileCheck %s --check-prefix=FITS
#include <goro/goro.hpp>

#include <cstdio>
#include <cstring>
#include <string>

// About 1 KiB of stack per call.
[[gnu::noinline]] long recurse(int depth, bool yield_at_bottom) {
  volatile char frame[1000];
  std::memset(const_cast<char*>(frame), depth & 0x7f, sizeof frame);
  if (depth == 0) {
    if (yield_at_bottom)
      goro::yield(); // a switch: the runtime checks the stack's canary here
    return frame[7];
  }
  return recurse(depth - 1, yield_at_bottom) + frame[depth % 1000];
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "shallow";
  auto result = goro::make_chan<long>();
  // A parked neighbour first: stacks are carved out of a slab in address
  // order, so the next goroutine's stack lies just above this one's, and a
  // small overflow lands in mapped memory instead of faulting at once.
  auto never = goro::make_chan<int>();
  goro::go([never] { (void)never.recv(); });
  if (mode == "shallow") {
    // 70 KiB in a 64 KiB stack.
    // SHALLOW: goro: fatal error: stack overflow in goroutine {{[0-9]+}} (created at {{.*}}stack-overflow.cpp:[[@LINE+2]]
    // SHALLOW: goro: the stack is 65536 bytes; raise GORO_STACK_SIZE (e.g. GORO_STACK_SIZE=256k)
    goro::go([result] { result.send(recurse(70, true)); });
  } else {
    // DEEP: goro: fatal error: stack overflow in goroutine {{[0-9]+}} (created at {{.*}}stack-overflow.cpp:[[@LINE+2]]
    // DEEP: raise GORO_STACK_SIZE
    goro::go([result] { result.send(recurse(1 << 30, false)); });
  }
  std::printf("result %ld\n", *result.recv());
}
// FITS: result {{-?[0-9]+}}
