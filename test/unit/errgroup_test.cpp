// errgroup (golang.org/x/sync/errgroup) and the goro::error value it returns.
#include "test_util.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace {

using goro::debug::state;
using goro_test::caller;
using goro_test::goroutine_watch;
using goro_test::panic_message;
using goro_test::run_as;

class ErrgroupFrom : public testing::TestWithParam<caller> {};
INSTANTIATE_TEST_SUITE_P(Caller, ErrgroupFrom, testing::Values(caller::thread, caller::goroutine),
                         goro_test::caller_name);

// ---------------------------------------------------------------- results

TEST_P(ErrgroupFrom, WaitReturnsNoErrorWhenEveryFunctionSucceeds) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    std::atomic<int> ran{0};
    for (int i = 0; i < 20; ++i) {
      if (i % 2 == 0)
        g.go([&] { ++ran; }); // void: success
      else
        g.go([&]() -> goro::error {
          ++ran;
          return {};
        });
    }
    goro::error err = g.wait();
    EXPECT_FALSE(err);
    EXPECT_EQ(err.message(), "");
    EXPECT_EQ(ran.load(), 20);
  });
}

TEST_P(ErrgroupFrom, WaitWaitsForEveryFunction) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    auto release = goro::make_chan<goro::unit>();
    std::atomic<int> finished{0};
    for (int i = 0; i < 5; ++i)
      g.go([&, release] {
        (void)release.recv();
        ++finished;
      });
    auto waited = goro::make_chan<goro::error>(1);
    goroutine_watch watch;
    goro::go([g, waited]() mutable { waited.send(g.wait()); });
    watch.await_blocked(1, "wait_group wait");
    EXPECT_EQ(finished.load(), 0);
    release.close();
    EXPECT_FALSE(*waited.recv());
    EXPECT_EQ(finished.load(), 5);
  });
}

TEST_P(ErrgroupFrom, WaitReturnsTheFirstError) {
  run_as(GetParam(), [] {
    auto [g, ctx] = goro::errgroup::with_context(goro::background());
    g.go([]() -> goro::error { return goro::error(std::string("first")); });
    // This one fails only after the group recorded the first error (the
    // group cancels its context right after recording it).
    g.go([ctx = ctx]() -> goro::error {
      (void)ctx.done().recv();
      return goro::error(std::string("second"));
    });
    g.go([] {}); // a success changes nothing
    goro::error err = g.wait();
    EXPECT_TRUE(err);
    EXPECT_EQ(err.message(), "first");
    // As in Go, the group may be reused; its first error stays its first.
    g.go([]() -> goro::error { return goro::error(std::string("later")); });
    EXPECT_EQ(g.wait().message(), "first");
  });
}

TEST_P(ErrgroupFrom, ExceptionsBecomeErrors) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    g.go([]() -> goro::error { throw std::runtime_error("boom"); });
    EXPECT_EQ(g.wait().message(), "boom");

    goro::errgroup h;
    h.go([] { throw 42; });
    EXPECT_EQ(h.wait().message(), "errgroup: a function threw an exception of unknown type");

    // The runtime and the group's goroutines go on working afterwards.
    goro::errgroup k;
    std::atomic<int> ran{0};
    for (int i = 0; i < 10; ++i)
      k.go([&] { ++ran; });
    EXPECT_FALSE(k.wait());
    EXPECT_EQ(ran.load(), 10);
  });
}

TEST_P(ErrgroupFrom, ErrorCodesSurviveAsErrors) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    g.go([]() -> goro::error { return goro::errc::deadline_exceeded; });
    goro::error err = g.wait();
    EXPECT_TRUE(err == goro::errc::deadline_exceeded);
  });
}

// ---------------------------------------------------------------- with_context

TEST_P(ErrgroupFrom, ContextIsCanceledOnTheFirstError) {
  run_as(GetParam(), [] {
    auto [g, ctx] = goro::errgroup::with_context(goro::background());
    std::atomic<int> stopped_by_cancel{0};
    for (int i = 0; i < 4; ++i)
      g.go([ctx = ctx, &stopped_by_cancel]() -> goro::error {
        (void)ctx.done().recv(); // runs until the group's context is canceled
        ++stopped_by_cancel;
        return ctx.err();
      });
    EXPECT_FALSE(ctx.err());
    g.go([]() -> goro::error { return goro::error(std::string("fail")); });
    goro::error err = g.wait();
    EXPECT_EQ(err.message(), "fail"); // not the cancellation the others returned
    EXPECT_EQ(stopped_by_cancel.load(), 4);
    EXPECT_TRUE(ctx.err() == goro::errc::canceled);
  });
}

TEST_P(ErrgroupFrom, ContextIsCanceledWhenWaitReturns) {
  run_as(GetParam(), [] {
    auto [g, ctx] = goro::errgroup::with_context(goro::background());
    g.go([] {});
    EXPECT_FALSE(g.wait());
    EXPECT_EQ(ctx.done().recv(), std::nullopt);
    EXPECT_TRUE(ctx.err() == goro::errc::canceled);
  });
}

TEST_P(ErrgroupFrom, ContextFollowsItsParent) {
  run_as(GetParam(), [] {
    auto [parent, cancel] = goro::with_cancel(goro::background());
    auto [g, ctx] = goro::errgroup::with_context(goro::with_value(parent, "id", 5));
    EXPECT_EQ(*ctx.value<int>("id"), 5);
    g.go([ctx = ctx]() -> goro::error {
      (void)ctx.done().recv();
      return ctx.err();
    });
    cancel();
    EXPECT_TRUE(g.wait() == goro::errc::canceled);
  });
}

// ---------------------------------------------------------------- limits

TEST_P(ErrgroupFrom, SetLimitMakesGoBlockWhileFull) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    g.set_limit(2);
    auto release = goro::make_chan<int>();
    std::atomic<int> running{0}, max_running{0};
    auto body = [&, release] {
      int now = ++running;
      int seen = max_running.load();
      while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
      }
      (void)release.recv();
      --running;
    };
    g.go(body);
    g.go(body);
    // A third go() must wait for a free slot.
    std::atomic<bool> third_started{false};
    goroutine_watch watch;
    goro::go([&, g]() mutable {
      g.go(body);
      third_started = true;
    });
    watch.await_blocked(1, "chan send"); // go() waits for a slot
    EXPECT_FALSE(third_started.load());
    release.send(1); // one finishes: the third gets its slot
    goro_test::await([&] { return third_started.load(); });
    release.send(2);
    release.send(3);
    EXPECT_FALSE(g.wait());
    EXPECT_LE(max_running.load(), 2);
  });
}

TEST_P(ErrgroupFrom, TryGoDoesNotRunTheFunctionWhenFull) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    g.set_limit(1);
    auto release = goro::make_chan<goro::unit>();
    EXPECT_TRUE(g.try_go([release] { (void)release.recv(); }));
    std::atomic<bool> ran{false};
    EXPECT_FALSE(g.try_go([&] { ran = true; }));
    release.send({});
    EXPECT_FALSE(g.wait());
    EXPECT_FALSE(ran.load());
    EXPECT_TRUE(g.try_go([&] { ran = true; })); // room again
    EXPECT_FALSE(g.wait());
    EXPECT_TRUE(ran.load());
  });
}

TEST_P(ErrgroupFrom, LimitBoundsConcurrencyUnderLoad) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    g.set_limit(3);
    std::atomic<int> running{0}, max_running{0}, done{0};
    for (int i = 0; i < 200; ++i)
      g.go([&] {
        int now = ++running;
        int seen = max_running.load();
        while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
        }
        goro::yield();
        --running;
        ++done;
      });
    EXPECT_FALSE(g.wait());
    EXPECT_EQ(done.load(), 200);
    EXPECT_LE(max_running.load(), 3);
    EXPECT_GE(max_running.load(), 1);
  });
}

TEST_P(ErrgroupFrom, ChangingTheLimitWhileActivePanics) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    auto release = goro::make_chan<goro::unit>();
    g.go([release] { (void)release.recv(); });
    EXPECT_EQ(panic_message([&] { g.set_limit(4); }),
              "errgroup: modify limit while 1 goroutines in the group are still active");
    release.send({});
    EXPECT_FALSE(g.wait());
    g.set_limit(4);  // fine once nothing runs
    g.set_limit(-1); // and a negative limit removes it
    for (int i = 0; i < 10; ++i)
      EXPECT_TRUE(g.try_go([] {}));
    EXPECT_FALSE(g.wait());
  });
}

TEST_P(ErrgroupFrom, ZeroLimitAdmitsNothing) {
  run_as(GetParam(), [] {
    goro::errgroup g;
    g.set_limit(0);
    EXPECT_FALSE(g.try_go([] { ADD_FAILURE() << "ran with limit 0"; }));
    EXPECT_FALSE(g.wait());
  });
}

// ---------------------------------------------------------------- handles and sites

TEST(Errgroup, CopiesShareOneGroup) {
  goro::errgroup a;
  goro::errgroup b = a;
  auto release = goro::make_chan<goro::unit>();
  a.go([release]() -> goro::error {
    (void)release.recv();
    return goro::error(std::string("from a"));
  });
  auto waited = goro::make_chan<std::string>(1);
  goroutine_watch watch;
  goro::go([b, waited]() mutable { waited.send(b.wait().message()); });
  watch.await_blocked(1, "wait_group wait");
  release.send({});
  EXPECT_EQ(waited.recv(), "from a");
  goro::errgroup c;
  c = std::move(b);
  EXPECT_EQ(c.wait().message(), "from a");
}

TEST(Errgroup, GroupGoroutineIsCreatedAtTheGoCall) {
  goro::errgroup g;
  auto release = goro::make_chan<goro::unit>();
  goroutine_watch watch;
  const unsigned line = __LINE__ + 1;
  g.go([release] { (void)release.recv(); });
  watch.await_blocked(1, "chan receive");
  auto all = watch.started();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].created_at.line, line);
  EXPECT_NE(all[0].created_at.file.find("errgroup_test.cpp"), std::string::npos)
      << all[0].created_at.file;
  release.close();
  EXPECT_FALSE(g.wait());
}

TEST(Errgroup, WaitFromPlainThreadsAndGoroutinesAtOnce) {
  goro::errgroup g;
  auto release = goro::make_chan<goro::unit>();
  g.go([release]() -> goro::error {
    (void)release.recv();
    return goro::error(std::string("x"));
  });
  auto results = goro::make_chan<std::string>(3);
  std::thread t([g, results]() mutable { results.send(g.wait().message()); });
  goro::go([g, results]() mutable { results.send(g.wait().message()); });
  release.close();
  EXPECT_EQ(g.wait().message(), "x");
  EXPECT_EQ(results.recv(), "x");
  EXPECT_EQ(results.recv(), "x");
  t.join();
}

// ---------------------------------------------------------------- goro::error

TEST(Error, DefaultIsNoError) {
  goro::error none;
  EXPECT_FALSE(none);
  EXPECT_EQ(none.message(), "");
  EXPECT_FALSE(none.code());
  EXPECT_TRUE(none == goro::error());
  EXPECT_FALSE(none == goro::errc::canceled);
}

TEST(Error, MessageErrorsAreErrorsEvenWhenEmpty) {
  goro::error e{std::string()};
  EXPECT_TRUE(e);
  EXPECT_FALSE(e == goro::error());
  EXPECT_TRUE(goro::error(std::string("a")) == goro::error(std::string("a")));
  EXPECT_FALSE(goro::error(std::string("a")) == goro::error(std::string("b")));
}

TEST(Error, CodesCompareWithErrc) {
  goro::error canceled = goro::errc::canceled;
  EXPECT_TRUE(canceled);
  EXPECT_TRUE(canceled == goro::errc::canceled);
  EXPECT_FALSE(canceled == goro::errc::deadline_exceeded);
  EXPECT_EQ(canceled.message(), "context canceled");
  EXPECT_STREQ(canceled.code().category().name(), "goro");
  EXPECT_EQ(goro::error(goro::errc::deadline_exceeded).message(), "context deadline exceeded");
  // An empty std::error_code means success, as in <system_error>.
  EXPECT_FALSE(goro::error(std::error_code()));
  goro::error io = std::make_error_code(std::errc::io_error);
  EXPECT_TRUE(io);
  EXPECT_FALSE(io == goro::errc::canceled);
}

} // namespace
