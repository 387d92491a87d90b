// Goroutines never run after main returns — not even while the destructors
// of statics constructed after the scheduler started run.
//
// The runtime stops scheduling from an on_exit handler registered when the
// scheduler starts, and again, through a thread_local's destructor, when
// exit() starts: exit() runs handlers in reverse order of registration, so
// the first alone would run after the destructors of statics constructed
// later (a function static first used after the first go(), as here).
//
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t
// RUN: %t 2>&1 | FileCheck %s
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

std::atomic<bool> destroying{false};
std::atomic<int> ran_late{0};

struct late_observer {
  ~late_observer() {
    destroying = true;
    for (int i = 0; i < 200 && ran_late.load() == 0; ++i)
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    std::printf("goroutines that ran after main returned: %d\n", ran_late.load());
  }
};

int main() {
  for (int i = 0; i < 4; ++i)
    goro::go([] {
      for (;;) {
        if (destroying)
          ++ran_late;
        goro::yield();
      }
    });
  static late_observer observer; // constructed after the scheduler started
  goro::sleep(std::chrono::milliseconds(5));
  return 0;
}

// CHECK: goroutines that ran after main returned: 0
