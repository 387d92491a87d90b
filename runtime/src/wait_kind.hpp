// wait_kind.hpp — small vocabulary shared by the core and the debug runtime.
#pragma once

namespace goro::detail {

// What a parked g waits on, for the wait-for graph.
enum class wait_kind : unsigned char {
  none,
  chan_send,
  chan_recv,
  select,
  nil_chan,
  mutex,
  rw_read,
  rw_write,
  wait_group,
  cond,
  sleep,
  blocking_call,
  io_wait,
};

// Rule ids of the misuse findings (see docs/runtime.md).
enum class misuse : unsigned char {
  send_on_closed,
  close_of_closed,
  close_of_nil,
  negative_wait_group,
  unlock_of_unlocked,
};

} // namespace goro::detail
