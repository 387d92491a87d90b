// goro/time.hpp — Go's time package: sleep, after, ticker, timer.
//
// All of them run on the scheduler's timer heap: a sleeping goroutine parks
// and costs no thread; timers fire from the scheduler, not from a thread of
// their own.
#pragma once

#include <source_location>

#include "goro/chan.hpp"
#include "goro/types.hpp"

namespace goro {

namespace detail {
struct clock_core;
} // namespace detail

// time.Sleep: parks the goroutine (or blocks the thread) for at least d.
void sleep(duration d, std::source_location where = std::source_location::current());

// time.After: a channel that receives the current time once, after d.
recv_chan<time_point> after(duration d);

// time.Ticker: c() receives the time every interval. A tick that finds the
// channel full is dropped, so a slow receiver sees fewer ticks, never a
// backlog. interval <= 0 throws goro::panic.
class ticker {
public:
  explicit ticker(duration interval);
  ticker(const ticker&) = delete;
  ticker& operator=(const ticker&) = delete;
  ~ticker(); // stops the ticker
  recv_chan<time_point> c() const;
  void stop();                   // no more ticks; c() is not closed (as in Go)
  void reset(duration interval); // restarts with a new period

private:
  detail::clock_core* core_;
};

// time.Timer, with Go 1.23's semantics: after stop() or reset() returns, no
// value from the old schedule is ever received from c().
class timer {
public:
  explicit timer(duration d);
  timer(const timer&) = delete;
  timer& operator=(const timer&) = delete;
  ~timer(); // stops the timer
  recv_chan<time_point> c() const;
  bool stop();            // true if it stopped a pending timer; a stopped timer never fires
  bool reset(duration d); // true if the timer was pending; fires once more, after d

private:
  detail::clock_core* core_;
};

} // namespace goro
