// env.hpp — the environment variables the runtime reads, parsed once.
//
// Every variable is validated when the runtime starts (a constructor in
// env.cpp): a malformed value is a clear error naming the variable and the
// accepted values, and the program exits with status 2 — never a silent
// default.
#pragma once

#include <cstddef>

namespace goro::detail {

struct runtime_env {
  int max_procs = 0; // GORO_MAXPROCS; 0: the number of hardware threads
  std::size_t stack_size = std::size_t{64} * 1024; // GORO_STACK_SIZE (bytes; k/m suffixes)
  bool guard_pages = false;                        // GORO_GUARD_PAGES (0/1)
  int blocking_threads = 64;                       // GORO_BLOCKING_THREADS
};

const runtime_env& env() noexcept;

} // namespace goro::detail
