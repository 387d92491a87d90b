// env.cpp — parsing and validating GORO_* environment variables.
#include "env.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace goro::detail {
namespace {

[[noreturn]] void env_error(const char* name, const char* value, const char* expected) {
  std::fprintf(stderr, "goro: %s=\"%s\" is not valid: expected %s\n", name, value, expected);
  std::fflush(stderr);
  std::_Exit(2);
}

long long parse_integer(const char* name, const char* value, long long lo, long long hi,
                        const char* expected, bool allow_size_suffix) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(value, &end, 10);
  if (end == value || errno == ERANGE)
    env_error(name, value, expected);
  if (allow_size_suffix && *end != '\0') {
    long long unit = 0;
    if ((*end == 'k' || *end == 'K') && end[1] == '\0')
      unit = 1024;
    else if ((*end == 'm' || *end == 'M') && end[1] == '\0')
      unit = 1024LL * 1024;
    else
      env_error(name, value, expected);
    // Range-check before scaling: the product could overflow (undefined
    // behaviour, in practice a wrap-around that may land inside [lo, hi]).
    if (v < lo / unit || v > hi / unit)
      env_error(name, value, expected);
    v *= unit;
  } else if (*end != '\0') {
    env_error(name, value, expected);
  }
  if (v < lo || v > hi)
    env_error(name, value, expected);
  return v;
}

runtime_env read_env() {
  runtime_env e;
  if (const char* v = std::getenv("GORO_MAXPROCS"); v != nullptr)
    e.max_procs = static_cast<int>(
        parse_integer("GORO_MAXPROCS", v, 1, 1024, "an integer from 1 to 1024", false));
  if (const char* v = std::getenv("GORO_STACK_SIZE"); v != nullptr)
    e.stack_size = static_cast<std::size_t>(
        parse_integer("GORO_STACK_SIZE", v, 16LL * 1024, 64LL * 1024 * 1024,
                      "a size from 16k to 64m (bytes, or with a k/m suffix)", true));
  if (const char* v = std::getenv("GORO_GUARD_PAGES"); v != nullptr)
    e.guard_pages = parse_integer("GORO_GUARD_PAGES", v, 0, 1, "0 or 1", false) == 1;
  if (const char* v = std::getenv("GORO_BLOCKING_THREADS"); v != nullptr)
    e.blocking_threads = static_cast<int>(
        parse_integer("GORO_BLOCKING_THREADS", v, 1, 4096, "an integer from 1 to 4096", false));
  return e;
}

// Validate at load time so that a typo is reported before the program does
// anything, not when the scheduler happens to start.
[[gnu::constructor]] void validate_env_at_start() {
  (void)env();
}

} // namespace

const runtime_env& env() noexcept {
  static const runtime_env parsed = read_env();
  return parsed;
}

} // namespace goro::detail
