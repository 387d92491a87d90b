// Rate limiting, twice: a steady limiter (one request per tick of a ticker)
// and a bursty one (a bucket of three tokens, refilled by a ticker).
//
// Seeds: 001 "Rate Limiting" (rateLimitedWork, burstRateLimiter),
// 002 "Rate Limiting".
//
// Notice: the goroutine that refills the bucket selects on ctx.done() and is
// waited for. Seed 001's refill loop ranges over time.Tick forever: a leaked
// goroutine and a ticker that can never be stopped.
//
// The output says what was done, not when; the program checks that the
// limiters held the rate (the time taken is at least what the rate allows)
// and prints "ok".
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>

using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

bool steady(int requests, goro::duration interval) {
  auto start = clock_type::now();
  goro::ticker throttle(interval);
  for (int req = 1; req <= requests; ++req) {
    throttle.c().recv(); // wait for the rate limiter
    std::printf("steady: request %d\n", req);
  }
  // The first tick comes one interval after the start, so n requests take at
  // least n intervals.
  return clock_type::now() - start >= requests * interval;
}

bool bursty(int requests, int burst, goro::duration refill_every) {
  auto start = clock_type::now();
  auto tokens = goro::make_chan<goro::time_point>(burst);
  for (int i = 0; i < burst; ++i)
    tokens.send(clock_type::now()); // the bucket starts full

  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::wait_group refiller;
  refiller.add(1);
  goro::go([&, ctx] {
    goro::defer done([&] { refiller.done(); });
    goro::ticker refill(refill_every);
    for (;;) {
      bool stop = false;
      goro::select(goro::on_recv(ctx.done(), [&](auto) { stop = true; }),
                   goro::on_recv(refill.c(), [&](std::optional<goro::time_point> t) {
                     (void)tokens.try_send(*t); // a full bucket drops the token
                   }));
      if (stop)
        return;
    }
  });

  for (int req = 1; req <= requests; ++req) {
    tokens.recv(); // wait for a token
    std::printf("bursty: request %d\n", req);
  }
  cancel();
  refiller.wait();

  // The first `burst` requests use the initial tokens; each one after them
  // waits for a refill, the first of which comes one period after the start.
  return clock_type::now() - start >= (requests - burst) * refill_every;
}

} // namespace

int main() {
  bool ok = steady(5, 10ms);
  std::printf("steady: 5 requests at one per 10ms took at least 50ms: %s\n", ok ? "ok" : "FAIL");
  bool ok2 = bursty(6, 3, 10ms);
  std::printf("bursty: 6 requests, burst of 3, one more per 10ms, took at least 30ms: %s\n",
              ok2 ? "ok" : "FAIL");
  return ok && ok2 ? 0 : 1;
}
