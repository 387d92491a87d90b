// Pitfall: a sleep used as the wait for goroutines
// (goro-sleep-as-synchronization).
//
// The seeds' first programs: "time.Sleep(10 * time.Millisecond) // Give
// goroutine time to run". On a loaded machine (CI, a sanitizer, one core)
// the goroutines have not run when the sleep ends: main() returns under them
// and the output is cut short, or the result read after the sleep is still
// empty.
//
//  1. main() starts two goroutines and sleeps instead of waiting.
//  2. sum() waits, but reads the goroutine's result after a sleep, before
//     its wait.
//
// Not built by CMake. See the findings with:
//   clang-tidy-19 --load build/default/checkers/goro-tidy.so \
//     --checks='-*,goro-sleep-as-synchronization' \
//     examples/pitfalls/sleep-as-synchronization.cpp -- -std=c++20 -Iruntime/include
// The fix: a goro::wait_group (add before go, done in the goroutine, wait
// where the sleep was), as in examples/wait_group.cpp; in sum(), move
// wg.wait() before the read and drop the sleep.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <numeric>
#include <vector>

using namespace std::chrono_literals;

void say_hello(const char* name) {
  for (int i = 0; i < 3; ++i) {
    std::printf("Hello, %s! (%d)\n", name, i);
    goro::sleep(100ms); // fine: paces the goroutine itself
  }
}

long sum(const std::vector<long>& values) {
  goro::wait_group wg;
  long total = 0;
  wg.add(1);
  goro::go([&] {
    total = std::accumulate(values.begin(), values.end(), 0L);
    wg.done();
  });
  goro::sleep(10ms);                    // BUG 2: stands in for wg.wait()
  std::printf("partial: %ld\n", total); // may still be 0
  wg.wait();
  return total;
}

int main() {
  goro::go(say_hello, "Bob");
  goro::go(say_hello, "Charlie");
  goro::sleep(500ms); // BUG 1: main needs to wait for the goroutines
  std::printf("sum: %ld\n", sum({1, 2, 3}));
}
