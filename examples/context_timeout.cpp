// A deadline for work done in another goroutine: the caller waits for the
// result or for ctx.done(), whichever comes first, and the worker checks the
// context between steps so that it stops too.
//
// Seeds: 001 "Basic Context Usage" (contextExample, doWork), 000 "Pattern 4:
// Using Context for Timeout", 004 "Timeout with Channel" (fetchWithTimeout).
//
// Notice: `result` has room for one value. If the caller has already given up,
// a worker that finishes anyway can still send and return; on an unbuffered
// channel it would block forever (seed 001's doWork has that leak).
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

namespace {

// Five steps; each takes `step` unless ctx is done first.
void do_work(const goro::context& ctx, goro::duration step,
             const goro::send_chan<std::string>& result) {
  for (int i = 1; i <= 5; ++i) {
    goro::timer t(step);
    bool canceled = false;
    goro::select(goro::on_recv(ctx.done(), [&](auto) { canceled = true; }),
                 goro::on_recv(t.c(), [](auto) {}));
    if (canceled)
      return; // abandon the rest; the caller already knows why
  }
  result.send("all 5 steps completed");
}

// Runs do_work with a timeout; prints what the caller saw.
void run(const char* name, goro::duration step, goro::duration timeout) {
  auto [ctx, cancel] = goro::with_timeout(goro::background(), timeout);
  goro::defer release([&] { cancel(); }); // always: it frees the context's timer

  auto result = goro::make_chan<std::string>(1);
  goro::wait_group wg;
  wg.add(1);
  goro::go([&, ctx] {
    goro::defer done([&] { wg.done(); });
    do_work(ctx, step, result);
  });

  std::string outcome;
  goro::select(goro::on_recv(result, [&](std::optional<std::string> r) { outcome = *r; }),
               goro::on_recv(ctx.done(), [&](auto) { outcome = ctx.err().message(); }));
  std::printf("%s: %s\n", name, outcome.c_str());
  wg.wait(); // the worker is gone before its channel and wait group are
}

} // namespace

int main() {
  run("quick job", 1ms, 5s);  // 5 ms of work, 5 s allowed
  run("slow job", 10s, 20ms); // 50 s of work, 20 ms allowed
  return 0;
}
