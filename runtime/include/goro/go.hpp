// goro/go.hpp — goroutines and the scheduler.
//
// A goroutine is a fiber with its own small stack, run by one of GOMAXPROCS
// worker threads (an M:N scheduler with per-worker run queues and work
// stealing). A goroutine that blocks on a goro primitive parks: its worker
// runs other goroutines meanwhile. Goroutines migrate between workers, so a
// `thread_local` is per worker, not per goroutine, and an std::mutex held
// across a blocking goro call can stall a whole worker.
//
// Goroutines never run after main() returns (Go's rule): at exit the runtime
// stops scheduling first, then the program's static destructors run.
#pragma once

#include <cstddef>
#include <source_location>
#include <utility>

#include "goro/detail/task.hpp"

namespace goro {

namespace detail {
// Starts a goroutine running t. The spawn site is the return address of this
// call, which lies in the caller of the (always inlined) go().
void spawn(task* t);
// Starts a goroutine whose spawn site is given explicitly (errgroup::go).
void spawn_at(task* t, const std::source_location& where);
} // namespace detail

// go(f, args...) is Go's `go f(args...)`: f and args are decay-copied now, and
// f(args...) runs later on a new goroutine. Never blocks. An exception that
// escapes f terminates the program with a message naming the goroutine and
// the line that started it, as an unrecovered panic does in Go.
template <class F, class... Args>
[[gnu::always_inline]] inline void go(F&& f, Args&&... args) {
  detail::spawn(detail::make_task(std::forward<F>(f), std::forward<Args>(args)...));
  // The spawn site is spawn()'s return address. When go() ends its caller,
  // an optimizer may turn that call into a jump (a tail call), and the return
  // address would then be the caller's caller, or the runtime's goroutine
  // entry. An empty asm statement after the call keeps it a real call
  // (Abseil's ABSL_BLOCK_TAIL_CALL_OPTIMIZATION does the same).
  asm volatile("");
}

// runtime.Gosched(): lets other goroutines run; the caller stays runnable.
// From a plain thread it yields the thread.
void yield();

// runtime.NumGoroutine(): the number of live goroutines (fibers). Plain
// threads, main() included, are not counted.
std::size_t num_goroutines();

// runtime.GOMAXPROCS(n): the number of worker threads running goroutines.
// Defaults to the number of hardware threads, or to the environment variable
// GORO_MAXPROCS. n < 1 throws goro::panic.
void set_max_procs(int n);
// The current GOMAXPROCS value.
int max_procs();

} // namespace goro
