// debug/g_state.hpp — what the debug runtime records per goroutine or thread.
//
// Lives inside g (g.hpp) in the debug build only. Written by the g itself
// (stacks, held locks) and by the hooks it runs; read by the reporters. Fields
// read from other threads (the monitor, exit checks) are atomics, guarded by
// `lock`, or (the held-lock list) published through a sequence counter.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "../spin_lock.hpp"
#include "../wait_kind.hpp"

namespace goro::detail {

inline constexpr int captured_depth = 24;

// Return addresses from a frame-pointer walk, innermost first.
struct captured_stack {
  void* pc[captured_depth];
  std::uint8_t depth = 0;
};

struct held_lock {
  const void* mutex = nullptr;
  bool shared = false;
  captured_stack acquired_at;
};

struct debug_g_state {
  captured_stack spawn_stack;
  captured_stack block_stack;
  std::atomic<wait_kind> waiting_kind{wait_kind::none};
  std::atomic<const void*> waiting_on{nullptr};
  std::size_t waiting_count = 0;            // select: cases at waiting_on
  std::atomic<std::uint64_t> park_epoch{0}; // bumped at every park and wake
  std::atomic<bool> awake{false};           // counted in the program's awake count
  std::atomic<bool> leak_reported{false};   // reported as a certain leak already
  // The parking frame (on_park_hook's): everything the g can still use lies
  // above it, so the certain-leak analysis scans a parked g's stack from here.
  std::atomic<const void*> park_sp{nullptr};

  // Locks held now, in acquisition order (debug/lock_order.cpp). Only the g
  // itself writes held_items/held_count, without a lock: it makes held_seq
  // odd while it writes, and readers on other threads copy and retry until
  // they saw the same even value before and after (a seqlock). The array is
  // replaced (grown) only under `lock`, which readers hold while copying, so
  // it cannot be freed under them. Another goroutine's unlock() (legal, as in
  // Go) does not touch the list: it queues the release in released_remotely
  // under `lock`, and the owner applies it at its next lock or unlock;
  // readers subtract the queued releases.
  spin_lock lock; // guards released_remotely, and held_items against being replaced
  std::atomic<std::uint32_t> held_seq{0};
  std::atomic<std::uint32_t> held_count{0};
  std::uint32_t held_capacity = 0;
  held_lock* held_items = nullptr; // owned; kept while the g is recycled
  std::atomic<bool> has_remote_release{false};
  std::vector<std::pair<const void*, bool>> released_remotely; // (mutex, shared)

  // Memory owned by this goroutine besides its stack: its closure(s). A channel
  // handle stored there belongs to the goroutine.
  const void* closure = nullptr;
  std::size_t closure_size = 0;
  const void* extra_closure = nullptr; // errgroup: the user's function object
  std::size_t extra_closure_size = 0;

  int tid = 0;                        // plain threads: kernel thread id
  std::uintptr_t thread_stack_lo = 0; // plain threads: the thread's stack (pthread bounds)
  std::uintptr_t thread_stack_hi = 0;
  // Plain threads: a frame of the thread's most recent call into goro (see
  // note_thread_frame). Frames the thread has popped since lie below it, so
  // the certain-leak scan of a running thread's stack starts here instead of
  // reading stale values out of dead frames.
  std::atomic<std::uintptr_t> last_sp{0};
  bool main_thread = false; // plain threads: the process's first thread

  debug_g_state() = default;
  debug_g_state(const debug_g_state&) = delete;
  debug_g_state& operator=(const debug_g_state&) = delete;
  ~debug_g_state() { delete[] held_items; }
};

} // namespace goro::detail
