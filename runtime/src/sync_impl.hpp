// sync_impl.hpp — pieces shared by the sync primitives: an intrusive FIFO of
// parked waiters, a counting semaphore, and the mutex core that once and
// rw_mutex build on.
//
// Invariants: a waiter lives on the stack of the g it describes and is linked
// into exactly one queue while that g is parked; queues are protected by the
// owning primitive's spin_lock; a waker fills in the waiter's result fields,
// unlinks it and then readies the g — after ready() it never touches the
// waiter again.
#pragma once

#include <atomic>
#include <cstdint>

#include "g.hpp"
#include "sched.hpp"
#include "spin_lock.hpp"

namespace goro::detail {

struct waiter {
  g* gp = nullptr;
  waiter* next = nullptr;
  waiter* prev = nullptr;
  std::int64_t since_ns = 0; // when it first started waiting (mutex starvation)
  std::uint32_t ticket = 0;  // cond
  bool handoff = false;      // mutex, sema: ownership was handed over by the waker
};

struct waiter_queue {
  waiter* head = nullptr;
  waiter* tail = nullptr;

  bool empty() const noexcept { return head == nullptr; }
  void push_back(waiter* w) noexcept {
    w->next = nullptr;
    w->prev = tail;
    if (tail != nullptr)
      tail->next = w;
    else
      head = w;
    tail = w;
  }
  void push_front(waiter* w) noexcept {
    w->prev = nullptr;
    w->next = head;
    if (head != nullptr)
      head->prev = w;
    else
      tail = w;
    head = w;
  }
  void erase(waiter* w) noexcept {
    if (w->prev != nullptr)
      w->prev->next = w->next;
    else
      head = w->next;
    if (w->next != nullptr)
      w->next->prev = w->prev;
    else
      tail = w->prev;
    w->next = w->prev = nullptr;
  }
  waiter* pop_front() noexcept {
    waiter* w = head;
    if (w != nullptr)
      erase(w);
    return w;
  }
};

// A counting semaphore whose release hands the token straight to the oldest
// waiter (Go's semacquire/semrelease with handoff).
class sema {
public:
  void acquire(const wait_site& site) noexcept;
  void release() noexcept;

private:
  spin_lock lock_;
  std::uint32_t count_ = 0;
  waiter_queue waiters_;
};

// sync.Mutex's state (see mutex.cpp).
// The waiter queue's lock is a bit of `state`, not a lock of its own, so that
// unlock() can release the mutex and the queue in one atomic operation that
// is its last access to the mutex: the goroutine that locks next may destroy
// it at once (POSIX requires `lock(); last = --refs == 0; unlock(); if (last)
// delete obj;` to work; glibc bug 13690 is this race in pthreads).
struct mutex_core {
  static constexpr std::uint32_t locked = 1;
  static constexpr std::uint32_t queue_locked = 2; // guards `waiters`
  static constexpr std::uint32_t waiter_unit = 4;  // state / 4 = parked waiters
  std::atomic<std::uint32_t> state{0};
  waiter_queue waiters;
};
// `identity` names the mutex in wait sites (the public object's address).
void mutex_lock(mutex_core* m, void* pc, const void* identity);
bool mutex_try_lock(mutex_core* m) noexcept;
// False (and nothing changed) when m was not locked: the caller reports the misuse.
bool mutex_unlock(mutex_core* m) noexcept;

} // namespace goro::detail
