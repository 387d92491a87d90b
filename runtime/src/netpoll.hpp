// netpoll.hpp — the network poller: epoll plus an eventfd to interrupt it.
//
// At most one idle worker at a time sleeps in netpoll() (the "poller"), until
// the earliest timer, an I/O event or netpoll_break(); busy workers also poll
// without blocking now and then. A goroutine waiting for a descriptor parks on
// its poll_desc (Go's pollDesc) and the poller readies it: no thread blocks.
//
// Use, for a non-blocking descriptor: try the system call first; on EAGAIN,
// netpoll_wait() and try again. Descriptors are registered edge-triggered, so
// waiting only after EAGAIN is what makes that correct.
#pragma once

#include <cstdint>
#include <source_location>

namespace goro::detail {

void netpoll_init() noexcept;
// Makes a concurrent or the next netpoll() return promptly. Async-signal-safe.
void netpoll_break() noexcept;
// Waits until deadline_ns (INT64_MAX: no deadline; <= now: do not block) for
// I/O or a break; readies the goroutines whose descriptors are ready and
// returns how many.
int netpoll(std::int64_t deadline_ns) noexcept;
// True when some descriptor is registered (busy workers then poll too).
bool netpoll_active() noexcept;
// Goroutines parked on descriptors now (they wake by outside events).
std::int64_t netpoll_waiting() noexcept;

struct poll_desc;
enum class poll_mode : unsigned char { read, write };
enum class poll_result : unsigned char { ready, timeout, closed };

// Registers a non-blocking descriptor. Throws std::system_error.
poll_desc* netpoll_open(int fd);
// Deregisters; goroutines waiting on it wake with poll_result::closed. The
// caller closes the descriptor afterwards and never uses pd again.
void netpoll_close(poll_desc* pd) noexcept;
// Wakes goroutines waiting on pd with `closed` and makes later waits return
// it too, without deregistering (shutdown of a connection in use).
void netpoll_interrupt(poll_desc* pd) noexcept;
// Makes the current wait for `mode` on pd return poll_result::timeout now,
// before its deadline; with no goroutine waiting, the next wait returns at
// once instead (Go: a deadline set in the past). pd stays open. A waiter
// that gets `timeout` re-checks its own condition, so a kick that finds
// nobody costs a later waiter one spurious round. Goroutine waiters only: a
// plain thread in poll(2) sees it when its poll returns.
void netpoll_kick(poll_desc* pd, poll_mode mode) noexcept;
// Parks until the descriptor may be ready for `mode`, the deadline passes
// (INT64_MAX: never), pd is closed/interrupted or kicked. From a plain thread it
// blocks the thread in poll(2).
poll_result netpoll_wait(poll_desc* pd, poll_mode mode, std::int64_t deadline_ns,
                         const std::source_location& where = std::source_location::current());

} // namespace goro::detail
