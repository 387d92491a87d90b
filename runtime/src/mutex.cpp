// mutex.cpp — sync.Mutex.
//
// state = locked bit + 2 * (number of parked waiters). Locking is a CAS on an
// unlocked state, after brief spinning. A goroutine that cannot get the lock
// registers as a waiter and parks, both under the queue_locked bit, so unlock
// (which dequeues under that bit) always sees waiter count and queue agree.
// Every path that makes the mutex acquirable also drops the queue bit in the
// same atomic operation, and touches the mutex no more afterwards.
//
// Unlock with waiters wakes the oldest one. Normally the mutex is released
// and the woken waiter competes with newcomers (throughput: a running
// goroutine that takes the lock right away beats a context switch); a waiter
// that loses goes back to the front of the queue. Once the oldest waiter has
// waited more than starvation_ns, unlock hands the mutex to it directly and it
// cannot lose (Go's starvation mode).
#include "goro/error.hpp"
#include "goro/sync.hpp"
#include "hooks.hpp"
#include "sync_impl.hpp"
#include "tsan.hpp"

namespace goro::detail {
namespace {

constexpr std::int64_t starvation_ns = 1'000'000;
constexpr int spin_attempts = 4;

// Takes the queue bit (held for a few dozen instructions, never across a
// switch except through park()'s unlock callback); returns the state with it.
std::uint32_t lock_queue(mutex_core* m) noexcept {
  std::uint32_t s = m->state.load(std::memory_order_relaxed);
  for (int spins = 0;; ++spins) {
    if ((s & mutex_core::queue_locked) == 0 &&
        m->state.compare_exchange_weak(s, s | mutex_core::queue_locked, std::memory_order_acquire,
                                       std::memory_order_relaxed))
      return s | mutex_core::queue_locked;
    if (spins < 100)
      cpu_relax();
    else
      sched_yield(); // the holder may be a preempted thread
    s = m->state.load(std::memory_order_relaxed);
  }
}

void unlock_queue(mutex_core* m) noexcept {
  m->state.fetch_and(~mutex_core::queue_locked, std::memory_order_release);
}

// For park(): the queue bit is dropped only once the waiter is parked.
void unlock_queue_fn(void* m) noexcept {
  unlock_queue(static_cast<mutex_core*>(m));
}

bool try_acquire_unlocked(mutex_core* m) noexcept {
  std::uint32_t s = m->state.load(std::memory_order_relaxed);
  while ((s & mutex_core::locked) == 0)
    if (m->state.compare_exchange_weak(s, s | mutex_core::locked, std::memory_order_acquire))
      return true;
  return false;
}

// Spins briefly, then parks until the mutex is ours.
void mutex_lock_slow(mutex_core* m, void* pc, const void* identity) {
  for (int i = 0; i < spin_attempts; ++i) {
    for (int j = 0; j < 30; ++j)
      cpu_relax();
    if (try_acquire_unlocked(m))
      return;
  }
  std::int64_t since = now_ns();
  bool at_front = false;
  for (;;) {
    std::uint32_t s = lock_queue(m);
    for (;;) {
      if ((s & mutex_core::locked) == 0) {
        // Take the mutex and drop the queue bit at once.
        if (m->state.compare_exchange_weak(s, (s | mutex_core::locked) & ~mutex_core::queue_locked,
                                           std::memory_order_acq_rel))
          return;
        continue;
      }
      if (m->state.compare_exchange_weak(s, s + mutex_core::waiter_unit, std::memory_order_relaxed))
        break;
    }
    waiter me;
    me.gp = current_g();
    me.since_ns = since;
    if (at_front)
      m->waiters.push_front(&me);
    else
      m->waiters.push_back(&me);
    park(wait_site{"mutex lock", nullptr, pc, wait_kind::mutex, identity}, &unlock_queue_fn, m);
    if (me.handoff)
      return; // unlock passed the mutex to us
    if (try_acquire_unlocked(m))
      return;
    at_front = true;
  }
}

} // namespace

bool mutex_try_lock(mutex_core* m) noexcept {
  return try_acquire_unlocked(m);
}

void mutex_lock(mutex_core* m, void* pc, const void* identity) {
  std::uint32_t expected = 0;
  if (m->state.compare_exchange_strong(expected, mutex_core::locked, std::memory_order_acquire))
    return;
  mutex_lock_slow(m, pc, identity);
}

bool mutex_unlock(mutex_core* m) noexcept {
  std::uint32_t expected = mutex_core::locked;
  if (m->state.compare_exchange_strong(expected, 0, std::memory_order_release))
    return true;
  std::uint32_t s = lock_queue(m);
  if ((s & mutex_core::locked) == 0) {
    unlock_queue(m);
    return false;
  }
  waiter* w = m->waiters.pop_front();
  if (w == nullptr) {
    m->state.fetch_and(~(mutex_core::locked | mutex_core::queue_locked), std::memory_order_release);
    return true;
  }
  // w lives on its parked goroutine's stack, which stays put until ready(gp):
  // everything read or written through it happens before that.
  w->handoff = now_ns() - w->since_ns > starvation_ns;
  g* gp = w->gp;
  // The last access to *m.
  if (w->handoff) // stays locked, for w
    m->state.fetch_sub(mutex_core::waiter_unit + mutex_core::queue_locked,
                       std::memory_order_release);
  else
    m->state.fetch_sub(mutex_core::waiter_unit + mutex_core::locked + mutex_core::queue_locked,
                       std::memory_order_release);
  ready(gp);
  return true;
}

} // namespace goro::detail

namespace goro {

mutex::mutex() : core_(new detail::mutex_core) {}
mutex::~mutex() {
  detail::on_lock_destroy_hook(this);
  delete core_;
}
void mutex::lock() {
  void* pc = __builtin_return_address(0);
  detail::sched_point_hook();
  detail::mutex_lock(core_, pc, this);
  detail::tsan_acquire(core_); // unlock -> lock (tsan.hpp)
  detail::on_lock_hook(this, false, pc);
}

bool mutex::try_lock() {
  if (!detail::mutex_try_lock(core_))
    return false;
  detail::tsan_acquire(core_);
  detail::on_try_lock_hook(this, false);
  return true;
}

void mutex::unlock() {
  void* pc = __builtin_return_address(0);
  detail::on_unlock_hook(this, false);
  detail::tsan_release(core_);
  if (!detail::mutex_unlock(core_)) {
    detail::on_misuse_hook(detail::misuse::unlock_of_unlocked, this, nullptr, pc);
    throw goro::panic("sync: unlock of unlocked mutex");
  }
}

} // namespace goro
