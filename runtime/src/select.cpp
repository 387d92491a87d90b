// select.cpp — Go's select (runtime/select.go).
//
// 1. Shuffle the cases (poll order: uniform choice among ready cases) and sort
//    their channels by address (lock order: no deadlock between selects).
// 2. Lock every channel; take the first ready case in poll order.
// 3. Nothing ready: with a default case, unlock and return it. Otherwise put
//    one sudog per case on its channel's queue, all pointing at this g, and
//    park. The first waker to win g->select_done (waitq::dequeue) completes
//    its case and records its sudog in g->param; later wakers skip ours.
// 4. Woken: lock every channel again and take the losing sudogs off their
//    queues.
//
// The unlock callback must not touch the select's frame after releasing the
// last lock: the woken goroutine may already have returned from select
// (Go's selunlock has the same rule).
#include <algorithm>
#include <memory>
#include <new>
#include <type_traits>

#include "chan_impl.hpp"
#include "goro/error.hpp"
#include "goro/select.hpp"
#include "hooks.hpp"
#include "sched.hpp"

namespace goro::detail {
namespace {

constexpr std::size_t inline_cases = 16;
static_assert(std::is_trivially_destructible_v<sudog>, "select never destroys its sudogs");

struct lock_set {
  select_op* ops;
  std::uint16_t* order; // case indices sorted by channel address
  std::size_t n;
};

void lock_all(const lock_set& set) noexcept {
  chan_core* prev = nullptr;
  for (std::size_t k = 0; k < set.n; ++k) {
    chan_core* c = set.ops[set.order[k]].core;
    if (c != prev)
      c->lock.lock();
    prev = c;
  }
}

void unlock_all(const lock_set& set) noexcept {
  const std::size_t n = set.n; // copies: `set` may die with the last unlock
  select_op* ops = set.ops;
  std::uint16_t* order = set.order;
  chan_core* prev = nullptr;
  for (std::size_t k = 0; k < n; ++k) {
    chan_core* c = ops[order[k]].core;
    if (c != prev)
      c->lock.unlock();
    prev = c;
  }
}

void unlock_all_fn(void* set) noexcept {
  // Copy the set out of the parked goroutine's frame before the first unlock.
  lock_set copy = *static_cast<lock_set*>(set);
  // order[] also lives in that frame: read every core first.
  chan_core* cores[inline_cases];
  std::unique_ptr<chan_core*[]> heap;
  chan_core** list = cores;
  if (copy.n > inline_cases) {
    heap.reset(new (std::nothrow) chan_core*[copy.n]);
    if (!heap)
      __builtin_trap();
    list = heap.get();
  }
  for (std::size_t k = 0; k < copy.n; ++k)
    list[k] = copy.ops[copy.order[k]].core;
  chan_core* prev = nullptr;
  for (std::size_t k = 0; k < copy.n; ++k) {
    if (list[k] != prev)
      list[k]->lock.unlock();
    prev = list[k];
  }
}

} // namespace

std::size_t select_run(select_op* ops, std::size_t n, bool has_default, bool* received) {
  void* pc = __builtin_return_address(0);
  sched_point_hook();
  if (n > UINT16_MAX)
    throw goro::panic("select: too many cases");

  // Sudogs are needed only when nothing is ready (pass 2): raw storage, so
  // that a select that completes at once does not initialise 16 of them.
  std::uint16_t poll_buf[inline_cases];
  std::uint16_t lock_buf[inline_cases];
  alignas(sudog) unsigned char sudog_buf[inline_cases * sizeof(sudog)];
  std::unique_ptr<std::uint16_t[]> poll_heap, lock_heap;
  std::unique_ptr<sudog[]> sudog_heap;
  std::uint16_t* poll = poll_buf;
  std::uint16_t* order = lock_buf;
  auto* sudogs = reinterpret_cast<sudog*>(sudog_buf);
  if (n > inline_cases) {
    poll_heap.reset(new std::uint16_t[n]);
    lock_heap.reset(new std::uint16_t[n]);
    sudog_heap.reset(new sudog[n]);
    poll = poll_heap.get();
    order = lock_heap.get();
    sudogs = sudog_heap.get();
  }

  // Poll order: a uniform shuffle of the non-nil cases (inside-out
  // Fisher-Yates), 16 random bits per case: one fast_rand() serves two cases.
  // Lock order: the same cases sorted by channel address, by insertion while
  // few (cheaper than std::sort's call and setup for the usual 2-8 cases).
  auto before = [ops](std::uint16_t a, std::uint16_t b) {
    return std::less<chan_core*>()(ops[a].core, ops[b].core);
  };
  const bool insertion_sort = n <= inline_cases;
  std::size_t live = 0;
  std::uint32_t random_bits = 0;
  unsigned random_left = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (ops[i].core == nullptr)
      continue;
    const auto index = static_cast<std::uint16_t>(i);
    std::size_t j = 0;
    if (live > 0) {
      if (random_left == 0) {
        random_bits = fast_rand();
        random_left = 2;
      }
      j = ((random_bits & 0xffffu) * (live + 1)) >> 16; // uniform in [0, live]
      random_bits >>= 16;
      --random_left;
    }
    poll[live] = poll[j];
    poll[j] = index;
    if (insertion_sort) {
      std::size_t k = live;
      for (; k > 0 && before(index, order[k - 1]); --k)
        order[k] = order[k - 1];
      order[k] = index;
    }
    ++live;
  }
  if (live == 0) {
    if (has_default)
      return select_default_chosen;
    block_forever(n == 0 ? "select (no cases)" : "select (nil chans)", nullptr, pc);
  }
  if (!insertion_sort) {
    std::copy(poll, poll + live, order);
    std::sort(order, order + live, before);
  }
  lock_set locks{ops, order, live};
  lock_all(locks);

  // Pass 1: the first ready case in poll order.
  for (std::size_t k = 0; k < live; ++k) {
    std::size_t i = poll[k];
    chan_core* c = ops[i].core;
    if (ops[i].is_send) {
      if (c->closed) {
        unlock_all(locks);
        on_misuse_hook(misuse::send_on_closed, c, nullptr, pc);
        throw goro::panic("send on closed channel");
      }
      if (sudog* receiver = c->recvq.dequeue()) {
        send_to_waiter(c, receiver, ops[i].value);
        g* gp = receiver->gp;
        unlock_all(locks);
        ready(gp);
        return i;
      }
      if (c->count.load(std::memory_order_relaxed) < c->cap) {
        buffer_put(c, ops[i].value);
        unlock_all(locks);
        return i;
      }
    } else {
      if (sudog* sender = c->sendq.dequeue()) {
        recv_from_waiter(c, sender, ops[i].value);
        g* gp = sender->gp;
        unlock_all(locks);
        ready(gp);
        *received = true;
        return i;
      }
      if (c->count.load(std::memory_order_relaxed) > 0) {
        buffer_take(c, ops[i].value);
        unlock_all(locks);
        *received = true;
        return i;
      }
      if (c->closed) {
        unlock_all(locks);
        tsan_acquire(c->closed_sync());
        *received = false;
        return i;
      }
    }
  }
  if (has_default) {
    unlock_all(locks);
    return select_default_chosen;
  }

  // Pass 2: wait on every case.
  g* me = current_g();
  me->select_done.store(0, std::memory_order_relaxed);
  me->param = nullptr;
  for (std::size_t k = 0; k < live; ++k) {
    std::size_t i = order[k];
    sudog& s = *new (&sudogs[k]) sudog{}; // trivially destructible: never destroyed
    s.gp = me;
    s.elem = ops[i].value;
    s.c = ops[i].core;
    s.case_index = static_cast<std::uint32_t>(i);
    s.is_select = true;
    (ops[i].is_send ? s.c->sendq : s.c->recvq).enqueue(&s);
  }
  park(wait_site{"select", nullptr, pc, wait_kind::select, ops, n}, &unlock_all_fn, &locks);

  // Pass 3: the winner did its work; withdraw the others.
  sudog* winner = me->param;
  lock_all(locks);
  for (std::size_t k = 0; k < live; ++k) {
    sudog& s = sudogs[k];
    if (&s != winner)
      (ops[s.case_index].is_send ? s.c->sendq : s.c->recvq).remove(&s);
  }
  unlock_all(locks);
  std::size_t i = winner->case_index;
  if (ops[i].is_send) {
    if (!winner->success) {
      on_misuse_hook(misuse::send_on_closed, winner->c, nullptr, pc);
      throw goro::panic("send on closed channel");
    }
  } else {
    *received = winner->success;
  }
  return i;
}

} // namespace goro::detail
