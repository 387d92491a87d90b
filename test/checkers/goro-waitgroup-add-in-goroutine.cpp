// RUN: %check_goro_tidy %s goro-waitgroup-add-in-goroutine %t
// RUN: %check_goro_tidy --check-suffix=OPTS --config="{CheckOptions: {goro-waitgroup-add-in-goroutine.SpawnFunctions: '::pool::thread_pool::submit', goro-waitgroup-add-in-goroutine.WaitGroupTypes: '::pool::counter'}}" %s goro-waitgroup-add-in-goroutine %t-opts

// goro-waitgroup-add-in-goroutine: wg.add() called inside the goroutine (or
// thread) instead of before the spawn races with wg.wait() (staticcheck
// SA2000). The second run replaces the spawn functions with a user's thread
// pool and the wait_group type with the pool's counter; its expectations are
// the CHECK-MESSAGES-OPTS lines.

#include <goro/goro.hpp>

#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

void work(int);

namespace pool {
// A user's thread pool and its completion counter.
class thread_pool {
public:
  template <class F> void submit(F&& f) { enqueue(std::function<void()>(std::forward<F>(f))); }

private:
  void enqueue(std::function<void()> task);
};
class counter {
public:
  void add(int n = 1);
  void done();
  void wait();
};
} // namespace pool

// ---------------------------------------------------------------------------
// The seeds' pattern, with add() moved into the goroutine. As the first
// statement of a lambda written in place, the fix-it moves it in front of the
// spawn.
void addAsFirstStatement() {
  goro::wait_group wg;
  for (int i = 0; i < 3; ++i) {
    goro::go([&wg, i] {
      wg.add(1);
      // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: add() on 'wg' is called inside the goroutine it counts; wait() can return before this add() runs: call add() before starting the goroutine [goro-waitgroup-add-in-goroutine]
      // CHECK-MESSAGES: :[[@LINE-3]]:5: note: goroutine started here
      // CHECK-MESSAGES: :[[@LINE+9]]:6: note: 'wg' is waited on here
      goro::defer done([&] { wg.done(); });
      work(i);
    });
  }
  // CHECK-FIXES: {{^}}  for (int i = 0; i < 3; ++i) {{{$}}
  // CHECK-FIXES-NEXT: {{^}}    wg.add(1);{{$}}
  // CHECK-FIXES-NEXT: {{^}}    goro::go([&wg, i] {{{$}}
  // CHECK-FIXES-NEXT: {{^}}      //{{$}}
  wg.wait();

  // On one line, with an implicit capture.
  goro::wait_group wg2;
  goro::go([&] { wg2.add(1); work(1); wg2.done(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: add() on 'wg2' is called inside the goroutine it counts; wait() can return before this add() runs: call add() before starting the goroutine [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+3]]:7: note: 'wg2' is waited on here
  // CHECK-FIXES: {{^}}  wg2.add(1);{{$}}
  // CHECK-FIXES-NEXT: {{^}}  goro::go([&] { work(1); wg2.done(); });{{$}}
  wg2.wait();

  // Negative: add() before the spawn, done() inside: the correct pattern.
  goro::wait_group ok;
  for (int i = 0; i < 3; ++i) {
    ok.add(1);
    goro::go([&ok, i] {
      goro::defer done([&] { ok.done(); });
      work(i);
    });
  }
  ok.wait();
}

// ---------------------------------------------------------------------------
// Reported without a fix-it: the add() is not the first statement, depends on
// the lambda's parameter, the lambda is not written in the spawn, or the
// spawn is not a statement of its own in a block.
void addWithoutFix(bool fast) {
  goro::wait_group wg;
  goro::go([&] {
    work(0);
    wg.add(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
    // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine started here
    // CHECK-MESSAGES: :[[@LINE+32]]:6: note: 'wg' is waited on here
    wg.done();
  });

  goro::go([&wg](int n) { wg.add(n); work(n); }, 2);
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+26]]:6: note: 'wg' is waited on here
  // CHECK-FIXES: {{^}}  goro::go([&wg](int n) { wg.add(n); work(n); }, 2);{{$}}

  auto job = [&wg] { wg.add(1); work(3); wg.done(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+3]]:3: note: goroutine started here
  // CHECK-MESSAGES: :[[@LINE+20]]:6: note: 'wg' is waited on here
  // CHECK-FIXES: {{^}}  auto job = [&wg] { wg.add(1); work(3); wg.done(); };{{$}}
  goro::go(job);
  goro::go(job); // the same add(): reported once

  for (int i = 0; i < 2; ++i)
    goro::go([&wg, i] { wg.add(1); work(i); wg.done(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+12]]:6: note: 'wg' is waited on here
  // CHECK-FIXES: {{^}}    goro::go([&wg, i] { wg.add(1); work(i); wg.done(); });{{$}}

  if (fast || (goro::go([&] { wg.add(1); wg.done(); }), true))
    work(4);
  // CHECK-MESSAGES: :[[@LINE-2]]:34: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+6]]:6: note: 'wg' is waited on here

  goro::go([&wg, extra = 2] { wg.add(extra); wg.done(); wg.done(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+2]]:6: note: 'wg' is waited on here
  // CHECK-FIXES: {{^}}  goro::go([&wg, extra = 2] { wg.add(extra); wg.done(); wg.done(); });{{$}}
  wg.wait();
}

// ---------------------------------------------------------------------------
// Threads, errgroups, named functions, members, pointers: wherever the
// wait_group lives outside the spawned function.
void worker(goro::wait_group& group, int id) {
  group.add(1);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: add() on 'group' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+12]]:3: note: goroutine started here
  work(id);
  group.done();
}

void otherSpawns(goro::wait_group* shared) {
  goro::wait_group wg;
  std::thread t([&] { wg.add(1); work(1); wg.done(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: add() on 'wg' is called inside the thread it counts; wait() can return before this add() runs: call add() before starting the thread [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+20]]:6: note: 'wg' is waited on here
  // CHECK-FIXES: {{^}}  wg.add(1);{{$}}
  // CHECK-FIXES-NEXT: {{^}}  std::thread t([&] { work(1); wg.done(); });{{$}}
  goro::go(worker, std::ref(wg), 2);

  goro::errgroup g;
  g.go([&] {
    wg.add(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: goroutine started here
    // CHECK-MESSAGES: :[[@LINE+10]]:6: note: 'wg' is waited on here
    wg.done();
  });
  // CHECK-FIXES: {{^}}  wg.add(1);{{$}}
  // CHECK-FIXES-NEXT: {{^}}  g.go([&] {{{$}}

  goro::go([shared] { shared->add(1); shared->done(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: add() on 'shared' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-FIXES: {{^}}  shared->add(1);{{$}}
  // CHECK-FIXES-NEXT: {{^}}  goro::go([shared] { shared->done(); });{{$}}
  wg.wait();
  g.wait();
  t.join();
}

class server {
public:
  void start() {
    goro::go([this] { wg_.add(1); serve(); wg_.done(); });
    // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: add() on 'wg_' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
    // CHECK-FIXES: {{^}}    wg_.add(1);{{$}}
    // CHECK-FIXES-NEXT: {{^}}    goro::go([this] { serve(); wg_.done(); });{{$}}
  }
  void stop() { wg_.wait(); }

private:
  void serve();
  goro::wait_group wg_;
};

// A template: reported once for all its instantiations, without a fix-it.
template <class T>
void spawnAll(goro::wait_group& wg, T value) {
  goro::go([&wg, value] {
    wg.add(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
    // CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here
    work(static_cast<int>(value));
    wg.done();
  });
  // CHECK-FIXES: {{^}}  goro::go([&wg, value] {{{$}}
  // CHECK-FIXES-NEXT: {{^}}    wg.add(1);{{$}}
}

void instantiate(goro::wait_group& wg) {
  spawnAll(wg, 1);
  spawnAll(wg, 2.5);
}

// In a macro: reported at the expansion, never fixed.
#define SPAWN_COUNTED(wg, call) goro::go([&] { (wg).add(1); call; (wg).done(); })
void inMacro() {
  goro::wait_group wg;
  SPAWN_COUNTED(wg, work(7));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES: :[[@LINE+2]]:6: note: 'wg' is waited on here
  // CHECK-FIXES: {{^}}  SPAWN_COUNTED(wg, work(7));{{$}}
  wg.wait();
}

// ---------------------------------------------------------------------------
// A goroutine that adds for children it starts is fine while it is counted
// itself (it calls done() on the same wait_group): the recursive crawler.
// Without its own done(), nothing holds wait() back until it adds: reported.
void crawl(goro::wait_group& wg, int depth) {
  if (depth > 0) {
    wg.add(1);
    goro::go(crawl, std::ref(wg), depth - 1);
  }
  wg.done();
}

void producers(const std::vector<int>& items) {
  goro::wait_group wg;
  wg.add(1);
  goro::go(crawl, std::ref(wg), 3);

  wg.add(1);
  goro::go([&] {
    for (int item : items) {
      wg.add(1);
      goro::go([&wg, item] { work(item); wg.done(); });
    }
    wg.done();
  });

  goro::go([&] {
    for (int item : items) {
      wg.add(1);
      // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: add() on 'wg' is called inside the goroutine it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
      // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine started here
      // CHECK-MESSAGES: :[[@LINE+4]]:6: note: 'wg' is waited on here
      goro::go([&wg, item] { work(item); wg.done(); });
    }
  });
  wg.wait();
}

// A thread that adds for the goroutines it starts is fine when the spawner
// joins it before waiting on the wait_group (every add() has happened by
// then); joined only after the wait, it races.
void joinedThread() {
  goro::wait_group wg;
  auto spawnMany = [&] {
    for (int i = 0; i < 3; ++i) {
      wg.add(1);
      goro::go([&] { wg.done(); });
    }
  };
  std::thread first(spawnMany);
  first.join();
  wg.wait();

  goro::wait_group late;
  std::thread second([&] {
    late.add(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: add() on 'late' is called inside the thread it counts; {{.*}} [goro-waitgroup-add-in-goroutine]
    // CHECK-MESSAGES: :[[@LINE-3]]:15: note: thread started here
    // CHECK-MESSAGES: :[[@LINE+3]]:8: note: 'late' is waited on here
    goro::go([&] { late.done(); });
  });
  late.wait();
  second.join();
}

// ---------------------------------------------------------------------------
// Negatives: the goroutine's own wait_group; counting down with add(-1); a
// method named add() on another type; add() on a wait_group we cannot name.
goro::wait_group& group_of(int shard);

void negatives() {
  goro::go([] {
    goro::wait_group inner;
    inner.add(2);
    goro::go([&inner] { inner.done(); });
    goro::go([&inner] { inner.done(); });
    inner.wait();
  });
  goro::go([] {
    goro::wait_group inner;
    goro::wait_group& alias = inner;
    goro::wait_group* pointer = &inner;
    alias.add(1);
    pointer->add(1);
    alias.done();
    pointer->done();
    inner.wait();
  });

  goro::wait_group wg;
  wg.add(1);
  goro::go([&] { work(5); wg.add(-1); });
  wg.wait();

  pool::counter c;
  goro::go([&] { c.add(1); c.done(); });
  goro::go([] { group_of(3).add(1); });
}

// ---------------------------------------------------------------------------
// Options: a user's pool and counter. With the defaults, neither is known;
// with the options, goro::go and goro::wait_group are not either.
void userPool(pool::thread_pool& workers) {
  pool::counter pending;
  workers.submit([&] { pending.add(1); work(8); pending.done(); });
  // CHECK-MESSAGES-OPTS: :[[@LINE-1]]:32: warning: add() on 'pending' is called inside the task it counts; wait() can return before this add() runs: call add() before starting the task [goro-waitgroup-add-in-goroutine]
  // CHECK-MESSAGES-OPTS: :[[@LINE+3]]:11: note: 'pending' is waited on here
  // CHECK-FIXES-OPTS: {{^}}  pending.add(1);{{$}}
  // CHECK-FIXES-OPTS-NEXT: {{^}}  workers.submit([&] { work(8); pending.done(); });{{$}}
  pending.wait();
}

