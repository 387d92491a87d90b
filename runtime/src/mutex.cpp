// mutex.cpp — sync.Mutex.
//
// state = locked bit + 2 * (number of parked waiters). Locking is a CAS on an
// unlocked state, after brief spinning. A goroutine that cannot get the lock
// registers as a waiter and parks, both under queue_lock, so unlock (which
// dequeues under queue_lock) always sees waiter count and queue agree.
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
    m->queue_lock.lock();
    std::uint32_t s = m->state.load(std::memory_order_relaxed);
    for (;;) {
      if ((s & mutex_core::locked) == 0) {
        if (m->state.compare_exchange_weak(s, s | mutex_core::locked, std::memory_order_acquire)) {
          m->queue_lock.unlock();
          return;
        }
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
    park(wait_site{"mutex lock", nullptr, pc, wait_kind::mutex, identity}, &spin_lock::unlock_fn,
         &m->queue_lock);
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
  m->queue_lock.lock();
  std::uint32_t s = m->state.load(std::memory_order_relaxed);
  if ((s & mutex_core::locked) == 0) {
    m->queue_lock.unlock();
    return false;
  }
  waiter* w = m->waiters.pop_front();
  if (w == nullptr) {
    m->state.fetch_and(~mutex_core::locked, std::memory_order_release);
    m->queue_lock.unlock();
    return true;
  }
  w->handoff = now_ns() - w->since_ns > starvation_ns;
  if (w->handoff)
    m->state.fetch_sub(mutex_core::waiter_unit, std::memory_order_relaxed); // stays locked, for w
  else
    m->state.fetch_sub(mutex_core::waiter_unit + mutex_core::locked, std::memory_order_release);
  g* gp = w->gp;
  m->queue_lock.unlock();
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
