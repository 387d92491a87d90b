// introspect.hpp — what the scheduler tells the reporting side about
// goroutines, and the hooks through which the debug runtime watches it.
//
// The hooks are empty inline functions in the release runtime; the debug
// runtime (built with GORO_DEBUG, runtime/src/debug/) defines them.
#pragma once

#include <cstddef>
#include <string>

#include "g.hpp"
#include "goro/debug.hpp"

namespace goro::detail {

#ifdef GORO_DEBUG
void on_spawn_hook(g& gp) noexcept;
void on_park_hook(g& gp) noexcept;
void at_exit_hook(int status) noexcept;
#else
inline void on_spawn_hook(g&) noexcept {}
inline void on_park_hook(g&) noexcept {}
inline void at_exit_hook(int) noexcept {}
#endif

// Where gp was created, as a user-code site.
debug::site spawn_site(const g& gp);
// Where gp waits, as a user-code site (empty when it does not wait).
debug::site blocked_site(const g& gp);
// "file:line:column in function", or "an unknown site", into out (always
// terminated).
void describe_spawn_site(const g& gp, char* out, std::size_t size) noexcept;
std::string format_site(const debug::site& s);

} // namespace goro::detail
