// stack.cpp — slab allocation of goroutine stacks (see stack.hpp).
//
// Invariants: the cursor's lock protects the current slab's cursor. Stacks
// are never unmapped (except in TSan builds, see stack.hpp): a goroutine's stack goes back to the
// scheduler's free list with its g (which lives at the top of the stack), and stack_trim hands
// pages that are no longer needed back to the kernel.
#include "stack.hpp"

#include <cstring>
#include <new>

#include <sys/mman.h>
#include <unistd.h>

#include "env.hpp"
#include "spin_lock.hpp"
#include "tsan.hpp"

namespace goro::detail {
namespace {

constexpr std::size_t stacks_per_slab = 64;
constexpr std::size_t canary_offset_from_page_end = 64;

std::size_t page_size() noexcept {
  static const std::size_t size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

std::uintptr_t page_floor(std::uintptr_t a) noexcept {
  return a & ~(page_size() - 1);
}
std::uintptr_t page_ceil(std::uintptr_t a) noexcept {
  return page_floor(a + page_size() - 1);
}

struct slab_cursor {
  spin_lock lock;
  char* next = nullptr;
  std::size_t left = 0;
};
slab_cursor& cursor() noexcept {
  static auto* c = new slab_cursor; // never destroyed: stacks outlive static destructors
  return *c;
}

char* map_or_throw(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw std::bad_alloc();
  return static_cast<char*>(p);
}

} // namespace

std::size_t stack_size() noexcept {
  static const std::size_t size = page_ceil(env().stack_size);
  return size;
}

stack_region stack_alloc() {
  const std::size_t size = stack_size();
  stack_region s;
  s.size = size;
  if (env().guard_pages || tsan_enabled) {
    // TSan builds: a mapping per stack, unmapped when the goroutine is freed
    // (stack_release); one VMA unless guard pages are asked for as well.
    char* base = map_or_throw(size + page_size());
    if (env().guard_pages)
      mprotect(base, page_size(), PROT_NONE);
    s.lo = base + page_size();
  } else {
    slab_cursor& c = cursor();
    c.lock.lock();
    if (c.left == 0) {
      c.lock.unlock();
      // One extra page: every stack is shifted up by almost a page (see stack.hpp).
      char* slab = map_or_throw(size * stacks_per_slab + page_size());
      c.lock.lock();
      if (c.left == 0) {
        c.next = slab + page_size() - canary_offset_from_page_end;
        c.left = stacks_per_slab;
        slab = nullptr;
      }
      if (slab != nullptr) // another thread refilled the cursor meanwhile
        munmap(slab, size * stacks_per_slab + page_size());
    }
    s.lo = c.next;
    c.next += size;
    --c.left;
    c.lock.unlock();
  }
  stack_set_canary(s);
  return s;
}

void stack_set_canary(const stack_region& s) noexcept {
  std::memcpy(s.lo, &stack_canary, sizeof stack_canary);
}

void stack_release(const stack_region& s) noexcept {
  munmap(s.lo - page_size(), s.size + page_size());
}

void stack_trim(const stack_region& s, std::size_t keep_top) noexcept {
  auto lo = reinterpret_cast<std::uintptr_t>(s.lo);
  std::uintptr_t begin = page_ceil(lo + sizeof stack_canary);
  std::uintptr_t end = page_floor(lo + s.size - keep_top);
  if (end > begin)
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

} // namespace goro::detail
