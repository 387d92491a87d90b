// netpoll.hpp — the network poller: epoll plus an eventfd to interrupt it.
//
// At most one idle worker at a time sleeps in netpoll() (the "poller"), until
// the earliest timer, an I/O event or netpoll_break(). Goroutines waiting for
// a file descriptor park on a pollable (added by the HTTP issue); the poller
// readies them.
#pragma once

#include <cstdint>

namespace goro::detail {

void netpoll_init() noexcept;
// Makes a concurrent or the next netpoll() return promptly. Async-signal-safe.
void netpoll_break() noexcept;
// Waits until deadline_ns (INT64_MAX: no deadline; <= now: do not block) for
// I/O or a break; readies the goroutines whose descriptors are ready and
// returns how many.
int netpoll(std::int64_t deadline_ns) noexcept;

} // namespace goro::detail
