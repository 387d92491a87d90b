// debug/describe.cpp — how reports name goroutines and threads and where
// they place them: the user-code line, from the API's std::source_location
// when it has one, else from the captured stack.
//
// Everything here works on g_records (copies), never on a live g: a report
// may be written while the goroutine it describes exits.
#include "../introspect.hpp"
#include "runtime_state.hpp"
#include "stack_capture.hpp"

namespace goro::detail {

g_record record_of(const g& gp) noexcept {
  g_record r;
  r.id = gp.id;
  r.is_fiber = gp.is_fiber;
  r.main_thread = gp.dbg.main_thread;
  r.tid = gp.dbg.tid;
  r.state = gp.state.load(std::memory_order_acquire);
  r.wait_reason = gp.wait_reason;
  r.kind = gp.dbg.waiting_kind.load(std::memory_order_acquire);
  r.waiting_on = gp.dbg.waiting_on.load(std::memory_order_acquire);
  r.spawn_pc = gp.spawn_pc;
  r.spawn_loc = gp.spawn_loc;
  r.has_spawn_loc = gp.has_spawn_loc;
  r.blocked_at = gp.blocked_at;
  r.has_blocked_at = gp.has_blocked_at;
  r.blocked_pc = gp.blocked_pc;
  r.spawn_stack = gp.dbg.spawn_stack;
  r.block_stack = gp.dbg.block_stack;
  return r;
}

std::string goroutine_name(const g_record& r) {
  if (r.is_fiber)
    return "goroutine " + std::to_string(r.id);
  if (r.main_thread)
    return "the main thread";
  return "thread " + std::to_string(r.tid);
}

std::string goroutine_name(const g& gp) {
  if (gp.is_fiber)
    return "goroutine " + std::to_string(gp.id);
  if (gp.dbg.main_thread)
    return "the main thread";
  return "thread " + std::to_string(gp.dbg.tid);
}

debug::site spawn_site_of(const g_record& r) {
  const captured_stack& st = r.spawn_stack;
  if (!r.is_fiber)
    return {};
  if (r.has_spawn_loc)
    return site_from_location(r.spawn_loc, st.pc, st.depth);
  debug::site s = first_user_site(st);
  return s.file.empty() ? user_site(r.spawn_pc) : s;
}

debug::site block_site_of(const g_record& r) {
  const captured_stack& st = r.block_stack;
  if (r.has_blocked_at)
    return site_from_location(r.blocked_at, st.pc, st.depth);
  debug::site s = first_user_site(st);
  return s.file.empty() ? user_site(r.blocked_pc) : s;
}

debug::site blocked_or_spawn_site(const g_record& r) {
  debug::site s = block_site_of(r);
  if (s.file.empty() && r.is_fiber)
    return spawn_site_of(r);
  return s;
}

std::vector<symbol_frame> spawn_frames_of(const g_record& r) {
  return symbolize_stack(r.spawn_stack);
}

std::vector<symbol_frame> block_frames_of(const g_record& r) {
  return symbolize_stack(r.block_stack);
}

} // namespace goro::detail
