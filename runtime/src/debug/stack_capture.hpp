// debug/stack_capture.hpp — cheap stacks now, symbols later.
//
// capture_stack() walks frame pointers (the runtime is built with them) from
// its caller outwards, within the bounds of the current stack, so a frame
// chain broken by code built without frame pointers ends the walk instead of
// crashing it. It costs tens of nanoseconds; symbolization happens only when
// a report is printed.
#pragma once

#include <cstdint>
#include <vector>

#include "../symbolize.hpp"
#include "g_state.hpp"

namespace goro::detail {

struct g;

// Fills `out` with return addresses, innermost first. The runtime's own
// frames are kept (their number varies with inlining and tail calls); reports
// skip them when they symbolize.
void capture_stack(captured_stack& out) noexcept;
// The same for the running g `self` (current_g()), saving the lookup.
void capture_stack(captured_stack& out, const g& self) noexcept;

// The calling thread's own stack, [*lo, *hi), from pthread; both 0 when unknown.
void this_thread_stack(std::uintptr_t* lo, std::uintptr_t* hi) noexcept;

// The user-code frames of a captured stack, inlined frames expanded,
// innermost first. When no frame is in user code (a goroutine whose function
// tail-called into goro), the library frames instead, without the debug
// runtime's own (the hooks that captured the stack).
std::vector<symbol_frame> symbolize_stack(const captured_stack& stack);

// The first frame of `stack` in user code (not goro, not the standard
// library); an empty site when there is none.
debug::site first_user_site(const captured_stack& stack);

} // namespace goro::detail
