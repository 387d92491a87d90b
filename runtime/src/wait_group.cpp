// wait_group.cpp — sync.WaitGroup.
//
// The counter is atomic; waiters park in a queue under `lock`. A waiter
// checks the counter and enqueues itself under the lock, and add() takes the
// lock after the counter reaches zero to wake everyone queued, so a wait that
// starts before the counter reaches zero is always woken.
#include "goro/error.hpp"
#include "goro/sync.hpp"
#include "hooks.hpp"
#include "sync_impl.hpp"

namespace goro::detail {

struct wait_group_core {
  std::atomic<std::int64_t> counter{0};
  spin_lock lock;
  waiter_queue waiters;
};

} // namespace goro::detail

namespace goro {

wait_group::wait_group() : core_(new detail::wait_group_core) {}
wait_group::~wait_group() {
  delete core_;
}

void wait_group::add(int delta, std::source_location where) {
  std::int64_t v = core_->counter.fetch_add(delta, std::memory_order_acq_rel) + delta;
  if (v < 0) {
    core_->counter.fetch_sub(delta, std::memory_order_acq_rel);
    detail::on_misuse_hook(detail::misuse::negative_wait_group, core_, &where, nullptr);
    throw goro::panic("sync: negative wait_group counter");
  }
  if (v != 0 || delta == 0)
    return;
  core_->lock.lock();
  detail::waiter_queue woken = core_->waiters;
  core_->waiters = {};
  core_->lock.unlock();
  for (detail::waiter* w = woken.head; w != nullptr;) {
    detail::waiter* next = w->next; // read before ready(): w dies with its waiter's frame
    detail::ready(w->gp);
    w = next;
  }
}

void wait_group::done(std::source_location where) {
  add(-1, where);
}

void wait_group::wait(std::source_location where) {
  if (core_->counter.load(std::memory_order_acquire) == 0)
    return;
  core_->lock.lock();
  if (core_->counter.load(std::memory_order_acquire) == 0) {
    core_->lock.unlock();
    return;
  }
  detail::waiter me;
  me.gp = detail::current_g();
  core_->waiters.push_back(&me);
  detail::park(
      detail::wait_site{"wait_group wait", &where, nullptr, detail::wait_kind::wait_group, core_},
      &detail::spin_lock::unlock_fn, &core_->lock);
}

} // namespace goro
