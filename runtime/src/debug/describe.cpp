// debug/describe.cpp — how reports name goroutines and threads and where
// they place them: the user-code line, from the API's std::source_location
// when it has one, else from the captured stack.
#include "../introspect.hpp"
#include "runtime_state.hpp"
#include "stack_capture.hpp"

namespace goro::detail {

std::string goroutine_name(const g& gp) {
  if (gp.is_fiber)
    return "goroutine " + std::to_string(gp.id);
  if (gp.dbg.main_thread)
    return "the main thread";
  return "thread " + std::to_string(gp.dbg.tid);
}

debug::site spawn_site_of(const g& gp) {
  const captured_stack& st = gp.dbg.spawn_stack;
  if (gp.has_spawn_loc)
    return site_from_location(gp.spawn_loc, st.pc, st.depth);
  debug::site s = first_user_site(st);
  return s.file.empty() ? user_site(gp.spawn_pc) : s;
}

debug::site block_site_of(const g& gp) {
  const captured_stack& st = gp.dbg.block_stack;
  if (gp.has_blocked_at)
    return site_from_location(gp.blocked_at, st.pc, st.depth);
  debug::site s = first_user_site(st);
  return s.file.empty() ? user_site(gp.blocked_pc) : s;
}

std::vector<symbol_frame> spawn_frames_of(const g& gp) {
  return symbolize_stack(gp.dbg.spawn_stack);
}

std::vector<symbol_frame> block_frames_of(const g& gp) {
  return symbolize_stack(gp.dbg.block_stack);
}

} // namespace goro::detail
