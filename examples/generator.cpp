// A generator: a function that returns a channel and a goroutine that feeds
// it. This one is endless (Fibonacci numbers), so the consumer must be able
// to say "enough": it closes a `quit` channel, the generator's select sees
// it, and the generator returns and closes its output.
//
// Seeds: 002 "Pipeline" (generator), 001 "Channel Closing and Range",
// 001 "Memory Management" (properCleanup: close(done)).
//
// Notice: closing `quit` is what stops the generator; then main keeps ranging
// over `fib` until it is closed, which is how it knows the generator has
// returned (the values still in flight are dropped).
#include <goro/goro.hpp>

#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

goro::recv_chan<std::uint64_t> fibonacci(const goro::recv_chan<goro::unit>& quit) {
  auto out = goro::make_chan<std::uint64_t>();
  goro::go([out, quit] {
    goro::defer close_out([&] { out.close(); }); // the producer closes
    std::uint64_t a = 0;
    std::uint64_t b = 1;
    for (;;) {
      bool sent = false;
      goro::select(goro::on_send(out, a, [&] { sent = true; }), goro::on_recv(quit, [](auto) {}));
      if (!sent)
        return; // quit is closed
      std::uint64_t next = a + b;
      a = b;
      b = next;
    }
  });
  return out;
}

} // namespace

int main() {
  auto quit = goro::make_chan<goro::unit>();
  auto fib = fibonacci(quit);

  std::vector<std::uint64_t> first;
  first.reserve(12);
  for (std::uint64_t v : fib) {
    first.push_back(v);
    if (first.size() == 12)
      break;
  }

  quit.close(); // enough: a close reaches the generator whatever it is doing
  for ([[maybe_unused]] std::uint64_t v : fib) {
    // drain until the generator has closed `fib`
  }

  std::printf("first 12:");
  for (std::uint64_t v : first)
    std::printf(" %llu", static_cast<unsigned long long>(v));
  std::printf("\ngenerator stopped\n");
  return first.size() == 12 && first.back() == 89 ? 0 : 1;
}
