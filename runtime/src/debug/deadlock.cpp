// debug/deadlock.cpp — goro-deadlock: every goroutine and every thread inside
// a goro primitive is asleep and nothing pending can wake them.
//
// The monitor runs this when the awake count reaches zero. It is certain
// before it reports: no timer is pending, no blocking-pool call runs, no
// signal subscription exists, every thread of the process is either the
// runtime's own or a registered thread parked in a goro primitive (an unknown
// thread might still call in, as a thread in a syscall keeps a Go program
// awake), and the wake epoch did not move while it looked.
#include <algorithm>
#include <set>

#include <dirent.h>
#include <unistd.h>

#include "../introspect.hpp"
#include "../netpoll.hpp"
#include "../sched.hpp"
#include "../timer.hpp"
#include "options.hpp"
#include "report.hpp"
#include "runtime_state.hpp"
#include "stack_capture.hpp"

namespace goro::detail {
namespace {

std::vector<int> process_threads() {
  std::vector<int> tids;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.')
        tids.push_back(std::atoi(e->d_name));
    closedir(d);
  }
  return tids;
}

struct sleeper {
  g* gp;
  std::string name;
  wait_kind kind;
  const void* object;
  const char* reason;
};

std::string object_name(wait_kind kind, const void* object) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%p", object);
  switch (kind) {
  case wait_kind::mutex:
  case wait_kind::rw_read:
  case wait_kind::rw_write:
    return "mutex " + lock_name(object);
  case wait_kind::chan_send:
  case wait_kind::chan_recv:
    return std::string("channel ") + buf;
  case wait_kind::wait_group:
    return std::string("wait_group ") + buf;
  case wait_kind::cond:
    return std::string("cond ") + buf;
  case wait_kind::select:
    return "select";
  case wait_kind::nil_chan:
    return "the nil channel";
  default:
    return buf;
  }
}

} // namespace

void deadlock_check() noexcept {
  if (!options().detect_deadlocks)
    return;
  try {
    debug_runtime& d = debug_state();
    std::uint64_t epoch = d.wake_epoch.load(std::memory_order_seq_cst);
    if (d.awake.load(std::memory_order_seq_cst) != 0)
      return;
    if (timers_pending() > 0 || d.blocking_jobs.load(std::memory_order_seq_cst) != 0 ||
        d.signals_used.load(std::memory_order_seq_cst) || netpoll_waiting() > 0)
      return; // a timer, a blocking call, a signal or I/O can still wake someone

    std::set<int> known;
    for (int tid : runtime_thread_ids())
      known.insert(tid);
    std::vector<sleeper> all;
    bool someone_awake = false;
    d.threads_lock.lock();
    for (g* t : d.threads) {
      known.insert(t->dbg.tid);
      if (t->dbg.awake.load(std::memory_order_acquire))
        someone_awake = true;
      all.push_back({t, goroutine_name(*t), t->dbg.waiting_kind.load(), t->dbg.waiting_on.load(),
                     t->wait_reason});
    }
    d.threads_lock.unlock();
    for (int tid : process_threads())
      if (known.count(tid) == 0)
        return; // a thread we know nothing about may still wake someone
    for_each_goroutine([&](const g& gp) {
      g_state st = gp.state.load(std::memory_order_acquire);
      if (st != g_state::waiting)
        someone_awake = true;
      auto& mut = const_cast<g&>(gp);
      all.push_back({&mut, goroutine_name(gp), gp.dbg.waiting_kind.load(), gp.dbg.waiting_on.load(),
                     gp.wait_reason});
    });
    if (someone_awake || all.empty())
      return;
    if (d.awake.load(std::memory_order_seq_cst) != 0 ||
        d.wake_epoch.load(std::memory_order_seq_cst) != epoch)
      return;

    // Certain. Describe who waits on what, and who holds what they wait for.
    finding f;
    f.rule = "goro-deadlock";
    std::sort(all.begin(), all.end(), [](const sleeper& a, const sleeper& b) {
      // The main thread first (it is usually where the user looks), then by id.
      if (a.gp->is_fiber != b.gp->is_fiber)
        return !a.gp->is_fiber;
      return a.gp->id < b.gp->id;
    });
    std::size_t goroutines = 0, threads = 0;
    for (const sleeper& s : all)
      (s.gp->is_fiber ? goroutines : threads)++;
    f.message = "deadlock: all goroutines are asleep (" + std::to_string(goroutines) +
                (goroutines == 1 ? " goroutine" : " goroutines") + ", " + std::to_string(threads) +
                (threads == 1 ? " thread" : " threads") + " blocked in goro calls)";
    f.where = block_site_of(*all.front().gp);
    bool cycle = false;
    for (const sleeper& s : all) {
      std::string what = s.name + " is blocked in " + s.reason;
      std::string object = object_name(s.kind, s.object);
      if (s.kind != wait_kind::select)
        what += " on " + object;
      held_lock held;
      g* holder = nullptr;
      if (s.kind == wait_kind::mutex || s.kind == wait_kind::rw_read ||
          s.kind == wait_kind::rw_write)
        holder = lock_holder(s.object, &held);
      if (holder != nullptr)
        what += ", held by " + goroutine_name(*holder);
      f.notes.push_back({block_site_of(*s.gp), what});
      f.graph.push_back({s.name, object, std::string("waits: ") + s.reason});
      if (holder != nullptr) {
        f.notes.push_back({first_user_site(held.acquired_at),
                           object + " was locked here by " + goroutine_name(*holder)});
        f.graph.push_back({object, goroutine_name(*holder), "held by"});
        if (holder->state.load() == g_state::waiting || !holder->is_fiber)
          cycle = true;
      }
      f.stacks.push_back({s.name + " [" + s.reason + "]", block_frames_of(*s.gp)});
    }
    if (cycle)
      f.message += "; goroutines wait for mutexes held by each other";
    f.properties.push_back({"goroutines", std::to_string(goroutines)});
    f.properties.push_back({"threads", std::to_string(threads)});
    emit(std::move(f));
    stop_with_findings();
  } catch (...) {
  }
}

} // namespace goro::detail
