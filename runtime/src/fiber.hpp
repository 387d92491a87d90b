// fiber.hpp — creating and switching execution contexts (fiber_switch.S).
#pragma once

#include <cstdint>

extern "C" void goro_fiber_switch(void** save_sp, void* load_sp);

namespace goro::detail {

struct eh_globals;

// The calling thread's C++ exception state (libstdc++'s __cxa_eh_globals).
// A worker looks it up once at start: the lookup is a call into libstdc++
// and a TLS access, too much for every switch.
eh_globals* this_thread_eh_globals() noexcept;

// Saves the thread's C++ exception state (*thread, from
// this_thread_eh_globals) into *save and installs *load (see eh_globals in
// g.hpp).
void swap_eh_globals(eh_globals* thread, eh_globals* save, const eh_globals* load) noexcept;

// Lays out a fresh context on the stack that ends at stack_top (exclusive) so
// that switching to the returned stack pointer calls entry(arg). entry must
// never return.
void* fiber_make_context(void* stack_top, void (*entry)(void*), void* arg) noexcept;

} // namespace goro::detail
