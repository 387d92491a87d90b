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
//     closure of a goroutine in S, and nothing outside S can reach those
//     handles either. Nobody else can send, receive or close, so none of S can
//     ever wake (Go needs its garbage collector to know this; handle tracking
//     makes it decidable). A goroutine blocked on the nil channel or in an
//     empty select is certain at once.
//
// "Nothing outside S can reach the handles": C++ code shares a channel by
// reference as readily as by copy (`go([&ch] { ch.send(1); })` inside a
// goroutine), so a handle on a goroutine's stack proves nothing by itself.
// The sweep therefore scans, word by word, the memory it can enumerate
// outside S — the closures of every goroutine, the live stack of every
// parked goroutine and thread, the stacks of running ones, channel buffers
// and the program's global data — and drops from S every goroutine whose
// stack or closure something there points into (a conservative scan, as a
// garbage collector's; a word that merely looks like a pointer only delays a
// report to exit). What the sweep cannot enumerate is heap memory and threads
// that never called into goro: a pointer to a goroutine's local handle kept
// only there is the one case an early report can get wrong (docs/runtime.md).
// Everything else that is in doubt waits for the exit check.
//
// The sweep reads goroutines and channels while the program runs; it accepts
// its conclusion only if the park epochs of S and of every parked goroutine it
// scanned, and every channel's handle version, are unchanged after it finished
// reading, so what it read was true at one instant — and a set that is
// unreachable at one instant stays so.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

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

// ---- grouping and reporting

struct leak_entry {
  g_record r;
  // Where the channels it waits on were made, copied while they were alive.
  std::vector<std::source_location> made_at;
  bool forever_nil = false; // blocked on the nil channel or in an empty select
  std::size_t count = 1;    // goroutines this entry stands for (leak_collector)
};

struct group_key {
  std::vector<void*> spawn; // spawn pcs, or the spawn source_location
  std::vector<void*> block; // block pcs, or the blocking source_location
  const char* reason;
  bool operator<(const group_key& o) const {
    return std::tie(spawn, block, reason) < std::tie(o.spawn, o.block, o.reason);
  }
};

group_key key_of(const g_record& r) {
  group_key k;
  if (r.has_spawn_loc)
    k.spawn = {const_cast<char*>(r.spawn_loc.file_name()),
               reinterpret_cast<void*>(static_cast<std::uintptr_t>(r.spawn_loc.line()))};
  else
    k.spawn.assign(r.spawn_stack.pc, r.spawn_stack.pc + r.spawn_stack.depth);
  if (r.has_blocked_at)
    k.block = {const_cast<char*>(r.blocked_at.file_name()),
               reinterpret_cast<void*>(static_cast<std::uintptr_t>(r.blocked_at.line()))};
  else
    k.block.assign(r.block_stack.pc, r.block_stack.pc + r.block_stack.depth);
  k.reason = r.wait_reason;
  return k;
}

bool is_waiting(g_state s) {
  return s == g_state::waiting || s == g_state::sleeping;
}

const char* state_words(g_state s) {
  switch (s) {
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

bool is_channel_wait(wait_kind k) {
  return k == wait_kind::chan_send || k == wait_kind::chan_recv || k == wait_kind::select ||
         k == wait_kind::nil_chan;
}

bool is_lock_wait(wait_kind k) {
  return k == wait_kind::mutex || k == wait_kind::rw_read || k == wait_kind::rw_write;
}

// The channels a g waits on. Select cases live on the g's own stack, which is
// never unmapped, so reading them is safe even if the g moved on; a channel
// that is no longer registered is skipped. Caller holds channels_lock.
std::vector<const chan_core*> waited_channels(const g_record& r, std::size_t select_count) {
  std::vector<const chan_core*> out;
  const debug_runtime& d = debug_state();
  if (r.kind == wait_kind::select) {
    const auto* ops = static_cast<const select_op*>(r.waiting_on);
    for (std::size_t i = 0; i < select_count && ops != nullptr; ++i) {
      const chan_core* c = ops[i].core;
      if (c != nullptr && d.channels.count(c) != 0 &&
          std::find(out.begin(), out.end(), c) == out.end())
        out.push_back(c);
    }
  } else if ((r.kind == wait_kind::chan_send || r.kind == wait_kind::chan_recv) &&
             r.waiting_on != nullptr) {
    auto* c = static_cast<const chan_core*>(r.waiting_on);
    if (d.channels.count(c) != 0)
      out.push_back(c);
  }
  return out;
}

// Records where the channels e waits on were made. Caller holds channels_lock.
void note_channels(leak_entry& e, std::size_t select_count) {
  for (const chan_core* c : waited_channels(e.r, select_count)) {
    auto& core = const_cast<chan_core&>(*c);
    core.dbg.lock.lock();
    std::source_location made = core.dbg.made_at;
    core.dbg.lock.unlock();
    if (made.line() != 0)
      e.made_at.push_back(made);
  }
}

// Notes about what e waits on: where its channels were made, who holds the
// mutex it wants. Symbolizes, so it runs without runtime locks held.
std::vector<report_note> wait_notes(const leak_entry& e) {
  std::vector<report_note> notes;
  const g_record& r = e.r;
  for (const std::source_location& made : e.made_at)
    notes.push_back({site_from_location(made, r.spawn_stack.pc, r.spawn_stack.depth),
                     e.made_at.size() == 1 ? "the channel was made here"
                                           : "a channel of the select was made here"});
  if (is_lock_wait(r.kind)) {
    lock_holder_info holder;
    if (lock_holder(r.waiting_on, &holder))
      notes.push_back({first_user_site(holder.acquired.acquired_at),
                       "mutex " + lock_name(r.waiting_on) + " is held by " +
                           goroutine_name(holder.holder) + ", which locked it here"});
  }
  return notes;
}

// Reports the goroutines in `entries`, grouped. `why` completes the message
// ("at exit", ...). Returns how many goroutines were reported.
std::size_t report_groups(const std::vector<leak_entry>& entries, const std::string& why,
                          const std::vector<std::string>& extra_ignore, bool certain) {
  // Group by the raw sites first (cheap), then merge groups whose sites
  // symbolize to the same lines: the captured stacks of goroutines started on
  // one line can differ beyond the user's frame (code built without frame
  // pointers leaves garbage for the walk to follow), the lines do not.
  std::map<group_key, std::pair<std::size_t, const leak_entry*>> raw;
  for (const leak_entry& e : entries) {
    auto& [count, example] = raw[key_of(e.r)];
    if (count == 0 || e.r.id < example->r.id)
      example = &e;
    count += e.count;
  }
  auto site_key = [](const debug::site& s) {
    return s.file + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ":" +
           (s.file.empty() ? s.function : std::string());
  };
  std::map<std::string, std::pair<std::size_t, const leak_entry*>> groups;
  for (auto& [key, grp] : raw) {
    const g_record& r = grp.second->r;
    std::string k = site_key(spawn_site_of(r)) + "|" + site_key(block_site_of(r)) + "|" +
                    r.wait_reason + "|" + state_words(r.state);
    auto& [count, example] = groups[k];
    if (count == 0 || r.id < example->r.id)
      example = grp.second;
    count += grp.first;
  }
  // In the order the groups' oldest goroutines were created, so that reports
  // read the same from run to run.
  std::vector<std::pair<std::size_t, const leak_entry*>> ordered;
  for (auto& [key, grp] : groups)
    ordered.push_back(grp);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.second->r.id < b.second->r.id; });
  std::size_t reported = 0;
  for (auto [count, example] : ordered) {
    const leak_entry& e = *example;
    const g_record& ex = e.r;
    debug::site spawn = spawn_site_of(ex);
    debug::site block = block_site_of(ex);
    if (site_ignored(spawn, extra_ignore) || site_ignored(block, extra_ignore))
      continue;
    bool waiting = is_waiting(ex.state);
    finding f;
    f.rule = "goro-leak";
    std::string who =
        count == 1 ? "goroutine " + std::to_string(ex.id) : std::to_string(count) + " goroutines";
    std::string what = waiting ? std::string(state_words(ex.state)) + " in " + ex.wait_reason
                               : std::string(state_words(ex.state));
    std::string reason = why;
    if (certain && e.forever_nil)
      reason = ex.kind == wait_kind::nil_chan &&
                       std::string_view(ex.wait_reason).find("no cases") != std::string_view::npos
                   ? "forever: a select with no cases never proceeds"
                   : "forever: the nil channel is never ready";
    f.message = "goroutine leak: " + who + (count == 1 ? " is " : " are ") + what + " " + reason;
    // The line to look at: where it blocks; where it was created when it does
    // not block, or when its blocking call is not in a user frame.
    f.where = waiting && !block.file.empty() ? block : spawn;
    if (f.where.file != spawn.file || f.where.line != spawn.line || f.where.column != spawn.column)
      f.notes.push_back({spawn, count == 1 ? "the goroutine was created here"
                                           : "the goroutines were created here"});
    for (report_note& n : wait_notes(e))
      f.notes.push_back(std::move(n));
    std::string title = "goroutine " + std::to_string(ex.id) + " [" +
                        (waiting ? std::string(ex.wait_reason) : state_words(ex.state)) + "]";
    if (waiting)
      f.stacks.push_back({title, block_frames_of(ex)});
    f.stacks.push_back(
        {"goroutine " + std::to_string(ex.id) + " was created by", spawn_frames_of(ex)});
    f.properties.push_back({"count", std::to_string(count)});
    f.properties.push_back({"certain", certain ? "true" : "false"});
    emit(std::move(f));
    reported += count;
  }
  return reported;
}

// Entries for `records`, with the channels each waits on; counts[i] (if
// given) is how many goroutines records[i] stands for.
std::vector<leak_entry> entries_for(std::vector<std::pair<g_record, std::size_t>> records,
                                    const std::vector<std::size_t>& counts = {}) {
  std::vector<leak_entry> out;
  out.reserve(records.size());
  debug_runtime& d = debug_state();
  d.channels_lock.lock();
  try {
    for (std::size_t i = 0; i < records.size(); ++i) {
      auto& [r, select_count] = records[i];
      leak_entry e{std::move(r), {}, false, i < counts.size() ? counts[i] : 1};
      note_channels(e, select_count);
      out.push_back(std::move(e));
    }
  } catch (...) {
  }
  d.channels_lock.unlock();
  return out;
}

// ---- memory ranges and the conservative scan

std::uintptr_t page_size() noexcept {
  static const auto size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  return size;
}

// Calls f(lo, hi) for each resident part of [lo, hi), from the top down,
// stopping at the first page that is not mapped (a thread's stack grows down
// from its top, so what lies below that page is not its stack).
template <class F>
void for_resident(std::uintptr_t lo, std::uintptr_t hi, F&& f) {
  if (hi <= lo)
    return;
  const std::uintptr_t page = page_size();
  const std::uintptr_t bottom = lo & ~(page - 1);
  constexpr std::uintptr_t chunk_pages = 64;
  unsigned char resident[chunk_pages];
  for (std::uintptr_t end = (hi + page - 1) & ~(page - 1); end > bottom;) {
    std::uintptr_t begin = end - bottom > chunk_pages * page ? end - chunk_pages * page : bottom;
    std::uintptr_t pages = (end - begin) / page;
    if (mincore(reinterpret_cast<void*>(begin), end - begin, resident) != 0) {
      // Part of the chunk is not mapped: page by page, from the top.
      for (std::uintptr_t p = end; p > begin; p -= page) {
        unsigned char r = 0;
        if (mincore(reinterpret_cast<void*>(p - page), page, &r) != 0)
          return;
        if ((r & 1) != 0)
          f(std::max(p - page, lo), std::min(p, hi));
      }
      return;
    }
    for (std::uintptr_t i = pages; i-- > 0;)
      if ((resident[i] & 1) != 0)
        f(std::max(begin + i * page, lo), std::min(begin + (i + 1) * page, hi));
    end = begin;
  }
}

// Reads every aligned word of [lo, hi). The memory belongs to code running
// concurrently: the reads are racy on purpose (a conservative scan), and
// atomic so that they are well defined.
template <class F>
[[clang::no_sanitize("thread", "address")]] void for_each_word(std::uintptr_t lo, std::uintptr_t hi,
                                                               F&& f) {
  constexpr std::uintptr_t w = sizeof(std::uintptr_t);
  for (std::uintptr_t a = (lo + w - 1) & ~(w - 1); a + w <= hi; a += w)
    f(__atomic_load_n(reinterpret_cast<const std::uintptr_t*>(a), __ATOMIC_RELAXED));
}

struct owned_range {
  std::uintptr_t lo, hi;
  std::size_t who;
};

// Ranges of candidate goroutines (stacks, closures), sorted, for lookups.
class range_index {
public:
  void add(std::uintptr_t lo, std::uintptr_t hi, std::size_t who) {
    if (hi > lo)
      ranges_.push_back({lo, hi, who});
  }
  void seal() {
    std::sort(ranges_.begin(), ranges_.end(),
              [](const owned_range& a, const owned_range& b) { return a.lo < b.lo; });
  }
  // The owner of address a, or -1.
  std::ptrdiff_t owner(std::uintptr_t a) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), a,
                               [](std::uintptr_t v, const owned_range& r) { return v < r.lo; });
    if (it == ranges_.begin())
      return -1;
    --it;
    return a < it->hi ? static_cast<std::ptrdiff_t>(it->who) : -1;
  }

private:
  std::vector<owned_range> ranges_;
};

// A region of memory outside the candidate set to scan, and whether only its
// resident pages may be read.
struct region {
  std::uintptr_t lo, hi;
  bool resident_only;
};

// What the sweep knows about a goroutine or thread, read under the registry
// or threads lock.
struct g_memory {
  g* gp = nullptr;
  g_state state = g_state::idle;
  std::uint64_t epoch = 0;
  bool parked = false; // parked in a goro primitive: its stack above park_sp is stable
  std::uintptr_t stack_lo = 0, stack_hi = 0, park_sp = 0;
  std::uintptr_t live_from = 0; // not parked: where its live frames may begin
  std::uintptr_t closure_lo = 0, closure_hi = 0, extra_lo = 0, extra_hi = 0;
  bool is_fiber = true;
};

g_memory memory_of(const g& gp) {
  g_memory m;
  m.gp = &const_cast<g&>(gp);
  m.is_fiber = gp.is_fiber;
  m.epoch = gp.dbg.park_epoch.load(std::memory_order_acquire);
  m.state = gp.state.load(std::memory_order_acquire);
  m.park_sp = reinterpret_cast<std::uintptr_t>(gp.dbg.park_sp.load(std::memory_order_relaxed));
  if (gp.is_fiber) {
    m.stack_lo = reinterpret_cast<std::uintptr_t>(gp.stack_lo);
    m.stack_hi = reinterpret_cast<std::uintptr_t>(&gp); // the g sits at the top of its stack
    m.parked = is_waiting(m.state);
    if (m.state == g_state::runnable)
      m.live_from = reinterpret_cast<std::uintptr_t>(gp.sp); // switched out here
  } else {
    m.stack_lo = gp.dbg.thread_stack_lo;
    m.stack_hi = gp.dbg.thread_stack_hi;
    m.parked = !gp.dbg.awake.load(std::memory_order_acquire) &&
               gp.dbg.waiting_kind.load(std::memory_order_acquire) != wait_kind::none;
    m.live_from = gp.dbg.last_sp.load(std::memory_order_relaxed);
  }
  if (m.live_from < m.stack_lo || m.live_from >= m.stack_hi)
    m.live_from = m.stack_lo; // unknown: all of it
  // A closure's header (the task record) is the runtime's: the spawner kept
  // a pointer to it for a moment, and a stale copy of that pointer in a live
  // frame of the spawning thread must not count as a reference. User code
  // can only point at what follows: the function object and its arguments.
  auto closure = reinterpret_cast<std::uintptr_t>(gp.dbg.closure);
  if (closure != 0 && gp.dbg.closure_size > sizeof(task)) {
    m.closure_lo = closure + sizeof(task);
    m.closure_hi = closure + gp.dbg.closure_size;
  }
  auto extra = reinterpret_cast<std::uintptr_t>(gp.dbg.extra_closure);
  if (extra != 0 && gp.dbg.extra_closure_size > sizeof(error_task)) {
    m.extra_lo = extra + sizeof(error_task);
    m.extra_hi = extra + gp.dbg.extra_closure_size;
  }
  if (m.park_sp < m.stack_lo || m.park_sp >= m.stack_hi)
    m.parked = false; // no usable parking frame: treat the whole stack as live
  return m;
}

// The memory through which g could reach something: its closures and its live stack.
void regions_of(const g_memory& m, std::vector<region>& out) {
  if (m.closure_hi > m.closure_lo)
    out.push_back({m.closure_lo, m.closure_hi, false});
  if (m.extra_hi > m.extra_lo)
    out.push_back({m.extra_lo, m.extra_hi, false});
  if (m.parked)
    out.push_back({m.park_sp, m.stack_hi, true});
  else if (m.stack_hi > m.stack_lo)
    out.push_back({m.live_from, m.stack_hi, true});
}

// The program's global data: the writable segments of the executable and of
// every shared library that is not a system one. System libraries keep no
// user pointers, and their data would only add noise: the C library's
// allocator state points all over the heap.
void global_regions(std::vector<region>& out) {
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* arg) {
        std::string_view name = info->dlpi_name != nullptr ? info->dlpi_name : "";
        for (std::string_view system :
             {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "linux-vdso"})
          if (name.starts_with(system))
            return 0;
        auto* regions = static_cast<std::vector<region>*>(arg);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || (ph.p_flags & PF_W) == 0)
            continue;
          std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
          regions->push_back({lo, lo + ph.p_memsz, true});
        }
        return 0;
      },
      &out);
}

// Goroutines an earlier sweep found leaked (by id, with their park epoch),
// not reported yet: a sweep reports only what a sweep at least confirm_after
// earlier found too, unmoved.
// Certainty is not the problem — the exit is: when main returns, its locals
// (often the last outside handles of channels goroutines wait on) die before
// exit() runs the exit checks, and a sweep in between would report as
// "certain" what is simply still blocked at exit, even with
// leak_check_at_exit=0, and only on the runs where it won the race. Waiting
// confirm_after (0.25 s) keeps reports deterministic; the exit
// checks quiesce the monitor first. Touched by the monitor thread only.
struct pending_leak {
  std::uint64_t epoch;
  std::chrono::steady_clock::time_point found;
};
constexpr std::chrono::milliseconds confirm_after{250};
constexpr std::chrono::milliseconds hold_group_for{1000};
std::unordered_map<std::uint64_t, pending_leak> pending;

struct candidate {
  g_memory mem;
  g_record record;
  std::size_t select_count = 0;
  std::vector<const chan_core*> channels;
  bool forever_nil = false; // waits on nothing that could ever be ready
};

} // namespace

sweep_result certain_leak_sweep() noexcept {
  auto start = std::chrono::steady_clock::now();
  sweep_result result;
  debug_runtime& d = debug_state();
  std::vector<leak_entry> entries; // reported after the lock is released
  d.channels_lock.lock();          // no channel is freed while we look
  try {
    std::vector<candidate> cands;
    std::vector<g_memory> others;
    cands.reserve(static_cast<std::size_t>(goro::num_goroutines()) + 64);
    for_each_goroutine([&](const g& gp) {
      g_memory mem = memory_of(gp);
      wait_kind kind = gp.dbg.waiting_kind.load(std::memory_order_acquire);
      if (mem.state != g_state::waiting || !is_channel_wait(kind) || gp.dbg.leak_reported.load()) {
        others.push_back(mem);
        return;
      }
      // Only what the analysis needs; the whole record (with its stacks) is
      // read for the goroutines found leaked, once they are known to be
      // parked for good. Copying it for every candidate made a sweep over a
      // million parked goroutines copy half a gigabyte.
      candidate c;
      c.mem = mem;
      c.record.id = gp.id;
      c.record.state = mem.state;
      c.record.kind = kind;
      c.record.waiting_on = gp.dbg.waiting_on.load(std::memory_order_acquire);
      c.select_count = gp.dbg.waiting_count;
      cands.push_back(std::move(c));
    });
    if (cands.empty()) {
      pending.clear();
      d.channels_lock.unlock();
      result.analysis = std::chrono::steady_clock::now() - start;
      return result;
    }
    bool stale = false;
    for (candidate& c : cands) {
      c.channels = waited_channels(c.record, c.select_count);
      c.forever_nil = c.record.kind == wait_kind::nil_chan;
      if (!c.forever_nil && c.channels.empty())
        stale = true; // it moved on and its channel is gone
    }

    // Handles of every channel involved, with their versions.
    std::unordered_map<const chan_core*, std::pair<std::uint64_t, std::vector<const void*>>>
        handles;
    for (const candidate& c : cands)
      for (const chan_core* ch : c.channels) {
        if (handles.count(ch) != 0)
          continue;
        auto& core = const_cast<chan_core&>(*ch);
        core.dbg.lock.lock();
        handles[ch] = {core.dbg.version.load(), core.dbg.handles};
        core.dbg.lock.unlock();
      }

    // Who owns what: each candidate's stack and closures (ranges never overlap).
    range_index index;
    for (std::size_t i = 0; i < cands.size(); ++i) {
      const g_memory& m = cands[i].mem;
      index.add(m.stack_lo, m.stack_hi, i);
      index.add(m.closure_lo, m.closure_hi, i);
      index.add(m.extra_lo, m.extra_hi, i);
    }
    index.seal();

    std::vector<bool> in(cands.size(), !stale);
    std::vector<std::size_t> dropped; // out of the set, memory not scanned yet
    auto drop = [&](std::size_t i) {
      if (in[i] && !cands[i].forever_nil) {
        in[i] = false;
        dropped.push_back(i);
      }
    };
    // Rule 1: a handle of a channel it waits on lives outside the set.
    auto handle_rule = [&] {
      for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t i = 0; i < cands.size(); ++i) {
          if (!in[i] || cands[i].forever_nil)
            continue;
          bool reachable = false;
          for (const chan_core* ch : cands[i].channels) {
            for (const void* h : handles[ch].second) {
              std::ptrdiff_t who = index.owner(reinterpret_cast<std::uintptr_t>(h));
              if (who < 0 || !in[static_cast<std::size_t>(who)]) {
                reachable = true;
                break;
              }
            }
            if (reachable)
              break;
          }
          if (reachable) {
            drop(i);
            changed = true;
          }
        }
      }
    };
    // Rule 2: memory outside the set points into its stack or closures.
    auto scan = [&](const std::vector<region>& regions, std::ptrdiff_t self) {
      auto look = [&](std::uintptr_t word) {
        std::ptrdiff_t who = index.owner(word);
        if (who >= 0 && who != self)
          drop(static_cast<std::size_t>(who));
      };
      for (const region& r : regions) {
        if (r.resident_only)
          for_resident(r.lo, r.hi,
                       [&](std::uintptr_t lo, std::uintptr_t hi) { for_each_word(lo, hi, look); });
        else
          for_each_word(r.lo, r.hi, look);
      }
    };

    handle_rule();
    bool any = std::find(in.begin(), in.end(), true) != in.end();
    std::vector<std::pair<g_memory, int>> threads_scanned; // with their tids
    if (any) {
      std::vector<region> outside;
      for (const g_memory& m : others)
        regions_of(m, outside);
      global_regions(outside);
      for (const chan_core* c : d.channels)
        if (c->buf != nullptr)
          outside.push_back({reinterpret_cast<std::uintptr_t>(c->buf),
                             reinterpret_cast<std::uintptr_t>(c->buf) + c->cap * c->ops->size,
                             false});
      scan(outside, -1);
      // Threads: scanned under threads_lock, so none exits (and frees its
      // stack) meanwhile.
      d.threads_lock.lock();
      std::vector<region> thread_regions;
      for (g* t : d.threads) {
        g_memory m = memory_of(*t);
        if (m.stack_hi <= m.stack_lo)
          continue;
        thread_regions.clear();
        regions_of(m, thread_regions);
        scan(thread_regions, -1);
        threads_scanned.emplace_back(m, t->dbg.tid);
      }
      d.threads_lock.unlock();
      // Whoever left the set is outside now: what it can reach is reachable.
      while (!dropped.empty()) {
        std::vector<std::size_t> batch;
        batch.swap(dropped);
        for (std::size_t i : batch) {
          std::vector<region> own;
          regions_of(cands[i].mem, own);
          scan(own, static_cast<std::ptrdiff_t>(i));
        }
        handle_rule();
      }
    }

    // Accept only if nothing moved while we read.
    std::vector<candidate*> leaked;
    for (std::size_t i = 0; i < cands.size() && !stale; ++i) {
      if (!in[i])
        continue;
      candidate& c = cands[i];
      const wait_kind kind = c.record.kind;
      c.record = record_of(*c.mem.gp); // true if the epoch below is unchanged
      c.record.kind = kind;
      if (c.mem.gp->state.load(std::memory_order_acquire) != g_state::waiting ||
          c.mem.gp->dbg.park_epoch.load(std::memory_order_acquire) != c.mem.epoch) {
        stale = true;
        break;
      }
      leaked.push_back(&cands[i]);
    }
    for (const auto& [ch, h] : handles)
      if (ch->dbg.version.load(std::memory_order_acquire) != h.first)
        stale = true;
    for (const g_memory& m : others)
      if (m.parked && m.gp->dbg.park_epoch.load(std::memory_order_acquire) != m.epoch)
        stale = true; // a goroutine whose stack we scanned woke up meanwhile
    d.threads_lock.lock();
    for (g* t : d.threads)
      for (const auto& [m, tid] : threads_scanned)
        if (m.gp == t && tid == t->dbg.tid && m.parked &&
            t->dbg.park_epoch.load(std::memory_order_acquire) != m.epoch)
          stale = true;
    d.threads_lock.unlock();
    if (!stale) {
      // Report what an earlier sweep found too, unmoved, at least
      // confirm_after ago; keep the rest for the next sweep. A ready leak
      // waits (up to hold_group_for) for younger ones with the same sites, so
      // that workers started in a loop are reported as one group.
      std::unordered_map<std::uint64_t, pending_leak> next_pending;
      auto now = std::chrono::steady_clock::now();
      std::vector<candidate*> ready;
      std::set<group_key> young;
      for (candidate* c : leaked) {
        auto it = pending.find(c->record.id);
        if (it == pending.end() || it->second.epoch != c->mem.epoch) {
          next_pending.emplace(c->record.id, pending_leak{c->mem.epoch, now});
          young.insert(key_of(c->record));
        } else if (now - it->second.found < confirm_after) {
          next_pending.insert(*it);
          young.insert(key_of(c->record));
        } else {
          ready.push_back(c);
        }
      }
      for (candidate* c : ready) {
        const pending_leak& p = pending.at(c->record.id);
        if (now - p.found < hold_group_for && young.count(key_of(c->record)) != 0) {
          next_pending.emplace(c->record.id, p);
          continue;
        }
        c->mem.gp->dbg.leak_reported.store(true);
        leak_entry e{c->record, {}, c->forever_nil};
        note_channels(e, c->select_count);
        entries.push_back(std::move(e));
      }
      pending.swap(next_pending);
    }
  } catch (...) {
  }
  d.channels_lock.unlock();
  result.analysis = std::chrono::steady_clock::now() - start;
  result.pending = !pending.empty();
  // The leaked goroutines stay parked forever: their records stay true.
  try {
    if (!entries.empty())
      report_groups(entries, "forever: no other goroutine or thread can reach the channel", {},
                    true);
  } catch (...) {
  }
  return result;
}

std::vector<std::string> channel_holders(const chan_core* c) {
  // Caller holds channels_lock; every goroutine and thread is asleep (a
  // deadlock), so their stacks and closures stay put while we look.
  std::vector<std::string> out;
  auto& core = const_cast<chan_core&>(*c);
  core.dbg.lock.lock();
  std::vector<const void*> hs = core.dbg.handles;
  core.dbg.lock.unlock();
  std::vector<std::pair<g_memory, std::string>> owners;
  for_each_goroutine([&](const g& gp) { owners.emplace_back(memory_of(gp), goroutine_name(gp)); });
  debug_runtime& d = debug_state();
  d.threads_lock.lock();
  for (g* t : d.threads)
    owners.emplace_back(memory_of(*t), goroutine_name(*t));
  d.threads_lock.unlock();
  std::size_t elsewhere = 0;
  for (const void* h : hs) {
    auto a = reinterpret_cast<std::uintptr_t>(h);
    std::string who;
    for (const auto& [m, name] : owners)
      if ((a >= m.stack_lo && a < m.stack_hi) || (a >= m.closure_lo && a < m.closure_hi) ||
          (a >= m.extra_lo && a < m.extra_hi)) {
        who = name;
        break;
      }
    if (who.empty())
      ++elsewhere;
    else if (std::find(out.begin(), out.end(), who) == out.end())
      out.push_back(who);
  }
  if (elsewhere > 0)
    out.push_back(std::to_string(elsewhere) + (elsewhere == 1 ? " handle" : " handles") +
                  " on the heap or in global data");
  return out;
}

namespace {

// The grouping key of a live g, read in place (the exit check sees up to
// millions of goroutines: no copy of their records, no allocation each). The
// same fields as key_of, plus the state.
std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

std::uint64_t group_hash(const g& gp) noexcept {
  std::uint64_t h = static_cast<std::uint64_t>(gp.state.load(std::memory_order_relaxed));
  h = mix(h, reinterpret_cast<std::uintptr_t>(gp.wait_reason));
  if (gp.has_spawn_loc) {
    h = mix(h, reinterpret_cast<std::uintptr_t>(gp.spawn_loc.file_name()));
    h = mix(h, gp.spawn_loc.line());
  } else {
    for (int i = 0; i < gp.dbg.spawn_stack.depth; ++i)
      h = mix(h, reinterpret_cast<std::uintptr_t>(gp.dbg.spawn_stack.pc[i]));
  }
  h = mix(h, 0x5eed);
  if (gp.has_blocked_at) {
    h = mix(h, reinterpret_cast<std::uintptr_t>(gp.blocked_at.file_name()));
    h = mix(h, gp.blocked_at.line());
  } else {
    for (int i = 0; i < gp.dbg.block_stack.depth; ++i)
      h = mix(h, reinterpret_cast<std::uintptr_t>(gp.dbg.block_stack.pc[i]));
  }
  return h;
}

bool same_stack(const captured_stack& a, const captured_stack& b) noexcept {
  return a.depth == b.depth && std::equal(a.pc, a.pc + a.depth, b.pc);
}

bool same_location(const std::source_location& a, const std::source_location& b) noexcept {
  return a.file_name() == b.file_name() && a.line() == b.line();
}

// Whether gp falls in the group of record r (key_of(r) and r.state).
bool same_group(const g& gp, const g_record& r) noexcept {
  if (gp.state.load(std::memory_order_relaxed) != r.state || gp.wait_reason != r.wait_reason ||
      gp.has_spawn_loc != r.has_spawn_loc || gp.has_blocked_at != r.has_blocked_at)
    return false;
  if (gp.has_spawn_loc ? !same_location(gp.spawn_loc, r.spawn_loc)
                       : !same_stack(gp.dbg.spawn_stack, r.spawn_stack))
    return false;
  return gp.has_blocked_at ? same_location(gp.blocked_at, r.blocked_at)
                           : same_stack(gp.dbg.block_stack, r.block_stack);
}

} // namespace

void report_leaks_at_exit() noexcept {
  if (!options().leak_check_at_exit)
    return;
  try {
    // The scheduler has stopped: no goroutine runs or exits any more.
    // Grouped while collecting, by a hash of (spawn site, blocking site,
    // reason, state) read in place, keeping a copy of the oldest goroutine of
    // each group only: a million goroutines leaked on one line are one
    // record, not a million copies of their stacks, and the report must come
    // out in about a second. Symbolizing happens per group (report_groups).
    std::unordered_multimap<std::uint64_t, std::size_t> index; // hash -> group
    std::vector<std::pair<g_record, std::size_t>> alive;
    std::vector<std::size_t> counts;
    for_each_goroutine_unordered([&](const g& gp) {
      if (gp.dbg.leak_reported.load(std::memory_order_relaxed))
        return;
      std::uint64_t h = group_hash(gp);
      auto [first, last] = index.equal_range(h);
      for (auto it = first; it != last; ++it) {
        auto& [rep, select_count] = alive[it->second];
        if (!same_group(gp, rep))
          continue;
        ++counts[it->second];
        if (gp.id < rep.id)
          alive[it->second] = {record_of(gp), gp.dbg.waiting_count};
        return;
      }
      index.emplace(h, alive.size());
      alive.emplace_back(record_of(gp), gp.dbg.waiting_count);
      counts.push_back(1);
    });
    if (!alive.empty())
      report_groups(entries_for(std::move(alive), counts), "at exit", {}, false);
  } catch (...) {
  }
}

} // namespace goro::detail

namespace goro::debug {

std::size_t verify_none(const leak_options& opts) {
  using namespace detail;
  std::uint64_t self = on_goroutine() ? current_g()->id : 0;
  auto deadline = std::chrono::steady_clock::now() + opts.settle;
  const std::vector<std::string>& ignore = opts.ignore;
  bool ignoring = !ignore.empty() || !options().ignore.empty();
  for (;;) {
    // Decided before the snapshot, so that what is reported is what was
    // alive after the settle time (filtering ignored sites symbolizes, which
    // can take a while the first time).
    bool last = std::chrono::steady_clock::now() >= deadline;
    // Copies, taken under the registry's locks: a goroutine may exit (and its
    // g be reused) at any moment after.
    std::vector<std::pair<g_record, std::size_t>> alive;
    for_each_goroutine([&](const g& gp) {
      if (gp.id != self && !gp.dbg.leak_reported.load())
        alive.emplace_back(record_of(gp), gp.dbg.waiting_count);
    });
    // Ignored goroutines do not count, whether or not the time is up.
    if (ignoring)
      std::erase_if(alive, [&](const auto& a) {
        return site_ignored(spawn_site_of(a.first), ignore) ||
               site_ignored(block_site_of(a.first), ignore);
      });
    if (alive.empty())
      return 0;
    if (last) {
      // Mark them by id: a g that exited meanwhile may already be another goroutine.
      std::unordered_set<std::uint64_t> ids;
      for (const auto& a : alive)
        ids.insert(a.first.id);
      for_each_goroutine([&](const g& gp) {
        if (ids.count(gp.id) != 0)
          const_cast<g&>(gp).dbg.leak_reported.store(true);
      });
      std::size_t n = report_groups(entries_for(std::move(alive)),
                                    "after verify_none's settle time", ignore, false);
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
  detail::note_thread_frame(); // a thread polling this keeps no stale frames in the leak scan
  return detail::findings_emitted();
}

} // namespace goro::debug
