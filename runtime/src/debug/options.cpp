// debug/options.cpp — parsing GORO_OPTIONS (see options.hpp).
#include "options.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <unistd.h>

namespace goro::detail {
namespace {

constexpr const char* known_options =
    "sarif_path, log_path, dot_path, exitcode, halt_on_error, leak_check_at_exit, "
    "detect_deadlocks, detect_lock_order, ignore, sched";

// Splits on `sep` outside single quotes; removes the quotes.
bool split_quoted(const std::string& text, char sep, std::vector<std::string>* parts,
                  std::string* error) {
  std::string current;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') {
      quoted = !quoted;
    } else if (c == sep && !quoted) {
      parts->push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (quoted) {
    *error = "unterminated quote in '" + text + "'";
    return false;
  }
  parts->push_back(current);
  return true;
}

bool parse_bool(const std::string& name, const std::string& value, bool* out, std::string* error) {
  if (value == "1" || value == "true") {
    *out = true;
    return true;
  }
  if (value == "0" || value == "false") {
    *out = false;
    return true;
  }
  *error = "option '" + name + "' expects 0 or 1, got '" + value + "'";
  return false;
}

bool parse_uint(const std::string& name, const std::string& value, std::uint64_t max,
                std::uint64_t* out, std::string* error) {
  errno = 0;
  char* end = nullptr;
  unsigned long long v = value.empty() ? 0 : std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno == ERANGE || value[0] == '-' || v > max) {
    *error = "option '" + name + "' expects an integer from 0 to " + std::to_string(max) +
             ", got '" + value + "'";
    return false;
  }
  *out = v;
  return true;
}

} // namespace

bool expand_path(const std::string& name, const std::string& pattern, long pid, std::string* out,
                 std::string* error) {
  out->clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      *out += pattern[i];
      continue;
    }
    char next = i + 1 < pattern.size() ? pattern[i + 1] : '\0';
    if (next == 'p') {
      *out += std::to_string(pid);
    } else if (next == '%') {
      *out += '%';
    } else {
      *error = "option '" + name + "': " +
               (next == '\0' ? std::string("'%' at the end")
                             : "unknown placeholder '%" + std::string(1, next) + "'") +
               " in '" + pattern + "' (%p is the process id, %% a literal '%')";
      return false;
    }
    ++i;
  }
  return true;
}

std::string output_path(const std::string& pattern) {
  std::string path, error;
  if (!expand_path("", pattern, static_cast<long>(getpid()), &path, &error))
    return pattern; // validated at start; not reached
  return path;
}

bool parse_options(const std::string& text, debug_options* out, std::string* error) {
  std::vector<std::string> items;
  if (!split_quoted(text, ',', &items, error))
    return false;
  for (const std::string& item : items) {
    if (item.empty())
      continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      *error = "'" + item + "' is not NAME=VALUE";
      return false;
    }
    std::string name = item.substr(0, eq);
    std::string value = item.substr(eq + 1);
    if (name == "sarif_path" || name == "log_path" || name == "dot_path") {
      if (value.empty()) {
        *error = "option '" + name + "' expects a file name";
        return false;
      }
      std::string expanded;
      if (!expand_path(name, value, 0, &expanded, error))
        return false;
      (name == "sarif_path" ? out->sarif_path
       : name == "log_path" ? out->log_path
                            : out->dot_path) = value;
    } else if (name == "exitcode") {
      std::uint64_t v = 0;
      if (!parse_uint(name, value, 255, &v, error))
        return false;
      out->exitcode = static_cast<int>(v);
    } else if (name == "halt_on_error") {
      if (!parse_bool(name, value, &out->halt_on_error, error))
        return false;
    } else if (name == "leak_check_at_exit") {
      if (!parse_bool(name, value, &out->leak_check_at_exit, error))
        return false;
    } else if (name == "detect_deadlocks") {
      if (!parse_bool(name, value, &out->detect_deadlocks, error))
        return false;
    } else if (name == "detect_lock_order") {
      if (!parse_bool(name, value, &out->detect_lock_order, error))
        return false;
    } else if (name == "ignore") {
      std::vector<std::string> sites;
      if (!split_quoted(value, ';', &sites, error))
        return false;
      for (std::string& s : sites)
        if (!s.empty())
          out->ignore.push_back(std::move(s));
    } else if (name == "sched") {
      if (value == "default") {
        out->sched_random = false;
      } else if (value.rfind("random:", 0) == 0) {
        if (!parse_uint(name, value.substr(7), UINT64_MAX, &out->sched_seed, error)) {
          *error = "option 'sched' expects 'default' or 'random:SEED' with an integer SEED, got '" +
                   value + "'";
          return false;
        }
        out->sched_random = true;
      } else {
        *error = "option 'sched' expects 'default' or 'random:SEED', got '" + value + "'";
        return false;
      }
    } else {
      *error = "unknown option '" + name + "' (known options: " + known_options + ")";
      return false;
    }
  }
  return true;
}

const debug_options& options() noexcept {
  static const debug_options parsed = [] {
    debug_options o;
    const char* text = std::getenv("GORO_OPTIONS");
    std::string error;
    if (text != nullptr && !parse_options(text, &o, &error)) {
      std::fprintf(stderr, "goro: GORO_OPTIONS: %s\n", error.c_str());
      std::fflush(stderr);
      std::_Exit(2);
    }
    // Output files: a path that cannot be written is an error now, not a
    // report silently lost at exit.
    for (const auto& [name, path] :
         {std::pair<const char*, const std::string&>{"sarif_path", o.sarif_path},
          {"log_path", o.log_path},
          {"dot_path", o.dot_path}}) {
      if (path.empty())
        continue;
      std::string file = output_path(path);
      std::string dir = file.find('/') == std::string::npos ? "." : file.substr(0, file.rfind('/'));
      if (dir.empty())
        dir = "/";
      if (access(dir.c_str(), W_OK) != 0) {
        std::fprintf(stderr, "goro: GORO_OPTIONS: option '%s': cannot write '%s' (%s: %s)\n", name,
                     file.c_str(), dir.c_str(), std::strerror(errno));
        std::fflush(stderr);
        std::_Exit(2);
      }
    }
    return o;
  }();
  return parsed;
}

namespace {
// Validate at load time: a typo is reported before the program runs.
[[gnu::constructor]] void validate_options_at_start() {
  (void)options();
}
} // namespace

} // namespace goro::detail
