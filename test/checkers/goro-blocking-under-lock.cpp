// RUN: %check_goro_tidy %s goro-blocking-under-lock %t

#include <goro/goro.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

using namespace std::chrono_literals;

void use(int);
bool ready();

// ===========================================================================
// 1. Channel operations under a scoped guard.
// ===========================================================================

struct cache {
  std::mutex mu_;
  goro::mutex gmu_;
  goro::rw_mutex rw_;
  goro::chan<int> updates_ = goro::make_chan<int>();
  int value_ = 0;

  void publish() {
    std::lock_guard<std::mutex> lock(mu_);
    ++value_;
    updates_.send(value_);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: channel send while holding 'mu_': it can block indefinitely, and every goroutine that locks 'mu_' waits as long (a deadlock if the one it waits for needs 'mu_') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'mu_' is locked here
  }

  // Send after the guard's scope: fine.
  void publish_outside() {
    int v;
    {
      std::lock_guard<std::mutex> lock(mu_);
      v = ++value_;
    }
    updates_.send(v);
  }

  void wait_update() {
    std::unique_lock lock(mu_);
    std::optional<int> v = updates_.recv();
    // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: channel receive while holding 'mu_': it can block indefinitely, and every goroutine that locks 'mu_' waits as long (a deadlock if the one it waits for needs 'mu_') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'mu_' is locked here
    value_ = v.value_or(0);
  }

  // unique_lock unlocked before the receive: fine.
  void wait_update_unlocked() {
    std::unique_lock lock(mu_);
    int before = value_;
    lock.unlock();
    std::optional<int> v = updates_.recv();
    lock.lock();
    value_ = before + v.value_or(0);
  }

  // try_send / try_recv never block.
  void try_ops() {
    std::scoped_lock lock(mu_);
    (void)updates_.try_send(value_);
    if (auto v = updates_.try_recv())
      value_ = *v;
  }

  // goro::mutex with lock()/unlock().
  void manual() {
    gmu_.lock();
    updates_.send(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: channel send while holding 'gmu_': it can block indefinitely, and every goroutine that locks 'gmu_' waits as long (a deadlock if the one it waits for needs 'gmu_') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'gmu_' is locked here
    gmu_.unlock();
    updates_.send(2); // unlocked: fine
  }

  // Shared lock of a rw_mutex.
  void reader() {
    rw_.lock_shared();
    for (int v : updates_)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: range-for over a channel while holding 'rw_': it can block indefinitely, and every goroutine that locks 'rw_' waits as long (a deadlock if the one it waits for needs 'rw_') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'rw_' is locked here
      use(v);
    rw_.unlock_shared();
  }

  // An unlock on one branch only: after the join the mutex is not surely
  // held, so nothing is said (no false positives from path merging).
  void conditional_unlock(bool early) {
    gmu_.lock();
    if (early)
      gmu_.unlock();
    updates_.send(3);
    if (!early)
      gmu_.unlock();
  }

  // A return under the lock ends that path.
  void early_return(bool stop) {
    std::unique_lock lock(mu_);
    if (stop)
      return;
    lock.unlock();
    updates_.send(4);
  }
};

// Receiving from a channel closed on every path before: it drains what is
// buffered and never blocks (examples/connection_pool.cpp's close()).
struct pool {
  goro::mutex mu_;
  goro::chan<int> idle_ = goro::make_chan<int>(4);
  void close() {
    std::lock_guard lock(mu_);
    idle_.close();
    for (int c : idle_) // fine: closed above
      use(c);
  }
  void close_maybe(bool now) {
    std::lock_guard lock(mu_);
    if (now)
      idle_.close();
    for (int c : idle_)
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: range-for over a channel while holding 'mu_': it can block indefinitely, and every goroutine that locks 'mu_' waits as long (a deadlock if the one it waits for needs 'mu_') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-5]]:5: note: 'mu_' is locked here
      use(c);
  }
};

// A send on a local channel with room for every send it ever gets never
// blocks; one send too many, or a send in a loop, may.
void buffered_result() {
  goro::mutex mu;
  auto one = goro::make_chan<int>(1);
  auto two = goro::make_chan<int>(1);
  goro::go([&] {
    std::lock_guard lock(mu);
    one.send(1); // fine: the only send, capacity 1
    two.send(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: channel send while holding 'mu': it can block indefinitely, and every goroutine that locks 'mu' waits as long (a deadlock if the one it waits for needs 'mu') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'mu' is locked here
    two.send(2);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: channel send while holding 'mu': it can block indefinitely, and every goroutine that locks 'mu' waits as long (a deadlock if the one it waits for needs 'mu') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-7]]:5: note: 'mu' is locked here
  });
  use(*one.recv());
  use(*two.recv());
}

// ===========================================================================
// 2. select, waits, sleeps.
// ===========================================================================

std::mutex g_mu;

void select_under_lock(goro::recv_chan<int> in, goro::context ctx) {
  std::lock_guard guard(g_mu);
  goro::select(goro::on_recv(in, [](std::optional<int> v) { use(*v); }),
               goro::on_recv(ctx.done(), [](auto) {}));
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: select without a default case while holding 'g_mu': it can block indefinitely, and every goroutine that locks 'g_mu' waits as long (a deadlock if the one it waits for needs 'g_mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'g_mu' is locked here
}

// With a default case the select never blocks; its cases run under the lock.
void select_default_under_lock(goro::recv_chan<int> in, goro::chan<int> out) {
  std::lock_guard guard(g_mu);
  goro::select(goro::on_recv(in, [&](std::optional<int> v) {
                 out.send(*v);
                 // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: channel send while holding 'g_mu': it can block indefinitely, and every goroutine that locks 'g_mu' waits as long (a deadlock if the one it waits for needs 'g_mu') [goro-blocking-under-lock]
                 // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'g_mu' is locked here
               }),
               goro::on_default([] {}));
}

void waits_under_lock(goro::wait_group& wg, goro::errgroup& g) {
  std::unique_lock lock(g_mu);
  wg.wait();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: call to 'goro::wait_group::wait' while holding 'g_mu': it can block indefinitely, and every goroutine that locks 'g_mu' waits as long (a deadlock if the one it waits for needs 'g_mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'g_mu' is locked here
  (void)g.wait();
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: call to 'goro::errgroup::wait' while holding 'g_mu': it can block indefinitely, and every goroutine that locks 'g_mu' waits as long (a deadlock if the one it waits for needs 'g_mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'g_mu' is locked here
  goro::sleep(10ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'goro::sleep' while holding 'g_mu': it can block indefinitely, and every goroutine that locks 'g_mu' waits as long (a deadlock if the one it waits for needs 'g_mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-9]]:3: note: 'g_mu' is locked here
  std::this_thread::sleep_for(1ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'std::this_thread::sleep_for' while holding 'g_mu': it can block indefinitely, and every goroutine that locks 'g_mu' waits as long (a deadlock if the one it waits for needs 'g_mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-12]]:3: note: 'g_mu' is locked here
}

// ===========================================================================
// 3. Condition variables release the mutex while they wait: fine.
// ===========================================================================

struct queue {
  goro::mutex mu_;
  goro::cond cv_{mu_};
  std::mutex smu_;
  std::condition_variable scv_;
  int items_ = 0;

  void pop() {
    mu_.lock();
    while (items_ == 0)
      cv_.wait();
    --items_;
    mu_.unlock();
  }

  void pop_std() {
    std::unique_lock lock(smu_);
    scv_.wait(lock, [this] { return items_ > 0; });
    --items_;
  }
};

// ===========================================================================
// 4. Through calls, lambdas, try-locks.
// ===========================================================================

struct notifier {
  std::mutex mu_;
  goro::chan<int> events_ = goro::make_chan<int>();

  void emit(int e) { events_.send(e); }
  void emit_nonblocking(int e) { (void)events_.try_send(e); }

  void on_change(int e) {
    std::lock_guard lock(mu_);
    emit(e);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: call to 'emit' while holding 'mu_': it can block indefinitely (a channel send), and every goroutine that locks 'mu_' waits as long [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'mu_' is locked here
    // CHECK-MESSAGES: :[[@LINE-8]]:22: note: 'emit' blocks here
    emit_nonblocking(e); // fine
  }

  // A lambda spawned (or stored) under the lock runs elsewhere: fine; its own
  // body is judged on its own (nothing held there).
  void spawn_under_lock() {
    std::lock_guard lock(mu_);
    goro::go([this] { events_.send(1); });
    std::function<void()> later = [this] { events_.send(2); };
    (void)later;
  }

  // A lambda that locks by itself.
  void lambda_locks() {
    goro::go([this] {
      std::lock_guard lock(mu_);
      events_.send(3);
      // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: channel send while holding 'mu_': it can block indefinitely, and every goroutine that locks 'mu_' waits as long (a deadlock if the one it waits for needs 'mu_') [goro-blocking-under-lock]
      // CHECK-MESSAGES: :[[@LINE-3]]:7: note: 'mu_' is locked here
    });
  }

  // try_to_lock may not hold the mutex: nothing is assumed.
  void try_lock_path() {
    std::unique_lock lock(mu_, std::try_to_lock);
    if (lock.owns_lock())
      use(1);
    events_.send(5);
  }

  // defer_lock + lock(): held from lock() on.
  void deferred() {
    std::unique_lock lock(mu_, std::defer_lock);
    events_.send(6); // not held yet: fine
    lock.lock();
    events_.send(7);
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: channel send while holding 'mu_': it can block indefinitely, and every goroutine that locks 'mu_' waits as long (a deadlock if the one it waits for needs 'mu_') [goro-blocking-under-lock]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'mu_' is locked here
  }
};

// The mutex is handed to a goroutine that unlocks it (Go allows it): from
// the spawn on it may be released at any time; nothing is assumed.
void hand_off(goro::chan<int> done) {
  goro::mutex mu;
  mu.lock();
  goro::go([&] {
    mu.unlock();
    done.send(1);
  });
  (void)done.recv();
}

// std::lock + adopt_lock guards.
std::mutex a_mu, b_mu;
void both(goro::chan<int> ch) {
  std::lock(a_mu, b_mu);
  std::lock_guard la(a_mu, std::adopt_lock);
  std::lock_guard lb(b_mu, std::adopt_lock);
  ch.send(1);
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: channel send while holding 'b_mu': it can block indefinitely, and every goroutine that locks 'b_mu' waits as long (a deadlock if the one it waits for needs 'b_mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'b_mu' is locked here
}
void both_released(goro::chan<int> ch) {
  {
    std::lock(a_mu, b_mu);
    std::lock_guard la(a_mu, std::adopt_lock);
    std::lock_guard lb(b_mu, std::adopt_lock);
  }
  ch.send(1); // fine: both guards are gone
}

// ===========================================================================
// 5. Templates and macros.
// ===========================================================================

template <class T>
void generic_send(std::mutex& mu, goro::chan<T> ch) {
  std::lock_guard lock(mu);
  ch.send(T{});
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: channel send while holding 'mu': it can block indefinitely, and every goroutine that locks 'mu' waits as long (a deadlock if the one it waits for needs 'mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'mu' is locked here
}
template void generic_send<int>(std::mutex&, goro::chan<int>);
template void generic_send<long>(std::mutex&, goro::chan<long>);

#define LOCKED(m) std::lock_guard lock_##m(m)
void macro_guard(goro::chan<int> ch) {
  LOCKED(g_mu);
  ch.send(1);
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: channel send while holding 'g_mu': it can block indefinitely, and every goroutine that locks 'g_mu' waits as long (a deadlock if the one it waits for needs 'g_mu') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'g_mu' is locked here
}
