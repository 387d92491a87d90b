// once.cpp — sync.Once, with std::call_once's exception rule.
//
// `done` is set only after f returns normally. Callers serialize on a mutex,
// so concurrent callers park until the first call finishes; if f throws, the
// mutex is released with done still false and the next caller runs f.
// ThreadSanitizer (tsan.hpp): whoever ran f releases the core, and every
// caller that finds it done (fast path or under the mutex) acquires it.
#include "goro/sync.hpp"
#include "sync_impl.hpp"
#include "tsan.hpp"

namespace goro::detail {

struct once_core {
  std::atomic<bool> done{false};
  mutex_core m;
};

bool once_done(const once_core* o) noexcept {
  bool done = o->done.load(std::memory_order_acquire);
  if (done)
    tsan_acquire(o);
  return done;
}

void once_call(once_core* o, function_ref<void()> f) {
  mutex_lock(&o->m, __builtin_return_address(0), o);
  tsan_acquire(o); // a call that threw, or the one that finished meanwhile
  if (!o->done.load(std::memory_order_relaxed)) {
    try {
      f();
    } catch (...) {
      tsan_release(o);
      (void)mutex_unlock(&o->m);
      throw;
    }
    tsan_release(o);
    o->done.store(true, std::memory_order_release);
  }
  (void)mutex_unlock(&o->m);
}

} // namespace goro::detail

namespace goro {

once::once() : core_(new detail::once_core) {}
once::~once() {
  delete core_;
}

} // namespace goro
