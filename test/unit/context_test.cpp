// context: background, with_cancel / with_timeout / with_deadline /
// with_value, propagation to children, done() in select, err() values and
// lifetimes.
#include "test_util.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using goro_test::caller;
using goro_test::goroutine_watch;
using goro_test::run_as;
using namespace std::chrono_literals;

class ContextFrom : public testing::TestWithParam<caller> {};
INSTANTIATE_TEST_SUITE_P(Caller, ContextFrom, testing::Values(caller::thread, caller::goroutine),
                         goro_test::caller_name);

// done() is closed: a receive returns at once with nothing.
bool is_done(const goro::context& ctx) {
  auto d = ctx.done();
  if (!d)
    return false; // the nil channel: never done
  bool closed = false;
  goro::select(goro::on_recv(d, [&](std::optional<goro::unit> v) { closed = !v.has_value(); }),
               goro::on_default([] {}));
  return closed;
}

// ---------------------------------------------------------------- background

TEST_P(ContextFrom, BackgroundIsNeverDone) {
  run_as(GetParam(), [] {
    goro::context bg = goro::background();
    EXPECT_FALSE(bg.done()); // the nil channel: a select case on it never fires
    EXPECT_FALSE(bg.err());
    EXPECT_EQ(bg.deadline(), std::nullopt);
    EXPECT_EQ(bg.value<int>("anything"), nullptr);
    goro::context defaulted;
    EXPECT_FALSE(defaulted.done());
    EXPECT_FALSE(is_done(defaulted));
  });
}

// ---------------------------------------------------------------- with_cancel

TEST_P(ContextFrom, CancelClosesDoneAndSetsErr) {
  run_as(GetParam(), [] {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    EXPECT_TRUE(ctx.done());
    EXPECT_FALSE(is_done(ctx));
    EXPECT_FALSE(ctx.err()); // no error before cancellation
    cancel();
    EXPECT_TRUE(is_done(ctx));
    EXPECT_EQ(ctx.done().recv(), std::nullopt);
    EXPECT_TRUE(ctx.err() == goro::errc::canceled);
    EXPECT_EQ(ctx.err().message(), "context canceled");
    EXPECT_EQ(ctx.err().code(), goro::make_error_code(goro::errc::canceled));
    cancel(); // idempotent
    EXPECT_TRUE(ctx.err() == goro::errc::canceled);
  });
}

TEST_P(ContextFrom, CancelWakesEveryoneBlockedOnDone) {
  run_as(GetParam(), [] {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    auto woke = goro::make_chan<bool>(8);
    goroutine_watch watch;
    for (int k = 0; k < 6; ++k)
      goro::go([ctx, woke] { woke.send(!ctx.done().recv().has_value()); });
    std::thread plain([ctx, woke] { woke.send(!ctx.done().recv().has_value()); });
    watch.await_blocked(6, "chan receive");
    cancel();
    for (int k = 0; k < 7; ++k)
      EXPECT_EQ(woke.recv(), true);
    goro_test::join(plain);
  });
}

TEST_P(ContextFrom, DoneIsUsableInSelect) {
  run_as(GetParam(), [] {
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    auto work = goro::make_chan<int>();
    auto outcome = goro::make_chan<std::string>(1);
    goroutine_watch watch;
    goro::go([ctx, work, outcome] {
      for (;;) {
        bool stop = false;
        goro::select(goro::on_recv(work, [](std::optional<int>) {}),
                     goro::on_recv(ctx.done(), [&](auto) { stop = true; }));
        if (stop) {
          outcome.send(ctx.err().message());
          return;
        }
      }
    });
    work.send(1);
    work.send(2);
    watch.await_blocked(1, "select");
    cancel();
    EXPECT_EQ(outcome.recv(), "context canceled");
  });
}

TEST_P(ContextFrom, CancelFromAnotherGoroutineOrThread) {
  run_as(GetParam(), [] {
    auto [a, cancel_a] = goro::with_cancel(goro::background());
    auto [b, cancel_b] = goro::with_cancel(goro::background());
    goro::go(cancel_a);
    std::thread t(cancel_b);
    EXPECT_EQ(a.done().recv(), std::nullopt);
    EXPECT_EQ(b.done().recv(), std::nullopt);
    goro_test::join(t);
    EXPECT_TRUE(a.err() == goro::errc::canceled);
    EXPECT_TRUE(b.err() == goro::errc::canceled);
  });
}

TEST_P(ContextFrom, ConcurrentCancelsAreIdempotent) {
  run_as(GetParam(), [] {
    for (int round = 0; round < 100; ++round) {
      auto [ctx, cancel] = goro::with_cancel(goro::background());
      auto child = goro::with_cancel(ctx).first;
      goro::wait_group wg;
      wg.add(8);
      for (int k = 0; k < 8; ++k)
        goro::go([&, cancel = cancel] {
          cancel();
          wg.done();
        });
      wg.wait();
      ASSERT_TRUE(ctx.err() == goro::errc::canceled);
      ASSERT_TRUE(child.err() == goro::errc::canceled);
    }
  });
}

// ---------------------------------------------------------------- propagation

TEST_P(ContextFrom, CancelingAParentCancelsEveryDescendant) {
  run_as(GetParam(), [] {
    auto [parent, cancel_parent] = goro::with_cancel(goro::background());
    auto [child, cancel_child] = goro::with_cancel(parent);
    auto [sibling, cancel_sibling] = goro::with_cancel(parent);
    // A cancelable grandchild under a value node.
    goro::context valued = goro::with_value(child, "k", 1);
    auto [grandchild, cancel_grandchild] = goro::with_cancel(valued);
    auto [timed, cancel_timed] = goro::with_timeout(grandchild, 1h);
    cancel_parent();
    for (const goro::context* c : {&parent, &child, &sibling, &valued, &grandchild, &timed}) {
      EXPECT_TRUE(is_done(*c));
      EXPECT_TRUE(c->err() == goro::errc::canceled) << c->err().message();
    }
    EXPECT_EQ(*grandchild.value<int>("k"), 1);
    cancel_child();
    cancel_sibling();
    cancel_grandchild();
    cancel_timed();
  });
}

TEST_P(ContextFrom, CancelingAChildLeavesParentAndSiblingsAlone) {
  run_as(GetParam(), [] {
    auto [parent, cancel_parent] = goro::with_cancel(goro::background());
    auto [child, cancel_child] = goro::with_cancel(parent);
    auto [sibling, cancel_sibling] = goro::with_cancel(parent);
    auto [grandchild, cancel_grandchild] = goro::with_cancel(child);
    cancel_child();
    EXPECT_TRUE(is_done(child));
    EXPECT_TRUE(is_done(grandchild));
    EXPECT_FALSE(is_done(parent));
    EXPECT_FALSE(is_done(sibling));
    EXPECT_FALSE(parent.err());
    // The parent can still be canceled later, and reaches the sibling.
    cancel_parent();
    EXPECT_TRUE(is_done(sibling));
    cancel_sibling();
    cancel_grandchild();
  });
}

TEST_P(ContextFrom, ChildOfACanceledParentIsBornCanceled) {
  run_as(GetParam(), [] {
    auto [parent, cancel] = goro::with_cancel(goro::background());
    cancel();
    auto [child, cancel_child] = goro::with_cancel(parent);
    EXPECT_TRUE(is_done(child));
    EXPECT_TRUE(child.err() == goro::errc::canceled);
    auto [timed, cancel_timed] = goro::with_timeout(goro::with_value(parent, "v", 2), 1h);
    EXPECT_TRUE(timed.err() == goro::errc::canceled);
    cancel_child();
    cancel_timed();
  });
}

TEST_P(ContextFrom, ChildrenCreatedWhileTheParentIsCanceledAreAllCanceled) {
  run_as(GetParam(), [] {
    for (int round = 0; round < 20; ++round) {
      auto [parent, cancel] = goro::with_cancel(goro::background());
      auto children = goro::make_chan<goro::context>(400);
      goro::wait_group wg;
      wg.add(4);
      for (int k = 0; k < 4; ++k)
        goro::go([&, parent = parent] {
          for (int i = 0; i < 100; ++i) {
            auto [c, cancel_c] = goro::with_cancel(parent);
            children.send(c);
          }
          wg.done();
        });
      goro::go(cancel);
      wg.wait();
      children.close();
      for (const goro::context& c : children) {
        ASSERT_EQ(c.done().recv(), std::nullopt); // closed, whether born before or after
        ASSERT_TRUE(c.err() == goro::errc::canceled);
      }
    }
  });
}

TEST(Context, CancelingADeepChainDoesNotOverflowAGoroutineStack) {
  // Go's stacks grow; a goroutine's here has a fixed size (64 KiB by default),
  // so canceling must not recurse once per generation.
  constexpr int depth = 50'000;
  auto result = goro::make_chan<std::string>(1);
  goro::go([result] {
    auto [root, cancel] = goro::with_cancel(goro::background());
    goro::context leaf = root;
    std::vector<goro::cancel_func> cancels;
    for (int i = 0; i < depth; ++i) {
      auto [c, cancel_c] = goro::with_cancel(leaf);
      leaf = c;
      cancels.push_back(cancel_c);
    }
    cancel();
    result.send(leaf.err().message());
  });
  EXPECT_EQ(result.recv(), "context canceled");
}

// ---------------------------------------------------------------- deadlines

TEST_P(ContextFrom, TimeoutExpiresWithDeadlineExceeded) {
  run_as(GetParam(), [] {
    const auto before = std::chrono::steady_clock::now();
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 5ms);
    const auto after = std::chrono::steady_clock::now();
    ASSERT_TRUE(ctx.deadline().has_value());
    EXPECT_GE(*ctx.deadline(), before + 5ms);
    EXPECT_LE(*ctx.deadline(), after + 5ms);
    EXPECT_EQ(ctx.done().recv(), std::nullopt);                   // wakes when the deadline passes
    EXPECT_GE(std::chrono::steady_clock::now(), *ctx.deadline()); // never early
    EXPECT_TRUE(ctx.err() == goro::errc::deadline_exceeded);
    EXPECT_EQ(ctx.err().message(), "context deadline exceeded");
    cancel(); // after expiry: err stays deadline_exceeded
    EXPECT_TRUE(ctx.err() == goro::errc::deadline_exceeded);
  });
}

TEST_P(ContextFrom, DeadlineInThePastIsDoneAtOnce) {
  run_as(GetParam(), [] {
    auto [ctx, cancel] =
        goro::with_deadline(goro::background(), std::chrono::steady_clock::now() - 1s);
    EXPECT_TRUE(is_done(ctx));
    EXPECT_TRUE(ctx.err() == goro::errc::deadline_exceeded);
    cancel();
  });
}

TEST_P(ContextFrom, CancelBeforeTheDeadlineReportsCanceled) {
  run_as(GetParam(), [] {
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 1h);
    cancel();
    EXPECT_TRUE(is_done(ctx));
    EXPECT_TRUE(ctx.err() == goro::errc::canceled);
  });
}

TEST_P(ContextFrom, ParentDeadlineReachesChildren) {
  run_as(GetParam(), [] {
    auto [parent, cancel_parent] = goro::with_timeout(goro::background(), 2ms);
    auto [child, cancel_child] = goro::with_cancel(parent);
    auto [later, cancel_later] = goro::with_timeout(parent, 1h);
    // A child never outlives its parent's deadline, and says so.
    EXPECT_EQ(later.deadline(), parent.deadline());
    EXPECT_EQ(child.deadline(), parent.deadline());
    EXPECT_EQ(later.done().recv(), std::nullopt);
    EXPECT_TRUE(later.err() == goro::errc::deadline_exceeded);
    EXPECT_TRUE(child.err() == goro::errc::deadline_exceeded);
    cancel_parent();
    cancel_child();
    cancel_later();
  });
}

TEST_P(ContextFrom, EarlierChildDeadlineFiresAloneFirst) {
  run_as(GetParam(), [] {
    auto [parent, cancel_parent] = goro::with_timeout(goro::background(), 1h);
    auto [child, cancel_child] = goro::with_timeout(parent, 1ms);
    EXPECT_LT(*child.deadline(), *parent.deadline());
    EXPECT_EQ(child.done().recv(), std::nullopt);
    EXPECT_TRUE(child.err() == goro::errc::deadline_exceeded);
    EXPECT_FALSE(parent.err());
    cancel_child();
    cancel_parent();
  });
}

TEST_P(ContextFrom, TimeoutWakesASelectingGoroutine) {
  run_as(GetParam(), [] {
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 3ms);
    auto never = goro::make_chan<int>();
    std::size_t i = goro::select(goro::on_recv(never, [](std::optional<int>) {}),
                                 goro::on_recv(ctx.done(), [](auto) {}));
    EXPECT_EQ(i, 1u);
    EXPECT_TRUE(ctx.err() == goro::errc::deadline_exceeded);
    cancel();
  });
}

// ---------------------------------------------------------------- values

TEST_P(ContextFrom, ValuesAreFoundThroughTheChain) {
  run_as(GetParam(), [] {
    goro::context a = goro::with_value(goro::background(), "user", std::string("ann"));
    goro::context b = goro::with_value(a, "request", 42);
    auto [c, cancel] = goro::with_cancel(b);
    goro::context d = goro::with_value(c, "user", std::string("bob")); // shadows
    ASSERT_NE(d.value<std::string>("user"), nullptr);
    EXPECT_EQ(*d.value<std::string>("user"), "bob");
    EXPECT_EQ(*c.value<std::string>("user"), "ann");
    EXPECT_EQ(*d.value<int>("request"), 42);
    EXPECT_EQ(d.value<int>("missing"), nullptr);
    EXPECT_EQ(d.value<long>("request"), nullptr); // stored as int, asked as long
    EXPECT_EQ(a.value<int>("request"), nullptr);  // values flow down, not up
    // A values-only chain over background is never done.
    EXPECT_FALSE(b.done());
    EXPECT_FALSE(b.err());
    EXPECT_TRUE(d.done());
    cancel();
    EXPECT_TRUE(is_done(d));
  });
}

TEST(Context, ValueLivesAsLongAsTheContext) {
  auto tracked = std::make_shared<int>(7);
  const int* seen = nullptr;
  {
    goro::context ctx = goro::with_value(goro::background(), "p", tracked);
    goro::context copy = ctx;
    ctx = goro::background();
    seen = copy.value<std::shared_ptr<int>>("p")->get();
    EXPECT_EQ(tracked.use_count(), 2);
  }
  EXPECT_EQ(*seen, 7); // tracked still owns it
  EXPECT_EQ(tracked.use_count(), 1);
}

TEST(Context, CancelReleasesTheDeadlineTimerAndItsContext) {
  auto tracked = std::make_shared<int>(0);
  {
    goro::context valued = goro::with_value(goro::background(), "p", tracked);
    auto [ctx, cancel] = goro::with_timeout(valued, 1h);
    cancel(); // stops the timer, which held the context (and so the value)
  }
  EXPECT_EQ(tracked.use_count(), 1);
}

TEST(Context, ContextsCanBeCopiedAndMovedFreely) {
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::context copy = ctx;
  goro::context moved = std::move(copy);
  goro::context assigned;
  assigned = moved;
  assigned = std::move(moved);
  cancel();
  EXPECT_TRUE(is_done(assigned));
  EXPECT_TRUE(is_done(ctx));
}

// In Go, a child context registered with a cancelable parent stays reachable
// from it, so canceling the parent closes the child's done channel even when
// the program kept only that channel.
TEST(Context, DoneOfADroppedChildClosesWhenTheParentIsCanceled) {
  auto [parent, cancel_parent] = goro::with_cancel(goro::background());
  goro::recv_chan<goro::unit> done;
  {
    auto [child, cancel_child] = goro::with_cancel(parent);
    done = child.done();
  }
  cancel_parent();
  EXPECT_EQ(done.recv(), std::nullopt);
}

TEST(Context, DoneOfADroppedGrandchildClosesWhenItsDroppedParentsAncestorIsCanceled) {
  auto [root, cancel_root] = goro::with_cancel(goro::background());
  goro::recv_chan<goro::unit> child_done;
  goro::recv_chan<goro::unit> grandchild_done;
  {
    auto [child, cancel_child] = goro::with_cancel(root);
    auto [grandchild, cancel_grandchild] = goro::with_timeout(child, std::chrono::hours(1));
    child_done = child.done();
    grandchild_done = grandchild.done();
  }
  cancel_root();
  EXPECT_EQ(child_done.recv(), std::nullopt);
  EXPECT_EQ(grandchild_done.recv(), std::nullopt);
}

TEST(Context, OnlyTheKeptDoneOfManyDroppedChildrenIsClosedByTheParent) {
  // Many children are dropped uncanceled and only one's done channel is
  // kept: canceling the parent afterwards closes that one. (That the
  // others are pruned from the parent's list is not observable here.)
  auto [parent, cancel_parent] = goro::with_cancel(goro::background());
  goro::recv_chan<goro::unit> kept;
  for (int i = 0; i < 10'000; ++i) {
    auto [child, cancel_child] = goro::with_cancel(parent);
    if (i == 5'000)
      kept = child.done();
  }
  cancel_parent();
  EXPECT_EQ(kept.recv(), std::nullopt);
}

} // namespace
