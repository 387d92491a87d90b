// debug/hooks.cpp — the debug runtime's side of runtime/src/hooks.hpp.
//
// Each hook updates the bookkeeping in debug_state() and the g's debug_g_state,
// and hands anything that needs a look at the whole program to the monitor
// thread, so hooks stay short on the hot paths (spawn, park, ready, lock).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "../chan_impl.hpp"
#include "../hooks.hpp"
#include "../introspect.hpp"
#include "../sched.hpp"
#include "goro/go.hpp"
#include "options.hpp"
#include "report.hpp"
#include "runtime_state.hpp"
#include "stack_capture.hpp"

namespace goro::detail {

debug_runtime& debug_state() noexcept {
  static auto* s = new debug_runtime; // never destroyed: hooks run during exit
  return *s;
}

namespace {

// The calling thread's own g, once it has one (plain threads only: workers
// run goroutines, whose frames are tracked through park_sp).
thread_local g* t_thread_g = nullptr;

} // namespace

[[gnu::noinline]] void note_thread_frame() noexcept {
  if (g* self = t_thread_g)
    self->dbg.last_sp.store(reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)),
                            std::memory_order_relaxed);
}

namespace {

void count_awake(g& gp, bool awake) noexcept {
  if (gp.dbg.awake.exchange(awake, std::memory_order_acq_rel) == awake)
    return;
  debug_state().awake.fetch_add(awake ? 1 : -1, std::memory_order_seq_cst);
}

debug::site site_from(const std::source_location* where) {
  captured_stack here;
  capture_stack(here);
  if (where != nullptr)
    return site_from_location(*where, here.pc, here.depth);
  return first_user_site(here);
}

debug::site site_of(const std::source_location& loc) {
  return site_from_location(loc);
}

// ---- sched=random

std::atomic<std::uint64_t> random_state{0};

std::uint64_t random_next() noexcept {
  // splitmix64 over an atomic counter: deterministic for one worker.
  std::uint64_t z = random_state.fetch_add(0x9E3779B97F4A7C15ULL, std::memory_order_relaxed) +
                    0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

[[gnu::constructor]] void seed_random_scheduler() {
  if (options().sched_random)
    random_state.store(options().sched_seed, std::memory_order_relaxed);
}

} // namespace

// ---- scheduler

void on_spawn_hook(g& gp) noexcept {
  monitor_start();
  note_thread_frame();
  capture_stack(gp.dbg.spawn_stack);
  gp.dbg.closure = gp.body;
  gp.dbg.closure_size = gp.body != nullptr ? gp.body->size : 0;
  debug_state().wake_epoch.fetch_add(1, std::memory_order_seq_cst);
  count_awake(gp, true);
}

void on_park_hook(g& gp, wait_kind kind, const void* object, std::size_t count) noexcept {
  capture_stack(gp.dbg.block_stack);
  gp.dbg.park_sp.store(__builtin_frame_address(0), std::memory_order_relaxed);
  debug_state().parks.fetch_add(1, std::memory_order_relaxed);
  gp.dbg.waiting_count = count;
  gp.dbg.waiting_on.store(object, std::memory_order_relaxed);
  gp.dbg.waiting_kind.store(kind, std::memory_order_relaxed);
  gp.dbg.park_epoch.fetch_add(1, std::memory_order_release);
  count_awake(gp, false);
}

void after_park_hook() noexcept {
  if (debug_state().awake.load(std::memory_order_seq_cst) == 0)
    monitor_notify(check_deadlock);
}

void on_ready_hook(g& gp) noexcept {
  gp.dbg.park_epoch.fetch_add(1, std::memory_order_release);
  gp.dbg.waiting_kind.store(wait_kind::none, std::memory_order_relaxed);
  debug_state().wake_epoch.fetch_add(1, std::memory_order_seq_cst);
  count_awake(gp, true);
}

void on_exit_hook(g& gp) noexcept {
  clear_held_locks(gp);
  count_awake(gp, false);
}

void on_thread_g_hook(g& gp, bool created) noexcept {
  debug_runtime& d = debug_state();
  if (created) {
    gp.dbg.tid = static_cast<int>(gettid());
    gp.dbg.main_thread = gp.dbg.tid == static_cast<int>(getpid());
    this_thread_stack(&gp.dbg.thread_stack_lo, &gp.dbg.thread_stack_hi);
    t_thread_g = &gp;
    // Awake before it is known: a deadlock check must never see a running
    // thread as a registered sleeper. (Until it is registered, its tid is
    // unknown to the check, which then assumes it may wake someone.)
    count_awake(gp, true);
    d.wake_epoch.fetch_add(1, std::memory_order_seq_cst);
  } else if (t_thread_g == &gp) {
    t_thread_g = nullptr;
  }
  d.threads_lock.lock();
  if (created) {
    d.threads.push_back(&gp);
  } else {
    for (auto& t : d.threads)
      if (t == &gp) {
        t = d.threads.back();
        d.threads.pop_back();
        break;
      }
  }
  d.threads_lock.unlock();
  if (created)
    monitor_start();
  else
    count_awake(gp, false);
}

namespace {
// The exit checks run once: from the scheduler's exit handler once goroutines
// stopped, or, in a program that never started the scheduler, from the
// handler registered at load time (which runs after every later one).
std::atomic<bool> exit_checked{false};

// A program that found something exits with `exitcode` instead of 0; one that
// already fails keeps its own status (exitcode=0 must never turn a failing
// test binary into a passing one).
void run_exit_checks(int status) noexcept {
  if (exit_checked.exchange(true))
    return;
  monitor_quiesce();
  report_leaks_at_exit();
  flush_outputs();
  if (findings_emitted() > 0) {
    std::fflush(nullptr);
    std::_Exit(status != 0 ? status : options().exitcode);
  }
}

void exit_checks_at_exit(int status, void*) {
  run_exit_checks(status);
}

[[gnu::constructor]] void register_exit_checks() {
  on_exit(exit_checks_at_exit, nullptr);
}
} // namespace

void at_exit_hook(int status) noexcept {
  run_exit_checks(status);
}

// ---- misuse

void on_misuse_hook(misuse what, const void* object, const std::source_location* where,
                    void* pc) noexcept {
  try {
    finding f;
    f.where = site_from(where);
    switch (what) {
    case misuse::send_on_closed:
    case misuse::close_of_closed: {
      f.rule = what == misuse::send_on_closed ? "goro-send-on-closed" : "goro-close-of-closed";
      f.message = what == misuse::send_on_closed
                      ? "send on closed channel: the send panics (goro::panic)"
                      : "close of closed channel: the second close panics (goro::panic)";
      auto* c = const_cast<chan_core*>(static_cast<const chan_core*>(object));
      if (c != nullptr) {
        c->dbg.lock.lock();
        std::source_location closed = c->dbg.closed_at;
        std::source_location made = c->dbg.made_at;
        bool was_closed = c->dbg.closed;
        c->dbg.lock.unlock();
        if (was_closed)
          f.notes.push_back({site_of(closed), "the channel was closed here"});
        if (made.line() != 0)
          f.notes.push_back({site_of(made), "the channel was made here"});
      }
      break;
    }
    case misuse::close_of_nil:
      f.rule = "goro-close-of-nil";
      f.message = "close of nil channel: the channel handle was never made (goro::panic)";
      break;
    case misuse::negative_wait_group:
      f.rule = "goro-negative-wait-group";
      f.message = "negative wait_group counter: done() or add(-n) without a matching add() "
                  "(goro::panic)";
      break;
    case misuse::unlock_of_unlocked:
      f.rule = "goro-unlock-of-unlocked";
      f.message = "unlock of unlocked mutex " + lock_name(object) + " (goro::panic)";
      break;
    }
    if (f.where.file.empty() && pc != nullptr)
      f.where = user_site(pc);
    captured_stack here;
    capture_stack(here);
    std::string who = goroutine_name(*current_g());
    f.stacks.push_back({who, symbolize_stack(here)});
    emit(std::move(f));
  } catch (...) {
    // Reporting must never turn a panic into a crash.
  }
}

// ---- channels

void on_chan_make_hook(chan_core* c, const std::source_location& where) noexcept {
  c->dbg.made_at = where;
  debug_runtime& d = debug_state();
  d.channels_lock.lock();
  d.channels.insert(c);
  d.channels_lock.unlock();
}

void on_chan_close_hook(chan_core* c, const std::source_location& where) noexcept {
  c->dbg.lock.lock();
  c->dbg.closed = true;
  c->dbg.closed_at = where;
  c->dbg.lock.unlock();
}

void on_chan_destroy_hook(chan_core* c) noexcept {
  debug_runtime& d = debug_state();
  d.channels_lock.lock(); // waits for a running analysis that may look at c
  d.channels.erase(c);
  d.channels_lock.unlock();
}

void on_handle_hook(chan_core* c, const chan_handle* h, bool created) noexcept {
  note_thread_frame();
  bool has_waiters = false;
  c->dbg.lock.lock();
  auto& hs = c->dbg.handles;
  if (created) {
    hs.push_back(h);
  } else {
    for (auto& x : hs)
      if (x == h) {
        x = hs.back();
        hs.pop_back();
        break;
      }
  }
  c->dbg.version.fetch_add(1, std::memory_order_release);
  c->dbg.lock.unlock();
  if (!created) {
    c->lock.lock();
    has_waiters = !c->recvq.empty() || !c->sendq.empty();
    c->lock.unlock();
    // A channel losing a handle while goroutines wait on it may have just
    // become unreachable for them.
    if (has_waiters)
      monitor_notify(check_leaks);
  }
}

// ---- locks

void on_lock_hook(const void* m, bool shared, void*) noexcept {
  note_thread_frame();
  lock_acquired(*current_g(), m, shared, true);
}

void on_try_lock_hook(const void* m, bool shared) noexcept {
  note_thread_frame();
  lock_acquired(*current_g(), m, shared, false);
}

void on_unlock_hook(const void* m, bool shared) noexcept {
  lock_released(*current_g(), m, shared);
}

void on_lock_destroy_hook(const void* m) noexcept {
  lock_destroyed(m);
}

// ---- what can still wake a program

void on_blocking_job_hook(int delta) noexcept {
  debug_state().blocking_jobs.fetch_add(delta, std::memory_order_seq_cst);
  if (delta > 0)
    debug_state().wake_epoch.fetch_add(1, std::memory_order_seq_cst);
}

void on_signals_used_hook() noexcept {
  debug_state().signals_used.store(true, std::memory_order_seq_cst);
}

void on_extra_closure_hook(const void* p, std::size_t size) noexcept {
  g* me = current_g();
  me->dbg.extra_closure = p;
  me->dbg.extra_closure_size = size;
}

// ---- sched=random

bool sched_coin(unsigned one_in) noexcept {
  if (!options().sched_random || one_in == 0)
    return false;
  return random_next() % one_in == 0;
}

bool sched_rand_hook(std::uint32_t* out) noexcept {
  if (!options().sched_random)
    return false;
  *out = static_cast<std::uint32_t>(random_next() >> 32);
  return true;
}

void sched_point_hook() noexcept {
  note_thread_frame();
  if (options().sched_random && on_goroutine() && sched_coin(4))
    goro::yield();
}

int default_procs_hook(int procs) noexcept {
  return options().sched_random ? 1 : procs;
}

} // namespace goro::detail
