// netpoll.cpp — epoll-based poller (see netpoll.hpp).
//
// Invariants: the epoll and event descriptors are created once and never
// closed (workers may poll during exit). break_pending_ coalesces breaks: at
// most one unread eventfd increment is outstanding.
#include "netpoll.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sched.hpp"

namespace goro::detail {
namespace {

int epoll_fd = -1;
int event_fd = -1;
std::atomic<bool> break_pending{false};
std::atomic<bool> have_pwait2{true};

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "goro: netpoll: %s failed (errno %d)\n", what, errno);
  std::abort();
}

} // namespace

void netpoll_init() noexcept {
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
  if (break_pending.exchange(true, std::memory_order_acq_rel))
    return;
  std::uint64_t one = 1;
  ssize_t n = write(event_fd, &one, sizeof one);
  (void)n; // EAGAIN only when the counter is saturated: a wake is pending anyway
}

int netpoll(std::int64_t deadline_ns) noexcept {
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
    if (events[i].data.ptr == nullptr) {
      std::uint64_t value;
      while (read(event_fd, &value, sizeof value) > 0) {
      }
      break_pending.store(false, std::memory_order_release);
      continue;
    }
    // Descriptor events: the HTTP issue's pollable type lives in data.ptr.
  }
  return readied;
}

} // namespace goro::detail
