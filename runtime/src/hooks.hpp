// hooks.hpp — the points where the debug runtime watches the core.
//
// The same sources build both runtimes. In the release runtime every hook is
// an empty inline function and disappears; the debug runtime (GORO_DEBUG,
// runtime/src/debug/) defines them. A hook never blocks, never throws and is
// called without any runtime lock held unless its comment says otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <source_location>

#include "g.hpp"
#include "wait_kind.hpp"

namespace goro::detail {

class chan_core;
class chan_handle;

#ifdef GORO_DEBUG
// Scheduler: gp is about to become runnable for the first time (spawner's context).
void on_spawn_hook(g& gp) noexcept;
// The current g is about to park on `object` (select: `count` select_ops);
// called before its unlock.
void on_park_hook(g& gp, wait_kind kind, const void* object, std::size_t count) noexcept;
// The current g parked and its unlock callback ran (for a fiber: on the next
// context of the same worker). Safe point to look at the whole program.
void after_park_hook() noexcept;
// gp (parked) was made runnable.
void on_ready_hook(g& gp) noexcept;
// gp's function returned; it is about to be freed.
void on_exit_hook(g& gp) noexcept;
// A plain thread got its g / is exiting.
void on_thread_g_hook(g& gp, bool created) noexcept;
// The scheduler stopped at exit; static destructors have not run yet.
void at_exit_hook(int status) noexcept;

// Misuse, reported before goro::panic is thrown (object: the channel, mutex
// or wait group involved).
void on_misuse_hook(misuse what, const void* object, const std::source_location* where,
                    void* pc) noexcept;

// Channels: a close happened (for "closed here" notes), handles come and go
// (for the "certain leak" analysis: who can still reach a channel).
void on_chan_make_hook(chan_core* c, const std::source_location& where) noexcept;
void on_chan_close_hook(chan_core* c, const std::source_location& where) noexcept;
void on_chan_destroy_hook(chan_core* c) noexcept;
void on_handle_hook(chan_core* c, const chan_handle* h, bool created) noexcept;

// Locks: the current g acquired / released `m` (for the lock-order graph and
// "held by" in the wait-for graph).
void on_lock_hook(const void* m, bool shared, void* pc) noexcept;
// The current g acquired `m` with try_lock: it cannot have waited, so the
// acquisition adds no lock-order edge (std::lock / std::scoped_lock take
// mutexes in any order with try_lock and back off), but `m` counts as held.
void on_try_lock_hook(const void* m, bool shared) noexcept;
void on_unlock_hook(const void* m, bool shared) noexcept;
void on_lock_destroy_hook(const void* m) noexcept;

// Things that can still wake a sleeping program: running blocking-pool jobs,
// notify_signals subscriptions.
void on_blocking_job_hook(int delta) noexcept;
void on_signals_used_hook() noexcept;
// The current goroutine also owns [p, p + size) (errgroup: the user's function).
void on_extra_closure_hook(const void* p, std::size_t size) noexcept;

// HTTP: a response_writer was used (operation: "write", "write_header",
// "headers", "flush") after its handler returned; the use was dropped.
// handler_site is where the handler was registered (server::handle), pattern
// its route. Called once per writer.
void on_response_after_return_hook(const void* writer, const char* operation,
                                   const std::source_location& where,
                                   const std::source_location& handler_site,
                                   const char* pattern) noexcept;

// sched=random:SEED. A coin that comes up true one time in `one_in`, from the
// seeded generator; always false when the mode is off.
bool sched_coin(unsigned one_in) noexcept;
// sched=random: the next number of the seeded generator for fast_rand()
// (select's case order), so that a seed replays select's choices too; false
// when the mode is off.
bool sched_rand_hook(std::uint32_t* out) noexcept;
// A point where the random scheduler may switch goroutines (channel
// operations, locks). Never called with a runtime lock held.
void sched_point_hook() noexcept;
// GOMAXPROCS when GORO_MAXPROCS is not set (1 under sched=random, so a seed
// replays the same interleaving).
int default_procs_hook(int procs) noexcept;
#else
inline void on_spawn_hook(g&) noexcept {}
inline void on_park_hook(g&, wait_kind, const void*, std::size_t) noexcept {}
inline void after_park_hook() noexcept {}
inline void on_ready_hook(g&) noexcept {}
inline void on_exit_hook(g&) noexcept {}
inline void on_thread_g_hook(g&, bool) noexcept {}
inline void at_exit_hook(int) noexcept {}
inline void on_misuse_hook(misuse, const void*, const std::source_location*, void*) noexcept {}
inline void on_chan_make_hook(chan_core*, const std::source_location&) noexcept {}
inline void on_chan_close_hook(chan_core*, const std::source_location&) noexcept {}
inline void on_chan_destroy_hook(chan_core*) noexcept {}
inline void on_handle_hook(chan_core*, const chan_handle*, bool) noexcept {}
inline void on_lock_hook(const void*, bool, void*) noexcept {}
inline void on_try_lock_hook(const void*, bool) noexcept {}
inline void on_unlock_hook(const void*, bool) noexcept {}
inline void on_lock_destroy_hook(const void*) noexcept {}
inline void on_blocking_job_hook(int) noexcept {}
inline void on_signals_used_hook() noexcept {}
inline void on_extra_closure_hook(const void*, std::size_t) noexcept {}
inline void on_response_after_return_hook(const void*, const char*, const std::source_location&,
                                          const std::source_location&, const char*) noexcept {}
inline bool sched_coin(unsigned) noexcept {
  return false;
}
inline bool sched_rand_hook(std::uint32_t*) noexcept {
  return false;
}
inline void sched_point_hook() noexcept {}
inline int default_procs_hook(int procs) noexcept {
  return procs;
}
#endif

} // namespace goro::detail
