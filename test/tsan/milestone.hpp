// milestone.hpp — makes the race of a racy test certain, not likely.
//
// A racy program is reported only if both of its unsynchronised accesses
// happen before the program exits and no happens-before edge orders them.
// Left to the scheduler, the second access can come too late (after main
// returned) or after an unrelated synchronisation that orders it. A
// milestone fixes the order in time instead: one side reach()es it right
// after its access, the other await()s it right before its own. Relaxed
// atomics are no synchronisation for ThreadSanitizer (nor for the memory
// model), so the two accesses stay unordered while their order in time is
// certain. await() yields the goroutine (or the thread) while it waits.
#pragma once

#include <atomic>
#include <goro/goro.hpp>

class milestone {
public:
  void reach() noexcept { reached_.store(true, std::memory_order_relaxed); }
  void await() const {
    while (!reached_.load(std::memory_order_relaxed))
      goro::yield();
  }

private:
  std::atomic<bool> reached_{false};
};
