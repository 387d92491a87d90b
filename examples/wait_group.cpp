// Waiting for goroutines with a wait_group: add before starting, done when
// finished (via goro::defer, so on every path), wait before using the results.
//
// Seeds: 002 "Using sync.WaitGroup", 002 "Gotchas" (loop variable capture;
// main exits before goroutines), 001 "WaitGroup for Goroutine
// Synchronization".
//
// Notice: the lambda captures `i` by value ([&, i]). Captured by reference,
// every goroutine would read the one loop variable, whose value has moved on
// (or which no longer exists) by the time it runs: seed 002's first gotcha,
// which C++ keeps even where Go 1.22 fixed it.
#include <goro/goro.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

std::string greet(int id) {
  return "hello from goroutine " + std::to_string(id);
}

} // namespace

int main() {
  constexpr int n = 5;
  std::vector<std::string> greetings(n); // one slot per goroutine
  goro::wait_group wg;
  for (int i = 0; i < n; ++i) {
    wg.add(1); // before go(): a wait() that ran first must already count it
    goro::go([&, i] {
      goro::defer done([&] { wg.done(); });
      greetings[i] = greet(i);
    });
  }
  wg.wait(); // without it main could print (or return) before they ran

  // go(f, args...) copies the arguments when it is called, like Go's
  // `go func(id int) { ... }(i)`.
  std::vector<int> squares(n);
  for (int i = 0; i < n; ++i) {
    wg.add(1);
    goro::go(
        [&](int id) {
          goro::defer done([&] { wg.done(); });
          squares[id] = id * id;
        },
        i);
  }
  wg.wait();

  for (const auto& g : greetings)
    std::printf("%s\n", g.c_str());
  std::printf("squares:");
  for (int s : squares)
    std::printf(" %d", s);
  std::printf("\n");
  return squares[4] == 16 ? 0 : 1;
}
