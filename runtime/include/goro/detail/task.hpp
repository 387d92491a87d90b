// goro/detail/task.hpp — type erasure shared by the public templates.
//
// The public headers are a thin typed shell: every template turns the user's
// callable or value into one of the small type-erased records below and hands
// it to a non-template function compiled into the library. That keeps all
// blocking, bookkeeping and instrumentation in the library, so linking
// goro_debug instead of goro changes behaviour without recompiling user code.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goro/error.hpp"

namespace goro::detail {

// A heap-allocated unit of work: the body of a goroutine. The runtime calls
// run() once on the goroutine's stack, then destroy() (which also frees it).
struct task {
  void (*run)(task*);
  void (*destroy)(task*) noexcept;
  std::size_t size; // bytes of the whole closure object (the debug runtime scans it)
};

// go(f, args...): f and args are decay-copied at the go statement, as Go
// evaluates a go statement's function value and arguments before starting it.
template <class Fn, class... Args>
struct bound_task final : task {
  template <class F, class... A>
  explicit bound_task(
      F&& f, A&&... a) // NOLINT(bugprone-forwarding-reference-overload): built only by make_task
      : task{&invoke, &dispose, sizeof(bound_task)}, fn(std::forward<F>(f)),
        args(std::forward<A>(a)...) {}

  static void invoke(task* t) {
    auto* self = static_cast<bound_task*>(t);
    std::apply([self](Args&... a) { std::invoke(self->fn, std::move(a)...); }, self->args);
  }
  static void dispose(task* t) noexcept { delete static_cast<bound_task*>(t); }

  Fn fn;
  std::tuple<Args...> args;
};

template <class F, class... Args>
task* make_task(F&& f, Args&&... args) {
  static_assert(std::is_invocable_v<std::decay_t<F>, std::decay_t<Args>&&...>,
                "goro::go(f, args...): f cannot be called with these arguments");
  return new bound_task<std::decay_t<F>, std::decay_t<Args>...>(std::forward<F>(f),
                                                                std::forward<Args>(args)...);
}

// An errgroup body: returns goro::error (or void, meaning success).
struct error_task {
  error (*run)(error_task*);
  void (*destroy)(error_task*) noexcept;
  std::size_t size; // bytes of the whole closure object
};

template <class Fn>
struct bound_error_task final : error_task {
  // Built only by make_error_task, never copied through this constructor.
  template <class F>
  explicit bound_error_task(F&& f) // NOLINT(bugprone-forwarding-reference-overload)
      : error_task{&invoke, &dispose, sizeof(bound_error_task)}, fn(std::forward<F>(f)) {}

  static error invoke(error_task* t) {
    auto* self = static_cast<bound_error_task*>(t);
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&>>) {
      std::invoke(self->fn);
      return error{};
    } else {
      return error(std::invoke(self->fn));
    }
  }
  static void dispose(error_task* t) noexcept { delete static_cast<bound_error_task*>(t); }

  Fn fn;
};

template <class F>
error_task* make_error_task(F&& f) {
  using R = std::invoke_result_t<std::decay_t<F>&>;
  static_assert(std::is_void_v<R> || std::is_convertible_v<R, error>,
                "errgroup::go(f): f() must return void or something convertible to goro::error");
  return new bound_error_task<std::decay_t<F>>(std::forward<F>(f));
}

// A non-owning reference to a callable, valid while the callable lives (for
// a temporary: until the end of the full expression).
template <class Sig>
class function_ref;

template <class R, class... A>
class function_ref<R(A...)> {
public:
  // The requires-clause keeps copies away from this constructor. A plain
  // function (once.call(init)) is kept as a function pointer: a function
  // pointer does not convert to void*, hence the union.
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, function_ref>)
  function_ref(
      F&& f) noexcept // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
  {
    using callee = std::remove_reference_t<F>;
    if constexpr (std::is_function_v<callee>) {
      target_.fn = reinterpret_cast<void (*)()>(&f);
      call_ = [](target t, A... a) -> R {
        return std::invoke(reinterpret_cast<callee*>(t.fn), a...);
      };
    } else {
      target_.obj = const_cast<void*>(static_cast<const void*>(std::addressof(f)));
      call_ = [](target t, A... a) -> R { return std::invoke(*static_cast<callee*>(t.obj), a...); };
    }
  }
  R operator()(A... a) const { return call_(target_, a...); }

private:
  union target {
    void* obj;
    void (*fn)();
  };
  target target_;
  R (*call_)(target, A...);
};

// A type identity that does not need RTTI: the address of a per-type object.
using type_id_t = const void*;
template <class T>
struct type_tag {
  static constexpr char id = 0;
};
template <class T>
constexpr type_id_t type_id() noexcept {
  return &type_tag<T>::id;
}

// A type-erased, owned value (context values).
struct value_box {
  type_id_t type;
  void* ptr;
  void (*destroy)(value_box*) noexcept;
};
template <class T>
struct typed_value_box final : value_box {
  explicit typed_value_box(T v) : value_box{type_id<T>(), nullptr, &dispose}, value(std::move(v)) {
    ptr = std::addressof(value);
  }
  static void dispose(value_box* b) noexcept { delete static_cast<typed_value_box*>(b); }
  T value;
};

// Result slot for blocking(f): the value or the exception f produced.
template <class R>
struct blocking_result {
  std::optional<R> value;
  std::exception_ptr exception;
};
template <>
struct blocking_result<void> {
  std::exception_ptr exception;
};

} // namespace goro::detail
