// cond.cpp — sync.Cond (Go's notifyList).
//
// wait() takes a ticket before unlocking the mutex; signal() serves tickets in
// order and broadcast() serves all issued ones. A waiter whose ticket was
// served before it got to park does not park at all, so a signal sent between
// the unlock and the park is never lost. Every ticket handed out belongs to a
// waiter that parks (or finds it served): wait() checks that the mutex is
// held before taking one.
//
// ThreadSanitizer (tsan.hpp): signal() and broadcast() release the core, a
// waiter acquires it when it wakes (then the mutex's own edge applies).
#include "goro/error.hpp"
#include "goro/sync.hpp"
#include "hooks.hpp"
#include "sync_impl.hpp"
#include "tsan.hpp"

namespace goro::detail {

struct cond_core {
  goro::mutex* m = nullptr;
  spin_lock lock;
  std::uint32_t wait_ticket = 0;   // next ticket to hand out
  std::uint32_t notify_ticket = 0; // next ticket to serve
  waiter_queue waiters;
};

namespace {
bool ticket_less(std::uint32_t a, std::uint32_t b) noexcept {
  return static_cast<std::int32_t>(a - b) < 0;
}
} // namespace

} // namespace goro::detail

namespace goro {

using detail::cond_core;

cond::cond(mutex& m) : core_(new cond_core) {
  core_->m = &m;
}
cond::~cond() {
  delete core_;
}

void cond::wait(std::source_location where) {
  // wait() without the mutex held is misuse, and unlocking it below would
  // throw after we took a ticket: the next signal() would then be spent on a
  // waiter that never parks. A try_lock that succeeds means the mutex was not
  // locked; release it again and report the misuse before taking a ticket.
  if (core_->m->try_lock()) {
    core_->m->unlock();
    detail::on_misuse_hook(detail::misuse::unlock_of_unlocked, core_->m, &where, nullptr);
    throw goro::panic("sync: unlock of unlocked mutex");
  }
  core_->lock.lock();
  std::uint32_t ticket = core_->wait_ticket++;
  core_->lock.unlock();
  core_->m->unlock();
  core_->lock.lock();
  if (detail::ticket_less(ticket, core_->notify_ticket)) {
    core_->lock.unlock();
  } else {
    detail::waiter me;
    me.gp = detail::current_g();
    me.ticket = ticket;
    core_->waiters.push_back(&me);
    detail::park(
        detail::wait_site{"sync.cond wait", &where, nullptr, detail::wait_kind::cond, core_},
        &detail::spin_lock::unlock_fn, &core_->lock);
  }
  detail::tsan_acquire(core_);
  core_->m->lock();
}

void cond::signal() {
  detail::tsan_release(core_);
  core_->lock.lock();
  if (core_->wait_ticket == core_->notify_ticket) {
    core_->lock.unlock();
    return;
  }
  std::uint32_t ticket = core_->notify_ticket++;
  detail::waiter* found = nullptr;
  for (detail::waiter* w = core_->waiters.head; w != nullptr; w = w->next) {
    if (w->ticket == ticket) {
      found = w;
      core_->waiters.erase(w);
      break;
    }
  }
  detail::g* gp = found != nullptr ? found->gp : nullptr;
  core_->lock.unlock();
  if (gp != nullptr)
    detail::ready(gp);
}

void cond::broadcast() {
  detail::tsan_release(core_);
  core_->lock.lock();
  core_->notify_ticket = core_->wait_ticket;
  detail::waiter_queue woken = core_->waiters;
  core_->waiters = {};
  core_->lock.unlock();
  for (detail::waiter* w = woken.head; w != nullptr;) {
    detail::waiter* next = w->next;
    detail::ready(w->gp);
    w = next;
  }
}

} // namespace goro
