// Goroutines never run after main returns: at exit the runtime stops
// scheduling first, then static destructors run.
//
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t
// RUN: %t 2>&1 | FileCheck %s
// RUN: env GORO_MAXPROCS=1 %t 2>&1 | FileCheck %s
// RUN: env GORO_MAXPROCS=8 %t 2>&1 | FileCheck %s
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

std::atomic<bool> destroying{false};
std::atomic<int> ran_late{0};

// Constructed before main (so before the scheduler starts): its destructor
// runs after the runtime stopped scheduling. It gives the goroutines every
// chance to run meanwhile; none may.
struct late_observer {
  ~late_observer() {
    destroying = true;
    for (int i = 0; i < 200; ++i)
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    std::printf("destructor done; goroutines that ran after main returned: %d\n", ran_late.load());
  }
} observer;

int main() {
  // Busy goroutines that reach a scheduling point all the time, sleepers and
  // tickers that wake up every 100 microseconds, and a goroutine blocked for good.
  for (int i = 0; i < 8; ++i)
    goro::go([] {
      for (;;) {
        if (destroying)
          ++ran_late;
        goro::yield();
      }
    });
  for (int i = 0; i < 8; ++i)
    goro::go([] {
      for (;;) {
        goro::sleep(std::chrono::microseconds(100));
        if (destroying)
          ++ran_late;
      }
    });
  goro::go([] {
    goro::ticker t(std::chrono::microseconds(100));
    for (;;) {
      (void)t.c().recv();
      if (destroying)
        ++ran_late;
    }
  });
  goro::go([] { goro::select(); });
  goro::sleep(std::chrono::milliseconds(20)); // let them all get going
  std::printf("main returns\n");
  return 0;
}

// CHECK: main returns
// CHECK-NEXT: destructor done; goroutines that ran after main returned: 0
