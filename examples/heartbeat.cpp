// Heartbeats and a watchdog: a worker reports "alive, starting job n" before
// each job; the monitor resets a timer on every heartbeat, and when the timer
// fires (no heartbeat for too long) it declares the worker stuck and cancels
// its context, which the stuck call honors.
//
// Seeds: 002 "Periodic Task" and 003 "Graceful Shutdown" (timers and ctx in a
// select loop), 004 "Rule: Always Use Context for Cancellation", 001 "Monitor
// goroutine count" (knowing your goroutines are alive).
//
// Notice: the watchdog is one goro::timer that is reset(), not a new
// goro::after() per heartbeat. Each after() would leave a pending timer behind
// until it fires; reset() re-arms the same one, and after reset() no value
// from the old schedule is ever received.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;

namespace {

// Job 4 calls a peer that never answers; the call returns only when ctx is
// done (as a well-behaved client library does).
goro::error do_job(const goro::context& ctx, int job) {
  if (job != 4)
    return {};
  goro::error err;
  goro::select(goro::on_recv(ctx.done(), [&](auto) { err = ctx.err(); }));
  return err;
}

goro::error worker(const goro::context& ctx, int jobs, const goro::send_chan<int>& heartbeat) {
  for (int job = 1; job <= jobs; ++job) {
    goro::error err;
    goro::select(goro::on_send(heartbeat, job, [] {}),
                 goro::on_recv(ctx.done(), [&](auto) { err = ctx.err(); }));
    if (err)
      return err;
    if (auto job_err = do_job(ctx, job))
      return job_err;
  }
  return {};
}

} // namespace

int main() {
  // Far longer than a healthy job takes (microseconds), so only a stuck worker
  // ever trips it.
  constexpr auto stall_limit = 250ms;

  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::defer release([&] { cancel(); });
  auto heartbeat = goro::make_chan<int>();
  goro::error worker_err;
  goro::wait_group wg;
  wg.add(1);
  goro::go([&, ctx] {
    goro::defer done([&] { wg.done(); });
    worker_err = worker(ctx, 6, heartbeat);
  });

  goro::timer watchdog(stall_limit);
  int last_job = 0;
  auto on_heartbeat = [&](std::optional<int> job) {
    last_job = *job;
    std::printf("heartbeat: starting job %d\n", last_job);
    watchdog.reset(stall_limit);
  };
  for (bool stuck = false; !stuck;)
    goro::select(goro::on_recv(heartbeat, on_heartbeat),
                 goro::on_recv(watchdog.c(), [&](auto) { stuck = true; }));
  std::printf("no heartbeat for 250ms: job %d is stuck; canceling\n", last_job);
  cancel();
  wg.wait();
  std::printf("worker returned: %s\n", worker_err.message().c_str());
  return worker_err == goro::errc::canceled && last_job == 4 ? 0 : 1;
}
