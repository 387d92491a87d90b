// RUN: %check_goro_tidy %s goro-blocking-send-leak %t

#include <goro/goro.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

using namespace std::chrono_literals;

int compute();
void use(int);
void hand_off(goro::chan<int>); // no body in sight: the channel escapes

// ===========================================================================
// 1. The seed: a select with a timeout, an unbuffered result channel.
// ===========================================================================

// Seed 001 "Select with Timeout": after the timeout nothing receives, the
// sender blocks forever.
void select_with_timeout() {
  auto ch = goro::make_chan<std::string>();
  goro::go([ch] {
    goro::sleep(2s);
    ch.send("Delayed message");
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: goroutine can block forever sending on unbuffered channel 'ch': 'select_with_timeout' stops waiting for it when another case of its select fires, and then nothing receives [goro-blocking-send-leak]
    // CHECK-MESSAGES: :[[@LINE+5]]:16: note: 'select_with_timeout' stops waiting here, through the timeout case
    // CHECK-MESSAGES: :[[@LINE-6]]:8: note: 'ch' is made unbuffered here; with capacity 1 the send completes without a receiver
    // CHECK-MESSAGES: :[[@LINE-6]]:3: note: the goroutine starts here
  });
  goro::select(goro::on_recv(ch, [](std::optional<std::string> msg) { (void)msg; }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}
// CHECK-FIXES: {{^}}  auto ch = goro::make_chan<std::string>(1);{{$}}

// The fix: one slot of buffer, the send completes whoever wins.
void select_with_timeout_buffered() {
  auto ch = goro::make_chan<std::string>(1);
  goro::go([ch] { ch.send("Delayed message"); });
  goro::select(goro::on_recv(ch, [](std::optional<std::string> msg) { (void)msg; }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}

// A capacity written as 0 is unbuffered too.
void written_zero(goro::context ctx) {
  auto result = goro::make_chan<int>(0);
  goro::go([result] { result.send(compute()); });
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: goroutine can block forever sending on unbuffered channel 'result': 'written_zero' stops waiting for it when another case of its select fires, and then nothing receives [goro-blocking-send-leak]
  // CHECK-MESSAGES: :[[@LINE+4]]:16: note: 'written_zero' stops waiting here, through the cancellation case
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'result' is made unbuffered here; with capacity 1 the send completes without a receiver
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
  goro::select(goro::on_recv(result, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(ctx.done(), [](auto) {}));
}
// CHECK-FIXES: {{^}}  auto result = goro::make_chan<int>(1);{{$}}

// A default case gives up at once.
void with_default() {
  auto ch = goro::make_chan<int>();
  std::thread([ch] { ch.send(compute()); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: thread can block forever sending on unbuffered channel 'ch': 'with_default' stops waiting for it when another case of its select fires, and then nothing receives [goro-blocking-send-leak]
  // CHECK-MESSAGES: :[[@LINE+4]]:16: note: 'with_default' stops waiting here, through the default case
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made unbuffered here; with capacity 1 the send completes without a receiver
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the thread starts here
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_default([] {}));
}
// CHECK-FIXES: {{^}}  auto ch = goro::make_chan<int>(1);{{$}}

// ===========================================================================
// 2. Several values or several senders: a warning, no fix-it (one slot is
//    not enough).
// ===========================================================================

void several_senders(goro::context ctx) {
  auto first = goro::make_chan<int>();
  for (int i = 0; i < 3; ++i)
    goro::go([first, i] { first.send(i * compute()); });
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: goroutine can block forever sending on unbuffered channel 'first': 'several_senders' stops waiting for it when another case of its select fires, and then nothing receives [goro-blocking-send-leak]
  // CHECK-MESSAGES: :[[@LINE+4]]:16: note: 'several_senders' stops waiting here, through the cancellation case
  // CHECK-MESSAGES: :[[@LINE-5]]:8: note: 'first' is made unbuffered here; give it room for every value its senders send
  // CHECK-MESSAGES: :[[@LINE-4]]:5: note: the goroutine starts here
  goro::select(goro::on_recv(first, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(ctx.done(), [](auto) {}));
}
// CHECK-FIXES: {{^}}  auto first = goro::make_chan<int>();{{$}}

void sends_in_loop() {
  auto progress = goro::make_chan<int>();
  goro::go([progress] {
    for (int i = 0; i < 10; ++i)
      progress.send(i);
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine can block forever sending on unbuffered channel 'progress': 'sends_in_loop' stops waiting for it when another case of its select fires, and then nothing receives [goro-blocking-send-leak]
    // CHECK-MESSAGES: :[[@LINE+5]]:16: note: 'sends_in_loop' stops waiting here, through the timeout case
    // CHECK-MESSAGES: :[[@LINE-6]]:8: note: 'progress' is made unbuffered here; give it room for every value its senders send
    // CHECK-MESSAGES: :[[@LINE-6]]:3: note: the goroutine starts here
  });
  goro::select(goro::on_recv(progress, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}

// ===========================================================================
// 3. Negatives.
// ===========================================================================

// The function receives unconditionally: the send always completes.
void receives_unconditionally() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(compute()); });
  use(ch.recv().value_or(0));
}

// A select whose only case is the channel: a plain receive.
void select_without_exit() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(compute()); });
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }));
}

// The timeout case receives anyway (waits longer): the value is taken.
void timeout_then_receive() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(compute()); });
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(goro::after(1s), [ch](auto) { use(ch.recv().value_or(0)); }));
}

// The sender gives up too: a select with a done case.
void sender_selects(goro::context ctx) {
  auto ch = goro::make_chan<int>();
  goro::go([ch, ctx] {
    goro::select(goro::on_send(ch, compute(), [] {}), goro::on_recv(ctx.done(), [](auto) {}));
  });
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(ctx.done(), [](auto) {}));
}

// The sender never blocks: try_send.
void sender_tries() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { (void)ch.try_send(compute()); });
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}

// A select in a loop may come back to receive.
void select_in_loop() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(compute()); });
  for (bool got = false; !got;)
    goro::select(goro::on_recv(ch, [&](std::optional<int> v) { got = v.has_value(); }),
                 goro::on_recv(goro::after(1s), [](auto) {}));
}

// The channel escapes: someone else may receive.
void escapes() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(compute()); });
  hand_off(ch);
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}

// Another goroutine receives.
void another_receiver() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(compute()); });
  goro::go([ch] { use(ch.recv().value_or(0)); });
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}

// The seed's leaky(): the channel is returned, its receiver is not in sight.
goro::recv_chan<int> leaky() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(compute()); });
  return ch;
}

// A capacity that is not a constant: not judged.
void capacity_from_parameter(std::size_t n) {
  auto ch = goro::make_chan<int>(n);
  goro::go([ch] { ch.send(compute()); });
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}

// ===========================================================================
// 4. Templates and macros.
// ===========================================================================

template <class T>
void generic_timeout() {
  auto ch = goro::make_chan<T>();
  goro::go([ch] { ch.send(T{}); });
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: goroutine can block forever sending on unbuffered channel 'ch': 'generic_timeout<int>' stops waiting for it when another case of its select fires, and then nothing receives [goro-blocking-send-leak]
  // CHECK-MESSAGES: :[[@LINE+4]]:16: note: 'generic_timeout<int>' stops waiting here, through the timeout case
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made unbuffered here; with capacity 1 the send completes without a receiver
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
  goro::select(goro::on_recv(ch, [](std::optional<T> v) { (void)v; }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}
template void generic_timeout<int>();
template void generic_timeout<long>();

#define MAKE_UNBUFFERED(T) goro::make_chan<T>()
void made_in_macro() {
  auto ch = MAKE_UNBUFFERED(int);
  goro::go([ch] { ch.send(compute()); });
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: goroutine can block forever sending on unbuffered channel 'ch': 'made_in_macro' stops waiting for it when another case of its select fires, and then nothing receives [goro-blocking-send-leak]
  // CHECK-MESSAGES: :[[@LINE+4]]:16: note: 'made_in_macro' stops waiting here, through the timeout case
  // CHECK-MESSAGES: :[[@LINE-4]]:8: note: 'ch' is made unbuffered here; with capacity 1 the send completes without a receiver
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: the goroutine starts here
  goro::select(goro::on_recv(ch, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(goro::after(1s), [](auto) {}));
}
// CHECK-FIXES: {{^}}  auto ch = MAKE_UNBUFFERED(int);{{$}}
