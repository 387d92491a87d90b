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
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "../g.hpp"
#include "../spin_lock.hpp"
#include "../symbolize.hpp"
#include "goro/debug.hpp"

namespace goro::detail {

class chan_core;

struct debug_runtime {
  std::atomic<std::int64_t> awake{0};
  std::atomic<std::uint64_t> wake_epoch{0};
  std::atomic<int> blocking_jobs{0};
  std::atomic<bool> signals_used{false};

  spin_lock threads_lock;  // guards threads
  std::vector<g*> threads; // registered plain threads

  spin_lock channels_lock; // guards channels; held by analyses, taken by channel destruction
  std::unordered_set<const chan_core*> channels;
};

debug_runtime& debug_state() noexcept;

// The monitor thread (monitor.cpp): deadlock checks, certain-leak sweeps,
// SIGQUIT dumps. notify() is cheap and may be called from any hook.
enum monitor_request : char { check_deadlock = 'd', check_leaks = 'l', dump_goroutines = 'q' };
void monitor_start() noexcept;
void monitor_notify(monitor_request what) noexcept;
// Stops sweeps before the exit checks run.
void monitor_quiesce() noexcept;

// leaks.cpp
void report_leaks_at_exit() noexcept;
void certain_leak_sweep() noexcept;

// lock_order.cpp
void lock_acquired(g& me, const void* m, bool shared) noexcept;
void lock_released(g& me, const void* m, bool shared) noexcept;
void lock_destroyed(const void* m) noexcept;
// Who holds m (exclusively), or nullptr; for the wait-for graph.
g* lock_holder(const void* m, held_lock* where) noexcept;
std::string lock_name(const void* m);

// deadlock.cpp
void deadlock_check() noexcept;

// Naming and sites shared by the reporters.
std::string goroutine_name(const g& gp);
debug::site spawn_site_of(const g& gp);
debug::site block_site_of(const g& gp);
std::vector<symbol_frame> spawn_frames_of(const g& gp);
std::vector<symbol_frame> block_frames_of(const g& gp);

} // namespace goro::detail
