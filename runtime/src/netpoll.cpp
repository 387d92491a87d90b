// netpoll.cpp — epoll-based poller (see netpoll.hpp). Modelled on Go's
// runtime/netpoll.go.
//
// Each direction of a poll_desc has a slot: 0 (nothing), ready (an event
// arrived and was not consumed yet), wait (a goroutine is about to park), or
// the parked g. Wakers move a slot to `ready` (I/O) or back to 0 (timeout,
// interrupt) and ready the g they found; a goroutine parks by moving
// 0 -> wait, then, once its context is saved (park's callback), wait -> g.
// If that last step fails, something woke it meanwhile and the callback
// readies it at once. The waiter always re-checks closing and its deadline
// after waking, so a wake never means more than "look again".
//
// poll_descs are never freed, only recycled: a stale epoll event for a
// recycled descriptor can only cause a spurious "look again".
//
// Invariants: the epoll and event descriptors are created once and never
// closed (workers may poll during exit). Every break writes the eventfd: a
// coalescing flag would have to be cleared around the poller's drain, and
// either order loses a break meant for the next poller.
#include "netpoll.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <system_error>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hooks.hpp"
#include "sched.hpp"
#include "spin_lock.hpp"
#include "timer.hpp"
#include "tsan.hpp"

namespace goro::detail {

struct poll_desc {
  int fd = -1;
  std::atomic<std::uintptr_t> slot[2] = {0, 0}; // [read, write]
  std::atomic<bool> closing{false};
  std::atomic<bool> kicked[2] = {false, false}; // netpoll_kick: the next wait times out
  owned_timer_node deadline[2];                 // wakes a waiter at its deadline
  poll_desc* next_free = nullptr;
};

namespace {

constexpr std::uintptr_t slot_empty = 0;
constexpr std::uintptr_t slot_ready = 1;
constexpr std::uintptr_t slot_wait = 2;

int epoll_fd = -1;
int event_fd = -1;
std::atomic<bool> have_pwait2{true};
std::atomic<std::int64_t> registered{0};
std::atomic<std::int64_t> waiting{0};

spin_lock free_lock;
poll_desc* free_list = nullptr;

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "goro: netpoll: %s failed (errno %d)\n", what, errno);
  std::abort();
}

// Moves a slot on a wake-up; returns the g to ready, if one was parked.
g* unblock(std::atomic<std::uintptr_t>& slot, bool io_ready) noexcept {
  for (;;) {
    std::uintptr_t old = slot.load(std::memory_order_acquire);
    if (old == slot_ready)
      return nullptr;
    if (old == slot_empty && !io_ready)
      return nullptr; // nobody waits; timeouts and interrupts are re-checked by the next wait
    std::uintptr_t next = io_ready ? slot_ready : slot_empty;
    if (slot.compare_exchange_weak(old, next, std::memory_order_acq_rel))
      return old > slot_wait ? reinterpret_cast<g*>(old) : nullptr;
  }
}

void wake(poll_desc* pd, int mode, bool io_ready) noexcept {
  if (g* gp = unblock(pd->slot[mode], io_ready))
    ready(gp);
}

struct commit_args {
  std::atomic<std::uintptr_t>* slot;
  g* me;
};

// park()'s callback: wait -> g, or, if woken meanwhile, run again at once.
void commit_park(void* arg) noexcept {
  auto* a = static_cast<commit_args*>(arg);
  std::uintptr_t expected = slot_wait;
  if (!a->slot->compare_exchange_strong(expected, reinterpret_cast<std::uintptr_t>(a->me),
                                        std::memory_order_acq_rel))
    ready(a->me);
}

void deadline_fire(timer_node* t, std::uint64_t, std::int64_t) noexcept {
  auto* pd = timer_owner<poll_desc>(t);
  int mode = t == &pd->deadline[0] ? 0 : 1;
  wake(pd, mode, false);
}
void no_ref(timer_node*) noexcept {}
const timer_ops deadline_ops{&deadline_fire, &no_ref, &no_ref};

poll_result wait_on_thread(poll_desc* pd, poll_mode mode, std::int64_t deadline_ns) {
  for (;;) {
    if (pd->closing.load(std::memory_order_acquire))
      return poll_result::closed;
    if (pd->kicked[mode == poll_mode::read ? 0 : 1].exchange(false, std::memory_order_acq_rel))
      return poll_result::timeout;
    int timeout_ms = -1;
    if (deadline_ns != INT64_MAX) {
      std::int64_t left = deadline_ns - now_ns();
      if (left <= 0)
        return poll_result::timeout;
      timeout_ms = static_cast<int>(std::min<std::int64_t>((left + 999'999) / 1'000'000, INT_MAX));
    }
    pollfd p{pd->fd, static_cast<short>(mode == poll_mode::read ? POLLIN : POLLOUT), 0};
    int n = ::poll(&p, 1, timeout_ms);
    if (n > 0)
      return poll_result::ready;
    if (n < 0 && errno != EINTR)
      return poll_result::ready; // let the caller's system call report the error
  }
}

} // namespace

void netpoll_init() noexcept {
  // The poller's own descriptors: their creation and uses are ordered by the
  // runtime, not by anything TSan sees (tsan_ignored, tsan.hpp).
  tsan_ignore_scope runtime_only;
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0)
    fatal("epoll_create1");
  event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (event_fd < 0)
    fatal("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr; // nullptr marks the break event
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, event_fd, &ev) != 0)
    fatal("epoll_ctl");
}

void netpoll_break() noexcept {
  std::uint64_t one = 1;
  ssize_t n = tsan_ignored([&] { return write(event_fd, &one, sizeof one); });
  (void)n; // EAGAIN only when the counter is saturated: a wake is pending anyway
}

bool netpoll_active() noexcept {
  return registered.load(std::memory_order_relaxed) > 0;
}

std::int64_t netpoll_waiting() noexcept {
  return waiting.load(std::memory_order_seq_cst);
}

int netpoll(std::int64_t deadline_ns) noexcept {
  // TSan's epoll interceptors would order the poller after every goroutine
  // that registered a descriptor; the poller's thread then passes that to
  // timers and goroutines it touches. Readiness is not an ordering in goro.
  tsan_ignore_scope no_sync; // and its reads of the break eventfd
  epoll_event events[128];
  int n;
  std::int64_t wait_ns = 0;
  if (deadline_ns == INT64_MAX) {
    wait_ns = -1;
  } else {
    std::int64_t now = now_ns();
    wait_ns = deadline_ns > now ? deadline_ns - now : 0;
  }
  if (wait_ns > 0 && have_pwait2.load(std::memory_order_relaxed)) {
    timespec ts{static_cast<time_t>(wait_ns / 1'000'000'000),
                static_cast<long>(wait_ns % 1'000'000'000)};
    n = epoll_pwait2(epoll_fd, events, 128, &ts, nullptr);
    if (n < 0 && errno == ENOSYS) {
      have_pwait2.store(false, std::memory_order_relaxed);
      n = epoll_wait(epoll_fd, events, 128, static_cast<int>((wait_ns + 999'999) / 1'000'000));
    }
  } else {
    int ms = wait_ns < 0 ? -1 : static_cast<int>((wait_ns + 999'999) / 1'000'000);
    n = epoll_wait(epoll_fd, events, 128, ms);
  }
  if (n < 0)
    return 0; // EINTR: the caller loops
  int readied = 0;
  for (int i = 0; i < n; ++i) {
    auto* pd = static_cast<poll_desc*>(events[i].data.ptr);
    if (pd == nullptr) {
      std::uint64_t value;
      while (read(event_fd, &value, sizeof value) > 0) {
      }
      continue;
    }
    std::uint32_t ev = events[i].events;
    if ((ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
      if (g* gp = unblock(pd->slot[0], true)) {
        ready(gp);
        ++readied;
      }
    }
    if ((ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
      if (g* gp = unblock(pd->slot[1], true)) {
        ready(gp);
        ++readied;
      }
    }
  }
  return readied;
}

poll_desc* netpoll_open(int fd) {
  ensure_started();
  free_lock.lock();
  poll_desc* pd = free_list;
  if (pd != nullptr)
    free_list = pd->next_free;
  free_lock.unlock();
  if (pd == nullptr)
    pd = new poll_desc; // never freed (see the file comment)
  pd->fd = fd;
  pd->slot[0].store(slot_empty, std::memory_order_relaxed);
  pd->slot[1].store(slot_empty, std::memory_order_relaxed);
  pd->closing.store(false, std::memory_order_relaxed);
  pd->kicked[0].store(false, std::memory_order_relaxed);
  pd->kicked[1].store(false, std::memory_order_relaxed);
  for (owned_timer_node& t : pd->deadline) {
    t.ops = &deadline_ops;
    t.owner = pd;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = pd;
  // TSan would count the registration as an access to fd and a release on
  // the epoll descriptor (tsan_ignored, tsan.hpp).
  if (tsan_ignored([&] { return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev); }) != 0) {
    int err = errno;
    free_lock.lock();
    pd->next_free = free_list;
    free_list = pd;
    free_lock.unlock();
    throw std::system_error(err, std::generic_category(), "netpoll: epoll_ctl(ADD)");
  }
  registered.fetch_add(1, std::memory_order_relaxed);
  return pd;
}

void netpoll_interrupt(poll_desc* pd) noexcept {
  pd->closing.store(true, std::memory_order_release);
  wake(pd, 0, false);
  wake(pd, 1, false);
}

void netpoll_kick(poll_desc* pd, poll_mode mode) noexcept {
  int m = mode == poll_mode::read ? 0 : 1;
  pd->kicked[m].store(true, std::memory_order_release);
  wake(pd, m, false);
}

void netpoll_close(poll_desc* pd) noexcept {
  netpoll_interrupt(pd);
  tsan_ignored([&] { return epoll_ctl(epoll_fd, EPOLL_CTL_DEL, pd->fd, nullptr); });
  timer_remove(&pd->deadline[0]);
  timer_remove(&pd->deadline[1]);
  registered.fetch_sub(1, std::memory_order_relaxed);
  pd->fd = -1;
  free_lock.lock();
  pd->next_free = free_list;
  free_list = pd;
  free_lock.unlock();
}

poll_result netpoll_wait(poll_desc* pd, poll_mode mode, std::int64_t deadline_ns,
                         const std::source_location& where) {
  if (!on_goroutine())
    return wait_on_thread(pd, mode, deadline_ns);
  int m = mode == poll_mode::read ? 0 : 1;
  std::atomic<std::uintptr_t>& slot = pd->slot[m];
  for (;;) {
    if (pd->closing.load(std::memory_order_acquire))
      return poll_result::closed;
    if (pd->kicked[m].exchange(false, std::memory_order_acq_rel))
      return poll_result::timeout;
    std::uintptr_t old = slot.load(std::memory_order_acquire);
    if (old == slot_ready) {
      if (slot.compare_exchange_weak(old, slot_empty, std::memory_order_acq_rel))
        return poll_result::ready;
      continue;
    }
    if (deadline_ns != INT64_MAX && now_ns() >= deadline_ns)
      return poll_result::timeout;
    if (old != slot_empty) {
      std::fprintf(stderr, "goro: two goroutines wait to %s the same descriptor %d\n",
                   m == 0 ? "read" : "write", pd->fd);
      std::abort();
    }
    if (!slot.compare_exchange_weak(old, slot_wait, std::memory_order_acq_rel))
      continue;
    // An interrupt or kick between the checks above and `wait` found an empty
    // slot and woke nobody: look again before parking (Go's netpollblock
    // re-checks its errors after setting pdWait for the same reason). A
    // failed reset means a waker already moved the slot (to empty, or to
    // ready, which must be kept for the next wait).
    if (pd->closing.load(std::memory_order_acquire) ||
        pd->kicked[m].load(std::memory_order_acquire)) {
      std::uintptr_t waiting_slot = slot_wait;
      slot.compare_exchange_strong(waiting_slot, slot_empty, std::memory_order_acq_rel);
      continue;
    }
    owned_timer_node& timer = pd->deadline[m];
    if (deadline_ns != INT64_MAX) {
      timer.when = deadline_ns;
      timer_add(&timer);
    }
    commit_args args{&slot, current_g()};
    waiting.fetch_add(1, std::memory_order_seq_cst);
    park(wait_site{m == 0 ? "IO wait (read)" : "IO wait (write)", &where, nullptr,
                   wait_kind::io_wait, pd},
         &commit_park, &args);
    waiting.fetch_sub(1, std::memory_order_seq_cst);
    if (deadline_ns != INT64_MAX)
      timer_remove(&timer);
  }
}

} // namespace goro::detail
