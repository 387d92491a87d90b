// sema.cpp — the runtime's counting semaphore (see sync_impl.hpp).
#include "sync_impl.hpp"

namespace goro::detail {

void sema::acquire(const wait_site& site) noexcept {
  lock_.lock();
  if (count_ > 0) {
    --count_;
    lock_.unlock();
    return;
  }
  waiter me;
  me.gp = current_g();
  waiters_.push_back(&me);
  park(site, &spin_lock::unlock_fn, &lock_);
  // release() handed us its token.
}

void sema::release() noexcept {
  lock_.lock();
  waiter* w = waiters_.pop_front();
  if (w == nullptr) {
    ++count_;
    lock_.unlock();
    return;
  }
  w->handoff = true;
  g* gp = w->gp;
  lock_.unlock();
  ready(gp);
}

} // namespace goro::detail
