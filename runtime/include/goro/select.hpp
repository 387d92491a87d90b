// goro/select.hpp — Go's select statement.
//
//   std::size_t i = goro::select(
//       goro::on_recv(jobs, [&](std::optional<job> j) { ... }),   // case j, ok := <-jobs
//       goro::on_send(out, value, [&] { ... }),                     // case out <- value
//       goro::on_default([&] { ... }));                             // default
//
// select waits until one case can proceed, performs it, runs its function and
// returns its index (the position among the arguments). When several cases
// are ready it picks one uniformly at random, as Go does. With on_default it
// never blocks. A case on a nil channel never fires; select() with no cases
// blocks forever. A send case on a closed channel throws goro::panic.
//
// on_recv's function takes std::optional<T> (nullopt: the channel is closed);
// on_send's and on_default's take nothing. The functions run after the channel
// operation completed, outside every channel lock, so they may block.
#pragma once

#include <cstddef>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "goro/chan.hpp"

namespace goro {

namespace detail {
// One channel operation of a select, as the library sees it.
struct select_op {
  chan_core* core; // nullptr: a nil channel, never ready
  void* value;     // send: the value to move from; recv: storage to construct into
  bool is_send;
};
inline constexpr std::size_t select_default_chosen = static_cast<std::size_t>(-1);
// Runs the select over ops[0..n): returns the index of the op that completed,
// or select_default_chosen when has_default and nothing was ready. For a recv
// op, *received is true when a value was constructed into its storage.
std::size_t select_run(select_op* ops, std::size_t n, bool has_default, bool* received);
} // namespace detail

template <class T, class F>
class recv_case {
public:
  recv_case(detail::chan_core* core, F f) : core_(core), f_(std::move(f)) {}

private:
  friend struct detail_select_access;
  detail::chan_core* core_;
  F f_;
  detail::slot<T> storage_;
};

template <class T, class F>
class send_case {
public:
  send_case(detail::chan_core* core, T value, F f)
      : core_(core), value_(std::move(value)), f_(std::move(f)) {}

private:
  friend struct detail_select_access;
  detail::chan_core* core_;
  T value_;
  F f_;
};

template <class F>
class default_case {
public:
  explicit default_case(F f) : f_(std::move(f)) {}

private:
  friend struct detail_select_access;
  F f_;
};

template <class T, class F>
recv_case<T, std::decay_t<F>> on_recv(const chan<T>& ch, F&& f) {
  return {detail::core_of(ch), std::forward<F>(f)};
}
template <class T, class F>
recv_case<T, std::decay_t<F>> on_recv(const recv_chan<T>& ch, F&& f) {
  return {detail::core_of(ch), std::forward<F>(f)};
}
template <class T, class F>
send_case<T, std::decay_t<F>> on_send(const chan<T>& ch, std::type_identity_t<T> value, F&& f) {
  return {detail::core_of(ch), std::move(value), std::forward<F>(f)};
}
template <class T, class F>
send_case<T, std::decay_t<F>> on_send(const send_chan<T>& ch, std::type_identity_t<T> value,
                                      F&& f) {
  return {detail::core_of(ch), std::move(value), std::forward<F>(f)};
}
template <class F>
default_case<std::decay_t<F>> on_default(F&& f) {
  return default_case<std::decay_t<F>>(std::forward<F>(f));
}

// The glue between the case objects and select(); not part of the API.
namespace detail {
template <class C>
inline constexpr bool is_default_case = false;
template <class F>
inline constexpr bool is_default_case<default_case<F>> = true;
} // namespace detail

struct detail_select_access {
  template <class C>
  static constexpr bool is_default = detail::is_default_case<C>;

  template <class T, class F>
  static detail::select_op op(recv_case<T, F>& c) {
    return {c.core_, c.storage_.get(), false};
  }
  template <class T, class F>
  static detail::select_op op(send_case<T, F>& c) {
    return {c.core_, static_cast<void*>(&c.value_), true};
  }

  template <class T, class F>
  static void run(recv_case<T, F>& c, bool received) {
    if (received)
      c.f_(std::optional<T>(c.storage_.take()));
    else
      c.f_(std::optional<T>());
  }
  template <class T, class F>
  static void run(send_case<T, F>& c, bool) {
    c.f_();
  }
  template <class F>
  static void run(default_case<F>& c, bool) {
    c.f_();
  }
};

// select(cases...). See the file comment.
template <class... Cases>
[[gnu::always_inline]] inline std::size_t select(Cases&&... cases) {
  using access = detail_select_access;
  if constexpr (sizeof...(Cases) == 0) {
    bool unused = false;
    return detail::select_run(nullptr, 0, false, &unused); // select {}: blocks forever
  } else {
    constexpr std::size_t defaults = (0 + ... + (access::is_default<std::decay_t<Cases>> ? 1 : 0));
    static_assert(defaults <= 1, "goro::select: at most one on_default case");
    constexpr std::size_t n_ops = sizeof...(Cases) - defaults;

    // ops[k] is the k-th channel case; position[k] its index among the arguments.
    detail::select_op ops[n_ops > 0 ? n_ops : 1];
    std::size_t position[n_ops > 0 ? n_ops : 1];
    std::size_t k = 0;
    std::size_t arg = 0;
    auto collect = [&](auto& c) {
      if constexpr (!access::is_default<std::decay_t<decltype(c)>>) {
        ops[k] = access::op(c);
        position[k++] = arg;
      }
      ++arg;
    };
    (collect(cases), ...);

    bool received = false;
    const std::size_t chosen_op = detail::select_run(ops, n_ops, defaults != 0, &received);
    std::size_t chosen = 0;
    if (chosen_op == detail::select_default_chosen) {
      std::size_t i = 0;
      auto find_default = [&](auto& c) {
        if constexpr (access::is_default<std::decay_t<decltype(c)>>)
          chosen = i;
        ++i;
      };
      (find_default(cases), ...);
    } else {
      chosen = position[chosen_op];
    }

    std::size_t i = 0;
    auto dispatch = [&](auto& c) {
      if (i++ == chosen)
        access::run(c, received);
    };
    (dispatch(cases), ...);
    return chosen;
  }
}

} // namespace goro
