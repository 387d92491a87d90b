// debug/report.hpp — the one report path of the debug runtime.
//
// Every finding (leak, deadlock, lock-order inversion, misuse, response
// after return) is data: a rule id, a message, the user-code location a
// person must look at, notes at related locations, stacks, and optionally a
// graph. emit() prints it at once as compiler-style text
// (`file:line:col: error: message [rule]`, then `note:` lines, then stacks)
// on stderr or log_path, and keeps it for the SARIF 2.1.0 file (sarif_path)
// and the Graphviz file (dot_path), which are rewritten with every finding
// so far after each finding and at exit (also when no finding was made).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../symbolize.hpp"
#include "goro/debug.hpp"

namespace goro::detail {

struct report_note {
  debug::site where;
  std::string message;
};

struct report_stack {
  std::string title; // "goroutine 7 [chan receive]", "created by", ...
  std::vector<symbol_frame> frames;
};

struct report_edge {
  std::string from;
  std::string to;
  std::string label;
};

struct finding {
  std::string rule; // goro-leak, goro-deadlock, ...
  std::string message;
  debug::site where;
  std::vector<report_note> notes;
  std::vector<report_stack> stacks;
  std::vector<report_edge> graph;                              // drawn into dot_path
  std::vector<std::pair<std::string, std::string>> properties; // SARIF result properties
};

// Prints and records a finding. With halt_on_error, stops the program.
void emit(finding f);
// Number of findings emitted so far.
std::size_t findings_emitted() noexcept;
// (Re)writes sarif_path and dot_path with every finding so far.
void flush_outputs() noexcept;
// Flushes outputs and ends the process with options().exitcode.
[[noreturn]] void stop_with_findings() noexcept;
// True when a site matches one of the `ignore` patterns.
bool site_ignored(const debug::site& s, const std::vector<std::string>& extra = {});

} // namespace goro::detail
