// Channels: Go's semantics, from goroutines and from plain threads.
//
// Most properties are checked twice (TEST_P over goro_test::caller): once with
// the test's own plain thread doing the operation under test, once from a
// goroutine. Counterparts are goroutines unless the test says otherwise.
#include "test_util.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

namespace {

using goro::debug::state;
using goro_test::caller;
using goro_test::goroutine_watch;
using goro_test::panic_message;
using goro_test::run_as;

class ChanFrom : public testing::TestWithParam<caller> {};
INSTANTIATE_TEST_SUITE_P(Caller, ChanFrom, testing::Values(caller::thread, caller::goroutine),
                         goro_test::caller_name);

// ---------------------------------------------------------------- unbuffered

TEST_P(ChanFrom, UnbufferedHandsValueToReceiver) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    goro::go([ch] { ch.send(42); });
    EXPECT_EQ(ch.recv(), 42);
  });
}

TEST_P(ChanFrom, UnbufferedSendBlocksUntilReceived) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    std::atomic<bool> sent{false};
    goroutine_watch watch;
    goro::go([ch, &sent] {
      ch.send(7);
      sent = true;
    });
    watch.await_blocked(1, "chan send");
    EXPECT_FALSE(sent.load()); // still parked: nobody has received
    EXPECT_EQ(ch.size(), 0u);  // a rendezvous channel never holds a value
    EXPECT_EQ(ch.recv(), 7);
    watch.await_all_exited();
    EXPECT_TRUE(sent.load());
  });
}

TEST_P(ChanFrom, UnbufferedRecvBlocksUntilSent) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<std::string>();
    auto out = goro::make_chan<std::string>(1);
    goroutine_watch watch;
    goro::go([ch, out] { out.send(ch.recv().value_or("closed")); });
    watch.await_blocked(1, "chan receive");
    EXPECT_EQ(out.size(), 0u);
    ch.send("hello");
    EXPECT_EQ(out.recv(), "hello");
  });
}

// ---------------------------------------------------------------- buffered

TEST_P(ChanFrom, BufferedKeepsFifoOrder) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(3);
    ch.send(1);
    ch.send(2);
    ch.send(3);
    EXPECT_EQ(ch.size(), 3u);
    EXPECT_EQ(ch.capacity(), 3u);
    EXPECT_EQ(ch.recv(), 1);
    EXPECT_EQ(ch.recv(), 2);
    EXPECT_EQ(ch.recv(), 3);
    EXPECT_EQ(ch.size(), 0u);
  });
}

TEST_P(ChanFrom, BufferedSendBlocksOnlyWhenFull) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(2);
    ch.send(1); // these two complete without a receiver
    ch.send(2);
    goroutine_watch watch;
    goro::go([ch] { ch.send(3); });
    watch.await_blocked(1, "chan send");
    EXPECT_EQ(ch.size(), 2u);
    // Receiving makes room; the blocked sender's value queues behind the rest.
    EXPECT_EQ(ch.recv(), 1);
    EXPECT_EQ(ch.recv(), 2);
    EXPECT_EQ(ch.recv(), 3);
  });
}

TEST_P(ChanFrom, BlockedSendersKeepFifoOrderThroughTheBuffer) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(2);
    ch.send(0);
    ch.send(1);
    // Senders 2..5 block one after the other, in this order.
    for (int v = 2; v < 6; ++v) {
      goroutine_watch watch;
      goro::go([ch, v] { ch.send(v); });
      watch.await_blocked(1, "chan send");
    }
    for (int want = 0; want < 6; ++want)
      EXPECT_EQ(ch.recv(), want);
  });
}

TEST_P(ChanFrom, FifoOrderAcrossManyWraparounds) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(7);
    goro::go([ch] {
      for (int i = 0; i < 10'000; ++i)
        ch.send(i);
      ch.close();
    });
    int want = 0;
    for (int v : ch)
      ASSERT_EQ(v, want++);
    EXPECT_EQ(want, 10'000);
  });
}

// ---------------------------------------------------------------- close

TEST_P(ChanFrom, CloseWakesAllReceivers) {
  run_as(GetParam(), [] {
    constexpr int receivers = 8;
    auto ch = goro::make_chan<int>();
    auto results = goro::make_chan<bool>(receivers);
    goroutine_watch watch;
    for (int i = 0; i < receivers; ++i)
      goro::go([ch, results] { results.send(ch.recv().has_value()); });
    watch.await_blocked(receivers, "chan receive");
    ch.close();
    for (int i = 0; i < receivers; ++i)
      EXPECT_EQ(results.recv(), false); // each woke and saw "closed"
  });
}

TEST_P(ChanFrom, CloseWakesReceiversOnPlainThreads) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    std::atomic<int> closed_seen{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
      threads.emplace_back([ch, &closed_seen] {
        if (!ch.recv().has_value())
          ++closed_seen;
      });
    // Plain threads are not goroutines, so they cannot be observed through
    // debug::goroutines(); closing before or after they block must both work.
    ch.close();
    goro_test::join(threads);
    EXPECT_EQ(closed_seen.load(), 4);
  });
}

TEST_P(ChanFrom, ReceiversDrainBufferBeforeSeeingClose) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<std::string>(2);
    ch.send("a");
    ch.send("b");
    ch.close();
    EXPECT_EQ(ch.size(), 2u);
    EXPECT_EQ(ch.recv(), "a");
    EXPECT_EQ(ch.recv(), "b");
    EXPECT_EQ(ch.recv(), std::nullopt);
    EXPECT_EQ(ch.recv(), std::nullopt); // and stays closed
  });
}

TEST_P(ChanFrom, ConcurrentReceiversDrainEveryBufferedValueAfterClose) {
  run_as(GetParam(), [] {
    constexpr int n = 1000;
    auto ch = goro::make_chan<int>(n);
    for (int i = 1; i <= n; ++i)
      ch.send(i);
    ch.close();
    auto sums = goro::make_chan<long>(4);
    for (int r = 0; r < 4; ++r)
      goro::go([ch, sums] {
        long sum = 0;
        for (int v : ch)
          sum += v;
        sums.send(sum);
      });
    long total = 0;
    for (int r = 0; r < 4; ++r)
      total += *sums.recv();
    EXPECT_EQ(total, static_cast<long>(n) * (n + 1) / 2);
  });
}

TEST_P(ChanFrom, CloseMakesBlockedSenderPanic) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(1);
    ch.send(1); // full
    auto outcome = goro::make_chan<std::string>(1);
    goroutine_watch watch;
    goro::go([ch, outcome] { outcome.send(panic_message([&] { ch.send(2); })); });
    watch.await_blocked(1, "chan send");
    ch.close();
    EXPECT_EQ(outcome.recv(), "send on closed channel");
    // The buffered value survives the close; the panicking send added nothing.
    EXPECT_EQ(ch.recv(), 1);
    EXPECT_EQ(ch.recv(), std::nullopt);
  });
}

TEST_P(ChanFrom, CloseWakesBlockedSendersAndReceiversOfUnbufferedChannel) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    auto outcome = goro::make_chan<std::string>(4);
    goroutine_watch watch;
    for (int i = 0; i < 2; ++i)
      goro::go([ch, outcome] { outcome.send(panic_message([&] { ch.send(1); })); });
    watch.await_blocked(2, "chan send");
    ch.close();
    EXPECT_EQ(outcome.recv(), "send on closed channel");
    EXPECT_EQ(outcome.recv(), "send on closed channel");
  });
}

// ---------------------------------------------------------------- misuse

TEST_P(ChanFrom, SendOnClosedChannelPanics) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(1);
    ch.close();
    EXPECT_EQ(panic_message([&] { ch.send(1); }), "send on closed channel");
    EXPECT_EQ(panic_message([&] { (void)ch.try_send(1); }), "send on closed channel");
    EXPECT_EQ(ch.size(), 0u); // nothing was buffered
  });
}

TEST_P(ChanFrom, CloseOfClosedChannelPanics) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    ch.close();
    EXPECT_EQ(panic_message([&] { ch.close(); }), "close of closed channel");
  });
}

TEST_P(ChanFrom, CloseOfNilChannelPanics) {
  run_as(GetParam(), [] {
    goro::chan<int> nil;
    EXPECT_EQ(panic_message([&] { nil.close(); }), "close of nil channel");
    goro::send_chan<int> nil_view;
    EXPECT_EQ(panic_message([&] { nil_view.close(); }), "close of nil channel");
  });
}

TEST_P(ChanFrom, RuntimeKeepsWorkingAfterCaughtPanics) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(1);
    ch.close();
    for (int i = 0; i < 100; ++i) {
      EXPECT_THROW(ch.send(i), goro::panic);
      EXPECT_THROW(ch.close(), goro::panic);
    }
    // The same channel still answers receives, and fresh channels work.
    EXPECT_EQ(ch.recv(), std::nullopt);
    auto ok = goro::make_chan<int>();
    goro::go([ok] {
      for (int i = 0; i < 100; ++i)
        ok.send(i);
      ok.close();
    });
    int sum = 0;
    for (int v : ok)
      sum += v;
    EXPECT_EQ(sum, 4950);
  });
}

// ---------------------------------------------------------------- try_send / try_recv

TEST_P(ChanFrom, TrySendSucceedsOnlyWhenItWouldNotBlock) {
  run_as(GetParam(), [] {
    auto unbuffered = goro::make_chan<int>();
    EXPECT_FALSE(unbuffered.try_send(1)); // no receiver waiting
    auto got = goro::make_chan<int>(1);
    goroutine_watch watch;
    goro::go([unbuffered, got] { got.send(*unbuffered.recv()); });
    watch.await_blocked(1, "chan receive");
    EXPECT_TRUE(unbuffered.try_send(2)); // a receiver is waiting
    EXPECT_EQ(got.recv(), 2);

    auto buffered = goro::make_chan<int>(1);
    EXPECT_TRUE(buffered.try_send(3));
    EXPECT_FALSE(buffered.try_send(4)); // full
    EXPECT_EQ(buffered.recv(), 3);
    EXPECT_EQ(buffered.try_recv(), std::nullopt);
  });
}

TEST_P(ChanFrom, TryRecvTakesAWaitingSendersValue) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    EXPECT_EQ(ch.try_recv(), std::nullopt);
    goroutine_watch watch;
    goro::go([ch] { ch.send(9); });
    watch.await_blocked(1, "chan send");
    EXPECT_EQ(ch.try_recv(), 9);
    watch.await_all_exited(); // the sender was released
  });
}

TEST_P(ChanFrom, TryRecvOnClosedChannelDrainsThenReturnsNothing) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(2);
    ch.send(1);
    ch.close();
    EXPECT_EQ(ch.try_recv(), 1);
    EXPECT_EQ(ch.try_recv(), std::nullopt);
  });
}

TEST_P(ChanFrom, FailedTrySendLeavesMoveOnlyValueUntouched) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<std::unique_ptr<int>>(1);
    auto first = std::make_unique<int>(1);
    EXPECT_TRUE(ch.try_send(std::move(first)));
    EXPECT_EQ(first, nullptr); // moved on success
    auto second = std::make_unique<int>(2);
    EXPECT_FALSE(ch.try_send(std::move(second)));
    ASSERT_NE(second, nullptr); // not moved on failure
    EXPECT_EQ(*second, 2);
    EXPECT_EQ(**ch.recv(), 1);
  });
}

// ---------------------------------------------------------------- nil channel

TEST_P(ChanFrom, NilChannelNeverReadyForTryOperations) {
  run_as(GetParam(), [] {
    goro::chan<int> nil;
    EXPECT_FALSE(nil);
    EXPECT_FALSE(nil.try_send(1));
    EXPECT_EQ(nil.try_recv(), std::nullopt);
    EXPECT_EQ(nil.size(), 0u);
    EXPECT_EQ(nil.capacity(), 0u);
    EXPECT_TRUE(nil == goro::chan<int>());
    EXPECT_FALSE(nil == goro::make_chan<int>());
  });
}

TEST(Chan, NilChannelBlocksSendAndRecvForever) {
  goroutine_watch watch;
  goro::chan<int> nil;
  goro::go([nil] { nil.send(1); });
  goro::go([nil] { (void)nil.recv(); });
  watch.await_blocked(1, "chan send (nil chan)");
  watch.await_blocked(1, "chan receive (nil chan)");
  // They stay blocked while the rest of the program goes on.
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(1); });
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(watch.count(state::blocked, "chan send (nil chan)"), 1u);
  EXPECT_EQ(watch.count(state::blocked, "chan receive (nil chan)"), 1u);
}

// ---------------------------------------------------------------- range-for and views

TEST_P(ChanFrom, RangeForReceivesUntilClosed) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    goro::go([ch] {
      for (int i = 1; i <= 100; ++i)
        ch.send(i);
      ch.close();
    });
    int sum = 0;
    for (int v : ch)
      sum += v;
    EXPECT_EQ(sum, 5050);
  });
}

TEST_P(ChanFrom, RangeForOverClosedEmptyChannelRunsZeroTimes) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(4);
    ch.close();
    int iterations = 0;
    for ([[maybe_unused]] int v : ch)
      ++iterations;
    EXPECT_EQ(iterations, 0);
  });
}

// Views are the same channel with fewer rights (Go's chan<- T and <-chan T).
template <class C>
concept can_recv = requires(C c) { c.recv(); };
template <class C>
concept can_try_recv = requires(C c) { c.try_recv(); };
template <class C>
concept can_send = requires(C c) { c.send(1); };
template <class C>
concept can_try_send = requires(C c) { c.try_send(1); };
template <class C>
concept can_close = requires(C c) { c.close(); };
static_assert(can_recv<goro::chan<int>> && can_send<goro::chan<int>> && can_close<goro::chan<int>>);
static_assert(!can_recv<goro::send_chan<int>> && !can_try_recv<goro::send_chan<int>>);
static_assert(can_send<goro::send_chan<int>> && can_close<goro::send_chan<int>>);
static_assert(!can_send<goro::recv_chan<int>> && !can_try_send<goro::recv_chan<int>>);
static_assert(!can_close<goro::recv_chan<int>>);
static_assert(can_recv<goro::recv_chan<int>> && can_try_recv<goro::recv_chan<int>>);
static_assert(std::is_convertible_v<goro::chan<int>, goro::send_chan<int>>);
static_assert(std::is_convertible_v<goro::chan<int>, goro::recv_chan<int>>);
static_assert(!std::is_convertible_v<goro::recv_chan<int>, goro::chan<int>>);
static_assert(!std::is_convertible_v<goro::send_chan<int>, goro::recv_chan<int>>);

TEST_P(ChanFrom, ViewsShareTheChannel) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(4);
    goro::send_chan<int> tx = ch;
    goro::recv_chan<int> rx = ch;
    EXPECT_TRUE(tx);
    EXPECT_TRUE(rx);
    EXPECT_EQ(tx.capacity(), 4u);
    EXPECT_EQ(rx.capacity(), 4u);
    goro::go([tx] {
      for (int i = 0; i < 10; ++i)
        tx.send(i);
      tx.close();
    });
    std::vector<int> got;
    for (int v : rx)
      got.push_back(v);
    std::vector<int> want(10);
    std::iota(want.begin(), want.end(), 0);
    EXPECT_EQ(got, want);
    EXPECT_EQ(rx.try_recv(), std::nullopt);
    EXPECT_EQ(panic_message([&] { tx.send(1); }), "send on closed channel");
  });
}

TEST(Chan, DefaultConstructedViewsAreNil) {
  goro::send_chan<int> tx;
  goro::recv_chan<int> rx;
  EXPECT_FALSE(tx);
  EXPECT_FALSE(rx);
  EXPECT_FALSE(tx.try_send(1));
  EXPECT_EQ(rx.try_recv(), std::nullopt);
}

// ---------------------------------------------------------------- handles and values

TEST(Chan, HandleCopiesShareOneChannel) {
  auto a = goro::make_chan<int>(1);
  auto b = a;
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == goro::make_chan<int>(1));
  a.send(5);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.recv(), 5);
  goro::chan<int> c;
  c = b;
  c.close();
  EXPECT_EQ(a.recv(), std::nullopt);
}

TEST(Chan, MoveOnlyValues) {
  auto ch = goro::make_chan<std::unique_ptr<int>>(1);
  ch.send(std::make_unique<int>(7));
  auto v = ch.recv();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(**v, 7);
}

TEST(Chan, ValuesLeftInTheBufferDieWithTheLastHandle) {
  auto tracked = std::make_shared<int>(0);
  {
    auto ch = goro::make_chan<std::shared_ptr<int>>(8);
    for (int i = 0; i < 5; ++i)
      ch.send(tracked);
    (void)ch.recv();
    EXPECT_EQ(tracked.use_count(), 5); // four buffered copies and ours
    auto copy = ch;
    ch = goro::chan<std::shared_ptr<int>>();
    EXPECT_EQ(tracked.use_count(), 5); // the other handle keeps the channel
  }
  EXPECT_EQ(tracked.use_count(), 1);
}

TEST(Chan, ValuesBufferedBeforeCloseDieWithTheChannel) {
  auto tracked = std::make_shared<int>(0);
  {
    auto ch = goro::make_chan<std::shared_ptr<int>>(3);
    ch.send(tracked);
    ch.send(tracked);
    ch.close();
  }
  EXPECT_EQ(tracked.use_count(), 1);
}

// Counts copies and moves: a value crosses a channel by moves only.
struct counted {
  static inline std::atomic<int> copies{0};
  int value = 0;
  explicit counted(int v) : value(v) {}
  counted(const counted& o) : value(o.value) { ++copies; }
  counted(counted&& o) noexcept : value(o.value) {}
  counted& operator=(const counted&) = delete;
};

TEST(Chan, ValuesCrossByMoveNotCopy) {
  counted::copies = 0;
  auto ch = goro::make_chan<counted>();
  auto buffered = goro::make_chan<counted>(2);
  goro::go([ch, buffered] {
    ch.send(counted(1));
    buffered.send(counted(2));
  });
  EXPECT_EQ(ch.recv()->value, 1);
  EXPECT_EQ(buffered.recv()->value, 2);
  EXPECT_EQ(counted::copies.load(), 0);
}

// ---------------------------------------------------------------- plain threads

TEST(Chan, PlainThreadsRendezvous) {
  auto ch = goro::make_chan<int>();
  std::thread t([ch] { ch.send(5); });
  EXPECT_EQ(ch.recv(), 5);
  t.join();
}

TEST(Chan, PlainThreadsAndGoroutinesShareAChannel) {
  auto ch = goro::make_chan<int>(3);
  constexpr int per_sender = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([ch] {
      for (int i = 0; i < per_sender; ++i)
        ch.send(1);
    });
  goro::wait_group senders;
  senders.add(2);
  for (int t = 0; t < 2; ++t)
    goro::go([ch, &senders] {
      for (int i = 0; i < per_sender; ++i)
        ch.send(1);
      senders.done();
    });
  auto total = goro::make_chan<int>(1);
  goro::go([ch, total] {
    int sum = 0;
    for (int v : ch)
      sum += v;
    total.send(sum);
  });
  for (auto& t : threads)
    t.join();
  senders.wait();
  ch.close();
  EXPECT_EQ(total.recv(), 4 * per_sender);
}

} // namespace
