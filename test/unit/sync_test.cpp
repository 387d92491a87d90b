// sync: mutex, rw_mutex, wait_group, once, cond and defer — exclusion,
// wake-up order, misuse panics, from goroutines and from plain threads.
#include "test_util.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using goro::debug::state;
using goro_test::caller;
using goro_test::goroutine_watch;
using goro_test::panic_message;
using goro_test::run_as;

class SyncFrom : public testing::TestWithParam<caller> {};
INSTANTIATE_TEST_SUITE_P(Caller, SyncFrom, testing::Values(caller::thread, caller::goroutine),
                         goro_test::caller_name);

// ================================================================ mutex

TEST_P(SyncFrom, MutexExcludesOtherLockers) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    mu.lock();
    EXPECT_FALSE(mu.try_lock());
    std::atomic<bool> acquired{false};
    goroutine_watch watch;
    goro::go([&] {
      mu.lock();
      acquired = true;
      mu.unlock();
    });
    watch.await_blocked(1, "mutex lock");
    EXPECT_FALSE(acquired.load());
    mu.unlock();
    watch.await_all_exited();
    EXPECT_TRUE(acquired.load());
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  });
}

TEST_P(SyncFrom, MutexProtectsDataUnderContention) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    long counter = 0; // deliberately not atomic
    constexpr int goroutines = 8, threads = 2, iterations = 20'000;
    goro::wait_group wg;
    wg.add(goroutines);
    for (int k = 0; k < goroutines; ++k)
      goro::go([&] {
        for (int i = 0; i < iterations; ++i) {
          std::lock_guard<goro::mutex> lock(mu);
          ++counter;
          if (i % 1000 == 0)
            goro::yield(); // parked while holding the lock: others must still wait
        }
        wg.done();
      });
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k)
      ts.emplace_back([&] {
        for (int i = 0; i < iterations; ++i) {
          std::lock_guard<goro::mutex> lock(mu);
          ++counter;
        }
      });
    goro_test::join(ts);
    wg.wait();
    EXPECT_EQ(counter, static_cast<long>(goroutines + threads) * iterations);
  });
}

TEST_P(SyncFrom, MutexMayBeUnlockedByAnotherGoroutine) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    mu.lock();
    auto unlocked = goro::make_chan<bool>(1);
    goro::go([&] {
      mu.unlock(); // Go allows it; so do we
      unlocked.send(true);
    });
    unlocked.recv();
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  });
}

TEST_P(SyncFrom, UnlockOfUnlockedMutexPanics) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    EXPECT_EQ(panic_message([&] { mu.unlock(); }), "sync: unlock of unlocked mutex");
    mu.lock();
    mu.unlock();
    EXPECT_EQ(panic_message([&] { mu.unlock(); }), "sync: unlock of unlocked mutex");
    // The mutex still works, with waiters too.
    mu.lock();
    goroutine_watch watch;
    goro::go([&] { std::lock_guard<goro::mutex> lock(mu); });
    watch.await_blocked(1, "mutex lock");
    mu.unlock();
    watch.await_all_exited();
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  });
}

TEST_P(SyncFrom, MutexWorksWithStandardLockTypes) {
  run_as(GetParam(), [] {
    goro::mutex a, b;
    {
      std::scoped_lock both(a, b);
      EXPECT_FALSE(a.try_lock());
      EXPECT_FALSE(b.try_lock());
    }
    std::unique_lock<goro::mutex> lock(a, std::try_to_lock);
    EXPECT_TRUE(lock.owns_lock());
    lock.unlock();
    EXPECT_TRUE(b.try_lock());
    b.unlock();
  });
}

TEST_P(SyncFrom, MutexMayBeDestroyedByTheLastUserRightAfterUnlock) {
  run_as(GetParam(), [] {
    // POSIX's reference-count pattern: whoever drops the last reference
    // destroys the object, mutex included, right after its unlock(). An
    // unlock() that hands the mutex to a parked waiter must not touch the
    // mutex once that waiter can have it (ASan/TSan report a use after free,
    // a release build may corrupt the heap). The yield inside the critical
    // section lets the other users park, so unlock takes its slow path.
    struct shared_object {
      goro::mutex mu;
      int refs = 0;
    };
    constexpr int users = 3;
    for (int round = 0; round < 2'000; ++round) {
      auto* obj = new shared_object;
      obj->refs = users;
      goro::wait_group wg;
      wg.add(users);
      for (int u = 0; u < users; ++u)
        goro::go([obj, &wg] {
          obj->mu.lock();
          goro::yield();
          const bool last = --obj->refs == 0;
          obj->mu.unlock();
          if (last)
            delete obj;
          wg.done();
        });
      wg.wait();
    }
  });
}

TEST(Mutex, WaiterIsNotStarvedByABargingLocker) {
  // A goroutine relocks the mutex as fast as it can; a waiter must still get it.
  goro::mutex mu;
  std::atomic<bool> stop{false};
  auto stopped = goro::make_chan<bool>(1);
  goro::go([&] {
    for (int i = 0; !stop.load(); ++i) {
      mu.lock();
      mu.unlock();
      if (i % 16 == 0)
        goro::yield(); // let the other goroutine run even on one worker
    }
    stopped.send(true);
  });
  for (int i = 0; i < 20; ++i) {
    mu.lock();
    mu.unlock();
  }
  goro::go([&] {
    for (int i = 0; i < 20; ++i) {
      mu.lock();
      mu.unlock();
    }
    stop = true;
  });
  stopped.recv();
}

// ================================================================ rw_mutex

TEST_P(SyncFrom, ReadersShareTheLock) {
  run_as(GetParam(), [] {
    goro::rw_mutex rw;
    rw.lock_shared();
    // A second reader gets in while the first holds the lock.
    auto in = goro::make_chan<bool>(1);
    auto leave = goro::make_chan<goro::unit>();
    goroutine_watch watch;
    goro::go([&] {
      rw.lock_shared();
      in.send(true);
      leave.recv();
      rw.unlock_shared();
    });
    EXPECT_EQ(in.recv(), true);
    EXPECT_TRUE(rw.try_lock_shared()); // a third one too
    EXPECT_FALSE(rw.try_lock());       // readers keep writers out
    rw.unlock_shared();
    rw.unlock_shared();
    EXPECT_FALSE(rw.try_lock()); // the goroutine still reads
    leave.send({});
    watch.await_all_exited();
    EXPECT_TRUE(rw.try_lock());
    EXPECT_FALSE(rw.try_lock_shared()); // a writer keeps readers out
    EXPECT_FALSE(rw.try_lock());
    rw.unlock();
  });
}

TEST_P(SyncFrom, WriterWaitsForReadersToLeave) {
  run_as(GetParam(), [] {
    goro::rw_mutex rw;
    rw.lock_shared();
    std::atomic<bool> writing{false};
    goroutine_watch watch;
    goro::go([&] {
      rw.lock();
      writing = true;
      rw.unlock();
    });
    watch.await_blocked(1, "rw_mutex lock");
    EXPECT_FALSE(writing.load());
    rw.unlock_shared();
    watch.await_all_exited();
    EXPECT_TRUE(writing.load());
  });
}

TEST_P(SyncFrom, WaitingWriterBlocksNewReaders) {
  run_as(GetParam(), [] {
    goro::rw_mutex rw;
    goro::mutex log_mu;
    std::vector<std::string> log;
    auto note = [&](std::string s) {
      std::lock_guard<goro::mutex> lock(log_mu);
      log.push_back(std::move(s));
    };
    rw.lock_shared(); // reader R holds the lock

    goroutine_watch writer_watch;
    goro::go([&] { // writer W
      rw.lock();
      note("writer in");
      rw.unlock();
    });
    writer_watch.await_blocked(1, "rw_mutex lock");

    // Writer preference: with W waiting, a new reader may not join R.
    EXPECT_FALSE(rw.try_lock_shared());
    goroutine_watch reader_watch;
    goro::go([&] { // new reader N
      rw.lock_shared();
      note("reader in");
      rw.unlock_shared();
    });
    reader_watch.await_blocked(1, "rw_mutex read lock");

    rw.unlock_shared(); // R leaves: W goes first, then N
    writer_watch.await_all_exited();
    EXPECT_EQ(log, (std::vector<std::string>{"writer in", "reader in"}));
  });
}

TEST_P(SyncFrom, ReadersQueuedBehindAWriterGetInBeforeTheNextWriter) {
  run_as(GetParam(), [] {
    goro::rw_mutex rw;
    rw.lock(); // writer W1
    auto readers_in = goro::make_chan<int>(2);
    auto release_readers = goro::make_chan<goro::unit>();
    std::atomic<bool> w2_in{false};
    goroutine_watch all;
    goroutine_watch readers;
    for (int r = 0; r < 2; ++r)
      goro::go([&, r] {
        rw.lock_shared();
        readers_in.send(r);
        release_readers.recv(); // hold the read lock until told
        rw.unlock_shared();
      });
    readers.await_blocked(2, "rw_mutex read lock");
    goroutine_watch w2;
    goro::go([&] {
      rw.lock();
      w2_in = true;
      rw.unlock();
    });
    w2.await_blocked(1, "mutex lock"); // W2 queues for the writers' mutex
    rw.unlock();                       // W1 leaves: both waiting readers get in, W2 still waits
    readers_in.recv();
    readers_in.recv();
    // W2 now holds the writers' mutex and waits for the two readers to leave.
    w2.await_blocked(1, "rw_mutex lock");
    EXPECT_FALSE(w2_in.load());
    release_readers.close();
    all.await_all_exited();
    EXPECT_TRUE(w2_in.load());
  });
}

TEST_P(SyncFrom, RwMutexKeepsReadersConsistentUnderWriters) {
  run_as(GetParam(), [] {
    goro::rw_mutex rw;
    long a = 0, b = 0; // writers keep a == b; readers must never see otherwise
    std::atomic<long> torn{0};
    goro::wait_group wg;
    wg.add(6);
    for (int w = 0; w < 2; ++w)
      goro::go([&] {
        for (int i = 0; i < 5000; ++i) {
          std::lock_guard<goro::rw_mutex> lock(rw);
          ++a;
          if (i % 100 == 0)
            goro::yield();
          ++b;
        }
        wg.done();
      });
    for (int r = 0; r < 4; ++r)
      goro::go([&] {
        for (int i = 0; i < 5000; ++i) {
          std::shared_lock<goro::rw_mutex> lock(rw);
          if (a != b)
            ++torn;
        }
        wg.done();
      });
    std::thread plain_reader([&] {
      for (int i = 0; i < 5000; ++i) {
        std::shared_lock<goro::rw_mutex> lock(rw);
        if (a != b)
          ++torn;
      }
    });
    goro_test::join(plain_reader);
    wg.wait();
    EXPECT_EQ(torn.load(), 0);
    EXPECT_EQ(a, 10'000);
    EXPECT_EQ(b, 10'000);
  });
}

TEST_P(SyncFrom, RwMutexMisusePanics) {
  run_as(GetParam(), [] {
    goro::rw_mutex rw;
    EXPECT_EQ(panic_message([&] { rw.unlock(); }), "sync: unlock of unlocked rw_mutex");
    EXPECT_EQ(panic_message([&] { rw.unlock_shared(); }),
              "sync: unlock_shared of unlocked rw_mutex");
    rw.lock();
    EXPECT_EQ(panic_message([&] { rw.unlock_shared(); }),
              "sync: unlock_shared of unlocked rw_mutex");
    rw.unlock();
    // Nothing was corrupted: readers and writers still work.
    EXPECT_TRUE(rw.try_lock_shared());
    EXPECT_TRUE(rw.try_lock_shared());
    rw.unlock_shared();
    rw.unlock_shared();
    EXPECT_TRUE(rw.try_lock());
    rw.unlock();
    EXPECT_EQ(panic_message([&] { rw.unlock(); }), "sync: unlock of unlocked rw_mutex");
  });
}

// ================================================================ wait_group

TEST_P(SyncFrom, WaitReturnsAtOnceWhenCounterIsZero) {
  run_as(GetParam(), [] {
    goro::wait_group wg;
    wg.wait();
    wg.add(2);
    wg.done();
    wg.done();
    wg.wait();
  });
}

TEST_P(SyncFrom, WaitBlocksUntilCounterReachesZero) {
  run_as(GetParam(), [] {
    goro::wait_group wg;
    wg.add(3);
    std::atomic<bool> returned{false};
    goroutine_watch watch;
    goro::go([&] {
      wg.wait();
      returned = true;
    });
    watch.await_blocked(1, "wait_group wait");
    wg.done();
    wg.add(-1);
    EXPECT_FALSE(returned.load());
    EXPECT_EQ(watch.count(state::blocked, "wait_group wait"), 1u);
    wg.done();
    watch.await_all_exited();
    EXPECT_TRUE(returned.load());
  });
}

TEST_P(SyncFrom, AllWaitersWakeWhenCounterReachesZero) {
  run_as(GetParam(), [] {
    goro::wait_group wg;
    wg.add(1);
    std::atomic<int> woken{0};
    goroutine_watch watch;
    for (int k = 0; k < 6; ++k)
      goro::go([&] {
        wg.wait();
        ++woken;
      });
    std::thread plain([&] {
      wg.wait();
      ++woken;
    });
    watch.await_blocked(6, "wait_group wait");
    wg.done();
    goro_test::join(plain);
    watch.await_all_exited();
    EXPECT_EQ(woken.load(), 7);
  });
}

TEST_P(SyncFrom, NegativeWaitGroupCounterPanicsAndLeavesCounterUnchanged) {
  run_as(GetParam(), [] {
    goro::wait_group wg;
    EXPECT_EQ(panic_message([&] { wg.done(); }), "sync: negative wait_group counter");
    wg.add(1);
    EXPECT_EQ(panic_message([&] { wg.add(-2); }), "sync: negative wait_group counter");
    // The counter is still 1: wait blocks until one done().
    goroutine_watch watch;
    goro::go([&] { wg.wait(); });
    watch.await_blocked(1, "wait_group wait");
    wg.done();
    watch.await_all_exited();
    EXPECT_EQ(panic_message([&] { wg.done(); }), "sync: negative wait_group counter");
  });
}

TEST_P(SyncFrom, WaitGroupIsReusableAfterWait) {
  run_as(GetParam(), [] {
    goro::wait_group wg;
    std::atomic<int> ran{0};
    for (int round = 0; round < 50; ++round) {
      wg.add(4);
      for (int k = 0; k < 4; ++k)
        goro::go([&] {
          ++ran;
          wg.done();
        });
      wg.wait();
      ASSERT_EQ(ran.load(), 4 * (round + 1));
    }
  });
}

// A wait_group may be destroyed as soon as wait() returns, even though the
// done() that released it may still be executing (the usual shape: a
// wait_group on the stack of a function that waits and returns).
TEST_P(SyncFrom, WaitGroupMayBeDestroyedAsSoonAsWaitReturns) {
  run_as(GetParam(), [] {
    // The race is a few instructions wide, so the waiter starts wait() just
    // as the other side calls done(): then many rounds hit it (an ASan/TSan
    // report, or a hang in a release build, without the fix).
    for (int i = 0; i < 5'000; ++i) {
      auto wg = std::make_unique<goro::wait_group>();
      wg->add(1);
      std::atomic<bool> about_to_finish{false};
      goro::go([w = wg.get(), &about_to_finish] {
        about_to_finish = true;
        w->done();
      });
      while (!about_to_finish.load())
        goro::yield(); // a spin on a plain thread; lets the other side run on one worker
      wg->wait();
      wg.reset();
    }
  });
}

TEST(WaitGroup, MayBeDestroyedAsSoonAsWaitReturnsWhenDoneComesFromAThread) {
  for (int i = 0; i < 2000; ++i) {
    auto wg = std::make_unique<goro::wait_group>();
    wg->add(1);
    std::thread t([w = wg.get()] { w->done(); });
    auto waited = goro::make_chan<bool>(1);
    goro::go([&] {
      wg->wait();
      wg.reset();
      waited.send(true);
    });
    waited.recv();
    t.join();
  }
}

// ================================================================ once

TEST_P(SyncFrom, OnceRunsItsFunctionExactlyOnce) {
  run_as(GetParam(), [] {
    goro::once once;
    std::atomic<int> runs{0};
    goro::wait_group wg;
    wg.add(16);
    for (int k = 0; k < 16; ++k)
      goro::go([&] {
        once.call([&] { ++runs; });
        wg.done();
      });
    std::thread plain([&] { once.call([&] { ++runs; }); });
    once.call([&] { ++runs; });
    goro_test::join(plain);
    wg.wait();
    EXPECT_EQ(runs.load(), 1);
  });
}

namespace plain_function_once {
int runs = 0;
void initialize() {
  ++runs;
}
} // namespace plain_function_once

// once.call(init) with a plain function, as sync.Once.Do(setup) in Go: a
// function is not an object, so the type-erased reference must keep a function
// pointer (this did not compile before).
TEST_P(SyncFrom, OnceAcceptsAPlainFunction) {
  run_as(GetParam(), [] {
    plain_function_once::runs = 0;
    goro::once once;
    once.call(plain_function_once::initialize);
    once.call(plain_function_once::initialize);
    once.call(&plain_function_once::initialize);
    EXPECT_EQ(plain_function_once::runs, 1);
  });
}

TEST_P(SyncFrom, OnceConcurrentCallersWaitForTheFirstToFinish) {
  run_as(GetParam(), [] {
    goro::once once;
    auto release = goro::make_chan<goro::unit>();
    std::atomic<bool> initialized{false};
    std::atomic<int> saw_uninitialized{0};
    auto first_running = goro::make_chan<goro::unit>(1);
    goroutine_watch all;
    goro::go([&] {
      once.call([&] {
        first_running.send({});
        release.recv(); // the first call takes its time
        initialized = true;
      });
    });
    first_running.recv();
    goroutine_watch watch;
    for (int k = 0; k < 4; ++k)
      goro::go([&] {
        once.call([] { ADD_FAILURE() << "once ran twice"; });
        if (!initialized.load())
          ++saw_uninitialized; // returned before the first call finished
      });
    watch.await_blocked(4, "mutex lock");
    release.send({});
    all.await_all_exited();
    EXPECT_EQ(saw_uninitialized.load(), 0);
  });
}

TEST_P(SyncFrom, OnceExceptionLetsALaterCallerRetry) {
  run_as(GetParam(), [] {
    goro::once once;
    int attempts = 0;
    EXPECT_THROW(once.call([&] {
      ++attempts;
      throw std::runtime_error("first attempt fails");
    }),
                 std::runtime_error);
    once.call([&] { ++attempts; }); // retried
    once.call([&] { ++attempts; }); // done now
    EXPECT_EQ(attempts, 2);
  });
}

TEST_P(SyncFrom, OnceExceptionHandsTheCallToAWaitingCaller) {
  run_as(GetParam(), [] {
    goro::once once;
    auto release = goro::make_chan<goro::unit>();
    auto first_running = goro::make_chan<goro::unit>(1);
    auto first_outcome = goro::make_chan<std::string>(1);
    goro::go([&] {
      try {
        once.call([&] {
          first_running.send({});
          release.recv();
          throw std::runtime_error("boom");
        });
        first_outcome.send("returned");
      } catch (const std::runtime_error& e) {
        first_outcome.send(e.what());
      }
    });
    first_running.recv();
    std::atomic<int> second_runs{0};
    goroutine_watch watch;
    goro::go([&] { once.call([&] { ++second_runs; }); });
    watch.await_blocked(1, "mutex lock");
    release.send({});
    EXPECT_EQ(first_outcome.recv(), "boom");
    watch.await_all_exited();
    EXPECT_EQ(second_runs.load(), 1);
  });
}

// ================================================================ cond

TEST_P(SyncFrom, CondSignalWakesTheLongestWaiter) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    goro::cond cv(mu);
    auto woke = goro::make_chan<int>(3);
    goroutine_watch watch;
    for (int k = 0; k < 3; ++k) {
      goro::go([&, k] {
        std::unique_lock<goro::mutex> lock(mu);
        cv.wait();
        woke.send(k);
      });
      watch.await_blocked(static_cast<std::size_t>(k + 1), "sync.cond wait"); // in order
    }
    for (int k = 0; k < 3; ++k) {
      cv.signal();
      EXPECT_EQ(woke.recv(), k); // FIFO: one per signal, the longest first
      EXPECT_EQ(watch.count(state::blocked, "sync.cond wait"), static_cast<std::size_t>(2 - k));
    }
    watch.await_all_exited(); // they still unlock mu, which lives here
  });
}

TEST_P(SyncFrom, CondBroadcastWakesAllWaiters) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    goro::cond cv(mu);
    bool ready = false;
    std::atomic<int> woken{0};
    goroutine_watch watch;
    for (int k = 0; k < 5; ++k)
      goro::go([&] {
        std::lock_guard<goro::mutex> lock(mu);
        while (!ready)
          cv.wait();
        ++woken;
      });
    watch.await_blocked(5, "sync.cond wait");
    {
      std::lock_guard<goro::mutex> lock(mu);
      ready = true;
    }
    cv.broadcast();
    watch.await_all_exited();
    EXPECT_EQ(woken.load(), 5);
  });
}

TEST_P(SyncFrom, CondSignalWithoutWaitersIsNotRemembered) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    goro::cond cv(mu);
    cv.signal();
    cv.broadcast();
    std::atomic<bool> woke{false};
    goroutine_watch watch;
    goro::go([&] {
      std::lock_guard<goro::mutex> lock(mu);
      cv.wait();
      woke = true;
    });
    watch.await_blocked(1, "sync.cond wait");
    EXPECT_FALSE(woke.load());
    cv.signal();
    watch.await_all_exited();
    EXPECT_TRUE(woke.load());
  });
}

TEST_P(SyncFrom, CondWaitReleasesAndReacquiresTheMutex) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    goro::cond cv(mu);
    auto holding = goro::make_chan<bool>(1);
    auto proceed = goro::make_chan<goro::unit>();
    goroutine_watch watch;
    goro::go([&] {
      mu.lock();
      cv.wait();
      holding.send(true); // back from wait() with the mutex held
      proceed.recv();
      mu.unlock();
    });
    watch.await_blocked(1, "sync.cond wait");
    EXPECT_TRUE(mu.try_lock()); // released while waiting
    cv.signal();                // the waiter now needs the mutex we hold
    mu.unlock();
    EXPECT_EQ(holding.recv(), true);
    EXPECT_FALSE(mu.try_lock()); // the waiter holds it again
    proceed.send({});
    watch.await_all_exited();
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  });
}

TEST_P(SyncFrom, CondWaitWithoutTheMutexPanicsAndLeavesTheCondUsable) {
  run_as(GetParam(), [] {
    goro::mutex mu;
    goro::cond cv(mu);
    EXPECT_EQ(panic_message([&] { cv.wait(); }), "sync: unlock of unlocked mutex");
    // The failed wait must not have left anything behind that swallows a
    // later signal.
    std::atomic<bool> woke{false};
    goroutine_watch watch;
    goro::go([&] {
      std::lock_guard<goro::mutex> lock(mu);
      cv.wait();
      woke = true;
    });
    watch.await_blocked(1, "sync.cond wait");
    cv.signal();
    watch.await_all_exited();
    EXPECT_TRUE(woke.load());
  });
}

TEST(Cond, ProducerConsumerQueueAcrossGoroutinesAndThreads) {
  goro::mutex mu;
  goro::cond not_empty(mu);
  std::vector<int> queue;
  bool closed = false;
  std::atomic<long> consumed{0};
  auto consume = [&] {
    for (;;) {
      std::unique_lock<goro::mutex> lock(mu);
      while (queue.empty() && !closed)
        not_empty.wait();
      if (queue.empty())
        return;
      consumed += queue.back();
      queue.pop_back();
    }
  };
  goro::wait_group wg;
  wg.add(3);
  for (int k = 0; k < 3; ++k)
    goro::go([&] {
      consume();
      wg.done();
    });
  std::thread plain(consume);
  for (int i = 1; i <= 10'000; ++i) {
    std::lock_guard<goro::mutex> lock(mu);
    queue.push_back(i);
    not_empty.signal();
  }
  {
    std::lock_guard<goro::mutex> lock(mu);
    closed = true;
  }
  not_empty.broadcast();
  plain.join();
  wg.wait();
  EXPECT_EQ(consumed.load(), 10'000L * 10'001 / 2);
}

// ================================================================ defer

TEST(Defer, RunsAtScopeExitInReverseOrder) {
  std::vector<int> order;
  {
    goro::defer first([&] { order.push_back(1); });
    goro::defer second([&] { order.push_back(2); });
    order.push_back(0);
  }
  EXPECT_EQ(order, (std::vector<int>{0, 2, 1}));
}

TEST(Defer, RunsWhenAnExceptionLeavesTheScope) {
  auto ch = goro::make_chan<int>();
  try {
    goro::defer close_it([&] { ch.close(); });
    throw std::runtime_error("leaving");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(ch.recv(), std::nullopt);
}

} // namespace
