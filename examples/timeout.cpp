// A timeout around an operation that cannot be canceled: run it in a
// goroutine, then select between its result and goro::after(timeout).
//
// Seeds: 002 "Timeout" (doWorkWithTimeout), 001 "Timeout Pattern",
// 001 "Select with Timeout".
//
// Notice: the result channel is buffered (capacity 1). When the timeout wins,
// nobody will ever receive the result; with seed 002's unbuffered `done`
// channel the operation's goroutine would block on its send forever.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

using namespace std::chrono_literals;

namespace {

// Starts op in a goroutine and waits at most `timeout` for its result. The
// goroutine may outlive this call: `running` lets the caller wait for it
// before the program ends (goroutines must not outlive main).
std::optional<std::string> call_with_timeout(std::function<std::string()> op,
                                             goro::duration timeout, goro::wait_group& running) {
  auto done = goro::make_chan<std::string>(1);
  running.add(1);
  goro::go([&running, done, op = std::move(op)] {
    goro::defer finished([&] { running.done(); });
    done.send(op()); // never blocks: there is room for this one value
  });

  std::optional<std::string> result;
  goro::select(goro::on_recv(done, [&](std::optional<std::string> r) { result = std::move(r); }),
               goro::on_recv(goro::after(timeout), [](auto) {}));
  return result;
}

} // namespace

int main() {
  goro::wait_group running;

  auto fast = call_with_timeout([] { return std::string("42"); }, 5s, running);
  std::printf("fast operation: %s\n", fast ? fast->c_str() : "timed out");

  // The slow operation is stuck (on a dead peer, say) until `unstick` is
  // closed, which main does only after the timeout fired: it cannot win.
  auto unstick = goro::make_chan<goro::unit>();
  auto slow = call_with_timeout(
      [unstick] {
        unstick.recv();
        return std::string("too late");
      },
      20ms, running);
  std::printf("slow operation: %s\n", slow ? slow->c_str() : "timed out after 20ms");

  unstick.close();
  running.wait(); // its result went into the buffer, and its goroutine returned
  std::printf("the abandoned operation finished without blocking\n");
  return fast && !slow ? 0 : 1;
}
