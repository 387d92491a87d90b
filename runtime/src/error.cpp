// error.cpp — goro::error and the goro error category.
#include "goro/error.hpp"

namespace goro {
namespace {

class category final : public std::error_category {
public:
  const char* name() const noexcept override { return "goro"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
    case errc::canceled:
      return "context canceled";
    case errc::deadline_exceeded:
      return "context deadline exceeded";
    }
    return "goro error " + std::to_string(value);
  }
};

} // namespace

const std::error_category& goro_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), goro_category()};
}

error::error() noexcept = default;
error::error(std::error_code code) : code_(code), is_error_(static_cast<bool>(code)) {}
error::error(errc code) : code_(make_error_code(code)), is_error_(true) {}
error::error(std::string message) : message_(std::move(message)), is_error_(true) {}

error::operator bool() const noexcept {
  return is_error_;
}
std::error_code error::code() const noexcept {
  return code_;
}
std::string error::message() const {
  if (!is_error_)
    return {};
  return code_ ? code_.message() : message_;
}

bool operator==(const error& a, const error& b) noexcept {
  return a.is_error_ == b.is_error_ && a.code_ == b.code_ && a.message_ == b.message_;
}
bool operator==(const error& a, errc e) noexcept {
  return a.is_error_ && a.code_ == make_error_code(e);
}

} // namespace goro
