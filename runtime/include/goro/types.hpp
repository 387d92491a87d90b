// goro/types.hpp — the small vocabulary types every part of goro uses.
#pragma once

#include <chrono>
#include <variant>

namespace goro {

using duration = std::chrono::nanoseconds;
using time_point = std::chrono::steady_clock::time_point;
using unit = std::monostate; // Go's struct{}: chan<unit> is a signal channel

} // namespace goro
