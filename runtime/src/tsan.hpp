// tsan.hpp — what the runtime tells ThreadSanitizer (the tsan preset).
//
// In a -fsanitize=thread build the runtime's own code is compiled without
// memory-access and atomic instrumentation (runtime/CMakeLists.txt): TSan
// does not see the run queues, the spin locks or the futexes, exactly as Go's
// race detector does not see Go's runtime. What it must know is declared here
// and called from the runtime:
//   - goroutines are fibers: one TSan fiber per goroutine, created at spawn
//     (which also makes everything the spawner did before go() happen before
//     the goroutine starts), switched to right before goro_fiber_switch
//     without synchronisation (running on the same worker is not an
//     ordering), destroyed when the g is freed;
//   - every happens-before edge the API promises is a release on a stable
//     address by one side and an acquire of it by the other, modelled on Go's
//     runtime (chan.go's raceacquire/racerelease, sync's race annotations).
//     A parked g releases on its own g before it parks and acquires it when
//     it resumes (park() in sched.cpp), so a waker that acquires and releases
//     that g around the work it does for the waiter (a channel hand-over)
//     ties the two together in both directions, like Go's racesync.
// In every other build each function here is an empty inline function.
#pragma once

#include <cstddef>

#if defined(__SANITIZE_THREAD__)
#define GORO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GORO_TSAN 1
#endif
#endif

#ifdef GORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace goro::detail {

#ifdef GORO_TSAN
inline constexpr bool tsan_enabled = true;

// Everything the calling context did so far happens before whatever a later
// tsan_acquire(addr) caller does next (releases accumulate).
inline void tsan_release(const void* addr) noexcept {
  __tsan_release(const_cast<void*>(addr));
}
inline void tsan_acquire(const void* addr) noexcept {
  __tsan_acquire(const_cast<void*>(addr));
}

// Fibers. tsan_switch_to must be the last thing before goro_fiber_switch:
// TSan attributes every event after it to the new fiber.
inline void* tsan_current_fiber() noexcept {
  return __tsan_get_current_fiber();
}
inline void* tsan_create_fiber() noexcept {
  return __tsan_create_fiber(0);
}
inline void tsan_destroy_fiber(void* fiber) noexcept {
  __tsan_destroy_fiber(fiber);
}
inline void tsan_switch_to(void* fiber) noexcept {
  __tsan_switch_to_fiber(fiber, __tsan_switch_to_fiber_no_sync);
}
inline void tsan_set_fiber_name(void* fiber, const char* name) noexcept {
  __tsan_set_fiber_name(fiber, name);
}

// Memory accesses and synchronisation inside the enclosed region are not
// reported to TSan. The runtime's own code is not instrumented, but the libc
// functions it calls are intercepted (memmove when a std::vector grows, free
// of the old buffer): around runtime-internal containers that are guarded by
// the (invisible) spin locks, those accesses would look like races. Never
// around a call into the user's code.
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);
inline void tsan_ignore_begin() noexcept {
  __tsan_ignore_thread_begin();
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
}
inline void tsan_ignore_end() noexcept {
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  __tsan_ignore_thread_end();
}
struct tsan_ignore_scope {
  tsan_ignore_scope() noexcept { tsan_ignore_begin(); }
  ~tsan_ignore_scope() { tsan_ignore_end(); }
  tsan_ignore_scope(const tsan_ignore_scope&) = delete;
  tsan_ignore_scope& operator=(const tsan_ignore_scope&) = delete;
};

// Synchronisation inside the enclosed region (the runtime's own std::mutex
// in the symbolizer, its pipes) is not reported to TSan: it would order the
// goroutines that happen to pass through it. Memory accesses are still seen.
struct tsan_ignore_sync_scope {
  tsan_ignore_sync_scope() noexcept { AnnotateIgnoreSyncBegin(__FILE__, __LINE__); }
  ~tsan_ignore_sync_scope() { AnnotateIgnoreSyncEnd(__FILE__, __LINE__); }
  tsan_ignore_sync_scope(const tsan_ignore_sync_scope&) = delete;
  tsan_ignore_sync_scope& operator=(const tsan_ignore_sync_scope&) = delete;
};
#else
inline constexpr bool tsan_enabled = false;
inline void tsan_release(const void*) noexcept {}
inline void tsan_acquire(const void*) noexcept {}
inline void* tsan_current_fiber() noexcept {
  return nullptr;
}
inline void* tsan_create_fiber() noexcept {
  return nullptr;
}
inline void tsan_destroy_fiber(void*) noexcept {}
inline void tsan_switch_to(void*) noexcept {}
inline void tsan_set_fiber_name(void*, const char*) noexcept {}
inline void tsan_ignore_begin() noexcept {}
inline void tsan_ignore_end() noexcept {}
// Not trivial, so that a scope object is no "unused variable" here.
struct tsan_ignore_scope {
  tsan_ignore_scope() noexcept {}
  ~tsan_ignore_scope() {}
};
struct tsan_ignore_sync_scope {
  tsan_ignore_sync_scope() noexcept {}
  ~tsan_ignore_sync_scope() {}
};
#endif

// Runs f, a system call on a descriptor the runtime owns (its sockets), with
// TSan ignoring it: TSan's descriptor interceptors treat a descriptor as
// memory (close vs. a read of it elsewhere) and order whoever writes to and
// reads from sockets; the runtime orders its own uses of a descriptor with
// its invisible locks and the netpoller. The bytes read into a buffer are
// not recorded either.
template <class F>
auto tsan_ignored(F&& f) {
  tsan_ignore_scope runtime_only;
  return f();
}

} // namespace goro::detail
