// debug/options.hpp — GORO_OPTIONS, the debug runtime's settings.
//
// Syntax (the sanitizers' convention): NAME=VALUE pairs separated by ','; a
// value may be single-quoted to contain ','; a list value (ignore) separates
// items with ';'. Every option is validated when the program starts; an
// unknown or malformed one stops it with a message naming the option.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace goro::detail {

struct debug_options {
  // Output paths as given: %p stands for the process id, %% for '%' (see
  // output_path); validated when parsed.
  std::string sarif_path;     // SARIF 2.1.0 report written at exit / on stop
  std::string log_path;       // text reports go here instead of stderr
  std::string dot_path;       // Graphviz picture of deadlocks and lock cycles
  int exitcode = 66;          // exit status when anything was reported
  bool halt_on_error = false; // stop at the first finding
  bool leak_check_at_exit = true;
  bool detect_deadlocks = true;
  bool detect_lock_order = true;
  std::vector<std::string> ignore; // sites (substrings of file:line or function) to skip
  bool sched_random = false;       // sched=random:SEED
  std::uint64_t sched_seed = 0;
};

const debug_options& options() noexcept;

// Parses `text`; on error returns false and sets *error to a message naming
// the option. (Exposed for tests of the parser.)
bool parse_options(const std::string& text, debug_options* out, std::string* error);

// An output path option's file name: `pattern` with %p replaced by `pid` and
// %% by '%'. Any other '%' sequence is an error naming option `name`. (So that
// parallel processes, e.g. tests, each write their own file; the sanitizers
// append .PID to log_path, LLVM's profile runtime uses %p.)
bool expand_path(const std::string& name, const std::string& pattern, long pid, std::string* out,
                 std::string* error);
// The file to write now for a validated path option: expanded with getpid()
// at the time of writing, so a forked child gets its own file.
std::string output_path(const std::string& pattern);

} // namespace goro::detail
