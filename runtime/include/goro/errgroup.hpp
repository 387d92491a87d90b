// goro/errgroup.hpp — golang.org/x/sync/errgroup.
//
//   auto [g, ctx] = goro::errgroup::with_context(parent);
//   for (auto& url : urls)
//     g.go([&, url] { return fetch(ctx, url); });   // returns goro::error (or void)
//   if (auto err = g.wait()) ...
//
// A group runs functions in goroutines and wait() returns the first error any
// of them returned. With with_context, the derived context is canceled as soon
// as one function fails, and when wait() returns. An exception thrown by a
// function becomes that function's error (its what() is the message).
//
// errgroup is a handle: copies share one group.
#pragma once

#include <source_location>
#include <utility>

#include "goro/context.hpp"
#include "goro/detail/task.hpp"
#include "goro/error.hpp"

namespace goro {

namespace detail {
struct errgroup_core;
// Starts t in the group. With only_if_room, returns false (and destroys t)
// instead of blocking when the limit is reached.
bool errgroup_go(errgroup_core* g, error_task* t, const std::source_location& where,
                 bool only_if_room);
} // namespace detail

class errgroup {
public:
  errgroup();
  errgroup(const errgroup& other) noexcept;
  errgroup(errgroup&& other) noexcept;
  errgroup& operator=(const errgroup& other) noexcept;
  errgroup& operator=(errgroup&& other) noexcept;
  ~errgroup();

  // A group and a context derived from parent that is canceled on the first
  // error or when wait() returns.
  static std::pair<errgroup, context> with_context(const context& parent);

  // At most n functions run at once; go() blocks while n are running. n < 0
  // removes the limit. Changing the limit while functions run throws
  // goro::panic, as in Go.
  void set_limit(int n);

  // Runs f() in a new goroutine; blocks first while the limit is reached.
  // f returns goro::error or void.
  template <class F>
  void go(F&& f, std::source_location where = std::source_location::current()) {
    detail::errgroup_go(core_, detail::make_error_task(std::forward<F>(f)), where, false);
  }
  // Like go(), but returns false (and does not run f) when the limit is reached.
  template <class F>
  bool try_go(F&& f, std::source_location where = std::source_location::current()) {
    return detail::errgroup_go(core_, detail::make_error_task(std::forward<F>(f)), where, true);
  }

  // Blocks until every function started so far has returned, then returns the
  // first error (no error if none failed). As in Go, the group may be reused
  // afterwards, and its first error stays its first error.
  error wait(std::source_location where = std::source_location::current());

private:
  detail::errgroup_core* core_;
};

} // namespace goro
