// RUN: %check_goro_tidy %s goro-unclosed-channel %t

#include <goro/goro.hpp>

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

void consume(int);
int produce();
bool failed();
void hand_off(goro::chan<int>);         // no body in sight: the channel escapes
void hand_off_recv(goro::recv_chan<int>); // no body: only the receiving side escapes

struct stage {
  goro::chan<int> out_;
  void start();
};

// ===========================================================================
// 1. A range-for over a channel that nothing closes.
// ===========================================================================

// The owner sends, a worker goroutine ranges: the worker leaks.
void worker_never_closed() {
  auto jobs = goro::make_chan<int>(8);
  goro::go([jobs] {
    for (int j : jobs)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: range-for over 'jobs' never ends: nothing closes 'jobs', so after the last value this goroutine blocks here forever and leaks [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'jobs' is made here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine receiving from 'jobs' starts here
    // CHECK-MESSAGES: :[[@LINE+4]]:10: note: 'jobs' is sent on here
      consume(j);
  });
  for (int i = 0; i < 3; ++i)
    jobs.send(i);
}

// The same with the close after the last send: fine.
void worker_closed() {
  auto jobs = goro::make_chan<int>(8);
  goro::go([jobs] {
    for (int j : jobs)
      consume(j);
  });
  for (int i = 0; i < 3; ++i)
    jobs.send(i);
  jobs.close();
}

// A producer goroutine, the owner ranges: the owner blocks forever.
void owner_never_closed() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (int i = 1; i <= 5; ++i)
      ch.send(i);
  });
  for (int v : ch)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'ch' never ends: nothing closes 'ch', so after the last value 'owner_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-7]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-7]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-6]]:10: note: 'ch' is sent on here
    consume(v);
}

// Seed 001 "Channel Closing and Range": the producer closes. Fine.
void producer_closes() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (int i = 1; i <= 5; ++i)
      ch.send(i);
    ch.close();
  });
  for (int v : ch)
    consume(v);
}

// Nothing sends either: the loop blocks at once.
void nothing_sends() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (int v : ch)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: range-for over 'ch' never ends: nothing sends on or closes 'ch', so this goroutine never finishes and leaks [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine receiving from 'ch' starts here
      consume(v);
  });
}

// A producer that never finishes keeps the loop fed: nothing leaks.
void producer_runs_forever() {
  auto ticks = goro::make_chan<int>();
  goro::go([ticks] {
    for (int i = 0;; ++i)
      ticks.send(i);
  });
  for (int t : ticks)
    consume(t);
}

// Several producers, closed after wg.wait() by a goroutine of its own (seed
// 001 "WaitGroup with Error Handling"). Fine.
void fan_in_wait_then_close() {
  auto errors = goro::make_chan<int>(3);
  goro::wait_group wg;
  for (int id = 1; id <= 3; ++id) {
    wg.add(1);
    goro::go([&wg, errors, id] {
      goro::defer done([&] { wg.done(); });
      errors.send(id);
    });
  }
  goro::go([&wg, errors] {
    wg.wait();
    errors.close();
  });
  for (int e : errors)
    consume(e);
}

// The same without the closer goroutine.
void fan_in_never_closed() {
  auto results = goro::make_chan<int>(3);
  goro::wait_group wg;
  for (int id = 1; id <= 3; ++id) {
    wg.add(1);
    goro::go([&wg, results, id] {
      goro::defer done([&] { wg.done(); });
      results.send(id);
    });
  }
  for (int r : results)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'results' never ends: nothing closes 'results', so after the last value 'fan_in_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-11]]:8: note: 'results' is made here
  // CHECK-MESSAGES: :[[@LINE-8]]:5: note: goroutine sending on 'results' starts here
  // CHECK-MESSAGES: :[[@LINE-7]]:15: note: 'results' is sent on here
    consume(r);
}

// A named producer function in the TU taking a send_chan.
void send_numbers(goro::send_chan<int> out, int n) {
  for (int i = 0; i < n; ++i)
    out.send(i);
}

void named_producer_never_closes() {
  auto numbers = goro::make_chan<int>();
  goro::go(send_numbers, numbers, 4);
  for (int v : numbers)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'numbers' never ends: nothing closes 'numbers', so after the last value 'named_producer_never_closes' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'numbers' is made here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine sending on 'numbers' starts here
  // CHECK-MESSAGES: :[[@LINE-10]]:9: note: 'out' is sent on here
    consume(v);
}

void send_then_close(goro::send_chan<int> out, int n) {
  for (int i = 0; i < n; ++i)
    out.send(i);
  out.close();
}

void named_producer_closes() {
  auto numbers = goro::make_chan<int>();
  goro::go(send_then_close, numbers, 4);
  for (int v : numbers)
    consume(v);
}

// Seed 004 worker pool: go(worker, w, jobs, results). jobs is closed by the
// owner; results is received a fixed number of times (not until closed).
// worker_pool_forgets_close below uses the same worker and forgets the close.
void worker(int id, goro::recv_chan<int> jobs, goro::send_chan<int> results) {
  for (int j : jobs)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'jobs' never ends: nothing closes 'jobs', so after the last value this goroutine blocks here forever and leaks [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE+20]]:8: note: 'jobs' is made here
  // CHECK-MESSAGES: :[[@LINE+22]]:5: note: the goroutine receiving from 'jobs' starts here
  // CHECK-MESSAGES: :[[@LINE+23]]:10: note: 'jobs' is sent on here
    results.send(j * 2 + id * 0);
}

void worker_pool() {
  auto jobs = goro::make_chan<int>(100);
  auto results = goro::make_chan<int>(100);
  for (int w = 1; w <= 3; ++w)
    goro::go(worker, w, jobs, results);
  for (int j = 1; j <= 9; ++j)
    jobs.send(j);
  jobs.close();
  for (int a = 1; a <= 9; ++a)
    results.recv();
}

// The same pool that forgets close(jobs): every worker leaks.
void worker_pool_forgets_close() {
  auto jobs = goro::make_chan<int>(100);
  auto results = goro::make_chan<int>(100);
  for (int w = 1; w <= 3; ++w)
    goro::go(worker, w, jobs, results);
  for (int j = 1; j <= 9; ++j)
    jobs.send(j);
  for (int a = 1; a <= 9; ++a)
    results.recv();
}

// std::thread is a spawn too.
void thread_consumer_never_closed() {
  auto lines = goro::make_chan<std::string>(4);
  std::thread printer([lines] {
    for (const std::string& line : lines)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: range-for over 'lines' never ends: nothing closes 'lines', so after the last value this goroutine blocks here forever and leaks [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'lines' is made here
    // CHECK-MESSAGES: :[[@LINE-4]]:15: note: the goroutine receiving from 'lines' starts here
    // CHECK-MESSAGES: :[[@LINE+4]]:9: note: 'lines' is sent on here
      consume(static_cast<int>(line.size()));
  });
  printer.detach();
  lines.send("hello");
}

// An implicit [&] capture is a capture too.
void implicit_capture_never_closed() {
  auto jobs = goro::make_chan<int>();
  goro::wait_group wg;
  wg.add(1);
  goro::go([&] {
    for (int j : jobs)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: range-for over 'jobs' never ends: nothing closes 'jobs', so after the last value this goroutine blocks here forever and leaks [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE-6]]:8: note: 'jobs' is made here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine receiving from 'jobs' starts here
    // CHECK-MESSAGES: :[[@LINE+4]]:8: note: 'jobs' is sent on here
      consume(j);
    wg.done();
  });
  jobs.send(1);
  wg.wait();
}

// Workers started by a helper the channel is passed to.
void start_workers(goro::recv_chan<int> jobs, int n) {
  for (int i = 0; i < n; ++i)
    goro::go([jobs] {
      for (int j : jobs)
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: range-for over 'jobs' never ends: nothing closes 'jobs', so after the last value this goroutine blocks here forever and leaks [goro-unclosed-channel]
      // CHECK-MESSAGES: :[[@LINE+16]]:8: note: 'jobs' is made here
      // CHECK-MESSAGES: :[[@LINE-4]]:5: note: the goroutine receiving from 'jobs' starts here
      // CHECK-MESSAGES: :[[@LINE+17]]:10: note: 'jobs' is sent on here
        consume(j);
    });
}

void helper_starts_workers_closed() {
  auto jobs = goro::make_chan<int>();
  start_workers(jobs, 3);
  for (int i = 0; i < 3; ++i)
    jobs.send(i);
  jobs.close();
}

void helper_starts_workers_never_closed() {
  auto jobs = goro::make_chan<int>();
  start_workers(jobs, 3);
  for (int i = 0; i < 3; ++i)
    jobs.send(i);
}

// A goroutine held in a local variable, then spawned.
void lambda_variable_producer() {
  auto ch = goro::make_chan<int>();
  auto producer = [ch] {
    ch.send(1);
    ch.close();
  };
  goro::go(producer);
  for (int v : ch)
    consume(v);
}

// ===========================================================================
// 2. Escapes: the check cannot see every closer, so it says nothing.
// ===========================================================================

goro::chan<int> returned_channel() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (int v : ch)
      consume(v);
  });
  return ch; // the caller may close it
}

void passed_to_unseen_function() {
  auto ch = goro::make_chan<int>();
  hand_off(ch); // may close it
  for (int v : ch)
    consume(v);
}

void stage::start() {
  auto ch = goro::make_chan<int>();
  out_ = ch; // stored in a member
  for (int v : ch)
    consume(v);
}

void run_later(std::function<void()> f); // a thread pool the check does not know

void lambda_to_unknown_function() {
  auto ch = goro::make_chan<int>();
  run_later([ch] { ch.close(); });
  for (int v : ch)
    consume(v);
}

void stored_in_container() {
  auto ch = goro::make_chan<int>();
  std::vector<goro::chan<int>> all{ch};
  for (int v : ch)
    consume(v);
}

// Only the receiving side leaves: every closer is still in sight.
void receive_side_escapes() {
  auto ch = goro::make_chan<int>();
  hand_off_recv(ch);
  goro::go([ch] { ch.send(1); });
  for (int v : ch)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'ch' never ends: nothing closes 'ch', so after the last value 'receive_side_escapes' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-5]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-5]]:22: note: 'ch' is sent on here
    consume(v);
}

// ===========================================================================
// 3. Loops that stop only when recv() returns nullopt, and select loops.
// ===========================================================================

void while_recv_never_closed() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  while (auto v = ch.recv())
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: loop receiving from 'ch' never ends: nothing closes 'ch', so after the last value 'while_recv_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-5]]:22: note: 'ch' is sent on here
    consume(*v);
}

void break_on_nullopt_never_closed() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  for (;;) {
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: loop receiving from 'ch' never ends: nothing closes 'ch', so after the last value 'break_on_nullopt_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-5]]:22: note: 'ch' is sent on here
    std::optional<int> v = ch.recv();
    if (v == std::nullopt)
      break;
    consume(*v);
  }
}

// An optional that starts empty and only ever holds a receive.
void assigned_optional_never_closed() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  std::optional<int> v;
  while ((v = ch.recv()))
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: loop receiving from 'ch' never ends: nothing closes 'ch', so after the last value 'assigned_optional_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-5]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-6]]:22: note: 'ch' is sent on here
    consume(*v);
}

void do_while_never_closed() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  std::optional<int> v;
  do {
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: loop receiving from 'ch' never ends: nothing closes 'ch', so after the last value 'do_while_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-5]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-6]]:22: note: 'ch' is sent on here
    v = ch.recv();
    if (v)
      consume(*v);
  } while (v.has_value());
}

// The optional is also filled from elsewhere: its emptiness says nothing.
void optional_from_elsewhere() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  std::optional<int> v = 0;
  while (v) {
    v = ch.recv();
    if (v)
      consume(*v);
  }
}

// The loop also stops on a value: a sentinel protocol, not a close.
void sentinel_stops_loop() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    ch.send(1);
    ch.send(-1);
  });
  for (;;) {
    auto v = ch.recv();
    if (!v || *v < 0)
      break;
    consume(*v);
  }
  for (int v : ch) {
    if (v < 0)
      break;
    consume(v);
  }
}

// A counted receive does not wait for a close.
void counted_receive() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    ch.send(1);
    ch.send(2);
  });
  for (int i = 0; i < 2; ++i)
    consume(*ch.recv());
}

// try_recv stops when the channel is empty: not a wait for the close.
void try_recv_loop() {
  auto ch = goro::make_chan<int>(2);
  ch.send(1);
  while (auto v = ch.try_recv())
    consume(*v);
}

// select with on_recv: the loop's exit follows a flag set in the case when
// the channel is closed.
void select_flag_never_closed() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  for (;;) {
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: select loop receiving from 'ch' never ends: nothing closes 'ch', so after the last value 'select_flag_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-5]]:22: note: 'ch' is sent on here
    bool closed = false;
    goro::select(goro::on_recv(ch, [&](std::optional<int> v) {
      if (!v) {
        closed = true;
        return;
      }
      consume(*v);
    }));
    if (closed)
      break;
  }
}

// The same loop with a generic case function and a while condition.
void select_flag_generic_never_closed() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  bool done = false;
  while (!done) {
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: select loop receiving from 'ch' never ends: nothing closes 'ch', so after the last value 'select_flag_generic_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-5]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-6]]:22: note: 'ch' is sent on here
    goro::select(goro::on_recv(ch, [&](auto v) {
      if (v.has_value())
        consume(*v);
      else
        done = true;
    }));
  }
}

// Seed 002 "Done Channel": the loop also ends when done fires.
void select_with_done_case() {
  auto jobs = goro::make_chan<int>();
  auto done = goro::make_chan<goro::unit>();
  goro::go([jobs] { jobs.send(1); });
  goro::go([done] { done.close(); });
  bool stop = false;
  while (!stop) {
    goro::select(goro::on_recv(done, [&](auto) { stop = true; }),
                 goro::on_recv(jobs, [&](std::optional<int> j) {
                   if (!j) {
                     stop = true;
                     return;
                   }
                   consume(*j);
                 }));
  }
}

// A `done` channel signals by its close (seed 002 "Done Channel"): when
// nothing sends on it, receiving anything means it was closed.
void done_never_closed() {
  auto done = goro::make_chan<goro::unit>();
  goro::go([done] {
    bool stop = false;
    while (!stop)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: select loop receiving from 'done' never ends: nothing sends on or closes 'done', so this goroutine never finishes and leaks [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE-5]]:8: note: 'done' is made here
    // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the goroutine receiving from 'done' starts here
      goro::select(goro::on_recv(done, [&](auto) { stop = true; }),
                   goro::on_default([] { goro::yield(); }));
  });
}

// Seed 001 properCleanup: the owner closes done. Fine.
void done_closed() {
  auto done = goro::make_chan<goro::unit>();
  goro::go([done] {
    for (;;) {
      bool stop = false;
      goro::select(goro::on_recv(done, [&](auto) { stop = true; }),
                   goro::on_default([] { goro::yield(); }));
      if (stop)
        return;
    }
  });
  done.close();
}

void done_closed_on_some_paths() {
  auto done = goro::make_chan<goro::unit>();
  goro::go([done] {
    bool stop = false;
    while (!stop)
      goro::select(goro::on_recv(done, [&](auto) { stop = true; }),
                   goro::on_default([] { goro::yield(); }));
  });
  if (failed())
    return;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'done_closed_on_some_paths' returns here without closing 'done'; the select loop receiving from 'done' then never ends [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE+2]]:8: note: 'done' is closed here on other paths
  // CHECK-MESSAGES: :[[@LINE-8]]:5: note: the select loop receiving from 'done' waits for the close here
  done.close();
}

// A value on the channel also ends the loop: not a close signal.
void done_by_value() {
  auto done = goro::make_chan<goro::unit>(1);
  goro::go([done] {
    bool stop = false;
    while (!stop)
      goro::select(goro::on_recv(done, [&](auto) { stop = true; }),
                   goro::on_default([] { goro::yield(); }));
  });
  done.send({});
}

// An exit that follows select's returned index is not a close of 'ch'.
void select_index_exit() {
  auto ch = goro::make_chan<int>();
  auto quit = goro::make_chan<goro::unit>();
  goro::go([ch] { ch.send(1); });
  goro::go([quit] { quit.close(); });
  for (;;) {
    bool closed = false;
    std::size_t chosen = goro::select(goro::on_recv(ch,
                                                    [&](std::optional<int> v) {
                                                      if (!v)
                                                        closed = true;
                                                    }),
                                      goro::on_recv(quit, [](auto) {}));
    if (chosen == 1)
      return;
    if (closed)
      break;
  }
}

// A flag also set when a value arrives does not mean closed.
void flag_set_on_value() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  bool got = false;
  while (!got)
    goro::select(goro::on_recv(ch, [&](std::optional<int>) { got = true; }));
}

// ===========================================================================
// 4. A producer that closes on some paths only.
// ===========================================================================

void early_return_skips_close() {
  auto out = goro::make_chan<int>();
  goro::go([out] {
    for (int i = 0; i < 3; ++i) {
      if (failed())
        return;
      // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: this goroutine returns here without closing 'out'; the range-for over 'out' then blocks forever after the last value [goro-unclosed-channel]
      // CHECK-MESSAGES: :[[@LINE+4]]:9: note: 'out' is closed here on other paths
      // CHECK-MESSAGES: :[[@LINE+5]]:3: note: the range-for over 'out' waits for the close here
      out.send(i);
    }
    out.close();
  });
  for (int v : out)
    consume(v);
}

// goro::defer closes on every path (Go's `defer close(out)`). Fine.
void defer_closes_every_path() {
  auto out = goro::make_chan<int>();
  goro::go([out] {
    goro::defer close_out([&] { out.close(); });
    for (int i = 0; i < 3; ++i) {
      if (failed())
        return;
      out.send(i);
    }
  });
  for (int v : out)
    consume(v);
}

// A defer declared after the early return does not run on that path.
void defer_declared_too_late() {
  auto out = goro::make_chan<int>();
  goro::go([out] {
    if (failed())
      return;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: this goroutine returns here without closing 'out'; the range-for over 'out' then blocks forever after the last value [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE+2]]:37: note: 'out' is closed here on other paths
    // CHECK-MESSAGES: :[[@LINE+4]]:3: note: the range-for over 'out' waits for the close here
    goro::defer close_out([&] { out.close(); });
    out.send(1);
  });
  for (int v : out)
    consume(v);
}

// The close sits only on the error path; the normal end misses it.
void close_only_on_error() {
  auto out = goro::make_chan<int>();
  goro::go([out] {
    for (int i = 0; i < 3; ++i) {
      if (failed()) {
        out.close();
        return;
      }
      out.send(i);
    }
  });
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: this goroutine finishes here without closing 'out'; the range-for over 'out' then blocks forever after the last value [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-7]]:13: note: 'out' is closed here on other paths
  // CHECK-MESSAGES: :[[@LINE+1]]:3: note: the range-for over 'out' waits for the close here
  for (int v : out)
    consume(v);
}

// A recursive producer closes at the bottom of the recursion: the call
// closes on the paths that reach it. Fine.
void count_down(goro::send_chan<int> out, int n) {
  if (n == 0) {
    out.close();
    return;
  }
  out.send(n);
  count_down(out, n - 1);
}

void recursive_producer() {
  auto ch = goro::make_chan<int>(10);
  goro::go(count_down, ch, 3);
  for (int v : ch)
    consume(v);
}

// A throw is not a way to finish sending (an escaping exception terminates
// a goroutine). Fine.
void throw_path_is_not_an_exit() {
  auto out = goro::make_chan<int>();
  goro::go([out] {
    if (failed())
      throw goro::panic("bad input");
    out.send(1);
    out.close();
  });
  for (int v : out)
    consume(v);
}

// The owner is the producer: a return after the workers started leaves them
// waiting; a return before they start does not.
void owner_returns_after_workers_start(const std::vector<int>& items) {
  if (items.empty())
    return;
  auto jobs = goro::make_chan<int>();
  goro::wait_group wg;
  for (int w = 0; w < 4; ++w) {
    wg.add(1);
    goro::go([&wg, jobs] {
      for (int j : jobs)
        consume(j);
      wg.done();
    });
  }
  for (int item : items) {
    if (item < 0)
      return;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'owner_returns_after_workers_start' returns here without closing 'jobs'; the range-for over 'jobs' then blocks forever after the last value [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE+4]]:8: note: 'jobs' is closed here on other paths
    // CHECK-MESSAGES: :[[@LINE-10]]:7: note: the range-for over 'jobs' waits for the close here
    jobs.send(item);
  }
  jobs.close();
  wg.wait();
}

// Seed 004 errgroup worker pool: the sender goroutine closes with defer. Fine.
void errgroup_pool(const std::vector<int>& items) {
  auto jobs = goro::make_chan<int>();
  auto [g, ctx] = goro::errgroup::with_context(goro::background());
  for (int i = 0; i < 4; ++i)
    g.go([jobs] {
      for (int item : jobs)
        consume(item);
    });
  g.go([jobs, &items, ctx = ctx]() -> goro::error {
    goro::defer close_jobs([&] { jobs.close(); });
    for (int item : items) {
      bool canceled = false;
      goro::select(goro::on_recv(ctx.done(), [&](auto) { canceled = true; }),
                   goro::on_send(jobs, item, [] {}));
      if (canceled)
        return ctx.err();
    }
    return {};
  });
  (void)g.wait();
}

// ===========================================================================
// 5. The only closer is the loop's own code, after the loop.
// ===========================================================================

void closed_after_own_loop() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    ch.send(1);
    ch.send(2);
  });
  for (int v : ch)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'ch' never ends: 'ch' is closed only by 'closed_after_own_loop', and not before this loop, so after the last value 'closed_after_own_loop' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE+2]]:6: note: 'ch' is closed here
    consume(v);
  ch.close();
}

// Seed 002 ProcessBatch: wg.wait(), close, then range. Fine.
void close_then_drain(const std::vector<int>& items) {
  goro::wait_group wg;
  auto errs = goro::make_chan<int>(static_cast<int>(items.size()));
  for (int item : items) {
    wg.add(1);
    goro::go([&wg, errs, item] {
      goro::defer done([&] { wg.done(); });
      if (item < 0)
        errs.send(item);
    });
  }
  wg.wait();
  errs.close();
  for (int e : errs)
    consume(e);
}

void closed_on_some_paths_before_loop(bool wait) {
  goro::wait_group wg;
  auto errs = goro::make_chan<int>(4);
  wg.add(1);
  goro::go([&wg, errs] {
    errs.send(1);
    wg.done();
  });
  if (wait) {
    wg.wait();
    errs.close();
  }
  for (int e : errs)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'errs' can block forever: 'errs' is closed only by 'closed_on_some_paths_before_loop', and not on every path to this loop; on the other paths 'closed_on_some_paths_before_loop' blocks here forever after the last value [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:10: note: 'errs' is closed here
    consume(e);
}

// ===========================================================================
// 6. A generator that returns a receive-only channel (seeds' pipeline).
// ===========================================================================

goro::recv_chan<int> generate(int n) {
  auto out = goro::make_chan<int>();
  goro::go([out, n] {
    for (int i = 0; i < n; ++i)
      out.send(i);
    out.close();
  });
  return out;
}

goro::recv_chan<int> generate_or_give_up(int n) {
  auto out = goro::make_chan<int>();
  goro::go([out, n] {
    if (n < 0)
      return;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: this goroutine returns here without closing 'out'; a receiver ranging over 'out' then blocks forever after the last value [goro-unclosed-channel]
    // CHECK-MESSAGES: :[[@LINE+4]]:9: note: 'out' is closed here on other paths
    // CHECK-MESSAGES: :[[@LINE+5]]:3: note: 'out' leaves 'generate_or_give_up' here as a receive-only channel
    for (int i = 0; i < n; ++i)
      out.send(i);
    out.close();
  });
  return out;
}

// A generator that returns the full channel: the caller may close it.
goro::chan<int> generate_full(int n) {
  auto out = goro::make_chan<int>();
  goro::go([out, n] {
    if (n < 0)
      return;
    out.send(n);
    out.close();
  });
  return out;
}

goro::recv_chan<int> square(goro::recv_chan<int> in) {
  auto out = goro::make_chan<int>();
  goro::go([in, out] {
    for (int n : in)
      out.send(n * n);
    out.close();
  });
  return out;
}

int pipeline_sum() {
  int total = 0;
  for (int v : square(generate(4)))
    total += v;
  return total;
}

// ===========================================================================
// 7. A receiver that closes a channel others send on.
// ===========================================================================

// The consumer stops early and closes: the producer's next send panics.
void receiver_stops_and_closes() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (int i = 0; i < 100; ++i)
      ch.send(i);
  });
  for (int v : ch) {
    if (v > 3)
      break;
    consume(v);
  }
  ch.close();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'ch' is closed by its receiver while another goroutine may still send on it; the next send panics (send on closed channel) [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-11]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-10]]:10: note: 'ch' is sent on here
}

// First answer wins, then the receiver closes: the other goroutines panic.
void first_answer_then_close() {
  auto answers = goro::make_chan<int>(3);
  for (int replica = 0; replica < 3; ++replica)
    goro::go([answers] { answers.send(produce()); });
  consume(*answers.recv());
  answers.close();
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'answers' is closed by its receiver while another goroutine may still send on it; the next send panics (send on closed channel) [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: goroutine sending on 'answers' starts here
  // CHECK-MESSAGES: :[[@LINE-5]]:34: note: 'answers' is sent on here
}

// A worker goroutine closes the channel the owner feeds.
void worker_closes_input() {
  auto jobs = goro::make_chan<int>();
  goro::go([jobs] {
    for (int j : jobs) {
      if (j < 0) {
        jobs.close();
        // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'jobs' is closed by its receiver while 'worker_closes_input' may still send on it; the next send panics (send on closed channel) [goro-unclosed-channel]
        // CHECK-MESSAGES: :[[@LINE+7]]:10: note: 'jobs' is sent on here
        return;
      }
      consume(j);
    }
  });
  for (int i = -1; i < 10; ++i)
    jobs.send(i);
  jobs.close();
}

// The receiver waits for the senders first. Fine.
void receiver_closes_after_wait() {
  auto ch = goro::make_chan<int>(10);
  goro::wait_group wg;
  wg.add(1);
  goro::go([&wg, ch] {
    for (int i = 0; i < 10; ++i)
      ch.send(i);
    wg.done();
  });
  consume(*ch.recv());
  wg.wait();
  ch.close();
}

// A counted receive may take every value there is. Fine.
void receiver_counts_then_closes() {
  auto ch = goro::make_chan<int>(3);
  for (int i = 0; i < 3; ++i)
    goro::go([ch, i] { ch.send(i); });
  for (int i = 0; i < 3; ++i)
    consume(*ch.recv());
  ch.close();
}

// A counted while loop is a counted receive too. Fine.
void receiver_counts_with_while() {
  auto ch = goro::make_chan<int>(3);
  goro::go([ch] {
    for (int i = 0; i < 3; ++i)
      ch.send(i);
  });
  int got = 0;
  while (got < 3) {
    consume(*ch.recv());
    ++got;
  }
  ch.close();
}

// Every send happened before the receiving goroutine started. Fine.
void sends_before_receiver_starts() {
  auto ch = goro::make_chan<int>(4);
  for (int i = 0; i < 4; ++i)
    ch.send(i);
  goro::go([ch] {
    consume(*ch.recv());
    ch.close();
  });
}

// A single sender that sends once has sent when the receive returns. Fine.
void single_send_then_close() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  consume(*ch.recv());
  ch.close();
}

// ===========================================================================
// 8. Two closes on one path.
// ===========================================================================

void closed_twice() {
  auto ch = goro::make_chan<int>(1);
  ch.send(1);
  ch.close();
  consume(*ch.recv());
  ch.close();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'ch' is closed twice: every path from its first close reaches this one, and the second close panics (close of closed channel) [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:6: note: 'ch' is first closed here
}

// goro::defer plus an explicit close: the explicit one is redundant.
void defer_and_explicit_close(goro::send_chan<int> out) {
  goro::defer close_out([&] { out.close(); });
  out.send(1);
  out.close();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'out' is closed here and again by the goro::defer when its scope ends; the second close panics (close of closed channel) [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:15: note: goro::defer closing 'out' declared here
}

// A close on an error path that falls through to the normal close.
void error_path_falls_through(goro::send_chan<int> out) {
  for (int i = 0; i < 3; ++i) {
    if (failed()) {
      out.close();
      break;
    }
    out.send(i);
  }
  out.close();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'out' is closed twice: every path from its first close reaches this one, and the second close panics (close of closed channel) [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-7]]:11: note: 'out' is first closed here
}

// The same in a goroutine with the defer closing first.
void defer_then_close_after_scope() {
  auto ch = goro::make_chan<int>(1);
  {
    goro::defer close_ch([&] { ch.close(); });
    ch.send(1);
  }
  ch.close();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'ch' is closed twice: every path from its first close reaches this one, and the second close panics (close of closed channel) [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-5]]:17: note: 'ch' is first closed by this goro::defer when its scope ends
}

// Closes on different paths. Fine.
void closes_on_different_paths(goro::send_chan<int> out) {
  if (failed()) {
    out.close();
    return;
  }
  out.send(1);
  out.close();
}

// A close guarded by a flag in a loop is closed at most once. Fine.
void guarded_close_in_loop(goro::send_chan<int> out) {
  bool closed = false;
  for (int i = 0; i < 3; ++i)
    if (!closed && failed()) {
      out.close();
      closed = true;
    }
  if (!closed)
    out.close();
}

// The variable gets a new channel between the closes. Fine.
void reassigned_between_closes() {
  auto ch = goro::make_chan<int>(1);
  ch.close();
  ch = goro::make_chan<int>(1);
  ch.close();
}

// A defer whose function closes only sometimes is not a certain close.
void conditional_defer(goro::send_chan<int> out, bool owner) {
  goro::defer maybe_close([&] {
    if (owner)
      out.close();
  });
  out.close();
}

// ===========================================================================
// 9. Templates, dependent code and macros.
// ===========================================================================

template <class T>
void typed_never_closed(T value) {
  auto ch = goro::make_chan<T>();
  goro::go([ch, value] { ch.send(value); });
  for (T v : ch)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: range-for over 'ch' never ends: nothing closes 'ch', so after the last value 'typed_never_closed' blocks here forever [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine sending on 'ch' starts here
  // CHECK-MESSAGES: :[[@LINE-5]]:29: note: 'ch' is sent on here
    consume(static_cast<int>(v));
}

void instantiate_twice() {
  typed_never_closed(1);
  typed_never_closed(2L);
}

template <class T>
void never_instantiated(goro::chan<T> ch) {
  ch.close();
  ch.close();
  for (auto v : ch)
    consume(v);
}

#define DRAIN(ch)                                                                                \
  for (int v : ch)                                                                               \
    consume(v);

void drained_in_macro() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    ch.send(1);
    ch.close();
  });
  DRAIN(ch)
}

#define CLOSE(ch) (ch).close()

void closed_twice_by_macro(goro::send_chan<int> out) {
  CLOSE(out);
  CLOSE(out);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'out' is closed twice: every path from its first close reaches this one, and the second close panics (close of closed channel) [goro-unclosed-channel]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'out' is first closed here
}
