// The operating system seen from goroutines: goro::blocking and
// notify_signals.
#include "test_util.hpp"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using goro_test::caller;
using goro_test::goroutine_watch;
using goro_test::panic_message;
using goro_test::procs_scope;
using goro_test::run_as;

class OsFrom : public testing::TestWithParam<caller> {};
INSTANTIATE_TEST_SUITE_P(Caller, OsFrom, testing::Values(caller::thread, caller::goroutine),
                         goro_test::caller_name);

// ---------------------------------------------------------------- blocking

TEST(Blocking, RunsOnThePoolSoTheWorkerKeepsRunningGoroutines) {
  procs_scope one(1);
  std::promise<int> promise;
  std::shared_future<int> future = promise.get_future().share();
  auto result = goro::make_chan<int>(1);
  goroutine_watch watch;
  goro::go([future, result] {
    // Blocks an OS thread until another goroutine acts: on the only worker
    // this would deadlock; on the blocking pool it is fine.
    result.send(goro::blocking([&] { return future.get() * 2; }));
  });
  watch.await_blocked(1, "blocking call");
  goro::go([&] { promise.set_value(21); });
  EXPECT_EQ(result.recv(), 42);
}

TEST_P(OsFrom, BlockingReturnsTheResultAndRethrowsTheException) {
  run_as(GetParam(), [] {
    EXPECT_EQ(goro::blocking([] { return std::string("from the pool"); }), "from the pool");
    auto p = goro::blocking([] { return std::make_unique<int>(5); }); // move-only result
    EXPECT_EQ(*p, 5);
    int side_effect = 0;
    goro::blocking([&] { side_effect = 1; }); // void
    EXPECT_EQ(side_effect, 1);
    try {
      goro::blocking([]() -> int { throw std::out_of_range("nope"); });
      ADD_FAILURE() << "no exception";
    } catch (const std::out_of_range& e) {
      EXPECT_STREQ(e.what(), "nope");
    }
  });
}

TEST(Blocking, FromAPlainThreadRunsOnThatThread) {
  const auto self = std::this_thread::get_id();
  EXPECT_EQ(goro::blocking([] { return std::this_thread::get_id(); }), self);
}

TEST(Blocking, FromAGoroutineRunsOffTheWorkers) {
  auto ids = goro::make_chan<bool>(1);
  goro::go([ids] {
    const auto worker = std::this_thread::get_id();
    ids.send(goro::blocking([] { return std::this_thread::get_id(); }) != worker);
  });
  EXPECT_EQ(ids.recv(), true);
}

TEST(Blocking, PoolGrowsToRunCallsInParallel) {
  // Ten calls that each wait for all ten to have started finish only if ten
  // pool threads run them at once (the default limit is 64) — also when the
  // pool already has an idle thread, which must not count for all of them.
  auto warmed = goro::make_chan<int>(1);
  goro::go([warmed] { warmed.send(goro::blocking([] { return 1; })); });
  EXPECT_EQ(warmed.recv(), 1);
  constexpr int n = 10;
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  goro::wait_group wg;
  wg.add(n);
  for (int i = 0; i < n; ++i)
    goro::go([&] {
      goro::blocking([&] {
        std::unique_lock<std::mutex> lock(mu);
        ++arrived;
        cv.notify_all();
        cv.wait(lock, [&] { return arrived == n; });
      });
      wg.done();
    });
  wg.wait();
  EXPECT_EQ(arrived, n);
}

TEST(Blocking, ManyMoreCallsThanPoolThreadsAllComplete) {
  std::atomic<long> sum{0};
  goro::wait_group wg;
  wg.add(500);
  for (int i = 0; i < 500; ++i)
    goro::go([&, i] {
      sum += goro::blocking([i] {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        return i;
      });
      wg.done();
    });
  wg.wait();
  EXPECT_EQ(sum.load(), 499L * 500 / 2);
}

// ---------------------------------------------------------------- signals

TEST(Signals, RaisedSignalIsDeliveredOnTheChannel) {
  auto ch = goro::notify_signals({SIGUSR1});
  EXPECT_TRUE(ch);
  EXPECT_EQ(ch.capacity(), 16u);
  ASSERT_EQ(std::raise(SIGUSR1), 0); // handled: the process goes on
  EXPECT_EQ(ch.recv(), SIGUSR1);
}

TEST(Signals, EveryChannelRegisteredForASignalReceivesIt) {
  auto first = goro::notify_signals({SIGUSR2});
  auto second = goro::notify_signals({SIGUSR2, SIGWINCH});
  ASSERT_EQ(std::raise(SIGUSR2), 0);
  EXPECT_EQ(first.recv(), SIGUSR2);
  EXPECT_EQ(second.recv(), SIGUSR2);
  ASSERT_EQ(std::raise(SIGWINCH), 0);
  EXPECT_EQ(second.recv(), SIGWINCH); // first did not ask for it
  goro::sleep(std::chrono::milliseconds(5));
  EXPECT_EQ(first.try_recv(), std::nullopt);
}

TEST(Signals, AGoroutineSelectsOnSignals) {
  auto sigs = goro::notify_signals({SIGHUP});
  auto work = goro::make_chan<int>();
  auto got = goro::make_chan<int>(1);
  goroutine_watch watch;
  goro::go([sigs, work, got] {
    goro::select(goro::on_recv(work, [](std::optional<int>) {}),
                 goro::on_recv(sigs, [&](std::optional<int> s) { got.send(*s); }));
  });
  watch.await_blocked(1, "select");
  ASSERT_EQ(std::raise(SIGHUP), 0);
  EXPECT_EQ(got.recv(), SIGHUP);
}

TEST(Signals, UncatchableOrInvalidSignalsPanic) {
  EXPECT_EQ(panic_message([] { (void)goro::notify_signals({SIGKILL}); }),
            "notify_signals: signal 9 cannot be caught");
  EXPECT_EQ(panic_message([] { (void)goro::notify_signals({SIGSTOP}); }),
            "notify_signals: signal 19 cannot be caught");
  EXPECT_EQ(panic_message([] { (void)goro::notify_signals({0}); }),
            "notify_signals: signal 0 cannot be caught");
  EXPECT_EQ(panic_message([] { (void)goro::notify_signals({SIGUSR1, 100000}); }),
            "notify_signals: signal 100000 cannot be caught");
}

} // namespace
