// spin_lock.hpp — the runtime's internal lock for short critical sections.
//
// Invariants: a spin_lock is never held across a park or a context switch
// (parking hands it to park()'s unlock callback, which releases it after the
// switch), and critical sections are a few dozen instructions. It therefore
// spins briefly and then yields the thread, which is right both on workers
// and on plain threads, including on an oversubscribed machine.
#pragma once

#include <atomic>

#include <sched.h>

#include "tsan.hpp"

namespace goro::detail {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// A full memory barrier (what std::atomic_thread_fence(seq_cst) is). On
// x86-64 a locked read-modify-write of the stack top is one, at a quarter of
// an mfence's cost (5.7 ns against 23 ns measured here; Linux's smp_mb() does
// the same). ThreadSanitizer does not understand the asm, so its builds keep
// the fence.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORO_DETAIL_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define GORO_DETAIL_TSAN 1
#endif
inline void full_fence() noexcept {
#if defined(__x86_64__) && !defined(GORO_DETAIL_TSAN)
  asm volatile("lock orq $0, (%%rsp)" ::: "memory", "cc");
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

class spin_lock {
public:
  void lock() noexcept {
    if (!locked_.exchange(true, std::memory_order_acquire))
      return;
    lock_slow();
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

  // For park(): releases the lock passed as an opaque pointer.
  static void unlock_fn(void* lock) noexcept { static_cast<spin_lock*>(lock)->unlock(); }

private:
  void lock_slow() noexcept {
    for (int spins = 0;; ++spins) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (spins < 100) {
          cpu_relax();
          ++spins;
        } else {
          sched_yield();
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire))
        return;
    }
  }

  std::atomic<bool> locked_{false};
};

// For the few runtime locks that guard values of the user's types (a
// context's error, an errgroup's first error and cancel function, a timer's
// schedule): under ThreadSanitizer, taking and releasing them orders those
// values' accesses, as the sync.Mutex Go guards them with does. Elsewhere
// the runtime's locks are invisible to TSan (tsan.hpp).
inline void lock_visible(spin_lock& l) noexcept {
  l.lock();
  tsan_acquire(&l);
}
inline void unlock_visible(spin_lock& l) noexcept {
  tsan_release(&l);
  l.unlock();
}

} // namespace goro::detail
