// debug/monitor.cpp — the debug runtime's own thread.
//
// Hooks must stay cheap and must not look at the whole program while they
// hold runtime locks, so whole-program checks run here: a deadlock check when
// the awake count reaches zero, a certain-leak sweep when a channel with
// waiters loses a handle (and now and then while goroutines keep parking),
// and a goroutine dump on SIGQUIT. Requests arrive as bytes on a pipe, which
// a signal handler can write too.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "../sched.hpp"
#include "goro/debug.hpp"
#include "runtime_state.hpp"

namespace goro::detail {
namespace {

int request_pipe[2] = {-1, -1};
std::once_flag started;
std::mutex working; // held while a check runs; monitor_quiesce takes it for good
std::atomic<bool> quiesced{false};

void on_sigquit(int) {
  char c = dump_goroutines;
  ssize_t n = write(request_pipe[1], &c, 1);
  (void)n;
}

void run() {
  register_runtime_thread();
  auto sweep_interval = std::chrono::milliseconds(250);
  auto last_sweep = std::chrono::steady_clock::now();
  std::uint64_t last_epoch = 0;
  bool pending = false; // the last sweep found leaks to confirm
  for (;;) {
    pollfd p{request_pipe[0], POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(sweep_interval.count()));
    bool deadlock = false, leaks = false, dump = false;
    if (ready > 0) {
      char buf[64];
      ssize_t n = read(request_pipe[0], buf, sizeof buf);
      for (ssize_t i = 0; i < n; ++i) {
        deadlock |= buf[i] == check_deadlock;
        leaks |= buf[i] == check_leaks;
        dump |= buf[i] == dump_goroutines;
      }
    }
    // A check that ran while the last sleeper was still on its way into
    // park, or while a runtime thread was starting, cannot conclude, and no
    // later park would ask again: whenever the program is found asleep,
    // check again (cheap: the check returns early unless all is quiet).
    if (!deadlock && debug_state().awake.load(std::memory_order_seq_cst) == 0)
      deadlock = true;
    std::lock_guard<std::mutex> lock(working);
    if (quiesced.load())
      continue;
    if (dump)
      goro::debug::dump(std::cerr);
    if (deadlock)
      deadlock_check();
    // Sweep on request, or now and then if anything parked since the last one.
    auto now = std::chrono::steady_clock::now();
    std::uint64_t epoch = debug_state().parks.load();
    if (leaks || (now - last_sweep >= sweep_interval && (epoch != last_epoch || pending))) {
      sweep_result r = certain_leak_sweep();
      pending = r.pending;
      auto took = r.analysis;
      // Keep the periodic sweeps under ~10% of one core (a report's
      // symbolization does not count: it happens once).
      sweep_interval = std::clamp<std::chrono::milliseconds>(
          std::chrono::duration_cast<std::chrono::milliseconds>(took * 10),
          std::chrono::milliseconds(250), std::chrono::milliseconds(10000));
      last_sweep = std::chrono::steady_clock::now();
      last_epoch = epoch;
    }
  }
}

} // namespace

void monitor_start() noexcept {
  std::call_once(started, [] {
    if (pipe2(request_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
      return;
    struct sigaction sa{};
    sa.sa_handler = &on_sigquit;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGQUIT, &sa, nullptr);
    try {
      std::thread(run).detach();
    } catch (...) {
    }
  });
}

void monitor_notify(monitor_request what) noexcept {
  if (request_pipe[1] < 0)
    return;
  char c = what;
  ssize_t n = write(request_pipe[1], &c, 1);
  (void)n; // a full pipe already holds a pending request
}

void monitor_quiesce() noexcept {
  std::lock_guard<std::mutex> lock(working);
  quiesced.store(true);
  // A SIGQUIT that arrived before exit still gets its dump: the signal
  // handler had queued the request before raise() or kill() returned.
  if (request_pipe[0] < 0)
    return;
  char buf[64];
  bool dump = false;
  for (ssize_t n; (n = read(request_pipe[0], buf, sizeof buf)) > 0;)
    for (ssize_t i = 0; i < n; ++i)
      dump |= buf[i] == dump_goroutines;
  if (dump) {
    try {
      goro::debug::dump(std::cerr);
    } catch (...) {
    }
  }
}

} // namespace goro::detail
