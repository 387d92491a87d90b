// time.cpp — sleep, after, ticker and timer on the scheduler's timer heap.
//
// sleep() parks the goroutine with a timer node on its own stack; the node is
// added by park()'s deferred callback, so it cannot fire before the goroutine
// is parked. after(), ticker and timer own a refcounted core holding a
// buffered channel (capacity 1) and a timer node; the heap holds a reference
// while the node is pending or firing.
//
// Stale values. Each core has a generation `gen`, bumped under its lock by
// stop() and reset(); a firing delivers only if the generation it was armed
// with is still current, and stop()/reset() also drain an undelivered value,
// so nothing from an old schedule is received afterwards (Go 1.23).
//
// ThreadSanitizer (tsan.hpp): the core's lock is lock_visible, so starting or
// resetting a timer happens before its firing (which runs as a TSan fiber of
// its own, timer.cpp), and the firing's send before the receive of the tick.
#include <atomic>
#include <cstdint>
#include <thread>

#include "goro/error.hpp"
#include "goro/time.hpp"
#include "sched.hpp"
#include "spin_lock.hpp"
#include "timer.hpp"
#include "tsan.hpp"

namespace goro::detail {

namespace {

time_point to_time_point(std::int64_t ns) {
  return time_point(std::chrono::nanoseconds(ns));
}

std::int64_t to_ns(duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

std::int64_t deadline_after(duration d) noexcept {
  std::int64_t now = now_ns();
  std::int64_t ns = to_ns(d);
  return ns > INT64_MAX - now ? INT64_MAX - 1 : now + ns;
}

// ---- sleep

struct sleeper : timer_node {
  g* gp = nullptr;
};
void sleeper_fire(timer_node* t, std::uint64_t, std::int64_t) noexcept {
  ready(static_cast<sleeper*>(t)->gp);
}
void no_ref(timer_node*) noexcept {}
const timer_ops sleeper_ops{&sleeper_fire, &no_ref, &no_ref};
void add_sleeper(void* s) noexcept {
  timer_add(static_cast<sleeper*>(s));
}

} // namespace

// ---- after / ticker / timer share one core

struct clock_core {
  std::atomic<std::int64_t> refs{1};
  spin_lock lock;
  std::uint64_t gen = 0;
  bool armed = false; // a value is scheduled and not yet delivered
  // The time of the last tick sent. timers_run fires outside the heap's
  // lock, so two workers may fire consecutive periods of one ticker at the
  // same time and reach clock_fire in either order: the older one, arriving
  // second, is dropped (a newer tick was already sent), so the values a
  // receiver sees only increase.
  std::int64_t last_sent = INT64_MIN;
  chan<time_point> ch = make_chan<time_point>(1);
  owned_timer_node node;

  clock_core() { node.owner = this; }

  static void retain(clock_core* c) noexcept { c->refs.fetch_add(1, std::memory_order_relaxed); }
  static void release(clock_core* c) noexcept {
    tsan_release(&c->refs); // every holder's last use happens before the delete
    if (c->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      tsan_acquire(&c->refs);
      delete c;
    }
  }

  // Under lock: cancel the current schedule and drop an undelivered value.
  // Returns true if a value was still to come (pending or not yet received).
  bool disarm() noexcept {
    ++gen;
    bool removed = timer_remove(&node);
    bool drained = ch.try_recv().has_value();
    bool was_armed = armed;
    armed = false;
    return removed || drained || was_armed;
  }
  // Under lock: schedule a value after d (and every period, if period > 0).
  void arm(std::int64_t when, std::int64_t period) noexcept {
    node.seq = gen;
    node.when = when;
    node.period = period;
    armed = true;
    timer_add(&node);
  }
};

namespace {

void clock_fire(timer_node* t, std::uint64_t seq, std::int64_t now) noexcept {
  auto* c = timer_owner<clock_core>(t);
  lock_visible(c->lock);
  if (seq == c->gen && now > c->last_sent) {
    // A full channel drops the tick, as in Go.
    if (c->ch.try_send(to_time_point(now)))
      c->last_sent = now;
    if (c->node.period == 0)
      c->armed = false;
  }
  unlock_visible(c->lock);
}
void clock_retain(timer_node* t) noexcept {
  clock_core::retain(timer_owner<clock_core>(t));
}
void clock_release(timer_node* t) noexcept {
  clock_core::release(timer_owner<clock_core>(t));
}
const timer_ops clock_ops{&clock_fire, &clock_retain, &clock_release};

clock_core* new_clock(std::int64_t when, std::int64_t period) {
  auto* c = new clock_core;
  c->node.ops = &clock_ops;
  lock_visible(c->lock);
  c->arm(when, period);
  unlock_visible(c->lock);
  return c;
}

} // namespace

} // namespace goro::detail

namespace goro {

using detail::clock_core;

void sleep(duration d, std::source_location where) {
  if (d <= duration::zero())
    return;
  if (!detail::on_goroutine()) {
    std::this_thread::sleep_for(d);
    return;
  }
  detail::sleeper s;
  s.ops = &detail::sleeper_ops;
  s.when = detail::deadline_after(d);
  s.gp = detail::current_g();
  detail::park(detail::wait_site{"sleep", &where, nullptr, detail::wait_kind::sleep},
               &detail::add_sleeper, &s);
}

recv_chan<time_point> after(duration d) {
  clock_core* c = detail::new_clock(detail::deadline_after(d), 0);
  recv_chan<time_point> out = c->ch;
  clock_core::release(c); // the heap's reference keeps it until it fires
  return out;
}

ticker::ticker(duration interval) : core_(nullptr) {
  if (interval <= duration::zero())
    throw goro::panic("non-positive interval for ticker");
  std::int64_t period = detail::to_ns(interval);
  core_ = detail::new_clock(detail::deadline_after(interval), period);
}
ticker::~ticker() {
  stop();
  clock_core::release(core_);
}
recv_chan<time_point> ticker::c() const {
  return core_->ch;
}
void ticker::stop() {
  lock_visible(core_->lock);
  core_->disarm();
  unlock_visible(core_->lock);
}
void ticker::reset(duration interval) {
  if (interval <= duration::zero())
    throw goro::panic("non-positive interval for ticker.reset");
  lock_visible(core_->lock);
  core_->disarm();
  core_->arm(detail::deadline_after(interval), detail::to_ns(interval));
  unlock_visible(core_->lock);
}

timer::timer(duration d) : core_(detail::new_clock(detail::deadline_after(d), 0)) {}
timer::~timer() {
  stop();
  clock_core::release(core_);
}
recv_chan<time_point> timer::c() const {
  return core_->ch;
}
bool timer::stop() {
  lock_visible(core_->lock);
  bool pending = core_->disarm();
  unlock_visible(core_->lock);
  return pending;
}
bool timer::reset(duration d) {
  lock_visible(core_->lock);
  bool pending = core_->disarm();
  core_->arm(detail::deadline_after(d), 0);
  unlock_visible(core_->lock);
  return pending;
}

} // namespace goro
