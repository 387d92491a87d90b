// g.hpp — the record the runtime keeps for everything that can wait.
//
// A g is either a goroutine (a fiber with its own stack, is_fiber == true) or
// a plain OS thread that called a blocking goro primitive (is_fiber == false;
// one per thread, created on first use). Every wait in the runtime is written
// once against g: park() the current g, ready() a parked one; for a fiber
// that switches contexts, for a thread it sleeps on thread_parker.
//
// Ownership: a goroutine's g lives at the top of its own stack and is recycled
// with it after the goroutine exits. Fields below "waiting" are written by the
// g itself before it parks and by the single waker that dequeued it (under the
// lock of the object it waited on), never concurrently.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <source_location>

#include "goro/detail/task.hpp"
#include "parker.hpp"
#include "tsan.hpp"
#ifdef GORO_DEBUG
#include "debug/g_state.hpp"
#endif

namespace goro::detail {

struct sudog;

enum class g_state : std::uint8_t { idle, runnable, running, waiting, sleeping, dead };

// What the C++ runtime keeps per thread about exceptions in flight
// (__cxa_eh_globals). A goroutine may be switched out inside a catch block and
// resumed on another thread, so each context carries its own copy.
struct eh_globals {
  void* caught_exceptions = nullptr;
  unsigned int uncaught_exceptions = 0;
};

struct g {
  // ---- context (fibers)
  void* sp = nullptr;       // saved stack pointer while switched out
  char* stack_lo = nullptr; // lowest usable byte of the stack (holds the canary)
  std::size_t stack_size = 0;
  task* body = nullptr;
  eh_globals eh;
#ifdef GORO_TSAN
  void* tsan_fiber = nullptr; // TSan's context for this g (tsan.hpp)
#endif

  // ---- identity and reporting
  std::uint64_t id = 0; // goroutines count from 1; 0 for threads
  bool is_fiber = false;
  std::atomic<g_state> state{g_state::idle};
  const char* wait_reason = "";
  std::source_location blocked_at{}; // the user's call site, when the API passes one
  bool has_blocked_at = false;
  void* blocked_pc = nullptr;       // the return address into the caller, otherwise
  void* spawn_pc = nullptr;         // return address of the go() call
  std::source_location spawn_loc{}; // errgroup::go passes the site explicitly
  bool has_spawn_loc = false;

  // ---- scheduling
  g* sched_next = nullptr; // link in the global run queue and in free lists

  // ---- waiting
  std::atomic<std::uint32_t> select_done{0}; // 1 once one select case has won
  sudog* param = nullptr;                    // the sudog whose operation completed the wait
  bool handoff = false;                      // mutex: the waker handed ownership over
  std::int64_t wait_start_ns = 0;
  parker thread_parker; // plain threads sleep here

  // ---- registry of live goroutines (debug::goroutines())
  g* all_next = nullptr;
  g* all_prev = nullptr;
  std::uint32_t shard = 0;

#ifdef GORO_DEBUG
  debug_g_state dbg; // the debug runtime's bookkeeping (debug/g_state.hpp)
#endif
};

} // namespace goro::detail
