// chan.cpp — channel send, receive and close (Go's runtime/chan.go).
//
// Every operation takes the channel's lock, then tries, in order: the
// counterpart waiting in the other queue (a direct hand-over), the buffer,
// and finally parks in its own queue (see chan_impl.hpp for the invariants).
// Misuse (send on closed, close of closed, close of nil) throws goro::panic
// after releasing the lock, so the channel stays usable.
#include <new>

#include "chan_impl.hpp"
#include "goro/error.hpp"
#include "hooks.hpp"
#include "sched.hpp"

namespace goro::detail {
namespace {

void unlock_channel(void* c) noexcept {
  static_cast<chan_core*>(c)->lock.unlock();
}

[[noreturn]] void panic_send_on_closed(chan_core* c, const std::source_location* where, void* pc) {
  on_misuse_hook(misuse::send_on_closed, c, where, pc);
  throw goro::panic("send on closed channel");
}

void destroy_core(chan_core* c) noexcept {
  on_chan_destroy_hook(c);
  if (c->buf != nullptr) {
    // The values still buffered die here, and the buffer is freed: every
    // move into or out of a slot happened before (they released the slots).
    for (std::size_t i = 0; i < c->cap; ++i)
      tsan_acquire(c->slot(i));
    std::size_t n = c->count.load(std::memory_order_relaxed);
    for (std::size_t i = 0, x = c->recvx; i < n; ++i, x = (x + 1) % c->cap)
      c->ops->destroy(c->slot(x));
    ::operator delete(c->buf, std::align_val_t(c->ops->align));
  }
  delete c;
}

} // namespace

[[noreturn]] void block_forever(const char* reason, const std::source_location* where, void* pc) {
  park(wait_site{reason, where, pc, wait_kind::nil_chan}, nullptr, nullptr);
  // Nothing can ready a goroutine parked here.
  __builtin_trap();
}

chan_core* chan_make(const elem_ops* ops, std::size_t capacity, const std::source_location& where) {
  auto* c = new chan_core;
  on_chan_make_hook(c, where);
  c->ops = ops;
  c->cap = capacity;
  if (capacity > 0) {
    try {
      c->buf =
          static_cast<char*>(::operator new(capacity * ops->size, std::align_val_t(ops->align)));
    } catch (...) {
      delete c;
      throw;
    }
  }
  return c;
}

void chan_send(chan_core* c, void* value, const std::source_location& where) {
  sched_point_hook();
  if (c == nullptr)
    block_forever("chan send (nil chan)", &where, nullptr);
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    panic_send_on_closed(c, &where, nullptr);
  }
  if (sudog* receiver = c->recvq.dequeue()) {
    send_to_waiter(c, receiver, value);
    g* gp = receiver->gp;
    c->lock.unlock();
    ready(gp);
    return;
  }
  if (c->count.load(std::memory_order_relaxed) < c->cap) {
    buffer_put(c, value);
    c->lock.unlock();
    return;
  }
  sudog me;
  me.gp = current_g();
  me.elem = value;
  me.c = c;
  c->sendq.enqueue(&me);
  park(wait_site{"chan send", &where, nullptr, wait_kind::chan_send, c}, &unlock_channel, c);
  if (!me.success)
    panic_send_on_closed(c, &where, nullptr); // closed while we waited; *value is untouched
}

bool chan_try_send(chan_core* c, void* value) {
  if (c == nullptr)
    return false;
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    panic_send_on_closed(c, nullptr, __builtin_return_address(0));
  }
  if (sudog* receiver = c->recvq.dequeue()) {
    send_to_waiter(c, receiver, value);
    g* gp = receiver->gp;
    c->lock.unlock();
    ready(gp);
    return true;
  }
  if (c->count.load(std::memory_order_relaxed) < c->cap) {
    buffer_put(c, value);
    c->lock.unlock();
    return true;
  }
  c->lock.unlock();
  return false;
}

bool chan_recv(chan_core* c, void* out, const std::source_location& where) {
  sched_point_hook();
  if (c == nullptr)
    block_forever("chan receive (nil chan)", &where, nullptr);
  c->lock.lock();
  if (sudog* sender = c->sendq.dequeue()) {
    recv_from_waiter(c, sender, out);
    g* gp = sender->gp;
    c->lock.unlock();
    ready(gp);
    return true;
  }
  if (c->count.load(std::memory_order_relaxed) > 0) {
    buffer_take(c, out);
    c->lock.unlock();
    return true;
  }
  if (c->closed) {
    c->lock.unlock();
    tsan_acquire(c->closed_sync());
    return false;
  }
  sudog me;
  me.gp = current_g();
  me.elem = out;
  me.c = c;
  c->recvq.enqueue(&me);
  park(wait_site{"chan receive", &where, nullptr, wait_kind::chan_recv, c}, &unlock_channel, c);
  return me.success;
}

try_recv_result chan_try_recv(chan_core* c, void* out) {
  if (c == nullptr)
    return try_recv_result::would_block;
  c->lock.lock();
  if (sudog* sender = c->sendq.dequeue()) {
    recv_from_waiter(c, sender, out);
    g* gp = sender->gp;
    c->lock.unlock();
    ready(gp);
    return try_recv_result::value;
  }
  if (c->count.load(std::memory_order_relaxed) > 0) {
    buffer_take(c, out);
    c->lock.unlock();
    return try_recv_result::value;
  }
  bool closed = c->closed;
  c->lock.unlock();
  if (closed)
    tsan_acquire(c->closed_sync());
  return closed ? try_recv_result::closed : try_recv_result::would_block;
}

void chan_close(chan_core* c, const std::source_location& where) {
  if (c == nullptr) {
    on_misuse_hook(misuse::close_of_nil, nullptr, &where, nullptr);
    throw goro::panic("close of nil channel");
  }
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    on_misuse_hook(misuse::close_of_closed, c, &where, nullptr);
    throw goro::panic("close of closed channel");
  }
  // Before the flag is set: a receive that sees it closed acquires this.
  tsan_release(c->closed_sync());
  c->closed = true;
  on_chan_close_hook(c, where);
  // Collect every waiter first; wake them after unlocking. Receivers get
  // "closed" (their storage untouched); senders wake up to panic.
  g* to_wake = nullptr;
  auto collect = [&](waitq& q) {
    while (sudog* s = q.dequeue()) {
      tsan_release(s->gp); // the close happens before the waiter resumes
      s->success = false;
      s->gp->param = s;
      s->gp->sched_next = to_wake; // the g is parked: its run-queue link is free
      to_wake = s->gp;
    }
  };
  collect(c->recvq);
  collect(c->sendq);
  c->lock.unlock();
  while (to_wake != nullptr) {
    g* gp = to_wake;
    to_wake = gp->sched_next;
    gp->sched_next = nullptr;
    ready(gp);
  }
}

std::size_t chan_size(const chan_core* c) noexcept {
  return c == nullptr ? 0 : c->count.load(std::memory_order_relaxed);
}

std::size_t chan_capacity(const chan_core* c) noexcept {
  return c == nullptr ? 0 : c->cap;
}

// ---------------------------------------------------------------- handles

chan_handle::chan_handle() noexcept : core_(nullptr) {}

chan_handle::chan_handle(chan_core* adopted) noexcept : core_(adopted) {
  if (core_ != nullptr)
    on_handle_hook(core_, this, true);
}

chan_handle::chan_handle(const chan_handle& other) noexcept : core_(other.core_) {
  if (core_ != nullptr) {
    core_->refs.fetch_add(1, std::memory_order_relaxed);
    on_handle_hook(core_, this, true);
  }
}

chan_handle::chan_handle(chan_handle&& other) noexcept : core_(other.core_) {
  if (core_ != nullptr) {
    on_handle_hook(core_, this, true);
    on_handle_hook(core_, &other, false);
  }
  other.core_ = nullptr;
}

chan_handle& chan_handle::operator=(const chan_handle& other) noexcept {
  if (this != &other) {
    chan_handle copy(other);
    *this = std::move(copy);
  }
  return *this;
}

chan_handle& chan_handle::operator=(chan_handle&& other) noexcept {
  if (this != &other) {
    chan_handle old(std::move(*this));
    core_ = other.core_;
    if (core_ != nullptr) {
      on_handle_hook(core_, this, true);
      on_handle_hook(core_, &other, false);
    }
    other.core_ = nullptr;
  }
  return *this;
}

chan_handle::~chan_handle() {
  if (core_ == nullptr)
    return;
  on_handle_hook(core_, this, false);
  tsan_release(&core_->refs); // every handle's last use happens before the destruction
  if (core_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    tsan_acquire(&core_->refs);
    destroy_core(core_);
  }
}

} // namespace goro::detail
