// debug/http_report.cpp — goro-response-after-return: a response_writer used
// after its handler returned (see hooks.hpp and http/server_impl.hpp).
//
// The finding's location is the late call (the std::source_location the
// writer's methods take by default, resolved with the captured stack), its
// note is where the handler was registered (server::handle), and its stack is
// the late caller's. One finding per (late call site, handler) pair: a
// background loop that keeps writing is one bug, not thousands.
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

#include "../hooks.hpp"
#include "../introspect.hpp"
#include "../sched.hpp"
#include "report.hpp"
#include "runtime_state.hpp"
#include "stack_capture.hpp"

namespace goro::detail {
namespace {

struct seen_sites {
  std::mutex mu;
  std::set<std::tuple<std::string, std::uint32_t, std::uint32_t, std::string, std::uint32_t>> sites;
};

seen_sites& the_seen() {
  static auto* s = new seen_sites; // never destroyed: reports may come during exit
  return *s;
}

} // namespace

void on_response_after_return_hook(const void* writer, const char* operation,
                                   const std::source_location& where,
                                   const std::source_location& handler_site,
                                   const char* pattern) noexcept {
  try {
    seen_sites& seen = the_seen();
    {
      std::lock_guard<std::mutex> guard(seen.mu);
      if (!seen.sites
               .emplace(where.file_name(), where.line(), where.column(), handler_site.file_name(),
                        handler_site.line())
               .second)
        return;
    }
    captured_stack here;
    capture_stack(here);
    finding f;
    f.rule = "goro-response-after-return";
    f.message = std::string("response_writer::") + operation +
                " after the handler returned: the call is dropped (the response was already "
                "sent); finish writing before the handler returns";
    f.where = site_from_location(where, here.pc, here.depth);
    f.notes.push_back({site_from_location(handler_site, here.pc, here.depth),
                       std::string("the handler for \"") + pattern + "\" was registered here"});
    f.stacks.push_back({goroutine_name(*current_g()) + " (the late call)", symbolize_stack(here)});
    char addr[32];
    std::snprintf(addr, sizeof addr, "%p", writer);
    f.properties.emplace_back("writer", addr);
    f.properties.emplace_back("pattern", pattern);
    emit(std::move(f));
  } catch (...) {
    // Reporting must never turn a dropped write into a crash.
  }
}

} // namespace goro::detail
