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

#include "../chan_impl.hpp"
#include "../introspect.hpp"
#include "../netpoll.hpp"
#include "../sched.hpp"
#include "../timer.hpp"
#include "goro/select.hpp"
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
  g_record r;
  std::size_t select_count;
};

std::string address_text(const void* p) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%p", p);
  return buf;
}

// How the report names a channel: by the line that made it. Caller holds
// channels_lock.
std::string channel_name(const chan_core* c) {
  auto& core = const_cast<chan_core&>(*c);
  core.dbg.lock.lock();
  std::source_location made = core.dbg.made_at;
  core.dbg.lock.unlock();
  if (made.line() == 0)
    return "channel " + address_text(c);
  debug::site s = site_from_location(made);
  std::string file = s.file;
  if (auto slash = file.rfind('/'); slash != std::string::npos)
    file.erase(0, slash + 1);
  return "channel made at " + file + ":" + std::to_string(s.line);
}

std::string object_name(wait_kind kind, const void* object) {
  switch (kind) {
  case wait_kind::mutex:
  case wait_kind::rw_read:
  case wait_kind::rw_write:
    return "mutex " + lock_name(object);
  case wait_kind::wait_group:
    return "wait_group " + address_text(object);
  case wait_kind::cond:
    return "cond " + address_text(object);
  case wait_kind::nil_chan:
    return "the nil channel";
  default:
    return address_text(object);
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
      all.push_back({record_of(*t), t->dbg.waiting_count});
    }
    d.threads_lock.unlock();
    for (int tid : process_threads())
      if (known.count(tid) == 0)
        return; // a thread we know nothing about may still wake someone
    for_each_goroutine([&](const g& gp) {
      if (gp.state.load(std::memory_order_acquire) != g_state::waiting)
        someone_awake = true;
      all.push_back({record_of(gp), gp.dbg.waiting_count});
    });
    if (someone_awake || all.empty())
      return;
    if (d.awake.load(std::memory_order_seq_cst) != 0 ||
        d.wake_epoch.load(std::memory_order_seq_cst) != epoch)
      return;

    // Certain: nothing can wake anyone. Describe who waits on what, and who
    // holds what they wait for (the wait-for graph).
    finding f;
    f.rule = "goro-deadlock";
    std::sort(all.begin(), all.end(), [](const sleeper& a, const sleeper& b) {
      // The main thread first (it is usually where the user looks), then by id.
      if (a.r.is_fiber != b.r.is_fiber)
        return !a.r.is_fiber;
      if (a.r.main_thread != b.r.main_thread)
        return a.r.main_thread;
      return a.r.is_fiber ? a.r.id < b.r.id : a.r.tid < b.r.tid;
    });
    std::size_t goroutines = 0, threads = 0;
    for (const sleeper& s : all)
      (s.r.is_fiber ? goroutines : threads)++;
    f.message = "deadlock: all goroutines are asleep (" + std::to_string(goroutines) +
                (goroutines == 1 ? " goroutine" : " goroutines") + ", " + std::to_string(threads) +
                (threads == 1 ? " thread" : " threads") + " blocked in goro calls)";
    f.where = blocked_or_spawn_site(all.front().r);
    bool mutex_cycle = false;
    d.channels_lock.lock(); // the channels named below stay alive while we look
    try {
      for (const sleeper& s : all) {
        const g_record& r = s.r;
        std::string name = goroutine_name(r);
        std::string what = name + " is blocked in " + r.wait_reason;
        std::vector<const chan_core*> chans;
        if (r.kind == wait_kind::chan_send || r.kind == wait_kind::chan_recv) {
          auto* c = static_cast<const chan_core*>(r.waiting_on);
          if (d.channels.count(c) != 0)
            chans.push_back(c);
        } else if (r.kind == wait_kind::select) {
          const auto* ops = static_cast<const select_op*>(r.waiting_on);
          for (std::size_t i = 0; i < s.select_count && ops != nullptr; ++i)
            if (ops[i].core != nullptr && d.channels.count(ops[i].core) != 0 &&
                std::find(chans.begin(), chans.end(), ops[i].core) == chans.end())
              chans.push_back(ops[i].core);
        }
        std::vector<std::string> objects;
        if (chans.empty() && r.kind != wait_kind::select) {
          objects.push_back(object_name(r.kind, r.waiting_on));
          what += " on " + objects.back();
        }
        // Channels: who could still send, receive or close — every holder of
        // a handle, all asleep too.
        for (const chan_core* c : chans) {
          objects.push_back(channel_name(c));
          std::vector<std::string> holders = channel_holders(c);
          what += (c == chans.front() ? " on " : ", ") + objects.back();
          if (!holders.empty()) {
            what += " (held by ";
            for (std::size_t i = 0; i < holders.size(); ++i)
              what += (i ? ", " : "") + holders[i];
            what += ")";
          }
          for (const std::string& h : holders)
            if (h != name)
              f.graph.push_back({objects.back(), h, "held by"});
        }
        lock_holder_info holder;
        bool held = (r.kind == wait_kind::mutex || r.kind == wait_kind::rw_read ||
                     r.kind == wait_kind::rw_write) &&
                    lock_holder(r.waiting_on, &holder);
        if (held)
          what += ", held by " + goroutine_name(holder.holder);
        f.notes.push_back({blocked_or_spawn_site(r), what});
        for (const std::string& o : objects)
          f.graph.push_back({name, o, std::string("waits: ") + r.wait_reason});
        if (held) {
          std::string holder_name = goroutine_name(holder.holder);
          f.notes.push_back({first_user_site(holder.acquired.acquired_at),
                             objects.front() + " was locked here by " + holder_name});
          f.graph.push_back({objects.front(), holder_name, "held by"});
          mutex_cycle |= holder.asleep;
        }
        f.stacks.push_back({name + " [" + r.wait_reason + "]", block_frames_of(r)});
      }
    } catch (...) {
    }
    d.channels_lock.unlock();
    if (mutex_cycle)
      f.message += "; goroutines wait for mutexes held by each other";
    f.properties.push_back({"goroutines", std::to_string(goroutines)});
    f.properties.push_back({"threads", std::to_string(threads)});
    emit(std::move(f));
    stop_with_findings();
  } catch (...) {
  }
}

} // namespace goro::detail
