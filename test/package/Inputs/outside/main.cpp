// Uses the installed headers and library: a few goroutines, a channel, select.
#include <goro/goro.hpp>

#include <cstdio>

int main() {
  auto results = goro::make_chan<int>();
  goro::wait_group wg;
  for (int i = 1; i <= 4; ++i) {
    wg.add();
    goro::go([&wg, results, i] {
      results.send(i * i);
      wg.done();
    });
  }
  goro::go([&wg, results] {
    wg.wait();
    results.close();
  });
  int sum = 0;
  for (int v : results)
    sum += v;
  std::printf("outside: sum=%d goroutines-left=%s\n", sum, sum == 30 ? "ok" : "bad");
  return sum == 30 ? 0 : 1;
}
