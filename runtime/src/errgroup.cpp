// errgroup.cpp — golang.org/x/sync/errgroup.
//
// A group is a wait_group for the functions started, the first error (under
// `lock`), the cancel function of with_context's context, and an optional
// limit: a channel of capacity n used as a semaphore, exactly as Go's
// errgroup does (a slot is taken before a function starts and given back
// when it returns, before the wait_group is told).
//
// ThreadSanitizer (tsan.hpp): go -> wait is the wait_group's edge; the first
// error and the cancel function are read and written under lock_visible (Go
// records the error under a sync.Once); reading `slots` is no ordering.
#include <atomic>
#include <exception>

#include "goro/errgroup.hpp"
#include "goro/go.hpp"
#include "goro/sync.hpp"
#include "hooks.hpp"
#include "spin_lock.hpp"
#include "tsan.hpp"

namespace goro::detail {

struct errgroup_core {
  std::atomic<std::int64_t> refs{1};
  wait_group wg;
  spin_lock lock; // first_error, has_error, limit
  error first_error;
  bool has_error = false;
  cancel_func cancel;
  chan<unit> slots; // nil: no limit
  std::atomic<std::int64_t> active{0};

  static void retain(errgroup_core* g) noexcept { g->refs.fetch_add(1, std::memory_order_relaxed); }
  static void release(errgroup_core* g) noexcept {
    if (g == nullptr)
      return;
    tsan_release(&g->refs); // every holder's last use happens before the delete
    if (g->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      tsan_acquire(&g->refs);
      delete g;
    }
  }
};

namespace {

error run_catching(error_task* t) {
  try {
    return t->run(t);
  } catch (const std::exception& e) {
    return error(std::string(e.what()));
  } catch (...) {
    return error(std::string("errgroup: a function threw an exception of unknown type"));
  }
}

void finish(errgroup_core* g, error_task* t) {
  on_extra_closure_hook(t, t->size);
  error e = run_catching(t);
  t->destroy(t);
  if (e) {
    cancel_func cancel;
    lock_visible(g->lock);
    if (!g->has_error) {
      g->has_error = true;
      g->first_error = e;
      cancel = g->cancel;
    }
    unlock_visible(g->lock);
    if (cancel)
      cancel();
  }
  g->lock.lock(); // invisible to TSan: taking a slot is no ordering with the other members
  chan<unit> slots = g->slots;
  g->lock.unlock();
  if (slots)
    slots.recv();
  g->active.fetch_sub(1, std::memory_order_acq_rel);
  g->wg.done();
  errgroup_core::release(g);
}

} // namespace

bool errgroup_go(errgroup_core* g, error_task* t, const std::source_location& where,
                 bool only_if_room) {
  g->lock.lock(); // invisible to TSan: taking a slot is no ordering with the other members
  chan<unit> slots = g->slots;
  g->lock.unlock();
  if (slots) {
    if (only_if_room) {
      if (!slots.try_send(unit{})) {
        t->destroy(t);
        return false;
      }
    } else {
      try {
        slots.send(unit{}, where);
      } catch (...) {
        t->destroy(t);
        throw;
      }
    }
  }
  g->active.fetch_add(1, std::memory_order_acq_rel);
  g->wg.add(1);
  errgroup_core::retain(g);
  spawn_at(make_task(&finish, g, t), where);
  return true;
}

} // namespace goro::detail

namespace goro {

using detail::errgroup_core;

errgroup::errgroup() : core_(new errgroup_core) {}
errgroup::errgroup(const errgroup& other) noexcept : core_(other.core_) {
  errgroup_core::retain(core_);
}
errgroup::errgroup(errgroup&& other) noexcept : core_(other.core_) {
  other.core_ = nullptr;
}
errgroup& errgroup::operator=(const errgroup& other) noexcept {
  errgroup copy(other);
  std::swap(core_, copy.core_);
  return *this;
}
errgroup& errgroup::operator=(errgroup&& other) noexcept {
  if (this != &other) {
    errgroup old(std::move(*this));
    std::swap(core_, other.core_);
  }
  return *this;
}
errgroup::~errgroup() {
  errgroup_core::release(core_);
}

std::pair<errgroup, context> errgroup::with_context(const context& parent) {
  auto [ctx, cancel] = with_cancel(parent);
  errgroup g;
  g.core_->cancel = std::move(cancel);
  return {std::move(g), std::move(ctx)};
}

void errgroup::set_limit(int n) {
  std::int64_t active = core_->active.load(std::memory_order_acquire);
  if (active != 0)
    throw goro::panic("errgroup: modify limit while " + std::to_string(active) +
                      " goroutines in the group are still active");
  chan<unit> slots = n < 0 ? chan<unit>() : make_chan<unit>(static_cast<std::size_t>(n));
  core_->lock.lock();
  core_->slots = std::move(slots);
  core_->lock.unlock();
}

error errgroup::wait(std::source_location where) {
  core_->wg.wait(where);
  lock_visible(core_->lock);
  cancel_func cancel = core_->cancel;
  error e = core_->first_error;
  unlock_visible(core_->lock);
  if (cancel)
    cancel();
  return e;
}

} // namespace goro
