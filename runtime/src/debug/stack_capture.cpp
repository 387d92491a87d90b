// debug/stack_capture.cpp — frame-pointer walks bounded by the current stack.
#include "stack_capture.hpp"

#include <algorithm>
#include <cstdint>

#include <pthread.h>

#include "../sched.hpp"

namespace goro::detail {
namespace {

struct stack_bounds {
  std::uintptr_t lo = 0;
  std::uintptr_t hi = 0;
};

// The running thread's own stack (for plain threads and workers' g0).
[[gnu::noinline]] stack_bounds thread_stack_bounds() noexcept {
  asm volatile("");
  thread_local stack_bounds cached;
  if (cached.hi == 0) {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      std::size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        cached.lo = reinterpret_cast<std::uintptr_t>(addr);
        cached.hi = cached.lo + size;
      }
      pthread_attr_destroy(&attr);
    }
  }
  return cached;
}

stack_bounds current_bounds() noexcept {
  if (on_goroutine()) {
    g* me = current_g();
    return {reinterpret_cast<std::uintptr_t>(me->stack_lo), reinterpret_cast<std::uintptr_t>(me)};
  }
  return thread_stack_bounds();
}

} // namespace

void this_thread_stack(std::uintptr_t* lo, std::uintptr_t* hi) noexcept {
  stack_bounds b = thread_stack_bounds();
  *lo = b.lo;
  *hi = b.hi;
}

namespace {

// Walks from the frame at fp, the caller's frame first.
[[gnu::always_inline]] inline void walk_frames(captured_stack& out, stack_bounds b,
                                               std::uintptr_t fp) noexcept {
  out.depth = 0;
  while (out.depth < captured_depth) {
    if (fp < b.lo || fp + 2 * sizeof(void*) > b.hi || (fp & (sizeof(void*) - 1)) != 0)
      break;
    auto* slot = reinterpret_cast<void* const*>(fp);
    void* ret = slot[1];
    auto next = reinterpret_cast<std::uintptr_t>(slot[0]);
    if (ret == nullptr)
      break;
    out.pc[out.depth++] = ret;
    if (next <= fp)
      break;
    fp = next;
  }
}

} // namespace

[[gnu::noinline]] void capture_stack(captured_stack& out) noexcept {
  walk_frames(out, current_bounds(), reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)));
}

[[gnu::noinline]] void capture_stack(captured_stack& out, const g& self) noexcept {
  stack_bounds b = self.is_fiber ? stack_bounds{reinterpret_cast<std::uintptr_t>(self.stack_lo),
                                                reinterpret_cast<std::uintptr_t>(&self)}
                                 : thread_stack_bounds();
  walk_frames(out, b, reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)));
}

std::vector<symbol_frame> symbolize_stack(const captured_stack& stack) {
  // Reports show the frames a user can act on: their own code. goro's and the
  // standard library's frames (std::invoke, the fiber entry, ...) are left
  // out; if nothing else remains, the library's frames are shown, except the
  // debug runtime's own.
  // Frames beyond `main` are the C runtime's start code, never shown (main is
  // user code): they are not symbolized, which spares the symbolizer loading
  // libc's debug information (a quarter of a second).
  std::vector<symbol_frame> library, user;
  bool reached_main = false;
  for (int i = 0; i < stack.depth && !reached_main; ++i) {
    for (symbol_frame& f : symbolize_return_address(stack.pc[i])) {
      reached_main |= f.function == "main";
      if (!is_library_file(f.file))
        user.push_back(f);
      else if (f.file.find("/runtime/src/debug/") == std::string::npos)
        library.push_back(std::move(f));
    }
  }
  if (!user.empty())
    return user;
  // Start at the public call (goro::mutex::lock), not in the runtime's insides.
  auto first_public = std::find_if(library.begin(), library.end(), [](const symbol_frame& f) {
    return !f.function.starts_with("goro::detail::");
  });
  if (first_public != library.end())
    library.erase(library.begin(), first_public);
  return library;
}

debug::site first_user_site(const captured_stack& stack) {
  for (int i = 0; i < stack.depth; ++i) {
    for (const symbol_frame& f : symbolize_return_address(stack.pc[i])) {
      if (!is_library_file(f.file))
        return debug::site{f.file, f.line, f.column, f.function};
    }
  }
  return {};
}

} // namespace goro::detail
