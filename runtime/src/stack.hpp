// stack.hpp — goroutine stacks.
//
// Stacks are carved out of large anonymous mappings ("slabs") reserved with
// MAP_NORESERVE: memory is committed page by page as a goroutine touches it,
// so a parked goroutine costs the pages it actually used. One mapping per slab
// keeps the process far below vm.max_map_count even with a million
// goroutines. Overflow is caught by a canary at the bottom of each stack,
// checked at every switch; GORO_GUARD_PAGES=1 adds a PROT_NONE page below
// each stack as well (one extra mapping per stack). Under ThreadSanitizer
// every stack is its own mapping (as with guard pages) and is unmapped when
// its goroutine is freed (stack_release), never recycled: see tsan.hpp.
//
// Layout within a slab: stacks are shifted so that each one's bottom (its
// canary) lies in the same page as the top of the stack below it. The top
// page holds the goroutine's g and its first frames, so a parked goroutine
// typically costs one resident page, canary included.
//
// Thread safety: stack_alloc/stack_free may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace goro::detail {

inline constexpr std::uint64_t stack_canary = 0x60d0'57ac'c0de'0f1dULL;

struct stack_region {
  char* lo = nullptr; // lowest usable byte
  std::size_t size = 0;
};

// The configured stack size (GORO_STACK_SIZE, default 64 KiB).
std::size_t stack_size() noexcept;
// A fresh or recycled stack with its canary set. Throws std::bad_alloc.
stack_region stack_alloc();
// Lets the kernel reclaim the pages of an unused stack except its top
// `keep_top` bytes and the page holding its canary (shared with a neighbour).
void stack_trim(const stack_region& s, std::size_t keep_top) noexcept;
void stack_set_canary(const stack_region& s) noexcept;
// Unmaps a stack that has a mapping of its own (GORO_GUARD_PAGES=1 or a TSan
// build); used only by TSan builds, which never recycle stacks.
void stack_release(const stack_region& s) noexcept;
inline bool stack_canary_ok(const char* lo) noexcept {
  return *reinterpret_cast<const std::uint64_t*>(lo) == stack_canary;
}

} // namespace goro::detail
