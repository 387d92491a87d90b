// goro/context.hpp — Go's context package: cancellation, deadlines and
// request-scoped values, propagated from parents to children.
//
//   auto [ctx, cancel] = goro::with_timeout(parent, 100ms);
//   goro::defer _([&] { cancel(); });
//   goro::select(goro::on_recv(ctx.done(), [](auto) { ... }), ...);
//
// A context is a handle: copies share one context. Canceling a context cancels
// all contexts derived from it; a child never outlives its parent's
// cancellation. done() is closed when the context is canceled or its deadline
// passes; err() then says why (errc::canceled or errc::deadline_exceeded).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "goro/chan.hpp"
#include "goro/detail/task.hpp"
#include "goro/error.hpp"
#include "goro/types.hpp"

namespace goro {

class context;
namespace detail {
struct context_core;
const void* context_value(const context_core* c, std::string_view key, type_id_t type) noexcept;
context context_with_value(const context& parent, std::string key, value_box* value);
} // namespace detail

class context {
public:
  context() noexcept; // background()
  context(const context& other) noexcept;
  context(context&& other) noexcept;
  context& operator=(const context& other) noexcept;
  context& operator=(context&& other) noexcept;
  ~context();

  // Closed when the context is canceled or past its deadline; the nil channel
  // (never ready) for background() and for values-only chains above it.
  recv_chan<unit> done() const;
  // No error until done() is closed; then errc::canceled or errc::deadline_exceeded.
  error err() const;
  std::optional<time_point> deadline() const;
  // The value stored under key by the nearest with_value; nullptr when absent
  // or stored with another type. The pointer lives as long as the context.
  template <class T>
  const T* value(std::string_view key) const {
    return static_cast<const T*>(detail::context_value(core_, key, detail::type_id<T>()));
  }

private:
  friend struct detail::context_core;
  explicit context(detail::context_core* adopted) noexcept : core_(adopted) {}
  detail::context_core* core_;
};

using cancel_func = std::function<void()>; // idempotent; safe from any goroutine or thread

context background();
// A child canceled by cancel() or when parent is canceled.
std::pair<context, cancel_func> with_cancel(const context& parent);
// A child also canceled (errc::deadline_exceeded) after d / at t, or at the
// parent's deadline if that is earlier. Call cancel() to release its timer.
std::pair<context, cancel_func> with_timeout(const context& parent, duration d);
std::pair<context, cancel_func> with_deadline(const context& parent, time_point t);
// A child carrying key -> value; everything else is the parent's.
template <class T>
context with_value(const context& parent, std::string key, T value) {
  return detail::context_with_value(parent, std::move(key),
                                    new detail::typed_value_box<T>(std::move(value)));
}

} // namespace goro
