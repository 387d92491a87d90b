// sched.hpp — the scheduler's interface to the rest of the runtime.
//
// The protocol every blocking primitive follows (as Go's gopark/goready):
//
//   lock(object);
//   if (can proceed) { ...; unlock(object); return; }
//   enqueue current_g() on the object's wait queue;
//   park(site, unlock_fn, &object);      // object is unlocked only after the
//                                        // goroutine's context is saved
//   // resumed: whoever dequeued us did the work and called ready(us)
//
// A waker dequeues a g under the object's lock and calls ready(g) once, after
// it has finished writing the results into the g's sudog.
#pragma once

#include <cstddef>
#include <cstdint>
#include <source_location>
#include <vector>

#include "g.hpp"
#include "hooks.hpp"

namespace goro::detail {

// Why and where a g waits, and on what; shown by debug::goroutines() and
// the debug runtime's reports.
struct wait_site {
  const char* reason;                          // "chan receive", "mutex lock", ...
  const std::source_location* where = nullptr; // the user's call, when known
  void* pc = nullptr;                          // otherwise the return address into user code
  wait_kind kind = wait_kind::none;
  const void* object = nullptr; // the channel, mutex, ... waited on
  std::size_t count = 0;        // select: number of cases in `object`
};

// The running goroutine, or the calling thread's own g.
g* current_g() noexcept;
// True when the caller runs on a goroutine.
bool on_goroutine() noexcept;
// Parks the current g until ready(). unlock(arg), if given, runs exactly once
// after the g is safely parked (for a fiber: after its context is saved).
void park(const wait_site& site, void (*unlock)(void*) noexcept, void* arg) noexcept;
// Makes a parked g runnable again. Callable from anywhere, including timer
// callbacks; never blocks.
void ready(g* gp) noexcept;
// A fast per-thread pseudo-random number (select's case order, stealing).
std::uint32_t fast_rand() noexcept;
// Monotonic clock in nanoseconds (steady_clock's epoch).
std::int64_t now_ns() noexcept;
// Starts the scheduler's workers if they are not running yet.
void ensure_started() noexcept;
// Wakes an idle worker so it notices new timers, I/O or work.
void wake_poller() noexcept;
// Threads the runtime itself runs (workers, blocking-pool threads, the signal
// watcher, the debug monitor) register their kernel thread ids, so the debug
// runtime can tell them from threads it knows nothing about.
void register_runtime_thread() noexcept;
std::vector<int> runtime_thread_ids();
// Calls f for every live goroutine, under the registry's locks: f must not
// block or call into the scheduler.
void for_each_goroutine(function_ref<void(const g&)> f);
// The same, in no particular order, for a walk over very many goroutines (the
// exit leak check): each g sits on its own stack page, so following one list
// costs a TLB and cache miss per goroutine, one after the other; this walks
// all registry shards side by side and prefetches, overlapping the misses.
// Holds every shard's lock for the whole walk.
void for_each_goroutine_unordered(function_ref<void(const g&)> f);

} // namespace goro::detail
