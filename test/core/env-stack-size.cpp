// GORO_STACK_SIZE sets the goroutine stack size (bytes, or k/m suffixes);
// a malformed or out-of-range value is a clear error naming the variable,
// before main runs, with exit status 2.
//
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t
// A goroutine that needs ~200 KiB of stack works with a 512k stack.
// RUN: env GORO_STACK_SIZE=512k %t | FileCheck %s --check-prefix=OK
// RUN: env GORO_STACK_SIZE=1m %t | FileCheck %s --check-prefix=OK
// RUN: env GORO_STACK_SIZE=1048576 %t | FileCheck %s --check-prefix=OK
//
// RUN: env GORO_STACK_SIZE=big %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=WORD
// RUN: env GORO_STACK_SIZE=8k %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=SMALL
// RUN: env GORO_STACK_SIZE=65m %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=LARGE
// RUN: env GORO_STACK_SIZE=64q %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=UNIT
// RUN: env GORO_STACK_SIZE=64kb %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=KB
// A size whose suffix multiplication overflows must not wrap around into the
// accepted range (17592186044480 * 2^20 = 2^64 + 64 MiB).
// RUN: env GORO_STACK_SIZE=17592186044480m %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=WRAP
// RUN: env GORO_STACK_SIZE=18014398509481985k %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=WRAPK
//
// The other variables are checked the same way.
// RUN: env GORO_GUARD_PAGES=2 %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=GUARD
// RUN: env GORO_BLOCKING_THREADS=0 %python %S/Inputs/expect_exit.py 2 %t 2>&1 | FileCheck %s --check-prefix=POOL
#include <goro/goro.hpp>

#include <cstdio>
#include <cstring>

[[gnu::noinline]] long use_stack(std::size_t bytes) {
  volatile char buffer[200 * 1024];
  std::memset(const_cast<char*>(buffer), 1, bytes);
  long sum = 0;
  for (std::size_t i = 0; i < bytes; i += 4096)
    sum += buffer[i];
  return sum;
}

int main() {
  auto ch = goro::make_chan<long>();
  goro::go([ch] { ch.send(use_stack(200 * 1024)); });
  std::printf("main ran: %ld\n", *ch.recv());
}

// OK: main ran: 50

// WORD: goro: GORO_STACK_SIZE="big" is not valid: expected a size from 16k to 64m (bytes, or with a k/m suffix)
// WORD-NOT: main ran
// SMALL: goro: GORO_STACK_SIZE="8k" is not valid
// LARGE: goro: GORO_STACK_SIZE="65m" is not valid
// UNIT: goro: GORO_STACK_SIZE="64q" is not valid
// KB: goro: GORO_STACK_SIZE="64kb" is not valid
// WRAP: goro: GORO_STACK_SIZE="17592186044480m" is not valid
// WRAP-NOT: main ran
// WRAPK: goro: GORO_STACK_SIZE="18014398509481985k" is not valid
// GUARD: goro: GORO_GUARD_PAGES="2" is not valid: expected 0 or 1
// POOL: goro: GORO_BLOCKING_THREADS="0" is not valid: expected an integer from 1 to 4096
