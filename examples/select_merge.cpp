// Merging channels with select: one goroutine distributes values to whichever
// of two consumers is ready (a select over two sends), and another merges two
// channels into one (a select over two receives) until both are closed.
//
// Seed: 001 "Fan-Out/Fan-In Pattern" (fanOut and fanIn with select).
//
// Notice: when one input is closed, merge() sets it to the nil channel. A case
// on a nil channel never fires, so select stops picking the closed input (which
// would be ready forever) and waits on the other one alone.
#include <goro/goro.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

namespace {

goro::recv_chan<int> generate(int from, int to) {
  auto out = goro::make_chan<int>();
  goro::go([out, from, to] {
    for (int n = from; n <= to; ++n)
      out.send(n);
    out.close();
  });
  return out;
}

// Each value goes to exactly one of the two outputs: the one whose receiver
// is ready first (uniformly at random when both are).
std::pair<goro::recv_chan<int>, goro::recv_chan<int>> split(const goro::recv_chan<int>& input) {
  auto out1 = goro::make_chan<int>();
  auto out2 = goro::make_chan<int>();
  goro::go([input, out1, out2] {
    for (int v : input)
      goro::select(goro::on_send(out1, v, [] {}), goro::on_send(out2, v, [] {}));
    out1.close();
    out2.close();
  });
  return {out1, out2};
}

goro::recv_chan<int> merge(goro::recv_chan<int> in1, goro::recv_chan<int> in2) {
  auto out = goro::make_chan<int>();
  goro::go([in1, in2, out]() mutable {
    // A case function: forwards a value, or forgets `in` once it is closed.
    auto forward_or_drop = [&](goro::recv_chan<int>& in) {
      return [&](std::optional<int> v) {
        if (v)
          out.send(*v);
        else
          in = {}; // the nil channel: select never picks this case again
      };
    };
    while (in1 || in2) {
      goro::select(goro::on_recv(in1, forward_or_drop(in1)),
                   goro::on_recv(in2, forward_or_drop(in2)));
    }
    out.close();
  });
  return out;
}

} // namespace

int main() {
  auto [left, right] = split(generate(1, 10));
  std::vector<int> values;
  for (int v : merge(left, right))
    values.push_back(v);

  std::ranges::sort(values); // which path a value took varies from run to run
  std::printf("merged %zu values:", values.size());
  for (int v : values)
    std::printf(" %d", v);
  std::printf("\n");
  return values.size() == 10 ? 0 : 1;
}
