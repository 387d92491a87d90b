// QuitChannelPattern replaces the names of "done" channels: here only
// channels named like `halt` stop a loop; `done` is an ordinary channel now.
// MaxCallDepth 0: the loop is looked for in the spawned function only.
// RUN: %check_goro_tidy --config="{CheckOptions: {goro-goroutine-without-exit.QuitChannelPattern: '^halt', goro-goroutine-without-exit.MaxCallDepth: 0}}" %s goro-goroutine-without-exit %t

#include <goro/goro.hpp>

#include <optional>

void consume(int);

void halt_channel(goro::recv_chan<int> in, goro::recv_chan<goro::unit> halt_now) {
  goro::go([in, halt_now] {
    for (;;)
      goro::select(goro::on_recv(in, [](std::optional<int> v) { consume(*v); }),
                   goro::on_recv(halt_now, [](auto) {}));
  });
}

void done_is_ordinary(goro::recv_chan<int> in, goro::recv_chan<goro::unit> done) {
  goro::go([in, done] {
    for (;;)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine never exits: this loop around 'select' has no return, break or throw and no case on a 'done' channel, so the goroutine runs until the program ends and leaks [goro-goroutine-without-exit]
    // CHECK-MESSAGES: :[[@LINE+2]]:7: note: it waits on a channel here
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
      goro::select(goro::on_recv(in, [](std::optional<int> v) { consume(*v); }),
                   goro::on_recv(done, [](auto) {}));
  });
}

void pump(goro::recv_chan<int> in) {
  for (;;)
    consume(*in.recv());
}

// Not followed into pump() with MaxCallDepth 0.
void through_call(goro::recv_chan<int> in) {
  goro::go([in] { pump(in); });
}
