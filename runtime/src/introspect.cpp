// introspect.cpp — debug::goroutines() and debug::dump(): a snapshot of every
// live goroutine with its state and user-code sites.
//
// The snapshot copies raw fields under the registry's locks and symbolizes
// afterwards, so printing never holds a scheduler lock.
#include "introspect.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <string>

#include "sched.hpp"
#include "symbolize.hpp"

namespace goro::detail {
namespace {

struct raw_goroutine {
  std::uint64_t id;
  g_state state;
  const char* wait_reason;
  void* spawn_pc;
  std::source_location spawn_loc;
  bool has_spawn_loc;
  std::source_location blocked_at;
  bool has_blocked_at;
  void* blocked_pc;
};

debug::state public_state(g_state s) {
  switch (s) {
  case g_state::running:
    return debug::state::running;
  case g_state::waiting:
    return debug::state::blocked;
  case g_state::sleeping:
    return debug::state::sleeping;
  case g_state::dead:
    return debug::state::done;
  case g_state::idle:
  case g_state::runnable:
    break;
  }
  return debug::state::runnable;
}

const char* state_name(debug::state s) {
  switch (s) {
  case debug::state::runnable:
    return "runnable";
  case debug::state::running:
    return "running";
  case debug::state::blocked:
    return "blocked";
  case debug::state::sleeping:
    return "sleeping";
  case debug::state::done:
    return "done";
  }
  return "?";
}

raw_goroutine snapshot(const g& gp) {
  return raw_goroutine{gp.id,          gp.state.load(std::memory_order_relaxed),
                       gp.wait_reason, gp.spawn_pc,
                       gp.spawn_loc,   gp.has_spawn_loc,
                       gp.blocked_at,  gp.has_blocked_at,
                       gp.blocked_pc};
}

debug::goroutine_info resolve(const raw_goroutine& r) {
  debug::goroutine_info info;
  info.id = r.id;
  info.st = public_state(r.state);
  void* hint = r.spawn_pc;
  info.created_at =
      r.has_spawn_loc ? site_from_location(r.spawn_loc, &hint, 1) : user_site(r.spawn_pc);
  if (info.st == debug::state::blocked || info.st == debug::state::sleeping) {
    info.wait_reason = r.wait_reason;
    info.blocked_at =
        r.has_blocked_at ? site_from_location(r.blocked_at, &hint, 1) : user_site(r.blocked_pc);
  }
  return info;
}

} // namespace

std::string format_site(const debug::site& s) {
  if (s.file.empty())
    return s.function.empty() ? "an unknown site" : "an unknown site in " + s.function;
  std::string out = s.file + ":" + std::to_string(s.line);
  if (s.column != 0)
    out += ":" + std::to_string(s.column);
  if (!s.function.empty())
    out += " in " + s.function;
  return out;
}

debug::site spawn_site(const g& gp) {
  void* hint = gp.spawn_pc;
  return gp.has_spawn_loc ? site_from_location(gp.spawn_loc, &hint, 1) : user_site(gp.spawn_pc);
}

debug::site blocked_site(const g& gp) {
  void* hint = gp.spawn_pc;
  return gp.has_blocked_at ? site_from_location(gp.blocked_at, &hint, 1) : user_site(gp.blocked_pc);
}

void describe_spawn_site(const g& gp, char* out, std::size_t size) noexcept {
  try {
    std::string text = format_site(spawn_site(gp));
    std::snprintf(out, size, "%s", text.c_str());
  } catch (...) {
    std::snprintf(out, size, "an unknown site");
  }
}

} // namespace goro::detail

namespace goro::debug {

std::vector<goroutine_info> goroutines() {
  std::vector<detail::raw_goroutine> raw;
  detail::for_each_goroutine([&](const detail::g& gp) { raw.push_back(detail::snapshot(gp)); });
  std::sort(raw.begin(), raw.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<goroutine_info> out;
  out.reserve(raw.size());
  for (const detail::raw_goroutine& r : raw)
    out.push_back(detail::resolve(r));
  return out;
}

void dump(std::ostream& out) {
  std::vector<goroutine_info> all = goroutines();
  out << "goro: " << all.size() << (all.size() == 1 ? " goroutine\n" : " goroutines\n");
  for (const goroutine_info& info : all) {
    out << "\ngoroutine " << info.id << " [" << detail::state_name(info.st);
    if (!info.wait_reason.empty())
      out << ", " << info.wait_reason;
    out << "]:\n";
    if (info.st == state::blocked || info.st == state::sleeping)
      out << "  blocked at " << detail::format_site(info.blocked_at) << "\n";
    out << "  created at " << detail::format_site(info.created_at) << "\n";
  }
  out.flush();
}

#ifndef GORO_DEBUG
// The release runtime does not check for leaks: see goro::goro_debug.
std::size_t verify_none(const leak_options&) {
  return 0;
}
std::size_t findings_reported() {
  return 0;
}
#endif

} // namespace goro::debug
