// RUN: %check_goro_tidy %s goro-goroutine-without-exit %t

#include <goro/goro.hpp>

#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

void consume(int);
bool should_stop();
void log_tick();

// ===========================================================================
// 1. The seed: a select loop with no way out.
// ===========================================================================

// Seed 001 "Memory leak: goroutine never exits".
void memory_leak() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (;;) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'select' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:7: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
      goro::select(goro::on_recv(ch, [](std::optional<int> v) {
        if (v)
          consume(*v);
        return; // leaves the case's function only
      }));
    }
  });
}

// The same loop with a ctx.done() case that returns: fine.
void with_done_case(goro::context ctx) {
  auto ch = goro::make_chan<int>();
  goro::go([ch, ctx] {
    for (;;) {
      bool stop = false;
      goro::select(goro::on_recv(ch, [](std::optional<int> v) { consume(v.value_or(0)); }),
                   goro::on_recv(ctx.done(), [&](auto) { stop = true; }));
      if (stop)
        return;
    }
  });
}

// A done case and the loop's exit through the index select returns: fine.
void exit_by_select_index(goro::context ctx, goro::recv_chan<int> in) {
  goro::go([ctx, in] {
    while (true) {
      if (goro::select(goro::on_recv(in, [](std::optional<int> v) { consume(*v); }),
                       goro::on_recv(ctx.done(), [](auto) {})) == 1)
        break;
    }
  });
}

// A quit channel named as such, even without an exit written in the loop
// (the case may end it in ways the check cannot see): quiet.
void quit_channel(goro::recv_chan<int> in, goro::recv_chan<goro::unit> quit) {
  goro::go([in, quit] {
    for (;;)
      goro::select(goro::on_recv(in, [](std::optional<int> v) { consume(*v); }),
                   goro::on_recv(quit, [](auto) { std::exit(0); }));
  });
}

// A ticker loop (seed 003's "schedule" without a stop): leaks.
void ticker_forever() {
  goro::go([] {
    goro::ticker t(std::chrono::seconds(1));
    for (;;) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'select' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:7: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-5]]:3: note: the goroutine starts here
      goro::select(goro::on_recv(t.c(), [](auto) { log_tick(); }));
    }
  });
}

// ===========================================================================
// 2. recv() and try_recv() loops.
// ===========================================================================

// recv() in an endless loop; the nullopt after close is ignored: leaks (and
// spins once the channel is closed).
void recv_ignores_close(goro::recv_chan<int> in) {
  goro::go([in] {
    while (true) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'recv' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:33: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
      std::optional<int> v = in.recv();
      consume(v.value_or(0));
    }
  });
}

// recv() whose nullopt leads to return: fine.
void recv_returns_on_close(goro::recv_chan<int> in) {
  goro::go([in] {
    while (true) {
      std::optional<int> v = in.recv();
      if (!v)
        return;
      consume(*v);
    }
  });
}

// recv() whose nullopt leads to break: fine.
void recv_breaks_on_close(goro::recv_chan<int> in) {
  goro::go([in] {
    for (;;) {
      auto v = in.recv();
      if (!v)
        break;
      consume(*v);
    }
  });
}

// A break that leaves only an inner loop or a switch is no way out.
void inner_break_only(goro::recv_chan<int> in) {
  goro::go([in] {
    for (;;) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'recv' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:19: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
      auto v = in.recv();
      for (int i = 0; i < 3; ++i)
        if (i == v.value_or(0))
          break;
      switch (v.value_or(0)) {
      case 0:
        break;
      default:
        consume(*v);
      }
    }
  });
}

// try_recv() polled forever: the thread never ends.
void polling_thread(goro::recv_chan<int> in) {
  std::thread([in] {
    for (;;) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread never exits: this loop around 'try_recv' has no return, break or throw and no case on a 'done' channel, so the thread runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:23: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the thread starts here
      if (auto v = in.try_recv())
        consume(*v);
      std::this_thread::yield();
    }
  }).detach();
}

// A throw is a way out; a throw caught inside the loop is not.
void throws_out(goro::recv_chan<int> in) {
  goro::go([in] {
    for (;;) {
      auto v = in.recv();
      if (!v)
        throw std::runtime_error("closed");
      consume(*v);
    }
  });
}

void throw_caught_inside(goro::recv_chan<int> in) {
  goro::go([in] {
    for (;;) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'recv' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+3]]:21: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
      try {
        auto v = in.recv();
        if (!v)
          throw std::runtime_error("closed");
        consume(*v);
      } catch (const std::exception&) {
      }
    }
  });
}

// A [[noreturn]] call ends the loop (and more): quiet.
void aborts_on_close(goro::recv_chan<int> in) {
  goro::go([in] {
    for (;;) {
      auto v = in.recv();
      if (!v)
        std::abort();
      consume(*v);
    }
  });
}

// ===========================================================================
// 3. Loops that are not endless, or do not wait on a channel.
// ===========================================================================

// A range-for over a channel ends on close: fine.
void range_for(goro::recv_chan<int> in) {
  goro::go([in] {
    for (int v : in)
      consume(v);
  });
}

// A loop with a condition: its end is the condition's business.
void conditional_loop(goro::recv_chan<int> in) {
  goro::go([in] {
    while (!should_stop())
      consume(in.recv().value_or(0));
  });
}

// An endless loop that waits on no channel: not this check's business.
void busy_worker() {
  goro::go([] {
    for (;;)
      log_tick();
  });
}

// An endless select loop outside any goroutine (main's event loop): quiet.
void event_loop(goro::recv_chan<int> in) {
  for (;;)
    goro::select(goro::on_recv(in, [](std::optional<int> v) { consume(*v); }));
}

// A lambda in the goroutine that is not run there: its loop is not searched.
void lambda_not_run(goro::recv_chan<int> in) {
  goro::go([in] {
    auto later = [in] {
      for (;;)
        consume(*in.recv());
    };
    (void)later;
  });
}

// ===========================================================================
// 4. Through named functions, member functions, std::function.
// ===========================================================================

void pump(goro::recv_chan<int> in) {
  for (;;)
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: goroutine never exits: this loop around 'recv' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
  // CHECK-MESSAGES: :[[@LINE+2]]:17: note: it waits on a channel here
  // CHECK-MESSAGES: :[[@LINE+5]]:3: note: the goroutine starts here
    consume(*in.recv());
}

void spawn_named(goro::recv_chan<int> in) {
  goro::go(pump, in);
}

struct server {
  goro::chan<int> requests_ = goro::make_chan<int>();
  goro::context ctx_;

  void serve() {
    for (;;)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread never exits: this loop around 'select' has no return, break or throw and no case on a 'done' channel, so the thread runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+3]]:7: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE+11]]:41: note: the loop runs in 'serve', called here
    // CHECK-MESSAGES: :[[@LINE+10]]:30: note: the thread starts here
      goro::select(goro::on_recv(requests_, [](std::optional<int> r) { consume(*r); }));
  }

  void serve_until_done() {
    for (;;)
      goro::select(goro::on_recv(requests_, [](std::optional<int> r) { consume(*r); }),
                   goro::on_recv(ctx_.done(), [](auto) { throw std::runtime_error("done"); }));
  }

  void start() { std::thread t([this] { serve(); }); t.detach(); }
  void start_good() { goro::go([this] { serve_until_done(); }); }
};

// A lambda held in a std::function, then spawned.
void spawn_std_function(goro::recv_chan<int> in) {
  std::function<void()> body = [in] {
    while (1)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'recv' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:19: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE+3]]:3: note: the goroutine starts here
      consume(*in.recv());
  };
  goro::go(body);
}

// ===========================================================================
// 5. Templates and macros: reported once, never a crash.
// ===========================================================================

template <class T>
void generic_pump(goro::recv_chan<T> in) {
  goro::go([in] {
    for (;;) {
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'recv' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:16: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
      (void)in.recv();
    }
  });
}
template void generic_pump<int>(goro::recv_chan<int>);
template void generic_pump<long>(goro::recv_chan<long>);

template <class T>
void generic_ok(goro::recv_chan<T> in) {
  goro::go([in](auto... unused) {
    for (;;) {
      auto v = in.recv();
      if (!v)
        return;
    }
  });
}
template void generic_ok<int>(goro::recv_chan<int>);

#define FOREVER for (;;)
void macro_loop(goro::recv_chan<int> in) {
  goro::go([in] {
    FOREVER consume(*in.recv());
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'recv' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE-2]]:25: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
  });
}
