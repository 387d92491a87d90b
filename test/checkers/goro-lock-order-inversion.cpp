// RUN: %check_goro_tidy %s goro-lock-order-inversion %t

#include <goro/sync.hpp>
#include <mutex>
#include <shared_mutex>
#include <thread>

// ---- Two locks, taken in both orders by scoped guards ----------------------

struct Bank {
  std::mutex mu_a;
  std::mutex mu_b;
  int a = 0, b = 0;

  void deposit() {
    std::lock_guard<std::mutex> ga(mu_a);
    std::lock_guard<std::mutex> gb(mu_b);
    ++a, ++b;
  }
  void audit() {
    std::lock_guard<std::mutex> gb(mu_b);
    std::lock_guard<std::mutex> ga(mu_a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Bank::mu_a' acquired while holding 'Bank::mu_b' closes the lock-order cycle 'Bank::mu_b' -> 'Bank::mu_a' -> 'Bank::mu_b'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'Bank::mu_b' acquired here
    // CHECK-MESSAGES: :[[@LINE-8]]:5: note: 'Bank::mu_b' acquired here while holding 'Bank::mu_a'
    a = b;
  }
};

// ---- Three locks, a cycle of three edges in three functions ---------------

std::mutex orders_mu, stock_mu, billing_mu;

void placeOrder() {
  std::scoped_lock o(orders_mu);
  std::scoped_lock s(stock_mu);
}
void restock() {
  std::unique_lock<std::mutex> s(stock_mu);
  std::unique_lock<std::mutex> b(billing_mu);
}
void bill() {
  std::lock_guard<std::mutex> b(billing_mu);
  std::lock_guard<std::mutex> o(orders_mu);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'orders_mu' acquired while holding 'billing_mu' closes the lock-order cycle 'billing_mu' -> 'orders_mu' -> 'stock_mu' -> 'billing_mu'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'billing_mu' acquired here
  // CHECK-MESSAGES: :[[@LINE-11]]:3: note: 'stock_mu' acquired here while holding 'orders_mu'
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: 'billing_mu' acquired here while holding 'stock_mu'
}

// ---- Four locks: lock()/unlock(), unique_lock with defer_lock, shared_lock --

namespace pipeline {
goro::mutex in_mu;
goro::rw_mutex table_mu;
std::shared_mutex index_mu;
std::timed_mutex out_mu;

void stage1() {
  in_mu.lock();
  table_mu.lock();
  table_mu.unlock();
  in_mu.unlock();
}
void stage2() {
  std::shared_lock<goro::rw_mutex> t(table_mu);
  std::unique_lock<std::shared_mutex> i(index_mu, std::defer_lock);
  i.lock();
}
void stage3() {
  std::shared_lock<std::shared_mutex> i(index_mu);
  std::lock_guard<std::timed_mutex> o(out_mu);
}
void stage4() {
  std::unique_lock<std::timed_mutex> o(out_mu);
  in_mu.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'pipeline::in_mu' acquired while holding 'pipeline::out_mu' closes the lock-order cycle 'pipeline::out_mu' -> 'pipeline::in_mu' -> 'pipeline::table_mu' -> 'pipeline::index_mu' -> 'pipeline::out_mu'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'pipeline::out_mu' acquired here
  // CHECK-MESSAGES: :[[@LINE-18]]:3: note: 'pipeline::table_mu' acquired here while holding 'pipeline::in_mu'
  // CHECK-MESSAGES: :[[@LINE-12]]:3: note: 'pipeline::index_mu' acquired here while holding 'pipeline::table_mu'
  // CHECK-MESSAGES: :[[@LINE-9]]:3: note: 'pipeline::out_mu' acquired here while holding 'pipeline::index_mu'
  in_mu.unlock();
}
} // namespace pipeline

// ---- Through calls: the callee's locks count at the call site --------------

class Cache {
public:
  void put() {
    std::lock_guard<std::mutex> g(data_mu_);
    bumpStats();
  }
  void report() {
    std::lock_guard<std::mutex> g(stats_mu_);
    evictOld();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Cache::data_mu_' acquired through the call to 'Cache::evictOld' while holding 'Cache::stats_mu_' closes the lock-order cycle 'Cache::stats_mu_' -> 'Cache::data_mu_' -> 'Cache::stats_mu_'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'Cache::stats_mu_' acquired here
    // CHECK-MESSAGES: :[[@LINE+8]]:21: note: 'Cache::evictOld' calls 'Cache::evictOne' here
    // CHECK-MESSAGES: :[[@LINE+8]]:21: note: 'Cache::data_mu_' acquired here in 'Cache::evictOne'
    // CHECK-MESSAGES: :[[@LINE-9]]:5: note: 'Cache::stats_mu_' acquired through the call to 'Cache::bumpStats' here while holding 'Cache::data_mu_'
    // CHECK-MESSAGES: :[[@LINE+4]]:22: note: 'Cache::stats_mu_' acquired here in 'Cache::bumpStats'
  }

private:
  void bumpStats() { std::lock_guard<std::mutex> g(stats_mu_); }
  void evictOld() { evictOne(); }
  void evictOne() { std::lock_guard<std::mutex> g(data_mu_); }

  std::mutex data_mu_;
  std::mutex stats_mu_;
};

// A function that returns with a lock held (and one that releases it).
std::mutex reg_mu, log_mu;
void lockRegistry() { reg_mu.lock(); }
void unlockRegistry() { reg_mu.unlock(); }

void logThenRegister() {
  std::lock_guard<std::mutex> g(log_mu);
  lockRegistry();
  unlockRegistry();
}
void registerThenLog() {
  lockRegistry();
  std::lock_guard<std::mutex> g(log_mu);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'log_mu' acquired while holding 'reg_mu' closes the lock-order cycle 'reg_mu' -> 'log_mu' -> 'reg_mu'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'reg_mu' acquired here
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: 'reg_mu' acquired through the call to 'lockRegistry' here while holding 'log_mu'
  // CHECK-MESSAGES: :[[@LINE-14]]:23: note: 'reg_mu' acquired here in 'lockRegistry'
  unlockRegistry();
}

// ---- Acquired together, but after a lock already held ----------------------

std::mutex t1, t2, t3;
void holdThenTogether() {
  std::lock_guard<std::mutex> g(t3);
  std::scoped_lock both(t1, t2);
}
void togetherThenHold() {
  std::lock_guard<std::mutex> g(t2);
  std::lock_guard<std::mutex> g3(t3);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 't3' acquired while holding 't2' closes the lock-order cycle 't2' -> 't3' -> 't2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 't2' acquired here
  // CHECK-MESSAGES: :[[@LINE-7]]:3: note: 't2' acquired here while holding 't3'
}

// ---- unique_lock moved, released; loops and switch -------------------------

std::mutex m1, m2;
void moved() {
  std::unique_lock<std::mutex> a(m1);
  std::unique_lock<std::mutex> b(std::move(a));
  std::lock_guard<std::mutex> g(m2);
}
void releasedGuard() {
  std::unique_lock<std::mutex> a(m2);
  a.release();
  std::lock_guard<std::mutex> g(m1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'm1' acquired while holding 'm2' closes the lock-order cycle 'm2' -> 'm1' -> 'm2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'm2' acquired here
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: 'm2' acquired here while holding 'm1'
  m2.unlock();
}

std::mutex s1, s2;
void inLoop(int n) {
  for (int i = 0; i < n; ++i) {
    std::lock_guard<std::mutex> g(s1);
    if (i == 3)
      continue;
    std::lock_guard<std::mutex> g2(s2);
  }
}
void inSwitch(int k) {
  switch (k) {
  case 0: {
    std::lock_guard<std::mutex> g(s2);
    std::lock_guard<std::mutex> g1(s1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 's1' acquired while holding 's2' closes the lock-order cycle 's2' -> 's1' -> 's2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 's2' acquired here
    // CHECK-MESSAGES: :[[@LINE-10]]:5: note: 's2' acquired here while holding 's1'
    break;
  }
  default:
    break;
  }
}

// ---- Templates (each instantiation), recursion, macros ---------------------

std::mutex tp1, tp2;
template <class T>
void tmplA(T) {
  std::lock_guard<std::mutex> g(tp1);
  std::lock_guard<std::mutex> g2(tp2);
}
template <class T>
void tmplB(T) {
  std::lock_guard<std::mutex> g(tp2);
  std::lock_guard<std::mutex> g2(tp1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'tp1' acquired while holding 'tp2' closes the lock-order cycle 'tp2' -> 'tp1' -> 'tp2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'tp2' acquired here
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: 'tp2' acquired here while holding 'tp1'
}
void useTemplates() {
  tmplA(1);
  tmplA(2.0);
  tmplB(1);
}

std::mutex r1, r2;
void recurseA(int n);
void recurseB(int n) {
  std::lock_guard<std::mutex> g(r2);
  if (n > 0)
    recurseA(n - 1);
}
void recurseA(int n) {
  std::lock_guard<std::mutex> g(r1);
  if (n > 0)
    recurseB(n - 1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'r2' acquired through the call to 'recurseB' while holding 'r1' closes the lock-order cycle 'r1' -> 'r2' -> 'r1'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'r1' acquired here
    // CHECK-MESSAGES: :[[@LINE-10]]:3: note: 'r2' acquired here in 'recurseB'
    // CHECK-MESSAGES: :[[@LINE-9]]:5: note: 'r1' acquired through the call to 'recurseA' here while holding 'r2'
    // CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'r1' acquired here in 'recurseA'
}

#define LOCKED(m) std::lock_guard<std::mutex> guard_##m(m)
namespace {
std::mutex anon1, anon2;
} // namespace
void anonA() {
  LOCKED(anon1);
  LOCKED(anon2);
}
void anonB() {
  LOCKED(anon2);
  LOCKED(anon1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'anon1' acquired while holding 'anon2' closes the lock-order cycle 'anon2' -> 'anon1' -> 'anon2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'anon2' acquired here
  // CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'anon2' acquired here while holding 'anon1'
}

// ---- Local mutexes shared with threads by reference ------------------------

void localThreads() {
  std::mutex a, b;
  std::thread th1([&] {
    std::lock_guard<std::mutex> ga(a);
    std::lock_guard<std::mutex> gb(b);
  });
  std::thread th2([&] {
    std::lock_guard<std::mutex> gb(b);
    std::lock_guard<std::mutex> ga(a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'localThreads()::a' acquired while holding 'localThreads()::b' closes the lock-order cycle 'localThreads()::b' -> 'localThreads()::a' -> 'localThreads()::b'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'localThreads()::b' acquired here
    // CHECK-MESSAGES: :[[@LINE-7]]:5: note: 'localThreads()::b' acquired here while holding 'localThreads()::a'
  });
  th1.join();
  th2.join();
}

// ---- The same member in two objects: the transfer(a, b) deadlock -----------

struct Account {
  std::mutex mu_;
  int balance = 0;
  int id = 0;

  void deposit(int n) {
    std::lock_guard<std::mutex> g(mu_);
    balance += n;
  }
  void transferTo(Account& to, int n) {
    std::lock_guard<std::mutex> g(mu_);
    balance -= n;
    to.deposit(n);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Account::mu_' of one object acquired through the call to 'Account::deposit' while holding 'Account::mu_' of another object; two threads locking the same two objects in opposite orders deadlock [goro-lock-order-inversion]
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: 'Account::mu_' of the other object acquired here
    // CHECK-MESSAGES: :[[@LINE-9]]:5: note: 'Account::mu_' acquired here in 'Account::deposit'
  }
};

void transfer(Account& from, Account& to, int n) {
  std::lock_guard<std::mutex> f(from.mu_);
  std::lock_guard<std::mutex> t(to.mu_);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'Account::mu_' of one object acquired while holding 'Account::mu_' of another object; two threads locking the same two objects in opposite orders deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'Account::mu_' of the other object acquired here
  from.balance -= n;
  to.balance += n;
}

// Negatives: both at once, or in an order fixed by comparing the objects.
void transferScoped(Account& from, Account& to, int n) {
  std::scoped_lock both(from.mu_, to.mu_);
  from.balance -= n;
}
void transferStdLock(Account& from, Account& to, int n) {
  std::lock(from.mu_, to.mu_);
  std::lock_guard<std::mutex> f(from.mu_, std::adopt_lock);
  std::lock_guard<std::mutex> t(to.mu_, std::adopt_lock);
  from.balance -= n;
}
void transferOrdered(Account& from, Account& to, int n) {
  if (&from < &to) {
    std::lock_guard<std::mutex> f(from.mu_);
    std::lock_guard<std::mutex> t(to.mu_);
  } else {
    std::lock_guard<std::mutex> t(to.mu_);
    std::lock_guard<std::mutex> f(from.mu_);
  }
}
void transferMinMax(Account& from, Account& to, int n) {
  Account& first = &from < &to ? from : to;
  Account& second = &from < &to ? to : from;
  std::lock_guard<std::mutex> f(first.mu_);
  std::lock_guard<std::mutex> s(second.mu_);
}
void transferById(Account& from, Account& to, int n) {
  Account& first = from.id < to.id ? from : to;
  Account& second = from.id < to.id ? to : from;
  std::lock_guard<std::mutex> f(first.mu_);
  std::lock_guard<std::mutex> s(second.mu_);
}
// A condition that compares no two objects orders nothing.
void transferIfFunds(Account& from, Account& to, int n) {
  if (from.balance >= n) {
    std::lock_guard<std::mutex> f(from.mu_);
    std::lock_guard<std::mutex> t(to.mu_);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Account::mu_' of one object acquired while holding 'Account::mu_' of another object; two threads locking the same two objects in opposite orders deadlock [goro-lock-order-inversion]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'Account::mu_' of the other object acquired here
  }
}
// Re-locking through the same object is a self-deadlock, not an ordering.
struct Counter {
  std::recursive_mutex mu_;
  void inc() { std::lock_guard<std::recursive_mutex> g(mu_); }
  void inc2() {
    std::lock_guard<std::recursive_mutex> g(mu_);
    inc();
  }
};

// ---- Negatives: no order between the locks ---------------------------------

std::mutex n1, n2, n3, n4;

// Acquired together: no edge between them, either order is fine.
void together1() { std::scoped_lock both(n1, n2); }
void together2() { std::scoped_lock both(n2, n1); }
void together3() { std::lock(n2, n1); n1.unlock(); n2.unlock(); }

// try_lock never waits, so it cannot close a cycle.
void tries() {
  std::lock_guard<std::mutex> g(n1);
  if (n2.try_lock())
    n2.unlock();
  std::unique_lock<std::mutex> t(n2, std::try_to_lock);
}
void tries2() {
  std::lock_guard<std::mutex> g(n2);
  std::unique_lock<std::mutex> t(n1, std::try_to_lock);
}

// Released before the next is taken.
void released() {
  n3.lock();
  n3.unlock();
  {
    std::lock_guard<std::mutex> g(n4);
  }
  std::unique_lock<std::mutex> u(n3);
  u.unlock();
  n1.lock();
  n1.unlock();
}
void released2() {
  {
    std::lock_guard<std::mutex> g(n1);
  }
  std::lock_guard<std::mutex> g(n3);
  std::lock_guard<std::mutex> g4(n4); // n3 -> n4 only: no cycle
}

// The same order everywhere.
void consistent1() {
  std::lock_guard<std::mutex> a(n3);
  std::lock_guard<std::mutex> b(n4);
}
void consistent2() {
  n3.lock();
  {
    std::lock_guard<std::mutex> b(n4);
  }
  n3.unlock();
}

// The same lock again after releasing it.
void again() {
  std::unique_lock<std::mutex> u(n3);
  u.unlock();
  u.lock();
  u.unlock();
  std::lock_guard<std::mutex> g(n3);
}

// Locked on one path only: not held after the if (no false edge).
void lockedOnOneBranch(bool c) {
  if (c)
    n4.lock();
  std::lock_guard<std::mutex> g(n3);
  if (c)
    n4.unlock();
}

// Unlocked on one path only: not held after the if (no false edge).
void oneBranch(bool early) {
  n4.lock();
  if (early)
    n4.unlock();
  else
    n4.unlock();
  std::lock_guard<std::mutex> g(n3);
}
void earlyReturn(bool fail) {
  n4.lock();
  if (fail) {
    n4.unlock();
    return;
  }
  n4.unlock();
  std::lock_guard<std::mutex> g(n3);
}

// A goroutine or thread started under a lock does not run under it.
void spawnUnderLock() {
  std::lock_guard<std::mutex> g(n4);
  std::thread t([] { std::lock_guard<std::mutex> g3(n3); });
  t.join();
}

// A parameter names no particular mutex.
void byParameter(std::mutex& m) {
  std::lock_guard<std::mutex> g(n4);
  std::lock_guard<std::mutex> g2(m);
}

// A lambda called directly does run under the lock.
std::mutex l1, l2;
void lambdaCalled() {
  auto step = [] { std::lock_guard<std::mutex> g(l2); };
  std::lock_guard<std::mutex> g(l1);
  step();
}
void lambdaOrder() {
  std::lock_guard<std::mutex> g(l2);
  std::lock_guard<std::mutex> g1(l1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'l1' acquired while holding 'l2' closes the lock-order cycle 'l2' -> 'l1' -> 'l2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'l2' acquired here
  // CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'l2' acquired through the call to '(lambda in lambdaCalled)' here while holding 'l1'
  // CHECK-MESSAGES: :[[@LINE-10]]:20: note: 'l2' acquired here in '(lambda in lambdaCalled)'
}

// goro::cond::wait releases and retakes its own mutex: nothing new.
goro::mutex q_mu;
void condWait(goro::cond& c) {
  std::unique_lock<goro::mutex> lk(q_mu);
  c.wait();
}

// ---- Virtual calls: followed only when the body that runs is known --------

std::mutex v1, v2;
struct Sink {
  virtual void flush() { std::lock_guard<std::mutex> g(v2); }
  virtual ~Sink() = default;
};
struct FileSink final : Sink {
  void flush() override { std::lock_guard<std::mutex> g(v2); }
};
void flushAll(Sink& s, FileSink& f) {
  std::lock_guard<std::mutex> g(v1);
  s.flush(); // may run any override: not followed
  f.flush(); // FileSink is final: v1 -> v2
}
void v2ThenV1() {
  std::lock_guard<std::mutex> g(v2);
  std::lock_guard<std::mutex> g1(v1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'v1' acquired while holding 'v2' closes the lock-order cycle 'v2' -> 'v1' -> 'v2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'v2' acquired here
  // CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'v2' acquired through the call to 'FileSink::flush' here while holding 'v1'
  // CHECK-MESSAGES: :[[@LINE-13]]:27: note: 'v2' acquired here in 'FileSink::flush'
}

// ---- Lambdas at namespace scope; unique_lock assigned ----------------------

std::mutex gl1, gl2;
auto onEvent = [] {
  std::lock_guard<std::mutex> a(gl1);
  std::lock_guard<std::mutex> b(gl2);
};
void handleEvent() {
  std::lock_guard<std::mutex> b(gl2);
  std::lock_guard<std::mutex> a(gl1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'gl1' acquired while holding 'gl2' closes the lock-order cycle 'gl2' -> 'gl1' -> 'gl2'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'gl2' acquired here
  // CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'gl2' acquired here while holding 'gl1'
}

std::mutex ua, ub;
void assignLock() {
  std::unique_lock<std::mutex> lk;
  lk = std::unique_lock<std::mutex>(ua);
  std::lock_guard<std::mutex> g(ub);
}
void assignReleased() {
  std::unique_lock<std::mutex> lk(ua);
  lk = std::unique_lock<std::mutex>(); // releases ua
  std::lock_guard<std::mutex> g(ub);
}
void reverseAssign() {
  std::lock_guard<std::mutex> g(ub);
  std::lock_guard<std::mutex> g2(ua);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'ua' acquired while holding 'ub' closes the lock-order cycle 'ub' -> 'ua' -> 'ub'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'ub' acquired here
  // CHECK-MESSAGES: :[[@LINE-12]]:3: note: 'ub' acquired here while holding 'ua'
}

// A unique_lock moved into a by-value parameter is forgotten (where that
// parameter ends is not followed); the locks held by hand stay held.
std::mutex mv1, mv2, mv3;
void consume(std::unique_lock<std::mutex> lk) {}
void moveIntoCall() {
  mv1.lock();
  std::unique_lock<std::mutex> lk(mv2);
  consume(std::move(lk));
  std::lock_guard<std::mutex> g(mv3);
  mv1.unlock();
}
void mv3ThenMv2() {
  std::lock_guard<std::mutex> g(mv3);
  std::lock_guard<std::mutex> g2(mv2);
}
void mv3ThenMv1() {
  std::lock_guard<std::mutex> g(mv3);
  std::lock_guard<std::mutex> g1(mv1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'mv1' acquired while holding 'mv3' closes the lock-order cycle 'mv3' -> 'mv1' -> 'mv3'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'mv3' acquired here
  // CHECK-MESSAGES: :[[@LINE-12]]:3: note: 'mv3' acquired here while holding 'mv1'
}

// A helper that drops the caller's lock while it calls out, then retakes it:
// what it acquires in between is not ordered after the caller's lock.
std::mutex cb_mu, out_mu;
void callOutUnlocked() {
  cb_mu.unlock();
  {
    std::lock_guard<std::mutex> g(out_mu);
  }
  cb_mu.lock();
}
void callbacks() {
  std::lock_guard<std::mutex> g(cb_mu);
  callOutUnlocked();
}
void outThenCb() {
  std::lock_guard<std::mutex> g(out_mu);
  std::lock_guard<std::mutex> g2(cb_mu);
}
