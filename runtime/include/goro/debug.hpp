// goro/debug.hpp — looking at the runtime from inside the program.
//
// goroutines() and dump() work with both runtimes. verify_none() (goleak's
// VerifyNone) is meaningful when the program links the debug runtime
// (goro::goro_debug); with the release runtime it returns 0. The debug
// runtime's reports and GORO_OPTIONS are described in docs/runtime.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace goro::debug {

enum class state : unsigned char { runnable, running, blocked, sleeping, done };

struct site {       // a user-code location, resolved at run time
  std::string file; // "" when unknown
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string function;
};

struct goroutine_info {
  std::uint64_t id;
  state st;
  std::string wait_reason; // "chan receive", "chan send", "select", "mutex lock", "wait_group
                           // wait", "sleep", ...
  site created_at;
  site blocked_at; // meaningful when st == blocked or sleeping
};

// Every live goroutine, in id order.
std::vector<goroutine_info> goroutines();

struct leak_options {
  std::vector<std::string>
      ignore; // a goroutine whose creation or blocking site contains one of these is not a leak
  std::chrono::milliseconds settle{
      200}; // how long to wait for goroutines to finish before calling them leaked
};
// goleak.VerifyNone: reports every goroutine (except the caller) still alive
// after `settle`, and returns how many. Returns as soon as none is left.
std::size_t verify_none(const leak_options& options = {});

// Every goroutine with its state and sites (also printed on SIGQUIT by the
// debug runtime, which then keeps running).
void dump(std::ostream& out);

// How many findings the debug runtime has reported so far (0 with the
// release runtime). Lets a test wait for an early report.
std::size_t findings_reported();

} // namespace goro::debug
