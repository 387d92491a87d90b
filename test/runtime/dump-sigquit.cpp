// goro::debug::dump(out) lists every goroutine with its state, where it
// blocks and where it was created; the debug runtime prints the same dump on
// stderr when the process gets SIGQUIT (kill -QUIT, Ctrl-\), and the program
// keeps running. goroutines() gives the same data to code.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: env GORO_OPTIONS=leak_check_at_exit=0 %t > %t.out 2> %t.err
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
// RUN: FileCheck %s --check-prefix=DUMP --input-file %t.err
#include <chrono>
#include <csignal>
#include <cstdio>
#include <goro/goro.hpp>
#include <iostream>

int main() {
  auto requests = goro::make_chan<int>(); // main keeps it and never sends
  // DUMP: goro: 2 goroutines
  // DUMP-EMPTY:
  // DUMP-NEXT: goroutine 1 [blocked, chan receive]:
  // DUMP-NEXT: blocked at {{/.*}}/dump-sigquit.cpp:[[#@LINE+5]]:25 in {{.*}}main{{.*}}
  // DUMP-NEXT: created at {{/.*}}/dump-sigquit.cpp:[[#@LINE+4]]:3 in main
  // DUMP-EMPTY:
  // DUMP-NEXT: goroutine 2 [sleeping, sleep]:
  // DUMP-NEXT: blocked at {{/.*}}/dump-sigquit.cpp:[[#@LINE+2]]:17 in {{.*}}main{{.*}}
  goro::go([requests] { requests.recv(); });
  goro::go([] { goro::sleep(std::chrono::hours(1)); });
  std::size_t settled = 0;
  while (settled < 2) {
    goro::yield();
    settled = 0;
    for (const goro::debug::goroutine_info& g : goro::debug::goroutines())
      settled += g.st != goro::debug::state::runnable && g.st != goro::debug::state::running;
  }

  for (const goro::debug::goroutine_info& g : goro::debug::goroutines())
    std::printf("id=%llu state=%d reason='%s' created=%s:%u blocked=%s:%u\n",
                static_cast<unsigned long long>(g.id), static_cast<int>(g.st),
                g.wait_reason.c_str(), g.created_at.file.c_str(), g.created_at.line,
                g.blocked_at.file.c_str(), g.blocked_at.line);
  // OUT: id=1 state=2 reason='chan receive' created={{/.*}}/dump-sigquit.cpp:[[#@LINE-15]] blocked={{/.*}}/dump-sigquit.cpp:[[#@LINE-15]]
  // OUT-NEXT: id=2 state=3 reason='sleep' created={{/.*}}/dump-sigquit.cpp:[[#@LINE-15]] blocked={{/.*}}/dump-sigquit.cpp:[[#@LINE-15]]

  goro::debug::dump(std::cout);
  // OUT: goro: 2 goroutines
  // OUT-EMPTY:
  // OUT-NEXT: goroutine 1 [blocked, chan receive]:
  // OUT-NEXT: blocked at {{/.*}}/dump-sigquit.cpp:[[#@LINE-22]]:25 in {{.*}}main{{.*}}
  // OUT-NEXT: created at {{/.*}}/dump-sigquit.cpp:[[#@LINE-23]]:3 in main
  // OUT-EMPTY:
  // OUT-NEXT: goroutine 2 [sleeping, sleep]:
  // OUT-NEXT: blocked at {{/.*}}/dump-sigquit.cpp:[[#@LINE-25]]:17 in {{.*}}main{{.*}}
  // OUT-NEXT: created at {{/.*}}/dump-sigquit.cpp:[[#@LINE-26]]:3 in main

  std::fflush(stdout);
  std::raise(SIGQUIT);
  std::printf("still running after SIGQUIT\n");
  // OUT: still running after SIGQUIT
  return 0;
}
