// Pipeline: generator -> square -> sum, each stage a goroutine connected by
// unbuffered channels; each stage closes its output when its input is done,
// so the range-for loops downstream end.
//
// Seeds: 002 "Pipeline" (generator, square), 001 "Pipeline Pattern".
//
// Notice: close in the producer. Each stage closes the channel it sends on,
// never the one it receives from; that close is the only way the next stage's
// range-for loop learns there is nothing more.
#include <goro/goro.hpp>

#include <cstdio>
#include <vector>

namespace {

goro::recv_chan<int> generate(std::vector<int> numbers) {
  auto out = goro::make_chan<int>();
  goro::go([out, numbers = std::move(numbers)] {
    for (int n : numbers)
      out.send(n);
    out.close();
  });
  return out;
}

goro::recv_chan<int> square(const goro::recv_chan<int>& in) {
  auto out = goro::make_chan<int>();
  goro::go([in, out] {
    for (int n : in)
      out.send(n * n);
    out.close();
  });
  return out;
}

} // namespace

int main() {
  int total = 0;
  for (int v : square(generate({1, 2, 3, 4})))
    total += v;
  std::printf("sum of squares: %d\n", total);
  return total == 30 ? 0 : 1;
}
