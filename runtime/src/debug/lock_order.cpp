// debug/lock_order.cpp — the lock-order graph (goro-lock-order-inversion).
//
// Nodes are live mutexes (goro::mutex, goro::rw_mutex), numbered when first
// seen; an edge A -> B records that some goroutine or thread acquired B while
// holding A, with both acquisition stacks. When a new edge closes a cycle of
// any length, the cycle is reported once, even if no deadlock happened in this
// run. A destroyed mutex's number is retired, so a new mutex at the same
// address never inherits its edges.
//
// Each g's held locks live in its debug_g_state, written by the g alone with
// no locked instruction (a lock/unlock pair must stay cheap: the debug runtime
// is held to 2x the release one) and read by other threads through a sequence
// counter (see g_state.hpp). An unlock() from another goroutine queues the
// release for the owner. The graph is guarded by graph_mu and touched only
// for nested acquisitions; a per-thread cache of recently seen edges keeps
// repeated nesting cheap.
#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include <dlfcn.h>

#include "../introspect.hpp"
#include "../sched.hpp"
#include "options.hpp"
#include "report.hpp"
#include "runtime_state.hpp"
#include "stack_capture.hpp"

namespace goro::detail {
namespace {

struct edge_info {
  captured_stack from_site; // where the held lock was acquired
  captured_stack to_site;   // where the second lock was acquired
  std::string who;          // goroutine or thread that did it
};

struct node {
  const void* addr;
};

struct graph {
  std::mutex mu;
  std::uint64_t next_id = 1;
  std::unordered_map<const void*, std::uint64_t> ids; // live mutexes
  std::unordered_map<std::uint64_t, node> nodes;
  std::unordered_map<std::uint64_t, std::unordered_map<std::uint64_t, edge_info>> out;
  std::set<std::vector<std::uint64_t>> reported; // canonical cycles
};

graph& the_graph() {
  static auto* gr = new graph; // never destroyed: locks are taken during exit
  return *gr;
}

std::uint64_t id_of_locked(graph& gr, const void* m) {
  auto [it, inserted] = gr.ids.try_emplace(m, 0);
  if (inserted) {
    it->second = gr.next_id++;
    gr.nodes[it->second] = node{m};
  }
  return it->second;
}

// Depth-first search from `from` to `to`; fills `path` (from .. to).
bool find_path(graph& gr, std::uint64_t from, std::uint64_t to, std::vector<std::uint64_t>& path) {
  std::unordered_map<std::uint64_t, std::uint64_t> parent;
  std::vector<std::uint64_t> stack{from};
  parent[from] = from;
  while (!stack.empty()) {
    std::uint64_t n = stack.back();
    stack.pop_back();
    if (n == to) {
      for (std::uint64_t x = to; x != from; x = parent[x])
        path.push_back(x);
      path.push_back(from);
      std::reverse(path.begin(), path.end());
      return true;
    }
    auto it = gr.out.find(n);
    if (it == gr.out.end())
      continue;
    for (const auto& [next, info] : it->second) {
      (void)info;
      if (parent.try_emplace(next, n).second)
        stack.push_back(next);
    }
  }
  return false;
}

std::vector<std::uint64_t> canonical(std::vector<std::uint64_t> cycle) {
  auto smallest = std::min_element(cycle.begin(), cycle.end());
  std::rotate(cycle.begin(), smallest, cycle.end());
  return cycle;
}

struct cycle_report {
  std::vector<const void*> mutexes; // in cycle order: m0 -> m1 -> ... -> m0
  std::vector<edge_info> edges;     // edges[i]: mutexes[i] -> mutexes[i+1]
};

void report_cycle(const cycle_report& c) {
  std::size_t n = c.mutexes.size();
  std::vector<std::string> names;
  for (const void* m : c.mutexes)
    names.push_back(lock_name(m));
  finding f;
  f.rule = "goro-lock-order-inversion";
  if (n == 2) {
    // names[1] -> names[0] is the edge that closed the cycle: the report's line.
    f.message = "lock-order inversion: " + names[0] + " is locked here while holding " + names[1] +
                ", and elsewhere " + names[1] + " is locked while holding " + names[0] +
                "; goroutines doing both at once deadlock";
  } else {
    std::string chain;
    for (std::size_t i = 0; i <= n; ++i)
      chain += (i ? " -> " : "") + names[i % n];
    f.message = "lock-order inversion: a cycle of " + std::to_string(n) + " mutexes (" + chain +
                "); goroutines taking them concurrently can deadlock";
  }
  // The edge that closed the cycle is the last one: its second acquisition is
  // the line to look at.
  const edge_info& closing = c.edges.back();
  f.where = first_user_site(closing.to_site);
  for (std::size_t i = 0; i < n; ++i) {
    const edge_info& e = c.edges[i];
    const std::string& held = names[i];
    const std::string& taken = names[(i + 1) % n];
    f.notes.push_back({first_user_site(e.to_site),
                       taken + " acquired here while holding " + held + " (" + e.who + ")"});
    f.notes.push_back({first_user_site(e.from_site), held + " acquired here (" + e.who + ")"});
    f.stacks.push_back({taken + " acquired while holding " + held + " (" + e.who + ")",
                        symbolize_stack(e.to_site)});
    f.graph.push_back({held, taken, format_site(first_user_site(e.to_site))});
  }
  f.properties.push_back({"mutexes", std::to_string(n)});
  emit(std::move(f));
}

// Edges this thread recently confirmed, by mutex address; cleared whenever
// any mutex is destroyed (its address may come back as another mutex).
std::atomic<std::uint64_t> destroy_epoch{0};
thread_local std::vector<std::pair<const void*, const void*>> t_seen_edges;
thread_local std::uint64_t t_seen_epoch = 0;

bool seen_recently(const void* a, const void* b) {
  std::uint64_t epoch = destroy_epoch.load(std::memory_order_acquire);
  if (epoch != t_seen_epoch) {
    t_seen_edges.clear();
    t_seen_epoch = epoch;
  }
  for (const auto& e : t_seen_edges)
    if (e.first == a && e.second == b)
      return true;
  if (t_seen_edges.size() >= 64)
    t_seen_edges.erase(t_seen_edges.begin());
  t_seen_edges.emplace_back(a, b);
  return false;
}

// The caller checked seen_recently(held.mutex, m).
void add_edge(const held_lock& held, const void* m, const captured_stack& site,
              const std::string& who) {
  graph& gr = the_graph();
  cycle_report report;
  {
    std::lock_guard<std::mutex> lock(gr.mu);
    std::uint64_t a = id_of_locked(gr, held.mutex);
    std::uint64_t b = id_of_locked(gr, m);
    if (a == b)
      return;
    auto& outs = gr.out[a];
    if (outs.count(b) != 0)
      return;
    outs.emplace(b, edge_info{held.acquired_at, site, who});
    // A path b -> ... -> a plus the new edge a -> b is a cycle.
    std::vector<std::uint64_t> path;
    if (!find_path(gr, b, a, path))
      return;
    std::vector<std::uint64_t> cycle(path.begin(), path.end()); // b .. a
    if (!gr.reported.insert(canonical(cycle)).second)
      return;
    // Report in the order a -> b -> ... -> a, ending with the new edge.
    std::vector<std::uint64_t> order;
    order.push_back(b);
    for (std::size_t i = 1; i < path.size(); ++i)
      order.push_back(path[i]);
    // order = b, ..., a ; edges: order[i] -> order[i+1], then a -> b.
    for (std::size_t i = 0; i < order.size(); ++i) {
      report.mutexes.push_back(gr.nodes[order[i]].addr);
      std::uint64_t from = order[i];
      std::uint64_t to = order[(i + 1) % order.size()];
      report.edges.push_back(gr.out[from][to]);
    }
  }
  report_cycle(report);
}

// ---- the held-lock list (layout and protocol: g_state.hpp)

// Owner only: brackets a change of the list. The fence keeps the odd counter
// ahead of the writes that follow (free on x86-64, as are the stores).
void begin_write(debug_g_state& s) noexcept {
  s.held_seq.store(s.held_seq.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
}
void end_write(debug_g_state& s) noexcept {
  s.held_seq.store(s.held_seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

// Owner only: appends (m, shared) acquired here, capturing the stack straight
// into the list (an entry is 200 bytes; copying it cost as much as the rest).
const held_lock& push_held(g& me, const void* m, bool shared) {
  debug_g_state& s = me.dbg;
  std::uint32_t n = s.held_count.load(std::memory_order_relaxed);
  if (n == s.held_capacity) {
    std::uint32_t cap = n == 0 ? 4 : 2 * n;
    auto* grown = new held_lock[cap];
    std::copy(s.held_items, s.held_items + n, grown);
    s.lock.lock(); // no reader is copying the old array
    held_lock* old = s.held_items;
    s.held_items = grown;
    s.held_capacity = cap;
    s.lock.unlock();
    delete[] old;
  }
  begin_write(s);
  held_lock& entry = s.held_items[n];
  entry.mutex = m;
  entry.shared = shared;
  capture_stack(entry.acquired_at, me);
  s.held_count.store(n + 1, std::memory_order_relaxed);
  end_write(s);
  return entry;
}

// Owner only (or with the owner gone): removes the most recent (m, shared).
bool remove_held(debug_g_state& s, const void* m, bool shared) noexcept {
  std::uint32_t n = s.held_count.load(std::memory_order_relaxed);
  for (std::uint32_t i = n; i-- > 0;) {
    if (s.held_items[i].mutex == m && s.held_items[i].shared == shared) {
      begin_write(s);
      std::copy(s.held_items + i + 1, s.held_items + n, s.held_items + i);
      s.held_count.store(n - 1, std::memory_order_relaxed);
      end_write(s);
      return true;
    }
  }
  return false;
}

// Owner only: applies the releases other goroutines queued for this g.
void apply_remote_releases(debug_g_state& s) noexcept {
  if (!s.has_remote_release.load(std::memory_order_acquire))
    return;
  s.lock.lock();
  for (const auto& [m, shared] : s.released_remotely)
    remove_held(s, m, shared);
  s.released_remotely.clear();
  s.has_remote_release.store(false, std::memory_order_relaxed);
  s.lock.unlock();
}

// Any thread, with s.lock held: the locks the g holds now (its list, as of
// one consistent moment, minus the releases queued for it).
std::vector<held_lock> held_now_locked(const debug_g_state& s) {
  std::vector<held_lock> out;
  for (;;) {
    std::uint32_t before = s.held_seq.load(std::memory_order_acquire);
    if (before % 2 != 0) {
      cpu_relax();
      continue;
    }
    std::uint32_t n = s.held_count.load(std::memory_order_relaxed);
    // The owner may be writing meanwhile; the counter tells. Counts beyond
    // the capacity can only come from such a torn read.
    out.assign(s.held_items, s.held_items + std::min(n, s.held_capacity));
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.held_seq.load(std::memory_order_relaxed) == before)
      break;
  }
  for (const auto& [m, shared] : s.released_remotely)
    for (std::size_t i = out.size(); i-- > 0;)
      if (out[i].mutex == m && out[i].shared == shared) {
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
  return out;
}

// Another goroutine's unlock of (m, shared) that gp holds: queued for gp.
bool release_for(const g& cgp, const void* m, bool shared) {
  auto& s = const_cast<g&>(cgp).dbg;
  bool found = false;
  s.lock.lock();
  try {
    for (const held_lock& h : held_now_locked(s))
      if (h.mutex == m && h.shared == shared) {
        found = true;
        break;
      }
    if (found) {
      s.released_remotely.emplace_back(m, shared);
      s.has_remote_release.store(true, std::memory_order_release);
    }
  } catch (...) {
  }
  s.lock.unlock();
  return found;
}

} // namespace

std::string lock_name(const void* m) {
  std::string name;
  try {
    name = data_symbol(m);
  } catch (...) {
  }
  if (!name.empty())
    return "'" + name + "'";
  char buf[32];
  std::snprintf(buf, sizeof buf, "mutex@%p", m);
  return buf;
}

void lock_acquired(g& me, const void* m, bool shared, bool blocking) noexcept {
  try {
    debug_g_state& s = me.dbg;
    apply_remote_releases(s);
    std::uint32_t before = s.held_count.load(std::memory_order_relaxed);
    const held_lock& entry = push_held(me, m, shared);
    if (before == 0 || !blocking || !options().detect_lock_order)
      return;
    // Only this g writes its list, so it reads it without a copy; add_edge
    // takes no goro lock, so the list does not change meanwhile.
    std::string who;
    for (std::uint32_t i = 0; i < before; ++i) {
      const held_lock& h = s.held_items[i];
      if (h.mutex == m || seen_recently(h.mutex, m))
        continue;
      if (who.empty())
        who = goroutine_name(me);
      add_edge(h, m, entry.acquired_at, who);
    }
  } catch (...) {
  }
}

void lock_released(g& me, const void* m, bool shared) noexcept {
  apply_remote_releases(me.dbg);
  if (remove_held(me.dbg, m, shared))
    return;
  // Go lets another goroutine unlock a mutex: find its holder, under the
  // registry's and the threads' locks so that it cannot exit meanwhile, and
  // queue the release for it.
  bool done = false;
  for_each_goroutine([&](const g& gp) {
    if (!done && &gp != &me)
      done = release_for(gp, m, shared);
  });
  if (done)
    return;
  debug_runtime& d = debug_state();
  d.threads_lock.lock();
  for (g* t : d.threads)
    if (!done && t != &me)
      done = release_for(*t, m, shared);
  d.threads_lock.unlock();
}

void clear_held_locks(g& gp) noexcept {
  debug_g_state& s = gp.dbg;
  s.lock.lock();
  begin_write(s);
  s.held_count.store(0, std::memory_order_relaxed);
  end_write(s);
  s.released_remotely.clear();
  s.has_remote_release.store(false, std::memory_order_relaxed);
  s.lock.unlock();
}

void lock_destroyed(const void* m) noexcept {
  destroy_epoch.fetch_add(1, std::memory_order_acq_rel);
  graph& gr = the_graph();
  std::lock_guard<std::mutex> lock(gr.mu);
  auto it = gr.ids.find(m);
  if (it == gr.ids.end())
    return;
  gr.out.erase(it->second);
  gr.nodes.erase(it->second);
  gr.ids.erase(it);
}

bool lock_holder(const void* m, lock_holder_info* out) noexcept {
  bool found = false;
  auto look = [&](const g& gp) {
    if (found)
      return;
    auto& s = const_cast<g&>(gp).dbg;
    s.lock.lock();
    try {
      for (const held_lock& h : held_now_locked(s))
        if (h.mutex == m && !h.shared) {
          found = true;
          out->acquired = h;
          break;
        }
    } catch (...) {
    }
    s.lock.unlock();
    if (found) {
      // Copied while the registry or threads lock keeps gp alive.
      out->holder = record_of(gp);
      out->asleep = gp.dbg.waiting_kind.load(std::memory_order_acquire) != wait_kind::none &&
                    !gp.dbg.awake.load(std::memory_order_acquire);
    }
  };
  for_each_goroutine(look);
  debug_runtime& d = debug_state();
  d.threads_lock.lock(); // held while looking: a thread's g dies with the thread
  for (g* t : d.threads)
    look(*t);
  d.threads_lock.unlock();
  return found;
}

} // namespace goro::detail
