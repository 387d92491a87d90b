// Stress: many goroutines, long pipelines, close races, select storms — with
// plain threads taking part — each checked by exact accounting (every value
// seen exactly once), never by timing.
//
// Every test runs with one worker, with the default GOMAXPROCS, and with four
// times as many workers as hardware threads. Each stays well
// under ten seconds on a two-core machine; under ThreadSanitizer the sizes
// shrink (TSan needs ~26 KiB per goroutine and aborts near 40,000).
#include "test_util.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <ostream>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using goro_test::under_tsan;

// Sizes: full size normally, smaller under TSan.
constexpr int scaled(int full, int tsan) {
  return under_tsan ? tsan : full;
}

enum class procs { one, default_count, oversubscribed };

class Stress : public testing::TestWithParam<procs> {
protected:
  void SetUp() override {
    int n = 0;
    switch (GetParam()) {
    case procs::one:
      n = 1;
      break;
    case procs::default_count:
      return;
    case procs::oversubscribed:
      n = 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      break;
    }
    scope_ = std::make_unique<goro_test::procs_scope>(n);
  }
  void TearDown() override { scope_.reset(); }

private:
  std::unique_ptr<goro_test::procs_scope> scope_;
};

void PrintTo(procs p, std::ostream* os) {
  *os << (p == procs::one             ? "GOMAXPROCS 1"
          : p == procs::default_count ? "default GOMAXPROCS"
                                      : "GOMAXPROCS 4x the hardware threads");
}

std::string procs_name(const testing::TestParamInfo<procs>& info) {
  switch (info.param) {
  case procs::one:
    return "OneWorker";
  case procs::default_count:
    return "DefaultWorkers";
  case procs::oversubscribed:
    return "MoreWorkersThanCores";
  }
  return "?";
}

INSTANTIATE_TEST_SUITE_P(Procs, Stress,
                         testing::Values(procs::one, procs::default_count, procs::oversubscribed),
                         procs_name);

// Marks each id in [0, n) as seen; reports ids seen twice and, at the end,
// ids never seen.
class ledger {
public:
  explicit ledger(std::size_t n) : seen_(n) {}
  void mark(std::size_t id) {
    if (id >= seen_.size() || seen_[id].fetch_add(1, std::memory_order_relaxed) != 0)
      duplicates_.fetch_add(1, std::memory_order_relaxed);
  }
  std::size_t duplicates() const { return duplicates_.load(); }
  std::size_t missing() const {
    std::size_t n = 0;
    for (const auto& s : seen_)
      if (s.load(std::memory_order_relaxed) == 0)
        ++n;
    return n;
  }

private:
  std::vector<std::atomic<std::uint8_t>> seen_;
  std::atomic<std::size_t> duplicates_{0};
};

// ---------------------------------------------------------------- many goroutines

void hundred_thousand_alive_at_once() {
  // Under TSan every live goroutine is a TSan fiber and a stack mapping of its
  // own: 15,000 at once ran TSan out of mappings (vm.max_map_count), and
  // 5,000 per round took 150-160 s for the three rounds on a loaded 2-CPU
  // machine (the ctest timeout is 300 s): spawning under TSan costs
  // milliseconds (docs/runtime.md, "Cost").
  const int n = scaled(100'000, 2'000);
  auto gate = goro::make_chan<goro::unit>();
  std::atomic<int> started{0};
  std::atomic<long> sum{0};
  goro::wait_group wg;
  wg.add(n);
  for (int i = 0; i < n; ++i)
    goro::go([gate, i, &started, &sum, &wg] {
      ++started;
      (void)gate.recv(); // everyone parks here until the gate closes
      sum += i;
      wg.done();
    });
  goro_test::await([&] { return started.load() == n; });
  // All n are alive at once: none can pass the gate before it closes.
  EXPECT_GE(goro::num_goroutines(), static_cast<std::size_t>(n));
  EXPECT_EQ(sum.load(), 0);
  gate.close();
  wg.wait();
  EXPECT_EQ(sum.load(), static_cast<long>(n) * (n - 1) / 2);
}

// One test for the three worker counts: the first round pays for faulting
// in 100,000 fresh stacks (about 6 s on a VM where a page fault costs ~60 us),
// the later rounds reuse them from the free lists.
TEST(StressAllWorkerCounts, HundredThousandGoroutinesAliveAtOnce) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int procs : {1, 0, 4 * cores}) {
    SCOPED_TRACE(procs == 0 ? "default GOMAXPROCS" : "GOMAXPROCS " + std::to_string(procs));
    std::unique_ptr<goro_test::procs_scope> scope;
    if (procs != 0)
      scope = std::make_unique<goro_test::procs_scope>(procs);
    hundred_thousand_alive_at_once();
  }
}

TEST_P(Stress, SpawnChurnFromGoroutinesAndThreads) {
  // Goroutines that start goroutines that exit at once: stacks are recycled
  // through the free lists many times over.
  // Under TSan a live goroutine costs about three mappings (its stack, TSan's
  // state and trace for its fiber): keep fewer than 10,000 alive at once.
  const int per_spawner = scaled(15'000, 1'500);
  std::atomic<long> ran{0};
  goro::wait_group wg;
  auto spawn_many = [&] {
    for (int i = 0; i < per_spawner; ++i) {
      wg.add(1);
      goro::go([&] {
        ++ran;
        wg.done();
      });
    }
  };
  wg.add(3);
  for (int s = 0; s < 3; ++s)
    goro::go([&] {
      spawn_many();
      wg.done();
    });
  std::thread plain(spawn_many);
  plain.join();
  wg.wait();
  EXPECT_EQ(ran.load(), 4L * per_spawner);
}

// ---------------------------------------------------------------- pipeline

TEST_P(Stress, MillionValuesThroughAFourStagePipeline) {
  const int n = scaled(1'000'000, 100'000);
  // generate -> double -> add one -> collect; several workers per stage,
  // plain threads among them. Each stage closes its output once all its
  // workers are done.
  auto numbers = goro::make_chan<long>(64);
  auto doubled = goro::make_chan<long>(64);
  auto odd = goro::make_chan<long>(64);
  ledger seen(static_cast<std::size_t>(n));

  // Stage 1: two goroutines and one plain thread generate disjoint ranges.
  goro::wait_group generators;
  auto generate = [&](int from, int to) {
    for (int i = from; i < to; ++i)
      numbers.send(i);
    generators.done();
  };
  generators.add(3);
  goro::go(generate, 0, n / 3);
  goro::go(generate, n / 3, 2 * n / 3);
  std::thread gen_thread(generate, 2 * n / 3, n);
  goro::go([&generators, numbers] {
    generators.wait();
    numbers.close();
  });

  // Stages 2 and 3: four workers each (one of them a plain thread).
  auto stage = [](goro::recv_chan<long> in, goro::send_chan<long> out, goro::wait_group& wg,
                  long (*f)(long)) {
    for (long v : in)
      out.send(f(v));
    wg.done();
  };
  goro::wait_group doublers, adders;
  doublers.add(4);
  adders.add(4);
  long (*twice)(long) = [](long v) { return 2 * v; };
  long (*plus_one)(long) = [](long v) { return v + 1; };
  for (int w = 0; w < 3; ++w) {
    goro::go([&] { stage(numbers, doubled, doublers, twice); });
    goro::go([&] { stage(doubled, odd, adders, plus_one); });
  }
  std::thread double_thread([&] { stage(numbers, doubled, doublers, twice); });
  std::thread add_thread([&] { stage(doubled, odd, adders, plus_one); });
  goro::go([&doublers, doubled] {
    doublers.wait();
    doubled.close();
  });
  goro::go([&adders, odd] {
    adders.wait();
    odd.close();
  });

  // Stage 4: three collectors (one a plain thread) undo the arithmetic and
  // mark each original value.
  std::atomic<long> count{0}, sum{0};
  goro::wait_group collectors;
  auto collect = [&] {
    for (long v : odd) {
      seen.mark(static_cast<std::size_t>((v - 1) / 2));
      ++count;
      sum += v;
    }
    collectors.done();
  };
  collectors.add(3);
  goro::go(collect);
  goro::go(collect);
  std::thread collect_thread(collect);

  gen_thread.join();
  double_thread.join();
  add_thread.join();
  collect_thread.join();
  collectors.wait();
  EXPECT_EQ(count.load(), n);
  EXPECT_EQ(sum.load(), static_cast<long>(n) * (n - 1) + n); // sum of 2i+1
  EXPECT_EQ(seen.duplicates(), 0u);
  EXPECT_EQ(seen.missing(), 0u);
}

// ---------------------------------------------------------------- close races

TEST_P(Stress, SendersAndReceiversRacingACloseAccountForEveryValue) {
  const int rounds = scaled(100, 30);
  for (int round = 0; round < rounds; ++round) {
    const std::size_t capacity = round % 3 == 0 ? 0 : round % 3 == 1 ? 1 : 16;
    auto ch = goro::make_chan<long>(capacity);
    std::atomic<long> sent_sum{0}, sent_count{0}, recv_sum{0}, recv_count{0};
    std::atomic<int> panics{0};
    goro::wait_group wg;
    // Senders send until the channel is closed under them. A send that
    // returns delivered its value; one that panics delivered nothing.
    auto sender = [&](long base, int mode) {
      for (long i = 0;; ++i) {
        const long v = base + i;
        try {
          if (mode == 0) {
            ch.send(v);
          } else if (mode == 1) {
            if (!ch.try_send(v)) {
              goro::yield();
              continue;
            }
          } else {
            goro::select(goro::on_send(ch, v, [] {}));
          }
          sent_sum += v;
          ++sent_count;
        } catch (const goro::panic&) {
          ++panics;
          break;
        }
      }
    };
    auto receiver = [&] {
      for (long v : ch) {
        recv_sum += v;
        ++recv_count;
      }
    };
    constexpr int goroutine_senders = 6, goroutine_receivers = 4;
    wg.add(goroutine_senders + goroutine_receivers);
    for (int s = 0; s < goroutine_senders; ++s)
      goro::go([&, s] {
        sender(1'000'000L * (s + 1), s % 3);
        wg.done();
      });
    for (int r = 0; r < goroutine_receivers; ++r)
      goro::go([&] {
        receiver();
        wg.done();
      });
    std::thread thread_sender([&] { sender(1'000'000'000L, 0); });
    std::thread thread_receiver(receiver);
    // Close once some traffic has flowed, from a goroutine or this thread.
    goro_test::await([&] { return recv_count.load() >= 50 + round; });
    if (round % 2 == 0) {
      ch.close();
    } else {
      auto closed = goro::make_chan<bool>(1);
      goro::go([ch, closed] {
        ch.close();
        closed.send(true);
      });
      (void)closed.recv();
    }
    thread_sender.join();
    thread_receiver.join();
    wg.wait();
    ASSERT_EQ(panics.load(), goroutine_senders + 1) << "round " << round;
    ASSERT_EQ(recv_count.load(), sent_count.load()) << "round " << round;
    ASSERT_EQ(recv_sum.load(), sent_sum.load()) << "round " << round;
  }
}

TEST_P(Stress, ClosingWhileManyReceiversWaitWakesThemAll) {
  const int rounds = scaled(100, 20), receivers = scaled(500, 100);
  for (int round = 0; round < rounds; ++round) {
    auto ch = goro::make_chan<int>(round % 2 == 0 ? 0 : 4);
    std::atomic<int> values{0}, closed_seen{0};
    goro::wait_group wg;
    wg.add(receivers);
    for (int r = 0; r < receivers; ++r)
      goro::go([&, ch, r] {
        if (r % 2 == 0) {
          if (ch.recv())
            ++values;
          else
            ++closed_seen;
        } else {
          goro::select(goro::on_recv(ch, [&](std::optional<int> v) {
            if (v)
              ++values;
            else
              ++closed_seen;
          }));
        }
        wg.done();
      });
    for (int k = 0; k < 10; ++k)
      ch.send(k); // ten of them get a value...
    ch.close();   // ...and the close wakes every other one
    wg.wait();
    ASSERT_EQ(values.load(), 10);
    ASSERT_EQ(closed_seen.load(), receivers - 10);
  }
}

// ---------------------------------------------------------------- select storms

TEST_P(Stress, SelectStormOverManyChannels) {
  // 32 channels (some buffered); consumer k listens on its own four; every
  // producer's select offers each message on four random channels, so every
  // channel has a listener and no message can be lost or delivered twice.
  constexpr int channels = 32, consumers = 8, producers = 8;
  const int per_producer = scaled(20'000, 2'000);
  const int total = producers * per_producer;
  std::vector<goro::chan<int>> ch;
  for (int c = 0; c < channels; ++c)
    ch.push_back(goro::make_chan<int>(c % 4 == 0 ? 4 : 0));
  auto quit = goro::make_chan<goro::unit>();
  ledger seen(static_cast<std::size_t>(total));
  std::atomic<int> received{0};

  auto produce = [&](int p) {
    std::mt19937 rng(static_cast<unsigned>(p) * 7919u + 1);
    goro::chan<int> nil;
    for (int i = 0; i < per_producer; ++i) {
      const int id = p * per_producer + i;
      auto pick = [&] { return ch[rng() % channels]; };
      auto a = pick(), b = pick(), c = pick(), d = pick();
      bool sent = false;
      if (i % 4 == 0) // sometimes try first without blocking
        goro::select(goro::on_send(a, id, [&] { sent = true; }),
                     goro::on_send(b, id, [&] { sent = true; }), goro::on_default([] {}));
      if (!sent)
        goro::select(goro::on_send(a, id, [] {}), goro::on_send(b, id, [] {}),
                     goro::on_send(c, id, [] {}), goro::on_send(d, id, [] {}),
                     goro::on_recv(nil, [](std::optional<int>) { ADD_FAILURE(); }));
    }
  };
  auto consume = [&](int k) {
    bool done = false;
    auto got = [&](std::optional<int> v) {
      if (!v)
        return;
      seen.mark(static_cast<std::size_t>(*v));
      if (received.fetch_add(1) + 1 == total)
        quit.close(); // the last message: release every consumer
    };
    while (!done)
      goro::select(goro::on_recv(ch[4 * k], got), goro::on_recv(ch[4 * k + 1], got),
                   goro::on_recv(ch[4 * k + 2], got), goro::on_recv(ch[4 * k + 3], got),
                   goro::on_recv(quit, [&](auto) { done = true; }));
  };

  goro::wait_group wg;
  std::vector<std::thread> threads;
  wg.add(producers - 2 + consumers - 1);
  for (int p = 0; p < producers - 2; ++p)
    goro::go([&, p] {
      produce(p);
      wg.done();
    });
  for (int p = producers - 2; p < producers; ++p)
    threads.emplace_back(produce, p);
  for (int k = 0; k < consumers - 1; ++k)
    goro::go([&, k] {
      consume(k);
      wg.done();
    });
  threads.emplace_back(consume, consumers - 1);
  for (auto& t : threads)
    t.join();
  wg.wait();
  EXPECT_EQ(received.load(), total);
  EXPECT_EQ(seen.duplicates(), 0u);
  EXPECT_EQ(seen.missing(), 0u);
}

TEST_P(Stress, SelectPairsSendingAndReceivingOnSharedChannels) {
  // Goroutines that each both offer and accept on the same few unbuffered
  // channels: they must pair up among themselves, never with themselves.
  const int peers = 16, rounds = scaled(2'000, 300);
  std::vector<goro::chan<int>> ch;
  for (int c = 0; c < 4; ++c)
    ch.push_back(goro::make_chan<int>());
  std::atomic<long> sent{0}, received{0};
  std::atomic<int> self_matches{0};
  goro::wait_group wg;
  wg.add(peers);
  for (int p = 0; p < peers; ++p)
    goro::go([&, p] {
      for (int r = 0; r < rounds; ++r) {
        const int a = (p + r) % 4, b = (p + 2 * r + 1) % 4;
        goro::select(goro::on_send(ch[a], p, [&] { ++sent; }),
                     goro::on_recv(ch[b], [&](std::optional<int> v) {
                       if (*v == p)
                         ++self_matches;
                       ++received;
                     }));
      }
      wg.done();
    });
  // Peers finish at different times; the last ones may have nobody left to
  // pair with, so a drain/feed helper answers until everybody is done.
  auto all_done = goro::make_chan<goro::unit>();
  goro::go([&] {
    wg.wait();
    all_done.close();
  });
  bool done = false;
  while (!done)
    goro::select(
        goro::on_recv(ch[0], [&](auto) { ++received; }),
        goro::on_recv(ch[1], [&](auto) { ++received; }),
        goro::on_recv(ch[2], [&](auto) { ++received; }),
        goro::on_recv(ch[3], [&](auto) { ++received; }), goro::on_send(ch[0], -1, [&] { ++sent; }),
        goro::on_send(ch[1], -1, [&] { ++sent; }), goro::on_send(ch[2], -1, [&] { ++sent; }),
        goro::on_send(ch[3], -1, [&] { ++sent; }),
        goro::on_recv(all_done, [&](auto) { done = true; }));
  EXPECT_EQ(self_matches.load(), 0);
  EXPECT_EQ(sent.load(), received.load());
  EXPECT_GE(sent.load(), static_cast<long>(peers) * rounds / 2);
}

// ---------------------------------------------------------------- sync and timers under load

TEST_P(Stress, MutexAndWaitGroupUnderHeavyContention) {
  const int goroutines = scaled(200, 50), iterations = scaled(2'000, 500);
  goro::mutex mu;
  goro::rw_mutex rw;
  long counter = 0, shadow = 0;
  std::atomic<long> torn{0};
  goro::wait_group wg;
  wg.add(goroutines);
  for (int g = 0; g < goroutines; ++g)
    goro::go([&, g] {
      for (int i = 0; i < iterations; ++i) {
        if (g % 4 == 0) {
          std::shared_lock<goro::rw_mutex> read(rw);
          if (counter != shadow)
            ++torn;
        } else {
          std::lock_guard<goro::mutex> lock(mu);
          std::lock_guard<goro::rw_mutex> write(rw);
          ++counter;
          if (i % 64 == 0)
            goro::yield();
          ++shadow;
        }
      }
      wg.done();
    });
  std::thread plain([&] {
    for (int i = 0; i < iterations; ++i) {
      std::lock_guard<goro::mutex> lock(mu);
      std::lock_guard<goro::rw_mutex> write(rw);
      ++counter;
      ++shadow;
    }
  });
  plain.join();
  wg.wait();
  const long writers = goroutines - (goroutines + 3) / 4;
  EXPECT_EQ(counter, (writers + 1) * iterations);
  EXPECT_EQ(shadow, counter);
  EXPECT_EQ(torn.load(), 0);
}

TEST_P(Stress, ManySleepersAndTimersAllWake) {
  const int n = scaled(20'000, 3'000);
  std::atomic<int> woke{0};
  goro::wait_group wg;
  wg.add(n);
  for (int i = 0; i < n; ++i)
    goro::go([&, i] {
      switch (i % 3) {
      case 0:
        goro::sleep(std::chrono::microseconds(i % 2000));
        break;
      case 1:
        (void)goro::after(std::chrono::microseconds(i % 1500)).recv();
        break;
      default: {
        goro::timer t(std::chrono::hours(1));
        (void)t.reset(std::chrono::microseconds(i % 1000));
        (void)t.c().recv();
      }
      }
      ++woke;
      wg.done();
    });
  wg.wait();
  EXPECT_EQ(woke.load(), n);
}

TEST_P(Stress, CancellationStormOverAContextTree) {
  const int rounds = scaled(50, 10);
  for (int round = 0; round < rounds; ++round) {
    auto [root, cancel_root] = goro::with_cancel(goro::background());
    std::atomic<int> observed{0};
    goro::wait_group wg;
    const int watchers = 200;
    wg.add(watchers);
    for (int w = 0; w < watchers; ++w)
      goro::go([&, parent = root, w] {
        // A small subtree per watcher, some levels with deadlines far away.
        auto [mid, cancel_mid] = goro::with_timeout(parent, std::chrono::hours(1));
        auto [leaf, cancel_leaf] = goro::with_cancel(goro::with_value(mid, "w", w));
        if (w % 10 == 0)
          cancel_leaf(); // some cancel themselves first
        (void)leaf.done().recv();
        if (leaf.err())
          ++observed;
        cancel_leaf();
        cancel_mid();
        wg.done();
      });
    goro::go(cancel_root);
    wg.wait();
    ASSERT_EQ(observed.load(), watchers);
  }
}

} // namespace
