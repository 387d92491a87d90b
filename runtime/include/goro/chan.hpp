// goro/chan.hpp — channels (Go's `chan T`).
//
// chan<T> is a handle: copies share one channel, as Go channel values do. The
// channel itself lives in the library and is freed with its last handle.
//
// Semantics (Go's, exactly):
//   - capacity 0 is a rendezvous: send blocks until a receiver takes the value;
//     capacity n buffers up to n values in FIFO order;
//   - close() wakes every blocked receiver; receivers drain buffered values
//     first, then recv() returns std::nullopt; a sender blocked at close time,
//     and any later send, throws goro::panic ("send on closed channel");
//   - the nil channel (a default-constructed handle) blocks send and recv
//     forever; its close() throws goro::panic ("close of nil channel");
//   - close of a closed channel throws goro::panic ("close of closed channel").
//
// T must be nothrow-move-constructible: values move through the channel while
// it is locked.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace goro {

template <class T>
class chan;
template <class T>
class send_chan;
template <class T>
class recv_chan;
template <class T>
chan<T> make_chan(std::size_t capacity = 0,
                  std::source_location where = std::source_location::current());

namespace detail {

class chan_core; // defined in the library (runtime/src/chan.cpp)

// How the library moves and destroys values of the element type.
struct elem_ops {
  std::size_t size;
  std::size_t align;
  void (*move_construct)(void* dst, void* src) noexcept; // constructs *dst from std::move(*src)
  void (*destroy)(void* p) noexcept;
};
template <class T>
inline constexpr elem_ops elem_ops_for = {
    sizeof(T), // NOLINT(bugprone-sizeof-expression): T may be a pointer (chan<client*>)
    alignof(T),
    [](void* dst, void* src) noexcept { ::new (dst) T(std::move(*static_cast<T*>(src))); },
    [](void* p) noexcept { static_cast<T*>(p)->~T(); },
};

chan_core* chan_make(const elem_ops* ops, std::size_t capacity, const std::source_location& where);
// Blocks until *value is handed over (moved from). Throws goro::panic when the
// channel is or becomes closed; *value is then left untouched.
void chan_send(chan_core* c, void* value, const std::source_location& where);
// Moves from *value only when it returns true.
bool chan_try_send(chan_core* c, void* value);
// Blocks until a value is constructed into *out (true) or the channel is closed
// and drained (false; *out untouched).
bool chan_recv(chan_core* c, void* out, const std::source_location& where);
enum class try_recv_result : unsigned char { value, closed, would_block };
try_recv_result chan_try_recv(chan_core* c, void* out);
void chan_close(chan_core* c, const std::source_location& where);
std::size_t chan_size(const chan_core* c) noexcept;
std::size_t chan_capacity(const chan_core* c) noexcept;

// An owning reference to a channel. Its special members are compiled into the
// library so that the debug runtime can track who holds which channel.
class chan_handle {
public:
  chan_handle() noexcept;
  explicit chan_handle(chan_core* adopted) noexcept;
  chan_handle(const chan_handle& other) noexcept;
  chan_handle(chan_handle&& other) noexcept;
  chan_handle& operator=(const chan_handle& other) noexcept;
  chan_handle& operator=(chan_handle&& other) noexcept;
  ~chan_handle();
  chan_core* get() const noexcept { return core_; }

private:
  chan_core* core_;
};

// Raw storage for one T that the library constructs into.
template <class T>
struct slot {
  // NOLINTNEXTLINE(bugprone-sizeof-expression): T may be a pointer (chan<client*>)
  alignas(T) unsigned char bytes[sizeof(T)];
  void* get() noexcept { return bytes; }
  T take() noexcept {
    T* p = std::launder(reinterpret_cast<T*>(bytes));
    T v(std::move(*p));
    p->~T();
    return v;
  }
};

template <class T>
std::optional<T> recv_from(chan_core* c, const std::source_location& where) {
  slot<T> s;
  if (!chan_recv(c, s.get(), where))
    return std::nullopt;
  return std::optional<T>(s.take());
}

template <class T>
std::optional<T> try_recv_from(chan_core* c) {
  slot<T> s;
  if (chan_try_recv(c, s.get()) != try_recv_result::value)
    return std::nullopt;
  return std::optional<T>(s.take());
}

template <class T>
bool try_send_copy(chan_core* c, const T& value) {
  T copy(value); // copied outside the channel's lock; dropped if the send fails
  return chan_try_send(c, static_cast<void*>(&copy));
}

template <class T>
chan_core* core_of(const chan<T>& ch) noexcept;
template <class T>
chan_core* core_of(const send_chan<T>& ch) noexcept;
template <class T>
chan_core* core_of(const recv_chan<T>& ch) noexcept;

} // namespace detail

// A channel handle. A default-constructed chan is the nil channel.
template <class T>
class chan {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "goro::chan<T>: T must be nothrow-move-constructible");
  static_assert(!std::is_reference_v<T>, "goro::chan<T>: T must be an object type");

public:
  chan() noexcept = default;

  // ch <- value. Blocks until a receiver takes it (or it fits in the buffer).
  void send(T value, std::source_location where = std::source_location::current()) const {
    detail::chan_send(h_.get(), static_cast<void*>(&value), where);
  }
  // <-ch. Blocks; std::nullopt once the channel is closed and drained.
  std::optional<T> recv(std::source_location where = std::source_location::current()) const {
    return detail::recv_from<T>(h_.get(), where);
  }
  // Non-blocking send: false when it would block; the value is left untouched.
  // Throws goro::panic when the channel is closed.
  bool try_send(const T& value) const { return detail::try_send_copy(h_.get(), value); }
  // Non-blocking send that moves from value only on success.
  bool try_send(T&& value) const {
    return detail::chan_try_send(h_.get(), static_cast<void*>(&value));
  }
  // Non-blocking receive: nullopt when it would block or the channel is closed
  // and drained (select with on_default tells the two apart).
  std::optional<T> try_recv() const { return detail::try_recv_from<T>(h_.get()); }
  // close(ch). Wakes all receivers; throws goro::panic on a closed or nil channel.
  void close(std::source_location where = std::source_location::current()) const {
    detail::chan_close(h_.get(), where);
  }
  std::size_t size() const noexcept { return detail::chan_size(h_.get()); }         // len(ch)
  std::size_t capacity() const noexcept { return detail::chan_capacity(h_.get()); } // cap(ch)
  explicit operator bool() const noexcept { return h_.get() != nullptr; }           // false for nil
  friend bool operator==(const chan& a, const chan& b) noexcept { return a.h_.get() == b.h_.get(); }

  // `for (T v : ch)` receives until the channel is closed and drained. Each
  // element is moved out by operator*, so dereference it once per step.
  class iterator {
  public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    // Valid only before the iterator compares equal to end(), as for any iterator.
    T operator*() const {
      return std::move(*current_); // NOLINT(bugprone-unchecked-optional-access): see above
    }
    iterator& operator++() {
      current_ = detail::recv_from<T>(core_, where_);
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) noexcept {
      return !it.current_.has_value();
    }

  private:
    friend class chan;
    friend class recv_chan<T>;
    iterator(detail::chan_core* core, const std::source_location& where)
        : core_(core), where_(where), current_(detail::recv_from<T>(core, where)) {}
    detail::chan_core* core_ = nullptr;
    std::source_location where_;
    mutable std::optional<T> current_;
  };
  iterator begin(std::source_location where = std::source_location::current()) const {
    return iterator(h_.get(), where);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

  operator send_chan<T>() const noexcept { return send_chan<T>(h_); } // NOLINT: chan<- T
  operator recv_chan<T>() const noexcept { return recv_chan<T>(h_); } // NOLINT: <-chan T

private:
  explicit chan(detail::chan_handle h) noexcept : h_(std::move(h)) {}
  friend chan make_chan<T>(std::size_t, std::source_location);
  friend detail::chan_core* detail::core_of<T>(const chan&) noexcept;
  detail::chan_handle h_;
};

// make(chan T, capacity). `where` names the channel in the debug runtime's reports.
template <class T>
chan<T> make_chan(std::size_t capacity, std::source_location where) {
  return chan<T>(detail::chan_handle(detail::chan_make(&detail::elem_ops_for<T>, capacity, where)));
}

// Send-only view (Go's chan<- T): send, try_send, close; no receive.
template <class T>
class send_chan {
public:
  send_chan() noexcept = default;
  void send(T value, std::source_location where = std::source_location::current()) const {
    detail::chan_send(h_.get(), static_cast<void*>(&value), where);
  }
  bool try_send(const T& value) const { return detail::try_send_copy(h_.get(), value); }
  bool try_send(T&& value) const {
    return detail::chan_try_send(h_.get(), static_cast<void*>(&value));
  }
  void close(std::source_location where = std::source_location::current()) const {
    detail::chan_close(h_.get(), where);
  }
  std::size_t size() const noexcept { return detail::chan_size(h_.get()); }
  std::size_t capacity() const noexcept { return detail::chan_capacity(h_.get()); }
  explicit operator bool() const noexcept { return h_.get() != nullptr; }
  friend bool operator==(const send_chan& a, const send_chan& b) noexcept {
    return a.h_.get() == b.h_.get();
  }

private:
  explicit send_chan(detail::chan_handle h) noexcept : h_(std::move(h)) {}
  friend class chan<T>;
  friend detail::chan_core* detail::core_of<T>(const send_chan&) noexcept;
  detail::chan_handle h_;
};

// Receive-only view (Go's <-chan T): receive and range; no send, no close.
template <class T>
class recv_chan {
public:
  recv_chan() noexcept = default;
  std::optional<T> recv(std::source_location where = std::source_location::current()) const {
    return detail::recv_from<T>(h_.get(), where);
  }
  std::optional<T> try_recv() const { return detail::try_recv_from<T>(h_.get()); }
  std::size_t size() const noexcept { return detail::chan_size(h_.get()); }
  std::size_t capacity() const noexcept { return detail::chan_capacity(h_.get()); }
  explicit operator bool() const noexcept { return h_.get() != nullptr; }
  friend bool operator==(const recv_chan& a, const recv_chan& b) noexcept {
    return a.h_.get() == b.h_.get();
  }
  typename chan<T>::iterator
  begin(std::source_location where = std::source_location::current()) const {
    return typename chan<T>::iterator(h_.get(), where);
  }
  std::default_sentinel_t end() const noexcept { return {}; }

private:
  explicit recv_chan(detail::chan_handle h) noexcept : h_(std::move(h)) {}
  friend class chan<T>;
  friend detail::chan_core* detail::core_of<T>(const recv_chan&) noexcept;
  detail::chan_handle h_;
};

namespace detail {
template <class T>
chan_core* core_of(const chan<T>& ch) noexcept {
  return ch.h_.get();
}
template <class T>
chan_core* core_of(const send_chan<T>& ch) noexcept {
  return ch.h_.get();
}
template <class T>
chan_core* core_of(const recv_chan<T>& ch) noexcept {
  return ch.h_.get();
}
} // namespace detail

} // namespace goro
