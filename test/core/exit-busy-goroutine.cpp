// A goroutine that never reaches a scheduling point cannot be stopped: after
// a grace period the program exits with main's status without running static
// destructors (which that goroutine might still be using), and says why.
//
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t
// RUN: %python %S/Inputs/expect_exit.py 3 %t 2>&1 | FileCheck %s
#include <goro/goro.hpp>

#include <atomic>
#include <cstdio>

std::atomic<bool> spinning{false};

struct observer {
  ~observer() { std::puts("static destructor ran"); }
} static_object;

int main() {
  goro::go([] {
    spinning = true;
    for (;;) // no scheduling point, ever
      ;
  });
  while (!spinning)
    goro::yield();
  std::puts("main returns 3");
  std::fflush(stdout);
  return 3;
}

// CHECK: main returns 3
// CHECK: goro: goroutine {{[0-9]+}} is still running at exit without reaching a scheduling point; exiting without running static destructors
// CHECK-NOT: static destructor ran
