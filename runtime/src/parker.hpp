// parker.hpp — a one-token semaphore on a futex, for blocking OS threads.
//
// Plain threads that wait on a goro primitive, and idle workers, sleep here.
// unpark() leaves a token; park() consumes it, sleeping while there is none.
// A token left before park() is not lost, so the classic "wake before sleep"
// race cannot lose a wakeup.
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>
#include <ctime>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace goro::detail {

inline void futex_wait(std::atomic<int32_t>* addr, int32_t expected,
                       const timespec* timeout = nullptr) noexcept {
  syscall(SYS_futex, reinterpret_cast<int32_t*>(addr), FUTEX_WAIT_PRIVATE, expected, timeout,
          nullptr, 0);
}
inline void futex_wake(std::atomic<int32_t>* addr, int32_t count = 1) noexcept {
  syscall(SYS_futex, reinterpret_cast<int32_t*>(addr), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr,
          0);
}

class parker {
public:
  void park() noexcept {
    // notified -> empty: consume the token and return at once.
    if (state_.fetch_sub(1, std::memory_order_acquire) == notified)
      return;
    // empty -> parked: sleep until unpark() makes it notified.
    for (;;) {
      futex_wait(&state_, parked);
      int32_t expected = notified;
      if (state_.compare_exchange_strong(expected, empty, std::memory_order_acquire))
        return;
    }
  }
  void unpark() noexcept {
    if (state_.exchange(notified, std::memory_order_release) == parked)
      futex_wake(&state_);
  }

private:
  static constexpr int32_t empty = 0;
  static constexpr int32_t notified = 1;
  static constexpr int32_t parked = -1;
  std::atomic<int32_t> state_{empty};
};

} // namespace goro::detail
