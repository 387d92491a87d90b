// debug/leaks.cpp — goro-leak: goroutines that will never finish.
//
// Three ways to find them:
//   - at exit (leak_check_at_exit): every goroutine still alive, grouped by
//     (spawn site, blocking site) with a count, like a goroutine profile, so a
//     million leaked workers are one finding;
//   - debug::verify_none(): the same, on demand, after a settle time (goleak);
//   - "certain" leaks, as soon as they are certain (certain_leak_sweep, run by
//     the monitor): a set S of goroutines blocked on channels such that every
//     live handle to each of those channels lives on the stack or in the
//     closure of a goroutine in S. Nobody else can send, receive or close, so
//     none of S can ever wake (Go needs its garbage collector to know this;
//     handle tracking makes it decidable). A handle anywhere else — a thread's
//     stack, the heap, a global, a context — keeps the channel reachable and
//     the goroutine is left for the exit check: an early report is never
//     wrong, and in doubt we wait.
// The sweep reads goroutines and channels while the program runs; it accepts
// its conclusion only if every goroutine's park epoch and every channel's
// handle version are unchanged after it finished reading, so what it read was
// true at one instant — and a set that is unreachable at one instant stays so.
#include <algorithm>
#include <chrono>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "../chan_impl.hpp"
#include "../introspect.hpp"
#include "../sched.hpp"
#include "goro/go.hpp"
#include "goro/select.hpp"
#include "goro/time.hpp"
#include "options.hpp"
#include "report.hpp"
#include "runtime_state.hpp"
#include "stack_capture.hpp"

namespace goro::detail {
namespace {

struct group_key {
  std::vector<void*> spawn; // spawn pcs, or the spawn source_location
  std::vector<void*> block; // block pcs, or the blocking source_location
  const char* reason;
  bool operator<(const group_key& o) const {
    return std::tie(spawn, block, reason) < std::tie(o.spawn, o.block, o.reason);
  }
};

struct group {
  std::size_t count = 0;
  g* example = nullptr;
  std::uint64_t first_id = 0;
};

group_key key_of(const g& gp) {
  group_key k;
  if (gp.has_spawn_loc)
    k.spawn = {const_cast<char*>(gp.spawn_loc.file_name()),
               reinterpret_cast<void*>(static_cast<std::uintptr_t>(gp.spawn_loc.line()))};
  else
    k.spawn.assign(gp.dbg.spawn_stack.pc, gp.dbg.spawn_stack.pc + gp.dbg.spawn_stack.depth);
  if (gp.has_blocked_at)
    k.block = {const_cast<char*>(gp.blocked_at.file_name()),
               reinterpret_cast<void*>(static_cast<std::uintptr_t>(gp.blocked_at.line()))};
  else
    k.block.assign(gp.dbg.block_stack.pc, gp.dbg.block_stack.pc + gp.dbg.block_stack.depth);
  k.reason = gp.wait_reason;
  return k;
}

const char* state_words(const g& gp) {
  switch (gp.state.load(std::memory_order_relaxed)) {
  case g_state::waiting:
    return "blocked";
  case g_state::sleeping:
    return "sleeping";
  case g_state::running:
    return "running";
  default:
    return "runnable";
  }
}

// Reports the goroutines in `gs`, grouped. `why` completes the message
// ("still blocked at exit", ...). Returns how many goroutines were reported.
std::size_t report_groups(const std::vector<g*>& gs, const std::string& why,
                          const std::vector<std::string>& extra_ignore, bool certain) {
  std::map<group_key, group> groups;
  for (g* gp : gs) {
    group& grp = groups[key_of(*gp)];
    if (grp.count++ == 0 || gp->id < grp.first_id) {
      grp.example = gp;
      grp.first_id = gp->id;
    }
  }
  std::size_t reported = 0;
  for (auto& [key, grp] : groups) {
    const g& ex = *grp.example;
    debug::site spawn = spawn_site_of(ex);
    debug::site block = block_site_of(ex);
    if (site_ignored(spawn, extra_ignore) || site_ignored(block, extra_ignore))
      continue;
    bool waiting = ex.state.load() == g_state::waiting || ex.state.load() == g_state::sleeping;
    finding f;
    f.rule = "goro-leak";
    std::string who = grp.count == 1 ? "goroutine " + std::to_string(ex.id)
                                     : std::to_string(grp.count) + " goroutines";
    std::string what = waiting ? std::string(state_words(ex)) + " in " + ex.wait_reason
                               : std::string(state_words(ex));
    f.message = "goroutine leak: " + who + (grp.count == 1 ? " is " : " are ") + what + " " + why;
    f.where = waiting ? block : spawn;
    if (waiting)
      f.notes.push_back({spawn, grp.count == 1 ? "the goroutine was created here"
                                               : "the goroutines were created here"});
    if (certain && ex.dbg.waiting_kind.load() != wait_kind::select &&
        ex.dbg.waiting_kind.load() != wait_kind::nil_chan) {
      auto* c = static_cast<const chan_core*>(ex.dbg.waiting_on.load());
      if (c != nullptr && c->dbg.made_at.line() != 0)
        f.notes.push_back(
            {site_from_location(c->dbg.made_at, ex.dbg.spawn_stack.pc, ex.dbg.spawn_stack.depth),
             "the channel was made here"});
    }
    std::string title = "goroutine " + std::to_string(ex.id) + " [" +
                        (waiting ? std::string(ex.wait_reason) : state_words(ex)) + "]";
    if (waiting)
      f.stacks.push_back({title, block_frames_of(ex)});
    f.stacks.push_back(
        {"goroutine " + std::to_string(ex.id) + " was created by", spawn_frames_of(ex)});
    f.properties.push_back({"count", std::to_string(grp.count)});
    f.properties.push_back({"certain", certain ? "true" : "false"});
    emit(std::move(f));
    reported += grp.count;
  }
  return reported;
}

// ---- certain leaks

struct candidate {
  g* gp;
  std::uint64_t epoch;
  std::vector<const chan_core*> channels;
  std::uintptr_t stack_lo, stack_hi;
  std::uintptr_t closure_lo, closure_hi;
  std::uintptr_t extra_lo, extra_hi;
};

bool is_channel_wait(wait_kind k) {
  return k == wait_kind::chan_send || k == wait_kind::chan_recv || k == wait_kind::select ||
         k == wait_kind::nil_chan;
}

} // namespace

void certain_leak_sweep() noexcept {
  try {
    debug_runtime& d = debug_state();
    d.channels_lock.lock(); // no channel is freed while we look
    std::vector<candidate> cands;
    for_each_goroutine([&](const g& cgp) {
      auto& gp = const_cast<g&>(cgp);
      if (gp.state.load(std::memory_order_acquire) != g_state::waiting)
        return;
      wait_kind kind = gp.dbg.waiting_kind.load(std::memory_order_acquire);
      if (!is_channel_wait(kind) || gp.dbg.leak_reported.load())
        return;
      candidate c{};
      c.gp = &gp;
      c.epoch = gp.dbg.park_epoch.load(std::memory_order_acquire);
      c.stack_lo = reinterpret_cast<std::uintptr_t>(gp.stack_lo);
      c.stack_hi = reinterpret_cast<std::uintptr_t>(&gp);
      c.closure_lo = reinterpret_cast<std::uintptr_t>(gp.dbg.closure);
      c.closure_hi = c.closure_lo + gp.dbg.closure_size;
      c.extra_lo = reinterpret_cast<std::uintptr_t>(gp.dbg.extra_closure);
      c.extra_hi = c.extra_lo + gp.dbg.extra_closure_size;
      const void* object = gp.dbg.waiting_on.load(std::memory_order_acquire);
      if (kind == wait_kind::select) {
        // The select's cases live on its (parked) stack; the epoch check
        // below tells whether it was still parked while we read them.
        const auto* ops = static_cast<const select_op*>(object);
        for (std::size_t i = 0; i < gp.dbg.waiting_count && ops != nullptr; ++i)
          if (ops[i].core != nullptr)
            c.channels.push_back(ops[i].core);
      } else if (kind != wait_kind::nil_chan && object != nullptr) {
        c.channels.push_back(static_cast<const chan_core*>(object));
      }
      cands.push_back(std::move(c));
    });

    // Handles of every channel involved, with their versions.
    std::unordered_map<const chan_core*, std::pair<std::uint64_t, std::vector<const void*>>>
        handles;
    bool stale = false;
    for (const candidate& c : cands)
      for (const chan_core* ch : c.channels) {
        if (d.channels.count(ch) == 0) {
          stale = true; // the goroutine moved on and its channel is gone
          continue;
        }
        if (handles.count(ch) != 0)
          continue;
        auto& core = const_cast<chan_core&>(*ch);
        core.dbg.lock.lock();
        handles[ch] = {core.dbg.version.load(), core.dbg.handles};
        core.dbg.lock.unlock();
      }

    // Who owns each handle: the candidate whose stack or closure contains it
    // (ranges never overlap; a sorted index makes the lookup logarithmic).
    struct range {
      std::uintptr_t lo, hi;
      std::size_t who;
    };
    std::vector<range> ranges;
    for (std::size_t i = 0; i < cands.size(); ++i) {
      const candidate& c = cands[i];
      ranges.push_back({c.stack_lo, c.stack_hi, i});
      if (c.closure_hi > c.closure_lo)
        ranges.push_back({c.closure_lo, c.closure_hi, i});
      if (c.extra_hi > c.extra_lo)
        ranges.push_back({c.extra_lo, c.extra_hi, i});
    }
    std::sort(ranges.begin(), ranges.end(),
              [](const range& a, const range& b) { return a.lo < b.lo; });
    auto owner_of = [&](const void* h) -> std::ptrdiff_t {
      auto a = reinterpret_cast<std::uintptr_t>(h);
      auto it = std::upper_bound(ranges.begin(), ranges.end(), a,
                                 [](std::uintptr_t v, const range& r) { return v < r.lo; });
      if (it == ranges.begin())
        return -1;
      --it;
      return a < it->hi ? static_cast<std::ptrdiff_t>(it->who) : -1;
    };

    // Shrink to the fixpoint: drop a goroutine if any handle of any channel
    // it waits on is held outside the set.
    std::vector<bool> in(cands.size(), !stale);
    for (bool changed = true; changed && !stale;) {
      changed = false;
      for (std::size_t i = 0; i < cands.size(); ++i) {
        if (!in[i])
          continue;
        bool reachable = false;
        for (const chan_core* ch : cands[i].channels) {
          for (const void* h : handles[ch].second) {
            std::ptrdiff_t who = owner_of(h);
            if (who < 0 || !in[static_cast<std::size_t>(who)]) {
              reachable = true;
              break;
            }
          }
          if (reachable)
            break;
        }
        if (reachable) {
          in[i] = false;
          changed = true;
        }
      }
    }

    // Accept only if nothing moved while we read.
    std::vector<g*> leaked;
    for (std::size_t i = 0; i < cands.size() && !stale; ++i) {
      if (!in[i])
        continue;
      const candidate& c = cands[i];
      if (c.gp->state.load(std::memory_order_acquire) != g_state::waiting ||
          c.gp->dbg.park_epoch.load(std::memory_order_acquire) != c.epoch) {
        stale = true;
        break;
      }
      leaked.push_back(c.gp);
    }
    for (const auto& [ch, h] : handles)
      if (ch->dbg.version.load(std::memory_order_acquire) != h.first)
        stale = true;
    if (!stale && !leaked.empty()) {
      for (g* gp : leaked)
        gp->dbg.leak_reported.store(true);
      report_groups(leaked, "forever: no other goroutine or thread can reach the channel", {},
                    true);
    }
    d.channels_lock.unlock();
  } catch (...) {
  }
}

void report_leaks_at_exit() noexcept {
  if (!options().leak_check_at_exit)
    return;
  try {
    std::vector<g*> alive;
    for_each_goroutine([&](const g& gp) {
      if (!gp.dbg.leak_reported.load())
        alive.push_back(&const_cast<g&>(gp));
    });
    if (!alive.empty())
      report_groups(alive, "at exit", {}, false);
  } catch (...) {
  }
}

} // namespace goro::detail

namespace goro::debug {

std::size_t verify_none(const leak_options& opts) {
  using namespace detail;
  std::uint64_t self = on_goroutine() ? current_g()->id : 0;
  auto deadline = std::chrono::steady_clock::now() + opts.settle;
  std::vector<std::string> ignore = opts.ignore;
  for (;;) {
    std::vector<g*> alive;
    for_each_goroutine([&](const g& gp) {
      if (gp.id != self && !gp.dbg.leak_reported.load())
        alive.push_back(&const_cast<g&>(gp));
    });
    // Ignored goroutines do not count, whether or not the time is up.
    std::erase_if(alive, [&](g* gp) {
      return site_ignored(spawn_site_of(*gp), ignore) || site_ignored(block_site_of(*gp), ignore);
    });
    if (alive.empty())
      return 0;
    if (std::chrono::steady_clock::now() >= deadline) {
      for (g* gp : alive)
        gp->dbg.leak_reported.store(true);
      std::size_t n = report_groups(alive, "after verify_none's settle time", ignore, false);
      flush_outputs();
      return n;
    }
    if (on_goroutine())
      goro::sleep(std::chrono::milliseconds(1));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::size_t findings_reported() {
  return detail::findings_emitted();
}

} // namespace goro::debug
