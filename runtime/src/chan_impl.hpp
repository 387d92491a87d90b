// chan_impl.hpp — the channel's representation, shared by chan.cpp and
// select.cpp. Modelled on Go's runtime/chan.go.
//
// Invariants (all under chan_core::lock):
//   - at least one of sendq and recvq is empty, except while a select that
//     both sends and receives on one channel is parked;
//   - buffered channel: count > 0 implies recvq is empty; count < capacity
//     implies sendq is empty;
//   - unbuffered channel: count == 0 always;
//   - once closed, never reopened; sendq is empty after close (every waiting
//     sender was woken to panic).
//
// A value moves exactly once: from the sender's variable into a buffer slot
// or straight into a waiting receiver's storage, and from a slot or a waiting
// sender's variable into the receiver's storage. Wakers write results into
// the waiter's sudog, then unlock, then ready() it — reading sudog fields
// before ready(), never after (the waiter's stack may be gone).
//
// ThreadSanitizer (tsan.hpp), as Go's chan.go does for its race detector:
// a buffered value's slot is acquired and released by the send that fills
// it and by the receive that empties it, so each send happens before the
// receive of its value and each receive before the later send that reuses
// the slot (the capacity as a semaphore). A hand-over to or from a parked
// waiter acquires the waiter's g before the move and releases it after (the
// waiter acquires its g when it resumes): both directions, like Go's
// racesync. close releases closed_sync, and a receive that sees the channel
// closed acquires it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "g.hpp"
#include "goro/chan.hpp"
#include "spin_lock.hpp"
#include "tsan.hpp"
#ifdef GORO_DEBUG
#include "debug/chan_state.hpp"
#endif

namespace goro::detail {

// A g waiting in a channel's queue (Go's sudog). Lives on the waiter's stack.
struct sudog {
  g* gp = nullptr;
  void* elem = nullptr; // send: the value to move from; recv: storage to construct into
  sudog* next = nullptr;
  sudog* prev = nullptr;
  chan_core* c = nullptr;
  std::uint32_t case_index = 0; // select: which case this is
  bool is_select = false;
  bool success = false; // the operation completed (false: woken by close)
  bool queued = false;
};

struct waitq {
  sudog* first = nullptr;
  sudog* last = nullptr;

  bool empty() const noexcept { return first == nullptr; }

  void enqueue(sudog* s) noexcept {
    s->next = nullptr;
    s->prev = last;
    if (last != nullptr)
      last->next = s;
    else
      first = s;
    last = s;
    s->queued = true;
  }

  void remove(sudog* s) noexcept {
    if (!s->queued)
      return;
    if (s->prev != nullptr)
      s->prev->next = s->next;
    else
      first = s->next;
    if (s->next != nullptr)
      s->next->prev = s->prev;
    else
      last = s->prev;
    s->next = s->prev = nullptr;
    s->queued = false;
  }

  // The first waiter that can still be woken. A select's sudog is skipped
  // (and dropped) when another case of that select has already won.
  sudog* dequeue() noexcept {
    for (;;) {
      sudog* s = first;
      if (s == nullptr)
        return nullptr;
      remove(s);
      if (s->is_select) {
        std::uint32_t expected = 0;
        if (!s->gp->select_done.compare_exchange_strong(expected, 1, std::memory_order_acq_rel))
          continue;
      }
      return s;
    }
  }
};

class chan_core {
public:
  std::atomic<std::int64_t> refs{1};
  spin_lock lock;
  const elem_ops* ops = nullptr;
  std::size_t cap = 0;
  std::atomic<std::size_t> count{0}; // written under lock; read racily by size()
  std::size_t sendx = 0;
  std::size_t recvx = 0;
  char* buf = nullptr;
  bool closed = false;
  waitq recvq;
  waitq sendq;
#ifdef GORO_DEBUG
  debug_chan_state dbg; // who can still reach this channel (debug/chan_state.hpp)
#endif

  char* slot(std::size_t i) const noexcept { return buf + i * ops->size; }
  // The address TSan's close edge is released on: stable while the channel lives.
  const void* closed_sync() const noexcept { return &closed; }
};

// The steps of a channel operation, with the channel locked. None unlocks
// and none readies: the caller unlocks, then readies the sudog's g.

// Hands *value to a waiting receiver.
inline void send_to_waiter(chan_core* c, sudog* receiver, void* value) noexcept {
  tsan_acquire(receiver->gp);
  if (c->cap > 0) {
    // The value passes through the (empty) buffer's next slot, as far as
    // the slot's ordering goes.
    tsan_acquire(c->slot(c->recvx));
    tsan_release(c->slot(c->recvx));
  }
  c->ops->move_construct(receiver->elem, value);
  tsan_release(receiver->gp);
  receiver->success = true;
  receiver->gp->param = receiver;
}

// Takes a waiting sender's value into *out (through the buffer when the
// channel is buffered: the receiver gets the oldest value, the sender's value
// takes its slot at the tail, preserving FIFO order).
inline void recv_from_waiter(chan_core* c, sudog* sender, void* out) noexcept {
  tsan_acquire(sender->gp);
  if (c->cap == 0) {
    c->ops->move_construct(out, sender->elem);
  } else {
    char* head = c->slot(c->recvx);
    tsan_acquire(head);
    c->ops->move_construct(out, head);
    c->ops->destroy(head);
    c->ops->move_construct(head, sender->elem);
    tsan_release(head);
    c->recvx = (c->recvx + 1) % c->cap;
    c->sendx = c->recvx;
  }
  tsan_release(sender->gp);
  sender->success = true;
  sender->gp->param = sender;
}

inline void buffer_put(chan_core* c, void* value) noexcept {
  tsan_acquire(c->slot(c->sendx));
  c->ops->move_construct(c->slot(c->sendx), value);
  tsan_release(c->slot(c->sendx));
  c->sendx = (c->sendx + 1) % c->cap;
  c->count.store(c->count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

inline void buffer_take(chan_core* c, void* out) noexcept {
  char* head = c->slot(c->recvx);
  tsan_acquire(head);
  c->ops->move_construct(out, head);
  c->ops->destroy(head);
  tsan_release(head);
  c->recvx = (c->recvx + 1) % c->cap;
  c->count.store(c->count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

// Parks forever (a nil channel, an empty select).
[[noreturn]] void block_forever(const char* reason, const std::source_location* where, void* pc);

} // namespace goro::detail
