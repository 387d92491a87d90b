// RUN: %check_goro_tidy %s goro-sleep-as-synchronization %t
// RUN: %check_goro_tidy --check-suffix=OPTS --config="{CheckOptions: {goro-sleep-as-synchronization.SpawnFunctions: '::pool::thread_pool::submit', goro-sleep-as-synchronization.SleepFunctions: '::test::pause'}}" %s goro-sleep-as-synchronization %t-opts

// goro-sleep-as-synchronization: a sleep used as the only wait for the
// goroutines or threads a function started (the seeds' "give goroutine time
// to run"), or followed by reading what the goroutine writes before any real
// wait. The second run replaces the spawn and sleep functions with a user's
// pool and pause(); its expectations are the CHECK-MESSAGES-OPTS lines.

#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

void print(const std::string& s);
void say_hello(std::string name);
int compute();
bool attempt();

namespace pool {
class thread_pool {
public:
  template <class F> void submit(F&& f) { enqueue(std::function<void()>(std::forward<F>(f))); }

private:
  void enqueue(std::function<void()> task);
};
} // namespace pool
namespace test {
void pause(int ms);
} // namespace test

// ---------------------------------------------------------------------------
// The seeds' programs: start, sleep, end. Nothing waits for the goroutine.
void giveGoroutineTimeToRun() {
  goro::go([] { print("3. Goroutine"); });
  goro::sleep(10ms); // Give goroutine time to run
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'sleep' is the only wait for the goroutine started before it; a sleep does not make the goroutine run or finish: wait for it (a wait_group, join(), a channel receive) [goro-sleep-as-synchronization]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here
  print("2. Main thread");
}

void namedFunctions() {
  say_hello("Alice");
  goro::go(say_hello, "Bob");
  goro::go(say_hello, "Charlie");
  goro::sleep(500ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'sleep' is the only wait for the goroutine started before it; {{.*}} [goro-sleep-as-synchronization]
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine started here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: goroutine started here
  print("Main function ending");
}

void detachedThread() {
  std::thread([] { print("background"); }).detach();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_until(std::chrono::steady_clock::now() + 1s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'sleep_until' is the only wait for the thread started before it; a sleep does not make the thread run or finish: {{.*}} [goro-sleep-as-synchronization]
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: thread started here
}
// The first sleep_for above is not reported: the last sleep is the one the
// function relies on (the seeds' cancellation demo sleeps, cancels, sleeps).
void sleepCancelSleep(const goro::context& parent) {
  auto [ctx, cancel] = goro::with_cancel(parent);
  goro::go([ctx] {
    goro::select(goro::on_recv(goro::after(3s), [](auto) { print("completed"); }),
                 goro::on_recv(ctx.done(), [](auto) { print("canceled"); }));
  });
  goro::sleep(1s);
  cancel();
  goro::sleep(2s);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'sleep' is the only wait for the goroutine started before it; {{.*}} [goro-sleep-as-synchronization]
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: goroutine started here
}

// Inside a goroutine, a member function, a lambda kept in a std::function, a
// template (reported once).
class server {
public:
  void start() {
    goro::go([this] { serve(); });
    goro::sleep(100ms); // let the server come up
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'sleep' is the only wait for the goroutine started before it; {{.*}} [goro-sleep-as-synchronization]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: goroutine started here
  }

private:
  void serve();
};

template <class T>
void spawnAndWait(T value) {
  goro::go([value] { print(std::to_string(value)); });
  goro::sleep(1ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'sleep' is the only wait for the goroutine started before it; {{.*}} [goro-sleep-as-synchronization]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here
}

void nested() {
  goro::wait_group wg;
  wg.add(1);
  goro::go([&wg] {
    goro::go([] { print("grandchild"); });
    goro::sleep(5ms);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'sleep' is the only wait for the goroutine started before it; {{.*}} [goro-sleep-as-synchronization]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: goroutine started here
    wg.done();
  });
  wg.wait();
  std::function<void()> starter = [] {
    std::thread([] { print("t"); }).detach();
    goro::sleep(5ms);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'sleep' is the only wait for the thread started before it; {{.*}} [goro-sleep-as-synchronization]
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: thread started here
  };
  starter();
  spawnAndWait(1);
  spawnAndWait(2.5);
}

// ---------------------------------------------------------------------------
// A later wait exists, but what the goroutine writes is read after the sleep
// and before that wait: the sleep stands in for the wait.
void readAfterSleep() {
  goro::wait_group wg;
  int result = 0;
  std::vector<int> items;
  wg.add(1);
  goro::go([&] {
    result = compute();
    items.push_back(result);
    wg.done();
  });
  goro::sleep(10ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'sleep' is used to wait for what the goroutine writes; the goroutine may not have written 'result' yet when it is used after the sleep [goro-sleep-as-synchronization]
  // CHECK-MESSAGES: :[[@LINE+2]]:24: note: 'result' is used here, before any wait for the goroutine
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: goroutine started here
  print(std::to_string(result));
  wg.wait();
  print(std::to_string(items.size()));

  // Negative: an atomic read after the sleep (a deliberate "still blocked?"
  // probe in a test), and a read after the wait.
  std::atomic<bool> acquired{false};
  int late = 0;
  wg.add(1);
  goro::go([&] {
    acquired = true;
    late = 1;
    wg.done();
  });
  goro::sleep(10ms);
  print(acquired ? "acquired" : "blocked");
  wg.wait();
  print(std::to_string(late));
}

// ---------------------------------------------------------------------------
// Negatives: a real wait after the spawn; sleeps in loops; sleeps in the
// goroutine; handles that wait when they die; no spawn before the sleep.
void realWaits(goro::chan<int> results) {
  goro::wait_group wg;
  wg.add(1);
  goro::go([&wg] { print("work"); wg.done(); });
  goro::sleep(10ms);
  wg.wait();

  auto unbuffered = goro::make_chan<int>();
  goro::go([unbuffered] { unbuffered.send(42); });
  goro::sleep(100ms);
  print(std::to_string(unbuffered.recv().value_or(0)));

  goro::go([results] { results.send(1); });
  goro::sleep(1ms);
  goro::select(goro::on_recv(results, [](auto) {}), goro::on_recv(goro::after(1s), [](auto) {}));

  goro::go([results] { results.send(2); results.close(); });
  goro::sleep(1ms);
  for (int r : results)
    print(std::to_string(r));

  std::thread t([] { print("t"); });
  std::this_thread::sleep_for(10ms);
  t.join();

  goro::errgroup g;
  g.go([] { print("g"); });
  goro::sleep(1ms);
  (void)g.wait();
}

void handlesThatWait() {
  std::jthread worker([] { print("jthread"); });
  goro::sleep(10ms); // the jthread's destructor joins
  auto f = std::async(std::launch::async, [] { return compute(); });
  goro::sleep(10ms); // the future's destructor waits
}

void loopsAndGoroutines(goro::chan<int> jobs) {
  goro::go([jobs] {
    goro::sleep(1s); // in the goroutine: its own pace
    jobs.send(1);
  });
  for (int backoff = 1; !attempt(); backoff *= 2)
    goro::sleep(std::chrono::milliseconds(backoff)); // retry with backoff
  while (jobs.try_recv())
    goro::sleep(1ms); // polling
  print(std::to_string(jobs.recv().value_or(0)));
}

void sleepFirst() {
  goro::sleep(10ms);
  goro::wait_group wg;
  wg.add(1);
  goro::go([&wg] { wg.done(); });
  wg.wait();
}

void noSpawn() { std::this_thread::sleep_for(1ms); }

// ---------------------------------------------------------------------------
// Options: a user's pool and pause(). With the defaults neither is known; with
// the options, goro::go and goro::sleep are not either.
void userPool(pool::thread_pool& workers) {
  workers.submit([] { print("task"); });
  test::pause(50);
  // CHECK-MESSAGES-OPTS: :[[@LINE-1]]:3: warning: 'pause' is the only wait for the task started before it; a sleep does not make the task run or finish: {{.*}} [goro-sleep-as-synchronization]
  // CHECK-MESSAGES-OPTS: :[[@LINE-3]]:11: note: task started here
}
