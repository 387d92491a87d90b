// debug/chan_state.hpp — what the debug runtime records per channel.
//
// `handles` lists every live chan_handle (chan, send_chan, recv_chan object)
// that refers to the channel, by address: the "certain leak" analysis decides
// who can still reach the channel from where those objects live (a
// goroutine's stack or closure, or anywhere else). `version` changes with
// every change of `handles`, so an analysis can tell whether what it read
// stayed true while it read it.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <vector>

#include "../spin_lock.hpp"

namespace goro::detail {

struct debug_chan_state {
  spin_lock lock; // guards handles, closed_at, made_at
  std::vector<const void*> handles;
  std::atomic<std::uint64_t> version{0};
  std::source_location made_at{};
  std::source_location closed_at{};
  bool closed = false;
};

} // namespace goro::detail
