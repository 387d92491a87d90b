// GORO_MAXPROCS sets the number of workers; a malformed value is a clear
// error naming the variable, before main runs, with exit status 2.
//
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t
// RUN: env GORO_MAXPROCS=3 %t | FileCheck %s --check-prefix=THREE
// RUN: env GORO_MAXPROCS=1 %t | FileCheck %s --check-prefix=ONE
// RUN: env GORO_MAXPROCS=1024 %t | FileCheck %s --check-prefix=MAX
//
// RUN: env GORO_MAXPROCS=abc %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=ABC
// RUN: env GORO_MAXPROCS=0 %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: env GORO_MAXPROCS=1025 %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=BIG
// RUN: env GORO_MAXPROCS=-4 %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: env GORO_MAXPROCS=4x %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=SUFFIX
// RUN: env GORO_MAXPROCS= %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: env GORO_MAXPROCS=99999999999999999999 %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=RANGE
#include <goro/goro.hpp>

#include <cstdio>

int main() {
  // Every worker count is usable: a goroutine runs and answers.
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(goro::max_procs()); });
  std::printf("main ran: max_procs %d\n", *ch.recv());
}

// THREE: main ran: max_procs 3
// ONE: main ran: max_procs 1
// MAX: main ran: max_procs 1024

// ABC: goro: GORO_MAXPROCS="abc" is not valid: expected an integer from 1 to 1024
// ABC-NOT: main ran
// ZERO: goro: GORO_MAXPROCS="0" is not valid: expected an integer from 1 to 1024
// ZERO-NOT: main ran
// BIG: goro: GORO_MAXPROCS="1025" is not valid: expected an integer from 1 to 1024
// NEG: goro: GORO_MAXPROCS="-4" is not valid
// SUFFIX: goro: GORO_MAXPROCS="4x" is not valid
// SUFFIX-NOT: main ran
// EMPTY: goro: GORO_MAXPROCS="" is not valid
// RANGE: goro: GORO_MAXPROCS="99999999999999999999" is not valid
