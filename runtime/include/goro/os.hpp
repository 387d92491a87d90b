// goro/os.hpp — the operating system seen from goroutines: signals and
// blocking calls.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>
#include <vector>

#include "goro/chan.hpp"
#include "goro/detail/task.hpp"

namespace goro {

namespace detail {
// Runs f on the blocking-call pool and parks the caller until it returns. From
// a plain thread, runs f on that thread.
void run_blocking(function_ref<void()> f);
} // namespace detail

// signal.Notify: the listed signals are delivered on the returned channel
// (buffered; a signal that finds it full is dropped, as in Go). Each call
// returns a new channel; every channel registered for a signal receives it.
recv_chan<int> notify_signals(std::vector<int> signals);

// Runs f on a pool of threads reserved for blocking calls (a database driver,
// a file read) and parks the calling goroutine until f returns; returns f's
// result and rethrows its exception. Scheduler workers never block on f. The
// pool grows on demand up to GORO_BLOCKING_THREADS threads (default 64);
// calls beyond that wait for a free thread.
template <class F>
auto blocking(F&& f) -> decltype(f()) {
  using R = decltype(f());
  detail::blocking_result<R> result;
  auto call = [&]() noexcept {
    try {
      if constexpr (std::is_void_v<R>)
        f();
      else
        result.value.emplace(f());
    } catch (...) {
      result.exception = std::current_exception();
    }
  };
  detail::run_blocking(detail::function_ref<void()>(call));
  if (result.exception)
    std::rethrow_exception(result.exception);
  if constexpr (!std::is_void_v<R>)
    return std::move(*result.value);
}

} // namespace goro
