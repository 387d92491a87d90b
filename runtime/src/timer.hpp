// timer.hpp — the scheduler's timer heap.
//
// One min-heap of timer_nodes ordered by `when`, shared by all workers and
// protected by one lock. Workers run due timers when they look for work, and
// the idle worker that polls the network sleeps until the earliest deadline,
// so a sleeping goroutine costs no thread.
//
// Invariants:
//   - the heap lock is never held while a timer's fire() runs, so fire() may
//     take other runtime locks (channels, contexts) but must never block;
//   - the heap holds a reference (ops->retain) on every node it contains and
//     on every node whose fire() is in flight; owners that may destroy a node
//     while it is pending give it a reference count (time.cpp), owners whose
//     node outlives its firing (sleep()) use no-op retain/release;
//   - fire() receives the `seq` the node had when it was taken from the heap,
//     so an owner that re-arms or stops a node can tell a stale firing apart.
#pragma once

#include <cstdint>

namespace goro::detail {

struct timer_node;
struct timer_ops {
  void (*fire)(timer_node* t, std::uint64_t seq, std::int64_t now_ns) noexcept;
  void (*retain)(timer_node* t) noexcept;
  void (*release)(timer_node* t) noexcept;
};

struct timer_node {
  const timer_ops* ops = nullptr;
  std::int64_t when = 0;   // absolute, now_ns() clock
  std::int64_t period = 0; // > 0: re-armed at when + period after firing
  std::uint64_t seq = 0;   // owner's generation, passed back to fire()
  std::int32_t index = -1; // position in the heap; -1 when not pending
};

// A timer_node that knows the object it belongs to (the fire/retain/release
// functions get back to it through `owner`).
struct owned_timer_node : timer_node {
  void* owner = nullptr;
};
template <class T>
T* timer_owner(timer_node* t) noexcept {
  return static_cast<T*>(static_cast<owned_timer_node*>(t)->owner);
}

// Adds a node that is not pending. Wakes the poller if it is the new earliest.
void timer_add(timer_node* t) noexcept;
// Removes a pending node; returns false if it was not pending (already fired,
// firing, or never added).
bool timer_remove(timer_node* t) noexcept;
// Runs every timer due at `now`; returns how many fired.
int timers_run(std::int64_t now) noexcept;
// The earliest deadline, or INT64_MAX when no timer is pending.
std::int64_t timers_next() noexcept;
// Number of pending timers (for deadlock detection: a pending timer means the
// program is not stuck).
std::int64_t timers_pending() noexcept;

} // namespace goro::detail
