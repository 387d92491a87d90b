// context.cpp — Go's context package.
//
// A context_core is one node of the tree: background (represented by a null
// core), a cancelable node (with_cancel / with_deadline / with_timeout) or a
// value node (with_value). Each node holds a reference to its parent.
//
// Cancellation. A cancelable node registers with its nearest cancelable
// ancestor (skipping value nodes). Canceling a node, under its lock, records
// the error, closes `done` and cancels its registered children; then it
// unregisters from its own ancestor. Lock order: an ancestor's lock before a
// descendant's; a node never takes an ancestor's lock while holding its own.
// The walk over the descendants is iterative (cancel_locked_tree): Go's
// recursion relies on growable stacks, a goroutine's stack here is fixed, and
// a chain of a few thousand generations overflowed it.
//
// Lifetime. Children are registered without a reference: a child that dies
// unregisters first, under the ancestor's lock, so an ancestor canceling its
// children never touches freed memory. A pending deadline timer holds a
// reference to its node; cancel() stops the timer.
//
// A child may die uncanceled while its done channel lives on elsewhere (the
// program kept `ctx.done()`, dropped ctx and its cancel function). In Go the
// child stays reachable from its parent, so canceling the parent still
// closes that channel; here the dying child hands the channel (and the ones
// it adopted the same way) to its ancestor's orphaned_done, which is closed
// when the ancestor is canceled, or handed on when it dies.
//
// ThreadSanitizer (tsan.hpp): every node lock is lock_visible, as Go's
// context guards its fields with a sync.Mutex: cancel -> err() is that
// lock's edge, cancel -> done() observers is the channel close's. Dropping
// the last reference acquires every earlier holder's release.
#include <atomic>
#include <string>
#include <vector>

#include "chan_impl.hpp"
#include "goro/context.hpp"
#include "sched.hpp"
#include "spin_lock.hpp"
#include "timer.hpp"
#include "tsan.hpp"

namespace goro::detail {

struct context_core {
  std::atomic<std::int64_t> refs{1};
  context_core* parent = nullptr; // owned reference; nullptr: background

  // value node
  bool is_value = false;
  std::string key;
  value_box* value = nullptr;

  // cancelable node
  spin_lock lock;
  chan<unit> done;
  error err;
  bool canceled = false;
  std::optional<time_point> deadline;
  owned_timer_node deadline_timer;
  context_core* registered_with = nullptr; // ancestor whose children list holds us
  context_core* first_child = nullptr;     // registered descendants (no references)
  context_core* prev_sibling = nullptr;
  context_core* next_sibling = nullptr;
  context_core* cancel_up = nullptr;     // cancel_locked_tree's path; valid while it holds our lock
  std::vector<chan<unit>> orphaned_done; // of dead uncanceled descendants; closed with ours

  static context wrap(context_core* adopted) noexcept { return context(adopted); }
  static context_core* of(const context& c) noexcept { return c.core_; }

  static void retain(context_core* c) noexcept {
    if (c != nullptr)
      c->refs.fetch_add(1, std::memory_order_relaxed);
  }
  static void release(context_core* c) noexcept;
};

namespace {

context_core* nearest_cancelable(context_core* c) noexcept {
  while (c != nullptr && c->is_value)
    c = c->parent;
  return c;
}

void unlink_child(context_core* ancestor, context_core* child) noexcept {
  if (child->prev_sibling != nullptr)
    child->prev_sibling->next_sibling = child->next_sibling;
  else
    ancestor->first_child = child->next_sibling;
  if (child->next_sibling != nullptr)
    child->next_sibling->prev_sibling = child->prev_sibling;
  child->prev_sibling = child->next_sibling = nullptr;
  child->registered_with = nullptr;
}

// Whether anybody besides the context tree holds this done channel.
bool held_elsewhere(const chan<unit>& done) noexcept {
  const chan_core* core = core_of(done);
  return core != nullptr && core->refs.load(std::memory_order_acquire) > 1;
}

// c has no handles left: unregisters it and, if it was not canceled, hands
// its done channel (if still held elsewhere) and its orphans to its nearest
// cancelable ancestor. A registered uncanceled child means an uncanceled
// ancestor (canceling the ancestor cancels its children first).
void retire(context_core* c) noexcept {
  context_core* ancestor = nearest_cancelable(c->parent);
  if (ancestor == nullptr)
    return; // background is never canceled: nothing would ever close them
  lock_visible(ancestor->lock);
  if (c->registered_with == ancestor)
    unlink_child(ancestor, c);
  lock_visible(c->lock);
  if (!c->canceled && !ancestor->canceled) {
    auto& adopted = ancestor->orphaned_done;
    if (adopted.size() == adopted.capacity()) // drop the ones nobody holds any more
      std::erase_if(adopted, [](const chan<unit>& d) { return !held_elsewhere(d); });
    if (held_elsewhere(c->done))
      adopted.push_back(c->done);
    for (chan<unit>& d : c->orphaned_done)
      if (held_elsewhere(d))
        adopted.push_back(std::move(d));
  }
  c->orphaned_done.clear();
  unlock_visible(c->lock);
  unlock_visible(ancestor->lock);
}

void unregister(context_core* c) noexcept {
  context_core* ancestor = nearest_cancelable(c->parent);
  if (ancestor == nullptr)
    return;
  lock_visible(ancestor->lock);
  if (c->registered_with == ancestor)
    unlink_child(ancestor, c);
  unlock_visible(ancestor->lock);
}

// With c->lock held: cancels c and its registered descendants. The
// descendants whose deadline timers must be stopped are retained and added
// to stop_timers: stopping a timer can drop a node's last reference, and a
// node that dies takes its ancestor's lock (retire), which the walk holds —
// so the caller stops them once every lock is released
// (stop_timers_and_release).
void cancel_locked_tree(context_core* c, const error& why,
                        std::vector<context_core*>& stop_timers) noexcept;

void stop_timers_and_release(const std::vector<context_core*>& nodes) noexcept {
  for (context_core* n : nodes) {
    timer_remove(&n->deadline_timer);
    context_core::release(n);
  }
}

void cancel(context_core* c, const error& why, bool unregister_from_parent) noexcept {
  std::vector<context_core*> stop;
  lock_visible(c->lock);
  cancel_locked_tree(c, why, stop);
  unlock_visible(c->lock);
  if (unregister_from_parent)
    unregister(c);
  timer_remove(&c->deadline_timer);
  stop_timers_and_release(stop);
}

// With c->lock held: records the error and closes done, once.
bool mark_canceled(context_core* c, const error& why) noexcept {
  if (c->canceled)
    return false;
  c->canceled = true;
  c->err = why;
  c->done.close();
  for (chan<unit>& d : c->orphaned_done)
    d.close();
  c->orphaned_done.clear();
  return true;
}

// With c->lock held. A depth-first walk that keeps the path from c down to
// the node it works on locked (ancestor before descendant, the lock order),
// linked through cancel_up. Holding a node's lock also keeps each child we
// unlinked from it alive: a child that loses its last handle unregisters
// under that lock before it is freed.
void cancel_locked_tree(context_core* c, const error& why,
                        std::vector<context_core*>& stop_timers) noexcept {
  if (!mark_canceled(c, why))
    return;
  context_core* top = c;
  for (;;) {
    if (context_core* child = top->first_child) {
      unlink_child(top, child);
      lock_visible(child->lock);
      if (mark_canceled(child, why)) {
        child->cancel_up = top;
        top = child; // descend, keeping its lock
        continue;
      }
      unlock_visible(child->lock); // already canceled, with its own descendants
      context_core::retain(child); // alive: top's lock is held
      stop_timers.push_back(child);
      continue;
    }
    if (top == c)
      return;
    // top and its subtree are done. Its timer, if any, still holds a
    // reference and would find it canceled when it fires; stop it soon to
    // free it early (top is alive: its ancestor's lock is still held).
    context_core* up = top->cancel_up;
    context_core::retain(top);
    stop_timers.push_back(top);
    unlock_visible(top->lock);
    top = up;
  }
}

void deadline_fire(timer_node* t, std::uint64_t, std::int64_t) noexcept {
  cancel(timer_owner<context_core>(t), error(errc::deadline_exceeded), true);
}
void deadline_retain(timer_node* t) noexcept {
  context_core::retain(timer_owner<context_core>(t));
}
void deadline_release(timer_node* t) noexcept {
  context_core::release(timer_owner<context_core>(t));
}
const timer_ops deadline_ops{&deadline_fire, &deadline_retain, &deadline_release};

// A new cancelable child of parent, registered with its nearest cancelable
// ancestor (or canceled at once if that ancestor already is).
context_core* new_cancelable(const context& parent) {
  auto* c = new context_core;
  c->parent = context_core::of(parent);
  context_core::retain(c->parent);
  c->done = make_chan<unit>();
  c->deadline_timer.ops = &deadline_ops;
  c->deadline_timer.owner = c;
  context_core* ancestor = nearest_cancelable(c->parent);
  if (ancestor != nullptr) {
    lock_visible(ancestor->lock);
    if (ancestor->canceled) {
      error why = ancestor->err;
      unlock_visible(ancestor->lock);
      std::vector<context_core*> stop; // c has no descendants yet: stays empty
      lock_visible(c->lock);
      cancel_locked_tree(c, why, stop);
      unlock_visible(c->lock);
      stop_timers_and_release(stop);
    } else {
      c->registered_with = ancestor;
      c->next_sibling = ancestor->first_child;
      if (ancestor->first_child != nullptr)
        ancestor->first_child->prev_sibling = c;
      ancestor->first_child = c;
      unlock_visible(ancestor->lock);
    }
  }
  return c;
}

cancel_func make_cancel(context_core* c) {
  context keep = context_core::wrap(c);
  context_core::retain(c);
  return [keep] { cancel(context_core::of(keep), error(errc::canceled), true); };
}

} // namespace

void context_core::release(context_core* c) noexcept {
  while (c != nullptr) {
    // Every holder's last use (of the value, say) happens before the delete.
    tsan_release(&c->refs);
    if (c->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
      break;
    tsan_acquire(&c->refs);
    if (!c->is_value)
      retire(c);
    context_core* parent = c->parent;
    if (c->value != nullptr)
      c->value->destroy(c->value);
    delete c;
    c = parent; // drop our reference to the parent iteratively, not recursively
  }
}

const void* context_value(const context_core* c, std::string_view key, type_id_t type) noexcept {
  for (; c != nullptr; c = c->parent) {
    if (c->is_value && c->key == key)
      return c->value->type == type ? c->value->ptr : nullptr;
  }
  return nullptr;
}

context context_with_value(const context& parent, std::string key, value_box* value) {
  auto* c = new context_core;
  c->is_value = true;
  c->key = std::move(key);
  c->value = value;
  c->parent = context_core::of(parent);
  context_core::retain(c->parent);
  return context_core::wrap(c);
}

} // namespace goro::detail

namespace goro {

using detail::context_core;

context::context() noexcept : core_(nullptr) {}
context::context(const context& other) noexcept : core_(other.core_) {
  context_core::retain(core_);
}
context::context(context&& other) noexcept : core_(other.core_) {
  other.core_ = nullptr;
}
context& context::operator=(const context& other) noexcept {
  context copy(other);
  std::swap(core_, copy.core_);
  return *this;
}
context& context::operator=(context&& other) noexcept {
  if (this != &other) {
    context old(std::move(*this));
    std::swap(core_, other.core_);
  }
  return *this;
}
context::~context() {
  context_core::release(core_);
}

recv_chan<unit> context::done() const {
  context_core* c = detail::nearest_cancelable(core_);
  return c == nullptr ? recv_chan<unit>() : recv_chan<unit>(c->done);
}

error context::err() const {
  context_core* c = detail::nearest_cancelable(core_);
  if (c == nullptr)
    return error();
  lock_visible(c->lock);
  error e = c->err;
  unlock_visible(c->lock);
  return e;
}

std::optional<time_point> context::deadline() const {
  for (context_core* c = core_; c != nullptr; c = c->parent)
    if (!c->is_value && c->deadline)
      return c->deadline;
  return std::nullopt;
}

context background() {
  return context();
}

std::pair<context, cancel_func> with_cancel(const context& parent) {
  context_core* c = detail::new_cancelable(parent);
  return {context_core::wrap(c), detail::make_cancel(c)};
}

std::pair<context, cancel_func> with_deadline(const context& parent, time_point t) {
  if (auto current = parent.deadline(); current && *current <= t)
    return with_cancel(parent); // the parent's earlier deadline already applies
  context_core* c = detail::new_cancelable(parent);
  c->deadline = t;
  context ctx = context_core::wrap(c);
  cancel_func cancel = detail::make_cancel(c);
  auto when = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  if (when <= detail::now_ns()) {
    detail::cancel(c, error(errc::deadline_exceeded), true);
  } else {
    // Armed under the lock, so a concurrent cancel() (which removes the timer
    // after setting `canceled`) cannot miss it.
    lock_visible(c->lock);
    if (!c->canceled) {
      c->deadline_timer.when = when;
      detail::timer_add(&c->deadline_timer);
    }
    unlock_visible(c->lock);
  }
  return {std::move(ctx), std::move(cancel)};
}

std::pair<context, cancel_func> with_timeout(const context& parent, duration d) {
  return with_deadline(parent, std::chrono::steady_clock::now() + d);
}

} // namespace goro
