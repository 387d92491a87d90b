// introspect.hpp — goroutines as the reports and debug:: functions show them.
#pragma once

#include <cstddef>
#include <string>

#include "g.hpp"
#include "goro/debug.hpp"

namespace goro::detail {

// Where gp was created, as a user-code site.
debug::site spawn_site(const g& gp);
// Where gp waits, as a user-code site (empty when it does not wait).
debug::site blocked_site(const g& gp);
// "file:line:column in function", or "an unknown site", into out (always
// terminated).
void describe_spawn_site(const g& gp, char* out, std::size_t size) noexcept;
std::string format_site(const debug::site& s);

} // namespace goro::detail
