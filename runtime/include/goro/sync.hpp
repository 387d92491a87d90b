// goro/sync.hpp — Go's sync package: mutex, rw_mutex, wait_group, once, cond,
// and defer.
//
// Every blocking call here parks the calling goroutine (its worker runs other
// goroutines meanwhile); from a plain thread it blocks the thread. mutex and
// rw_mutex satisfy Lockable / SharedLockable, so std::lock_guard,
// std::unique_lock, std::scoped_lock and std::shared_lock work with them.
//
// Like Go's, a goro::mutex is not tied to the goroutine that locked it: any
// goroutine or thread may unlock it. None of these types may be copied or
// moved once in use; their state lives in the library.
#pragma once

#include <source_location>
#include <utility>

#include "goro/detail/task.hpp"

namespace goro {

namespace detail {
struct mutex_core;
struct rw_mutex_core;
struct wait_group_core;
struct once_core;
struct cond_core;
bool once_done(const once_core* o) noexcept;
void once_call(once_core* o, function_ref<void()> f);
} // namespace detail

// sync.Mutex. lock() blocks while another holder has it; unlock() of an
// unlocked mutex throws goro::panic ("unlock of unlocked mutex"). Waiters are
// woken in FIFO order; a waiter that has waited for more than a millisecond
// is handed the lock directly (Go's starvation mode), so nobody starves.
class mutex {
public:
  mutex();
  mutex(const mutex&) = delete;
  mutex& operator=(const mutex&) = delete;
  ~mutex();
  void lock();
  bool try_lock();
  void unlock();

private:
  detail::mutex_core* core_;
};

// sync.RWMutex. Writer preference: once a writer waits, new readers wait
// behind it, so a stream of readers cannot starve writers; the readers that
// waited are all let in when that writer unlocks, so writers cannot starve
// readers either. unlock()/unlock_shared() without a matching lock throws
// goro::panic.
class rw_mutex {
public:
  rw_mutex();
  rw_mutex(const rw_mutex&) = delete;
  rw_mutex& operator=(const rw_mutex&) = delete;
  ~rw_mutex();
  void lock();
  bool try_lock();
  void unlock();
  void lock_shared();
  bool try_lock_shared();
  void unlock_shared();

private:
  detail::rw_mutex_core* core_;
};

// sync.WaitGroup. add(n) before starting work, done() when a piece finishes,
// wait() blocks until the counter is zero. A counter that would go negative
// throws goro::panic ("negative wait_group counter") and is left unchanged.
class wait_group {
public:
  wait_group();
  wait_group(const wait_group&) = delete;
  wait_group& operator=(const wait_group&) = delete;
  ~wait_group();
  void add(int delta = 1, std::source_location where = std::source_location::current());
  void done(std::source_location where = std::source_location::current());
  void wait(std::source_location where = std::source_location::current());

private:
  detail::wait_group_core* core_;
};

// sync.Once. call(f) runs f exactly once; concurrent callers block until the
// first call returns. Unlike Go's sync.Once, an exception thrown by f leaves
// the once un-done and propagates to that caller, so a later call() runs f
// again (std::call_once semantics).
class once {
public:
  once();
  once(const once&) = delete;
  once& operator=(const once&) = delete;
  ~once();
  template <class F>
  void call(F&& f) {
    if (!detail::once_done(core_))
      detail::once_call(core_, detail::function_ref<void()>(f));
  }

private:
  detail::once_core* core_;
};

// defer: runs f when the scope ends (Go's `defer cancel()`, `defer close(ch)`).
template <class F>
class defer {
public:
  explicit defer(F f) : f_(std::move(f)) {}
  defer(const defer&) = delete;
  defer& operator=(const defer&) = delete;
  ~defer() { f_(); }

private:
  F f_;
};

// sync.Cond. wait() must be called with the mutex held: it atomically unlocks,
// parks, and locks again before returning. signal() wakes the longest waiter,
// broadcast() wakes all; neither needs the mutex held. As in Go, a waiter must
// re-check its condition in a loop.
class cond {
public:
  explicit cond(mutex& m);
  cond(const cond&) = delete;
  cond& operator=(const cond&) = delete;
  ~cond();
  void wait(std::source_location where = std::source_location::current());
  void signal();
  void broadcast();

private:
  detail::cond_core* core_;
};

} // namespace goro
