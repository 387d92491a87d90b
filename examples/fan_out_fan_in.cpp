// Fan-out, fan-in: several workers read from one input channel (fan-out), each
// writing to its own output channel, and a merge stage forwards all outputs
// into one channel (fan-in) that it closes once every forwarder is done.
//
// Seeds: 002 "Fan-Out, Fan-In", 004 "Fan-In with Channels".
//
// Notice: fan_in() returns while its goroutines still run, so the wait_group
// they share cannot live on fan_in()'s stack: it is held by a shared_ptr that
// each goroutine copies (Go's escape analysis moves `wg` to the heap for you).
#include <goro/goro.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

using namespace std::chrono_literals;

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

int process(int v) {
  goro::sleep(1ms); // simulated work
  return v * v;
}

// Fan-out: n workers share `input`; each closes its own output when `input`
// is drained.
std::vector<goro::recv_chan<int>> fan_out(const goro::recv_chan<int>& input, int n) {
  std::vector<goro::recv_chan<int>> channels;
  for (int i = 0; i < n; ++i) {
    auto ch = goro::make_chan<int>();
    channels.push_back(ch);
    goro::go([input, ch] {
      for (int v : input)
        ch.send(process(v));
      ch.close();
    });
  }
  return channels;
}

// Fan-in: one forwarder per input channel, plus one goroutine that closes the
// merged channel after the last forwarder is done.
goro::recv_chan<int> fan_in(const std::vector<goro::recv_chan<int>>& channels) {
  auto out = goro::make_chan<int>();
  auto wg = std::make_shared<goro::wait_group>();
  for (const auto& ch : channels) {
    wg->add(1);
    goro::go([wg, ch, out] {
      goro::defer done([&] { wg->done(); });
      for (int v : ch)
        out.send(v);
    });
  }
  goro::go([wg, out] {
    wg->wait();
    out.close();
  });
  return out;
}

} // namespace

int main() {
  auto merged = fan_in(fan_out(generate({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 3));

  // Ranging until `merged` is closed also waits for every stage: each one
  // closes its output as the last thing it does.
  std::vector<int> results;
  for (int v : merged)
    results.push_back(v);

  std::ranges::sort(results); // arrival order depends on scheduling
  int sum = 0;
  std::printf("squares:");
  for (int v : results) {
    std::printf(" %d", v);
    sum += v;
  }
  std::printf("\nsum: %d\n", sum);
  return sum == 385 ? 0 : 1;
}
