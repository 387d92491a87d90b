// debug/runtime_state.hpp — the debug runtime's program-wide bookkeeping.
//
// awake counts goroutines that are runnable or running plus registered
// threads that are not parked in a goro primitive; it reaches zero only when
// everything the runtime knows of is asleep. wake_epoch changes whenever
// something wakes (spawn, ready, a thread registering), so a check that
// reads awake == 0 before and after looking at the rest knows nothing woke in
// between. Channels are registered while they live so that analyses running
// on the monitor thread (under channels_lock) never touch a freed channel.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "../g.hpp"
#include "../spin_lock.hpp"
#include "../symbolize.hpp"
#include "../wait_kind.hpp"
#include "g_state.hpp"
#include "goro/debug.hpp"

namespace goro::detail {

class chan_core;

struct debug_runtime {
  std::atomic<std::int64_t> awake{0};
  std::atomic<std::uint64_t> wake_epoch{0};
  std::atomic<std::uint64_t> parks{0}; // every park: the monitor sweeps only when something parked
  std::atomic<int> blocking_jobs{0};
  std::atomic<bool> signals_used{false};

  spin_lock threads_lock;  // guards threads
  std::vector<g*> threads; // registered plain threads

  spin_lock channels_lock; // guards channels; held by analyses, taken by channel destruction
  std::unordered_set<const chan_core*> channels;
};

debug_runtime& debug_state() noexcept;
// Records the caller's frame as the calling plain thread's most recent frame
// in goro (g_state.hpp: last_sp); nothing on goroutines.
void note_thread_frame() noexcept;

// A goroutine or thread as the reports show it. Copied from its g while the
// g cannot be freed (under the registry's or the threads' lock), so a report
// never reads a g that exits, and is recycled for another goroutine, while
// the report is being written.
struct g_record {
  std::uint64_t id = 0;
  bool is_fiber = true;
  bool main_thread = false;
  int tid = 0;
  g_state state = g_state::idle;
  const char* wait_reason = "";
  wait_kind kind = wait_kind::none;
  const void* waiting_on = nullptr;
  void* spawn_pc = nullptr;
  std::source_location spawn_loc{};
  bool has_spawn_loc = false;
  std::source_location blocked_at{};
  bool has_blocked_at = false;
  void* blocked_pc = nullptr;
  captured_stack spawn_stack;
  captured_stack block_stack;
};
g_record record_of(const g& gp) noexcept;

// The monitor thread (monitor.cpp): deadlock checks, certain-leak sweeps,
// SIGQUIT dumps. notify() is cheap and may be called from any hook.
enum monitor_request : char { check_deadlock = 'd', check_leaks = 'l', dump_goroutines = 'q' };
void monitor_start() noexcept;
void monitor_notify(monitor_request what) noexcept;
// Stops sweeps before the exit checks run.
void monitor_quiesce() noexcept;

// leaks.cpp
void report_leaks_at_exit() noexcept;
// Reports the certain leaks it finds (once two sweeps in a row found them).
struct sweep_result {
  std::chrono::nanoseconds analysis{0}; // time spent analysing (reporting excluded)
  bool pending = false;                 // leaks found that the next sweep should confirm
};
sweep_result certain_leak_sweep() noexcept;
// Who holds handles to c (goroutines and threads whose stack or closure holds
// one; handles elsewhere are counted). Caller holds channels_lock; meant for
// a program that is asleep (a deadlock report).
std::vector<std::string> channel_holders(const chan_core* c);

// lock_order.cpp
// `blocking`: acquired by lock()/lock_shared(), which may wait (try_lock
// acquisitions add no lock-order edge).
void lock_acquired(g& me, const void* m, bool shared, bool blocking) noexcept;
void lock_released(g& me, const void* m, bool shared) noexcept;
void clear_held_locks(g& gp) noexcept; // the g exited
void lock_destroyed(const void* m) noexcept;
// Who holds m exclusively, for the wait-for graph: false when nobody does.
struct lock_holder_info {
  g_record holder;
  held_lock acquired;  // where the holder locked it
  bool asleep = false; // the holder is parked in a goro primitive itself
};
bool lock_holder(const void* m, lock_holder_info* out) noexcept;
std::string lock_name(const void* m);

// deadlock.cpp
void deadlock_check() noexcept;

// Naming and sites shared by the reporters.
std::string goroutine_name(const g& gp);
std::string goroutine_name(const g_record& r);
debug::site spawn_site_of(const g_record& r);
// Empty when no frame of the blocking call lies in user code (e.g. the
// goroutine's function tail-called a goro primitive without a
// std::source_location parameter, such as mutex::lock).
debug::site block_site_of(const g_record& r);
// The line a finding about a blocked g points at: its blocking site, or, when
// that is unknown, where a goroutine was created (its function is there).
debug::site blocked_or_spawn_site(const g_record& r);
std::vector<symbol_frame> spawn_frames_of(const g_record& r);
std::vector<symbol_frame> block_frames_of(const g_record& r);
inline debug::site spawn_site_of(const g& gp) {
  return spawn_site_of(record_of(gp));
}
inline debug::site block_site_of(const g& gp) {
  return block_site_of(record_of(gp));
}

} // namespace goro::detail
