// An exception that escapes a goroutine terminates the program (an
// unrecovered panic in Go) with a message naming the goroutine, the
// exception and the line that started the goroutine.
//
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t
// RUN: not --crash %t std 2>&1 | FileCheck %s --check-prefix=STD
// RUN: not --crash %t int 2>&1 | FileCheck %s --check-prefix=INT
// RUN: not --crash %t nested 2>&1 | FileCheck %s --check-prefix=NESTED
// RUN: not --crash %t panic 2>&1 | FileCheck %s --check-prefix=PANIC
#include <goro/goro.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "std";
  auto never = goro::make_chan<int>();
  if (what == "std") {
    // STD: goro: goroutine {{[0-9]+}} terminated the program: std::runtime_error: boom
    // STD-NEXT: goro: goroutine {{[0-9]+}} was created at {{.*}}escaped-exception.cpp:[[@LINE+1]]
    goro::go([] { throw std::runtime_error("boom"); });
  } else if (what == "int") {
    // INT: goro: goroutine {{[0-9]+}} terminated the program: an exception of type int
    // INT-NEXT: was created at {{.*}}escaped-exception.cpp:[[@LINE+1]]
    goro::go([] { throw 42; });
  } else if (what == "nested") {
    // A goroutine started by a goroutine: its own go() line is named.
    goro::go([] {
      // NESTED: goro: goroutine {{[0-9]+}} terminated the program: std::out_of_range: deep
      // NESTED-NEXT: was created at {{.*}}escaped-exception.cpp:[[@LINE+1]]
      goro::go([] { throw std::out_of_range("deep"); });
    });
  } else if (what == "panic") {
    // Misuse inside a goroutine that nobody catches is fatal too.
    auto closed = goro::make_chan<int>();
    closed.close();
    // PANIC: goro: goroutine {{[0-9]+}} terminated the program: goro::panic: close of closed channel
    // PANIC-NEXT: was created at {{.*}}escaped-exception.cpp:[[@LINE+1]]
    goro::go([closed] { closed.close(); });
  }
  (void)never.recv(); // the goroutine's exception ends the program first
  std::puts("unreachable");
}
// STD-NOT: unreachable
