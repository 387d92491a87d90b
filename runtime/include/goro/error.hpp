// goro/error.hpp — Go-style error values and the panic exception.
//
// goro::error is Go's `error`: a default-constructed value means "no error",
// anything else is an error with a message. Context errors carry an
// std::error_code in goro_category() so they compare equal to errc values:
//
//   if (ctx.err() == goro::errc::canceled) { ... }
//
// goro::panic is what Go's runtime panics become: misuse such as a send on a
// closed channel, a close of a closed or nil channel, a negative wait_group
// counter or an unlock of an unlocked mutex throws it. The runtime's state is
// left consistent, so a caught panic does not break later operations.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

namespace goro {

enum class errc { // NOLINT(performance-enum-size): error codes are int, as std::errc
  canceled = 1,      // context.Canceled: "context canceled"
  deadline_exceeded, // context.DeadlineExceeded: "context deadline exceeded"
};

const std::error_category& goro_category() noexcept;
std::error_code make_error_code(errc) noexcept;

// A Go-style error value. Default-constructed means "no error".
//
// Two errors compare equal when both are "no error", or both are errors with
// the same code and the same message (Go compares sentinel errors by
// identity; value equality is the closest C++ analogue).
class error {
public:
  error() noexcept;
  error(std::error_code code);             // NOLINT(google-explicit-constructor): implicit, like Go
  error(errc code);                        // NOLINT(google-explicit-constructor)
  explicit error(std::string message);     // errors.New(message): an error even when empty
  explicit operator bool() const noexcept; // true when it IS an error
  std::error_code code() const noexcept;   // empty for message-only errors
  std::string message() const;             // "" for no error
  friend bool operator==(const error&, const error&) noexcept;
  friend bool operator==(const error&, errc) noexcept;

private:
  std::error_code code_;
  std::string message_;
  bool is_error_ = false;
};

// Misuse that Go reports with a panic. See the file comment.
class panic : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

} // namespace goro

template <>
struct std::is_error_code_enum<goro::errc> : std::true_type {};
