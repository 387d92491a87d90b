// select: ready cases, blocking, default, nil and closed channels, uniform
// choice among ready cases, and withdrawal of the cases that lost.
#include "test_util.hpp"

#include <array>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using goro::debug::state;
using goro_test::caller;
using goro_test::goroutine_watch;
using goro_test::panic_message;
using goro_test::run_as;

class SelectFrom : public testing::TestWithParam<caller> {};
INSTANTIATE_TEST_SUITE_P(Caller, SelectFrom, testing::Values(caller::thread, caller::goroutine),
                         goro_test::caller_name);

// Pearson's chi-square statistic of observed counts against a uniform
// distribution.
template <std::size_t N>
double chi_square_uniform(const std::array<long, N>& counts) {
  double total = 0;
  for (long c : counts)
    total += static_cast<double>(c);
  const double expected = total / N;
  double chi2 = 0;
  for (long c : counts)
    chi2 += (static_cast<double>(c) - expected) * (static_cast<double>(c) - expected) / expected;
  return chi2;
}
// Upper critical values at p = 1e-9 (computed from the regularized upper
// incomplete gamma function): a fair selector exceeds them once in a billion
// runs, while a bias of a few percent exceeds them every time at the sample
// sizes used below.
constexpr double chi2_critical_df3 = 44.84;
constexpr double chi2_critical_df4 = 47.88;

// ---------------------------------------------------------------- ready cases

TEST_P(SelectFrom, ReceivesFromTheReadyCase) {
  run_as(GetParam(), [] {
    auto empty = goro::make_chan<int>(1);
    auto ready = goro::make_chan<int>(1);
    ready.send(5);
    int got = 0;
    std::size_t i = goro::select(goro::on_recv(empty, [&](std::optional<int>) { got = -1; }),
                                 goro::on_recv(ready, [&](std::optional<int> v) { got = *v; }));
    EXPECT_EQ(i, 1u);
    EXPECT_EQ(got, 5);
    EXPECT_EQ(ready.size(), 0u);
  });
}

TEST_P(SelectFrom, SendsOnTheReadyCase) {
  run_as(GetParam(), [] {
    auto full = goro::make_chan<int>(1);
    full.send(0);
    auto room = goro::make_chan<int>(1);
    bool ran = false;
    std::size_t i = goro::select(goro::on_send(full, 1, [&] { FAIL() << "full channel chosen"; }),
                                 goro::on_send(room, 2, [&] { ran = true; }));
    EXPECT_EQ(i, 1u);
    EXPECT_TRUE(ran);
    EXPECT_EQ(room.recv(), 2);
    EXPECT_EQ(full.recv(), 0); // the losing send left nothing behind
    EXPECT_EQ(full.try_recv(), std::nullopt);
  });
}

TEST_P(SelectFrom, SendCaseHandsValueToWaitingReceiver) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<std::string>();
    auto got = goro::make_chan<std::string>(1);
    goroutine_watch watch;
    goro::go([ch, got] { got.send(*ch.recv()); });
    watch.await_blocked(1, "chan receive");
    std::size_t i = goro::select(goro::on_send(ch, std::string("direct"), [] {}));
    EXPECT_EQ(i, 0u);
    EXPECT_EQ(got.recv(), "direct");
  });
}

TEST_P(SelectFrom, RecvCaseTakesWaitingSendersValue) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    goroutine_watch watch;
    goro::go([ch] { ch.send(11); });
    watch.await_blocked(1, "chan send");
    std::optional<int> got;
    goro::select(goro::on_recv(ch, [&](std::optional<int> v) { got = v; }));
    EXPECT_EQ(got, 11);
    watch.await_all_exited();
  });
}

// ---------------------------------------------------------------- default

TEST_P(SelectFrom, DefaultRunsWhenNothingIsReady) {
  run_as(GetParam(), [] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<int>(1);
    b.send(0); // full: a send case on b is not ready
    bool defaulted = false;
    std::size_t i = goro::select(goro::on_default([&] { defaulted = true; }),
                                 goro::on_recv(a, [](std::optional<int>) { FAIL(); }),
                                 goro::on_send(b, 1, [] { FAIL(); }));
    EXPECT_EQ(i, 0u); // the index is the default's position among the arguments
    EXPECT_TRUE(defaulted);
    EXPECT_EQ(b.size(), 1u);
  });
}

TEST_P(SelectFrom, DefaultIsNeverChosenWhileACaseIsReady) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(1);
    for (int round = 0; round < 1000; ++round) {
      ch.send(round);
      std::size_t i =
          goro::select(goro::on_recv(ch, [&](std::optional<int> v) { EXPECT_EQ(v, round); }),
                       goro::on_default([] {}));
      ASSERT_EQ(i, 0u);
    }
  });
}

TEST_P(SelectFrom, OnlyDefaultRunsDefault) {
  run_as(GetParam(), [] {
    int runs = 0;
    EXPECT_EQ(goro::select(goro::on_default([&] { ++runs; })), 0u);
    EXPECT_EQ(runs, 1);
  });
}

// ---------------------------------------------------------------- blocking

TEST_P(SelectFrom, BlocksUntilACaseBecomesReady) {
  run_as(GetParam(), [] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<int>();
    auto result = goro::make_chan<std::pair<std::size_t, int>>(1);
    goroutine_watch watch;
    goro::go([a, b, result] {
      int got = 0;
      std::size_t i = goro::select(goro::on_recv(a, [&](std::optional<int> v) { got = *v; }),
                                   goro::on_recv(b, [&](std::optional<int> v) { got = *v; }));
      result.send({i, got});
    });
    watch.await_blocked(1, "select");
    EXPECT_EQ(result.size(), 0u);
    b.send(8);
    EXPECT_EQ(result.recv(), (std::pair<std::size_t, int>{1, 8}));
  });
}

TEST_P(SelectFrom, BlockedSendCaseCompletesWhenAReceiverArrives) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    auto never = goro::make_chan<int>();
    auto which = goro::make_chan<std::size_t>(1);
    goroutine_watch watch;
    goro::go([ch, never, which] {
      which.send(goro::select(goro::on_recv(never, [](std::optional<int>) {}),
                              goro::on_send(ch, 21, [] {})));
    });
    watch.await_blocked(1, "select");
    EXPECT_EQ(ch.recv(), 21);
    EXPECT_EQ(which.recv(), 1u);
  });
}

TEST_P(SelectFrom, BlockedSelectWakesOnClose) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    auto got = goro::make_chan<bool>(1);
    goroutine_watch watch;
    goro::go([ch, got] {
      goro::select(goro::on_recv(ch, [&](std::optional<int> v) { got.send(v.has_value()); }));
    });
    watch.await_blocked(1, "select");
    ch.close();
    EXPECT_EQ(got.recv(), false);
  });
}

TEST_P(SelectFrom, CaseFunctionRunsOutsideTheChannelLocks) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(2);
    ch.send(1);
    // The function uses the channel it was selected on; under its lock this
    // would deadlock.
    goro::select(goro::on_recv(ch, [&](std::optional<int> v) {
      ch.send(*v + 1);
      EXPECT_EQ(ch.recv(), 2);
    }));
  });
}

// ---------------------------------------------------------------- closed and nil channels

TEST_P(SelectFrom, RecvCaseOnClosedChannelFiresWithNullopt) {
  run_as(GetParam(), [] {
    auto closed = goro::make_chan<int>();
    closed.close();
    auto never = goro::make_chan<int>();
    std::optional<int> got = 1;
    std::size_t i = goro::select(goro::on_recv(never, [](std::optional<int>) { FAIL(); }),
                                 goro::on_recv(closed, [&](std::optional<int> v) { got = v; }));
    EXPECT_EQ(i, 1u);
    EXPECT_EQ(got, std::nullopt);
  });
}

TEST_P(SelectFrom, RecvCaseDrainsBufferBeforeReportingClose) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(2);
    ch.send(1);
    ch.send(2);
    ch.close();
    std::vector<std::optional<int>> got;
    for (int k = 0; k < 3; ++k)
      goro::select(goro::on_recv(ch, [&](std::optional<int> v) { got.push_back(v); }));
    EXPECT_EQ(got, (std::vector<std::optional<int>>{1, 2, std::nullopt}));
  });
}

TEST_P(SelectFrom, SendCaseOnClosedChannelPanics) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(1);
    ch.close();
    EXPECT_EQ(panic_message([&] { goro::select(goro::on_send(ch, 1, [] { FAIL(); })); }),
              "send on closed channel");
    EXPECT_EQ(panic_message([&] {
                goro::select(goro::on_send(ch, 1, [] { FAIL(); }), goro::on_default([] {}));
              }),
              "send on closed channel");
    // The channels select locked were unlocked: they still work.
    EXPECT_EQ(ch.recv(), std::nullopt);
    auto other = goro::make_chan<int>(1);
    goro::select(goro::on_send(other, 3, [] {}));
    EXPECT_EQ(other.recv(), 3);
  });
}

TEST_P(SelectFrom, BlockedSendCasePanicsWhenChannelIsClosed) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>();
    auto never = goro::make_chan<int>();
    auto outcome = goro::make_chan<std::string>(1);
    goroutine_watch watch;
    goro::go([ch, never, outcome] {
      outcome.send(panic_message([&] {
        goro::select(goro::on_send(ch, 1, [] {}), goro::on_recv(never, [](std::optional<int>) {}));
      }));
    });
    watch.await_blocked(1, "select");
    ch.close();
    EXPECT_EQ(outcome.recv(), "send on closed channel");
    // The panicking select withdrew its case on `never`: a send there finds
    // no receiver.
    EXPECT_FALSE(never.try_send(1));
  });
}

TEST_P(SelectFrom, NilChannelCaseNeverFires) {
  run_as(GetParam(), [] {
    goro::chan<int> nil;
    auto ch = goro::make_chan<int>(1);
    for (int round = 0; round < 500; ++round) {
      ch.send(round);
      std::size_t i = goro::select(goro::on_recv(nil, [](std::optional<int>) { FAIL(); }),
                                   goro::on_send(nil, 0, [] { FAIL(); }),
                                   goro::on_recv(ch, [](std::optional<int>) {}));
      ASSERT_EQ(i, 2u);
    }
    // With only nil cases, default is the only way out.
    EXPECT_EQ(goro::select(goro::on_recv(nil, [](std::optional<int>) { FAIL(); }),
                           goro::on_default([] {})),
              1u);
  });
}

TEST(Select, SelectOverOnlyNilChannelsBlocksForever) {
  goroutine_watch watch;
  goro::chan<int> nil;
  goro::go([nil] {
    goro::select(goro::on_recv(nil, [](std::optional<int>) {}), goro::on_send(nil, 1, [] {}));
    ADD_FAILURE() << "a select over nil channels returned";
  });
  watch.await_blocked(1, "select (nil chans)");
}

TEST(Select, EmptySelectBlocksForever) {
  goroutine_watch watch;
  goro::go([] {
    goro::select();
    ADD_FAILURE() << "select() returned";
  });
  watch.await_blocked(1, "select (no cases)");
}

// ---------------------------------------------------------------- fairness

TEST_P(SelectFrom, SelectPicksUniformlyAmongReadyRecvCases) {
  run_as(GetParam(), [] {
    std::array<goro::chan<int>, 4> chans;
    for (auto& c : chans) {
      c = goro::make_chan<int>(1);
      c.send(0);
    }
    // One never-ready case too: it must never be chosen.
    auto never = goro::make_chan<int>();
    std::array<long, 4> counts{};
    constexpr int trials = 40'000;
    for (int t = 0; t < trials; ++t) {
      std::size_t i = goro::select(goro::on_recv(chans[0], [](std::optional<int>) {}),
                                   goro::on_recv(never, [](std::optional<int>) {}),
                                   goro::on_recv(chans[1], [](std::optional<int>) {}),
                                   goro::on_recv(chans[2], [](std::optional<int>) {}),
                                   goro::on_recv(chans[3], [](std::optional<int>) {}));
      ASSERT_NE(i, 1u);
      std::size_t k = i == 0 ? 0 : i - 1;
      ++counts[k];
      chans[k].send(0); // ready again
    }
    EXPECT_LT(chi_square_uniform(counts), chi2_critical_df3)
        << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3];
  });
}

TEST_P(SelectFrom, SelectPicksUniformlyAmongReadySendAndRecvCases) {
  run_as(GetParam(), [] {
    // Cases 0, 2: receives from channels holding a value; 1, 3, 4: sends into
    // channels with room.
    auto r0 = goro::make_chan<int>(1), r2 = goro::make_chan<int>(1);
    auto s1 = goro::make_chan<int>(1), s3 = goro::make_chan<int>(1), s4 = goro::make_chan<int>(1);
    r0.send(0);
    r2.send(0);
    std::array<long, 5> counts{};
    constexpr int trials = 50'000;
    for (int t = 0; t < trials; ++t) {
      std::size_t i =
          goro::select(goro::on_recv(r0, [](std::optional<int>) {}), goro::on_send(s1, 1, [] {}),
                       goro::on_recv(r2, [](std::optional<int>) {}), goro::on_send(s3, 3, [] {}),
                       goro::on_send(s4, 4, [] {}),
                       goro::on_default([] { FAIL() << "default with ready cases"; }));
      ASSERT_LT(i, 5u);
      ++counts[i];
      switch (i) { // restore readiness
      case 0:
        r0.send(0);
        break;
      case 2:
        r2.send(0);
        break;
      case 1:
        ASSERT_EQ(s1.recv(), 1);
        break;
      case 3:
        ASSERT_EQ(s3.recv(), 3);
        break;
      case 4:
        ASSERT_EQ(s4.recv(), 4);
        break;
      }
    }
    EXPECT_LT(chi_square_uniform(counts), chi2_critical_df4)
        << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3] << " "
        << counts[4];
  });
}

// ---------------------------------------------------------------- withdrawal and pairing

TEST_P(SelectFrom, LosingCasesAreWithdrawn) {
  run_as(GetParam(), [] {
    auto a = goro::make_chan<int>();
    auto b = goro::make_chan<int>();
    for (int round = 0; round < 200; ++round) {
      auto done = goro::make_chan<std::size_t>(1);
      goroutine_watch watch;
      goro::go([a, b, done] {
        done.send(goro::select(goro::on_recv(a, [](std::optional<int>) {}),
                               goro::on_recv(b, [](std::optional<int>) {})));
      });
      watch.await_blocked(1, "select");
      a.send(round);
      ASSERT_EQ(done.recv(), 0u);
      // No receiver is left behind on b: a non-blocking send must fail.
      ASSERT_FALSE(b.try_send(round));
    }
  });
}

TEST(Select, TwoSelectsSendingAndReceivingOnOneChannelPairUp) {
  // Each goroutine offers both to send its id and to receive on ch; a select
  // can never match itself, so exactly one sends and the other receives.
  for (int round = 0; round < 300; ++round) {
    auto ch = goro::make_chan<int>();
    auto report = goro::make_chan<std::pair<int, int>>(2); // (id, received or -1)
    for (int id = 0; id < 2; ++id)
      goro::go([ch, report, id] {
        int received = -1;
        goro::select(goro::on_send(ch, id, [] {}),
                     goro::on_recv(ch, [&](std::optional<int> v) { received = *v; }));
        report.send({id, received});
      });
    auto x = *report.recv();
    auto y = *report.recv();
    ASSERT_NE(x.first, y.first);
    // One of them received the other's id; the other sent.
    bool x_received = x.second != -1;
    bool y_received = y.second != -1;
    ASSERT_NE(x_received, y_received);
    if (x_received)
      ASSERT_EQ(x.second, y.first);
    else
      ASSERT_EQ(y.second, x.first);
  }
}

TEST(Select, ASelectNeverMatchesItself) {
  auto ch = goro::make_chan<int>();
  goroutine_watch watch;
  goro::go([ch] { goro::select(goro::on_send(ch, 1, [] {}), goro::on_recv(ch, [](auto) {})); });
  watch.await_blocked(1, "select");
  // Its own send case is what a receiver now finds.
  EXPECT_EQ(ch.recv(), 1);
  watch.await_all_exited();
}

TEST_P(SelectFrom, SameChannelInTwoCasesDeliversOnce) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(2);
    ch.send(1);
    int fired = 0;
    goro::select(goro::on_recv(ch, [&](std::optional<int> v) { fired += *v; }),
                 goro::on_recv(ch, [&](std::optional<int> v) { fired += *v; }));
    EXPECT_EQ(fired, 1);
    EXPECT_EQ(ch.size(), 0u);
  });
}

TEST_P(SelectFrom, ManyCasesBeyondTheInlineLimit) {
  run_as(GetParam(), [] {
    // 40 cases: more than select keeps on its stack.
    std::vector<goro::chan<int>> chans;
    for (int k = 0; k < 40; ++k)
      chans.push_back(goro::make_chan<int>());
    auto fire = [&](int k) {
      int got = -1;
      auto on = [&](int j) {
        return goro::on_recv(chans[j], [&got](std::optional<int> v) { got = *v; });
      };
      goro::go([ch = chans[k], k] { ch.send(k); }); // before or after select parks

      std::size_t i = goro::select(on(0), on(1), on(2), on(3), on(4), on(5), on(6), on(7), on(8),
                                   on(9), on(10), on(11), on(12), on(13), on(14), on(15), on(16),
                                   on(17), on(18), on(19), on(20), on(21), on(22), on(23), on(24),
                                   on(25), on(26), on(27), on(28), on(29), on(30), on(31), on(32),
                                   on(33), on(34), on(35), on(36), on(37), on(38), on(39));
      EXPECT_EQ(i, static_cast<std::size_t>(k));
      EXPECT_EQ(got, k);
    };
    for (int k : {0, 15, 16, 27, 39})
      fire(k);
  });
}

// ---------------------------------------------------------------- values and views

TEST_P(SelectFrom, WorksOnSendAndRecvViews) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<int>(1);
    goro::send_chan<int> tx = ch;
    goro::recv_chan<int> rx = ch;
    goro::select(goro::on_send(tx, 4, [] {}));
    std::optional<int> got;
    goro::select(goro::on_recv(rx, [&](std::optional<int> v) { got = v; }));
    EXPECT_EQ(got, 4);
  });
}

TEST_P(SelectFrom, MoveOnlyValuesThroughSelect) {
  run_as(GetParam(), [] {
    auto ch = goro::make_chan<std::unique_ptr<int>>(1);
    goro::select(goro::on_send(ch, std::make_unique<int>(6), [] {}));
    std::unique_ptr<int> got;
    goro::select(
        goro::on_recv(ch, [&](std::optional<std::unique_ptr<int>> v) { got = std::move(*v); }));
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, 6);
  });
}

TEST(Select, UnsentValueOfALosingCaseIsDestroyedNotLeaked) {
  auto tracked = std::make_shared<int>(0);
  auto full = goro::make_chan<std::shared_ptr<int>>();
  auto ready = goro::make_chan<int>(1);
  ready.send(1);
  goro::select(goro::on_send(full, tracked, [] { FAIL(); }),
               goro::on_recv(ready, [](std::optional<int>) {}));
  EXPECT_EQ(tracked.use_count(), 1);
}

// ---------------------------------------------------------------- plain threads

TEST(Select, PlainThreadsAndGoroutinesSelectOnSharedChannels) {
  auto a = goro::make_chan<int>();
  auto b = goro::make_chan<int>();
  constexpr int per_sender = 2000;
  std::atomic<long> received{0};
  // Two plain threads and two goroutines each select-receive until both are closed.
  auto consume = [a, b, &received] {
    bool a_open = true, b_open = true;
    goro::chan<int> ra = a, rb = b;
    while (a_open || b_open) {
      goro::select(goro::on_recv(ra,
                                 [&](std::optional<int> v) {
                                   if (v) {
                                     received += *v;
                                   } else {
                                     a_open = false;
                                     ra = goro::chan<int>(); // closed: a nil case never fires
                                   }
                                 }),
                   goro::on_recv(rb, [&](std::optional<int> v) {
                     if (v) {
                       received += *v;
                     } else {
                       b_open = false;
                       rb = goro::chan<int>();
                     }
                   }));
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(consume);
  threads.emplace_back(consume);
  goro::wait_group consumers;
  consumers.add(2);
  for (int k = 0; k < 2; ++k)
    goro::go([&] {
      consume();
      consumers.done();
    });
  // Senders: one thread, one goroutine, each also selecting between a and b.
  auto produce = [a, b] {
    for (int i = 0; i < per_sender; ++i)
      goro::select(goro::on_send(a, 1, [] {}), goro::on_send(b, 1, [] {}));
  };
  std::thread producer(produce);
  auto produced = goro::make_chan<bool>(1);
  goro::go([&] {
    produce();
    produced.send(true);
  });
  producer.join();
  produced.recv();
  a.close();
  b.close();
  for (auto& t : threads)
    t.join();
  consumers.wait();
  EXPECT_EQ(received.load(), 2 * per_sender);
}

} // namespace
