// fiber.cpp — the initial frame of a new context; the matching pop sequence
// is goro_fiber_switch in fiber_switch.S (read both together).
#include "fiber.hpp"

#include <cstring>

#include "g.hpp"

extern "C" void goro_fiber_start();
// Declared here rather than through <cxxabi.h>, which marks it
// __attribute__((const)): the compiler could then reuse one thread's answer
// after a goroutine moved to another thread.
extern "C" void*
__cxa_get_globals() noexcept; // NOLINT(bugprone-reserved-identifier): the C++ ABI's name

namespace goro::detail {

void* fiber_make_context(void* stack_top, void (*entry)(void*), void* arg) noexcept {
  auto top = reinterpret_cast<std::uintptr_t>(stack_top) & ~std::uintptr_t{15};
#if defined(__x86_64__)
  // From the new stack pointer upwards: fp control word (mxcsr, x87 cw),
  // r15, r14, r13 = arg, r12 = entry, rbx, rbp = 0, return address. The return
  // slot sits at 8 mod 16, so goro_fiber_start calls entry with the ABI's
  // alignment.
  auto* frame = reinterpret_cast<std::uint64_t*>(top - 64);
  std::memset(frame, 0, 64);
  std::uint32_t mxcsr = 0x1F80; // all exceptions masked, round to nearest
  std::uint16_t fpucw = 0x037F; // the x87 default
  std::memcpy(reinterpret_cast<char*>(frame), &mxcsr, 4);
  std::memcpy(reinterpret_cast<char*>(frame) + 4, &fpucw, 2);
  frame[3] = reinterpret_cast<std::uint64_t>(arg);
  frame[4] = reinterpret_cast<std::uint64_t>(entry);
  frame[6] = 0;
  frame[7] = reinterpret_cast<std::uint64_t>(&goro_fiber_start);
  return frame;
#elif defined(__aarch64__)
  // x19 = entry, x20 = arg, x29 = 0, x30 = goro_fiber_start, fpcr = 0.
  auto* frame = reinterpret_cast<std::uint64_t*>(top - 176);
  std::memset(frame, 0, 176);
  frame[0] = reinterpret_cast<std::uint64_t>(entry);
  frame[1] = reinterpret_cast<std::uint64_t>(arg);
  frame[10] = 0;
  frame[11] = reinterpret_cast<std::uint64_t>(&goro_fiber_start);
  return frame;
#endif
}

eh_globals* this_thread_eh_globals() noexcept {
  return static_cast<eh_globals*>(__cxa_get_globals());
}

void swap_eh_globals(eh_globals* thread, eh_globals* save, const eh_globals* load) noexcept {
  *save = *thread;
  *thread = *load;
}

} // namespace goro::detail
