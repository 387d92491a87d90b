// wait_group.cpp — sync.WaitGroup (Go's sync/waitgroup.go).
//
// One atomic word holds both the counter (high 32 bits) and the number of
// waiters (low 32 bits); waiters sleep on a semaphore. Because the counter
// and the waiter count change together, the add() that brings the counter to
// zero knows, from the value its own atomic update returned, whether anybody
// waits:
//   - no waiters: it returns without touching the wait_group again. A wait()
//     that then sees zero may return and destroy the wait_group at once —
//     the usual shape (a wait_group on the stack of a function that waits
//     and returns) — and nothing in flight still uses it;
//   - waiters: they have registered and cannot return before this add()
//     releases them, so the wait_group stays alive while it resets the word
//     and releases the semaphore once per waiter. The semaphore keeps a
//     release that comes before its waiter parks, so no wake-up is lost.
// A waiter registers with a CAS that fails if the counter changed, so it
// never registers on a counter that has already reached zero.
//
// ThreadSanitizer (tsan.hpp): add() with a negative delta (done) releases the
// core before its atomic update — after it, a waiter may free the core — and
// wait() acquires it before returning, as Go's ReleaseMerge/Acquire on
// wg.sema.
#include "goro/error.hpp"
#include "goro/sync.hpp"
#include "hooks.hpp"
#include "sync_impl.hpp"
#include "tsan.hpp"

namespace goro::detail {

struct wait_group_core {
  std::atomic<std::uint64_t> state{0}; // counter << 32 | waiters
  sema waiters;
};

namespace {
constexpr std::int32_t counter_of(std::uint64_t s) noexcept {
  return static_cast<std::int32_t>(s >> 32);
}
constexpr std::uint32_t waiters_of(std::uint64_t s) noexcept {
  return static_cast<std::uint32_t>(s);
}
// delta moved into the counter half (two's complement: a negative delta
// subtracts from the counter and leaves the waiter half alone).
constexpr std::uint64_t counter_delta(int delta) noexcept {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(delta)) << 32;
}
} // namespace

} // namespace goro::detail

namespace goro {

wait_group::wait_group() : core_(new detail::wait_group_core) {}
wait_group::~wait_group() {
  delete core_;
}

void wait_group::add(int delta, std::source_location where) {
  using namespace detail;
  const std::uint64_t d = counter_delta(delta);
  if (delta < 0)
    tsan_release(core_);
  std::uint64_t s = core_->state.fetch_add(d, std::memory_order_acq_rel) + d;
  std::int32_t v = counter_of(s);
  if (v < 0) {
    core_->state.fetch_sub(d, std::memory_order_acq_rel);
    on_misuse_hook(misuse::negative_wait_group, core_, &where, nullptr);
    throw goro::panic("sync: negative wait_group counter");
  }
  std::uint32_t w = waiters_of(s);
  if (v > 0 || w == 0 || delta == 0)
    return; // from here on, no access to *core_ unless there are waiters (see above)
  // The counter is zero and w waiters are registered: none of them can return
  // (nor destroy the wait_group) before the release below.
  core_->state.store(0, std::memory_order_relaxed);
  for (; w > 0; --w)
    core_->waiters.release();
}

void wait_group::done(std::source_location where) {
  add(-1, where);
}

void wait_group::wait(std::source_location where) {
  using namespace detail;
  std::uint64_t s = core_->state.load(std::memory_order_acquire);
  for (;;) {
    if (counter_of(s) == 0) {
      tsan_acquire(core_);
      return;
    }
    if (core_->state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                           std::memory_order_acquire)) {
      core_->waiters.acquire(
          wait_site{"wait_group wait", &where, nullptr, wait_kind::wait_group, core_});
      tsan_acquire(core_);
      return;
    }
  }
}

} // namespace goro
