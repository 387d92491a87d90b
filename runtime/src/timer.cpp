// timer.cpp — a 4-ary min-heap of timers (see timer.hpp for the invariants).
#include "timer.hpp"

#include <atomic>
#include <climits>
#include <vector>

#include "sched.hpp"
#include "spin_lock.hpp"
#include "tsan.hpp"

namespace goro::detail {
namespace {

struct timer_heap {
  spin_lock lock;
  std::vector<timer_node*> nodes;
  std::atomic<std::int64_t> next{INT64_MAX};
  std::atomic<std::int64_t> count{0};

  void set(std::size_t i, timer_node* t) {
    nodes[i] = t;
    t->index = static_cast<std::int32_t>(i);
  }
  void sift_up(std::size_t i) {
    timer_node* t = nodes[i];
    while (i > 0) {
      std::size_t parent = (i - 1) / 4;
      if (nodes[parent]->when <= t->when)
        break;
      set(i, nodes[parent]);
      i = parent;
    }
    set(i, t);
  }
  void sift_down(std::size_t i) {
    timer_node* t = nodes[i];
    const std::size_t n = nodes.size();
    for (;;) {
      std::size_t first = i * 4 + 1;
      if (first >= n)
        break;
      std::size_t best = first;
      for (std::size_t c = first + 1; c < first + 4 && c < n; ++c)
        if (nodes[c]->when < nodes[best]->when)
          best = c;
      if (t->when <= nodes[best]->when)
        break;
      set(i, nodes[best]);
      i = best;
    }
    set(i, t);
  }
  void push(timer_node* t) {
    nodes.push_back(t);
    sift_up(nodes.size() - 1);
    publish();
  }
  void erase(timer_node* t) {
    std::size_t i = static_cast<std::size_t>(t->index);
    timer_node* last = nodes.back();
    nodes.pop_back();
    t->index = -1;
    if (last != t) {
      set(i, last);
      sift_up(i);
      sift_down(static_cast<std::size_t>(last->index));
    }
    publish();
  }
  void publish() {
    next.store(nodes.empty() ? INT64_MAX : nodes.front()->when, std::memory_order_release);
    count.store(static_cast<std::int64_t>(nodes.size()), std::memory_order_relaxed);
  }
};

timer_heap& heap() noexcept {
  static auto* h = new timer_heap; // never destroyed: timers may fire during exit
  return *h;
}

} // namespace

void timer_add(timer_node* t) noexcept {
  ensure_started();
  timer_heap& h = heap();
  t->ops->retain(t);
  bool earliest;
  {
    tsan_ignore_scope runtime_only; // the heap's vector, under h.lock (tsan.hpp)
    h.lock.lock();
    earliest = h.nodes.empty() || t->when < h.nodes.front()->when;
    h.push(t);
    h.lock.unlock();
  }
  if (earliest)
    wake_poller();
}

bool timer_remove(timer_node* t) noexcept {
  timer_heap& h = heap();
  bool pending;
  {
    tsan_ignore_scope runtime_only;
    h.lock.lock();
    pending = t->index >= 0;
    if (pending)
      h.erase(t);
    h.lock.unlock();
  }
  if (pending)
    t->ops->release(t);
  return pending;
}

int timers_run(std::int64_t now) noexcept {
  timer_heap& h = heap();
  int fired = 0;
  while (h.next.load(std::memory_order_acquire) <= now) {
    tsan_ignore_begin();
    h.lock.lock();
    if (h.nodes.empty() || h.nodes.front()->when > now) {
      h.lock.unlock();
      tsan_ignore_end();
      break;
    }
    timer_node* t = h.nodes.front();
    std::uint64_t seq = t->seq;
    if (t->period > 0) {
      // Re-arm in place; skip periods that already passed (a ticker drops
      // ticks rather than bursting). The heap keeps its reference and the
      // in-flight firing takes one more.
      t->when += t->period;
      if (t->when <= now)
        t->when = now + t->period - (now - t->when) % t->period;
      h.sift_down(0);
      h.publish();
      t->ops->retain(t);
    } else {
      h.erase(t); // the heap's reference passes to the in-flight firing
    }
    // Read ops first: fire() may wake the node's owner, which may then free it.
    const timer_ops* ops = t->ops;
    h.lock.unlock();
    tsan_ignore_end();
#ifdef GORO_TSAN
    // Each firing runs as a fiber of its own (TSan's notion only, on the
    // same stack): what it acquires (the schedule of its timer, under the
    // owner's lock) goes to its receivers and not to the next timer's.
    void* worker_fiber = tsan_current_fiber();
    void* firing = tsan_create_fiber();
    tsan_set_fiber_name(firing, "goro timer");
    tsan_switch_to(firing);
#endif
    ops->fire(t, seq, now);
    ops->release(t);
#ifdef GORO_TSAN
    tsan_switch_to(worker_fiber);
    tsan_destroy_fiber(firing);
#endif
    ++fired;
  }
  return fired;
}

std::int64_t timers_next() noexcept {
  return heap().next.load(std::memory_order_acquire);
}

std::int64_t timers_pending() noexcept {
  return heap().count.load(std::memory_order_relaxed);
}

} // namespace goro::detail
