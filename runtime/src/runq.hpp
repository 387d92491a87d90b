// runq.hpp — run queues: a worker's lock-free local queue and the global one.
//
// local_runq is Go's per-P run queue: a 256-slot ring where only the owning
// worker pushes (at tail), and the owner and thieves take from head with a
// CAS. Thieves take half of what they see. `runnext` holds the goroutine the
// owner readied last; it runs before the queue (so a goroutine that wakes
// another and then blocks hands its worker straight over, as in ping-pong),
// and thieves take it only as a last resort.
//
// global_runq is a locked FIFO for goroutines readied off the workers (plain
// threads, overflow of a full local queue, yield()).
#pragma once

#include <atomic>
#include <cstdint>

#include "g.hpp"
#include "spin_lock.hpp"

namespace goro::detail {

class global_runq {
public:
  void push(g* gp) noexcept { push_batch(gp, gp, 1); }
  // Pushes the list first..last (linked by sched_next) of n goroutines.
  void push_batch(g* first, g* last, std::uint32_t n) noexcept {
    last->sched_next = nullptr;
    lock_.lock();
    if (tail_ != nullptr)
      tail_->sched_next = first;
    else
      head_ = first;
    tail_ = last;
    size_.store(size_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    lock_.unlock();
  }
  // Takes up to max goroutines; returns the first and links the rest via sched_next.
  g* pop_batch(std::uint32_t max, std::uint32_t* taken) noexcept {
    *taken = 0;
    if (empty())
      return nullptr;
    lock_.lock();
    g* first = head_;
    g* last = nullptr;
    std::uint32_t n = 0;
    for (g* it = head_; it != nullptr && n < max; it = it->sched_next) {
      last = it;
      ++n;
    }
    if (n > 0) {
      head_ = last->sched_next;
      if (head_ == nullptr)
        tail_ = nullptr;
      last->sched_next = nullptr;
      size_.store(size_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
    }
    lock_.unlock();
    *taken = n;
    return n > 0 ? first : nullptr;
  }
  bool empty() const noexcept { return size_.load(std::memory_order_relaxed) == 0; }
  std::uint32_t size() const noexcept { return size_.load(std::memory_order_relaxed); }

private:
  spin_lock lock_;
  g* head_ = nullptr;
  g* tail_ = nullptr;
  std::atomic<std::uint32_t> size_{0};
};

class local_runq {
public:
  static constexpr std::uint32_t capacity = 256;

  // Owner only. Puts gp in runnext (kicking the old runnext to the tail) or at
  // the tail. A full ring moves half of itself to the global queue.
  void push(g* gp, bool next, global_runq& global) noexcept {
    if (next) {
      g* old = runnext_.exchange(gp, std::memory_order_acq_rel);
      if (old == nullptr)
        return;
      gp = old;
    }
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      std::uint32_t t = tail_.load(std::memory_order_relaxed);
      if (t - h < capacity) {
        buf_[t % capacity].store(gp, std::memory_order_relaxed);
        tail_.store(t + 1, std::memory_order_release);
        return;
      }
      if (push_overflow(gp, h, t, global))
        return;
    }
  }

  // Owner only. use_next=false skips runnext (fairness: see sched.cpp).
  g* pop(bool use_next) noexcept {
    if (use_next) {
      g* next = runnext_.load(std::memory_order_relaxed);
      if (next != nullptr &&
          runnext_.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel))
        return next;
    }
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      std::uint32_t t = tail_.load(std::memory_order_relaxed);
      if (t == h)
        break;
      g* gp = buf_[h % capacity].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + 1, std::memory_order_release))
        return gp;
    }
    if (!use_next) {
      g* next = runnext_.exchange(nullptr, std::memory_order_acq_rel);
      if (next != nullptr)
        return next;
    }
    return nullptr;
  }

  // Thief: moves about half of victim's queue into this (owner's) queue and
  // returns one goroutine to run. steal_next also allows taking runnext.
  g* steal_from(local_runq& victim, bool steal_next) noexcept {
    std::uint32_t t = tail_.load(std::memory_order_relaxed);
    std::uint32_t n = victim.grab(buf_, t, steal_next);
    if (n == 0)
      return nullptr;
    --n;
    g* gp = buf_[(t + n) % capacity].load(std::memory_order_relaxed);
    if (n == 0)
      return gp;
    tail_.store(t + n, std::memory_order_release);
    return gp;
  }

  bool empty() const noexcept {
    return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire) &&
           runnext_.load(std::memory_order_acquire) == nullptr;
  }
  bool queue_empty() const noexcept {
    return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire);
  }
  bool has_next() const noexcept { return runnext_.load(std::memory_order_acquire) != nullptr; }

  // Owner, when retiring: moves everything to the global queue.
  void drain_to(global_runq& global) noexcept {
    while (g* gp = pop(true))
      global.push(gp);
  }

private:
  bool push_overflow(g* gp, std::uint32_t h, std::uint32_t t, global_runq& global) noexcept {
    std::uint32_t n = (t - h) / 2;
    g* batch[capacity / 2 + 1];
    for (std::uint32_t i = 0; i < n; ++i)
      batch[i] = buf_[(h + i) % capacity].load(std::memory_order_relaxed);
    if (!head_.compare_exchange_strong(h, h + n, std::memory_order_release))
      return false; // thieves took some meanwhile; the ring has room now
    batch[n] = gp;
    for (std::uint32_t i = 0; i < n; ++i)
      batch[i]->sched_next = batch[i + 1];
    global.push_batch(batch[0], batch[n], n + 1);
    return true;
  }

  std::uint32_t grab(std::atomic<g*>* dst, std::uint32_t dst_head, bool steal_next) noexcept {
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      std::uint32_t t = tail_.load(std::memory_order_acquire);
      std::uint32_t n = t - h;
      n = n - n / 2;
      if (n == 0) {
        if (steal_next) {
          g* next = runnext_.load(std::memory_order_acquire);
          if (next != nullptr &&
              runnext_.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) {
            dst[dst_head % capacity].store(next, std::memory_order_relaxed);
            return 1;
          }
        }
        return 0;
      }
      if (n > capacity / 2)
        continue; // read an inconsistent h/t pair
      for (std::uint32_t i = 0; i < n; ++i)
        dst[(dst_head + i) % capacity].store(
            buf_[(h + i) % capacity].load(std::memory_order_relaxed), std::memory_order_relaxed);
      if (head_.compare_exchange_weak(h, h + n, std::memory_order_release))
        return n;
    }
  }

  alignas(64) std::atomic<std::uint32_t> head_{0};
  alignas(64) std::atomic<std::uint32_t> tail_{0};
  std::atomic<g*> runnext_{nullptr};
  std::atomic<g*> buf_[capacity];
};

} // namespace goro::detail
