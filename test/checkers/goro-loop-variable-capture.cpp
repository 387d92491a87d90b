// RUN: %check_goro_tidy %s goro-loop-variable-capture %t
// RUN: %check_goro_tidy --check-suffix=POOL --config="{CheckOptions: {goro-loop-variable-capture.SpawnFunctions: '::pool::thread_pool::submit;::goro::go'}}" %s goro-loop-variable-capture %t-pool

// goro-loop-variable-capture: a lambda handed to a spawn function inside a
// loop captures by reference an object that lives for one iteration or for
// the loop. The second run replaces the spawn functions with a user's thread
// pool (and goro::go), so the std::thread/std::async/errgroup cases are
// silent there; its expectations are the CHECK-MESSAGES-POOL lines.

#include <goro/goro.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <latch>
#include <map>
#include <ranges>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

void use(int);
void use(const std::string&);
goro::error fetch(const std::string& url);

namespace pool {
// A user's thread pool: submit() runs f on a worker; wait() waits for all.
class thread_pool {
public:
  template <class F> void submit(F&& f) { enqueue(std::function<void()>(std::forward<F>(f))); }
  void wait();

private:
  void enqueue(std::function<void()> task);
};
} // namespace pool

// ---------------------------------------------------------------------------
// The for-init variable: one object for every iteration, incremented by the
// loop, destroyed when the loop ends. Explicit and implicit captures.
void forInitVariable() {
  for (int i = 0; i < 3; ++i)
    goro::go([&i] { use(i); });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'i' by reference; every goroutine sees the same 'i', and it dies when the loop ends [goro-loop-variable-capture]
  // CHECK-MESSAGES: :[[@LINE-3]]:12: note: 'i' is declared here, once for the whole loop
  // CHECK-MESSAGES-POOL: :[[@LINE-3]]:16: warning: goroutine captures loop variable 'i' by reference; every goroutine sees the same 'i', and it dies when the loop ends [goro-loop-variable-capture]
  // CHECK-FIXES: {{^}}    goro::go([i] { use(i); });{{$}}

  for (int i = 0; i < 3; ++i)
    goro::go([&] { use(i); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'i' by reference; every goroutine sees the same 'i', and it dies when the loop ends [goro-loop-variable-capture]
  // CHECK-MESSAGES: :[[@LINE-2]]:24: note: 'i' is captured by reference because it is used here
  // CHECK-MESSAGES: :[[@LINE-4]]:12: note: 'i' is declared here, once for the whole loop
  // CHECK-MESSAGES-POOL: :[[@LINE-4]]:15: warning: goroutine captures loop variable 'i'
  // CHECK-FIXES: {{^}}    goro::go([&, i] { use(i); });{{$}}

  // Every for-init variable, not only the one the loop counts with.
  std::vector<int> items{1, 2, 3};
  for (auto it = items.begin(), end = items.end(); it != end; ++it)
    goro::go([&] { use(*it); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'it' by reference; every goroutine sees the same 'it', and it dies when the loop ends [goro-loop-variable-capture]
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'it'
  // CHECK-FIXES: {{^}}    goro::go([&, it] { use(*it); });{{$}}

  // Negatives: captured by value, explicitly or by [=]; passed as an argument
  // (goro::go copies its arguments).
  for (int i = 0; i < 3; ++i)
    goro::go([i] { use(i); });
  for (int i = 0; i < 3; ++i)
    goro::go([=] { use(i); });
  for (int i = 0; i < 3; ++i)
    goro::go([&, i] { use(i); });
  for (int i = 0; i < 3; ++i)
    goro::go([](int id) { use(id); }, i);
}

// ---------------------------------------------------------------------------
// Range-for variables: a by-value variable is a fresh copy per iteration; a
// reference names the element, which lives outside the loop.
void rangeForVariables(std::vector<std::string>& urls, const std::vector<bool>& flags) {
  for (auto url : urls)
    goro::go([&url] { use(url); });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'url' by reference; 'url' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
  // CHECK-MESSAGES: :[[@LINE-3]]:13: note: 'url' is declared here, anew in every iteration
  // CHECK-MESSAGES-POOL: :[[@LINE-3]]:16: warning: goroutine captures loop variable 'url' by reference; 'url' is destroyed
  // CHECK-FIXES: {{^}}    goro::go([url] { use(url); });{{$}}

  // Negatives: references to the elements.
  for (auto& url : urls)
    goro::go([&url] { use(url); });
  for (const auto& url : urls)
    goro::go([&] { use(url); });
  for (auto&& url : urls)
    goro::go([&] { use(url); });

  // A reference bound to a value the iterator makes per iteration (a
  // temporary) dies with the iteration, like a by-value variable.
  for (const auto& n : std::views::iota(0, 3))
    goro::go([&n] { use(n); });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'n' by reference; 'n' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:16: warning: goroutine captures loop variable 'n'
  // CHECK-FIXES: {{^}}    goro::go([n] { use(n); });{{$}}
  for (const auto& flag : flags)
    goro::go([&] { use(flag); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'flag' by reference; 'flag' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'flag'
  // CHECK-FIXES: {{^}}    goro::go([&, flag] { use(flag); });{{$}}

  // The range-for init-statement lives for the whole loop.
  for (std::string prefix = "x"; auto& url : urls)
    goro::go([&] { use(prefix + url); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'prefix' by reference; every goroutine sees the same 'prefix', and it dies when the loop ends [goro-loop-variable-capture]
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'prefix'
  // CHECK-FIXES: {{^}}    goro::go([&, prefix] { use(prefix + url); });{{$}}
}

// ---------------------------------------------------------------------------
// Structured bindings: by value, the bindings name a per-iteration copy; by
// reference, the element; a tuple-like binding of reference type names what
// the tuple refers to.
void structuredBindings(std::map<std::string, int>& counts, std::vector<std::tuple<int&>>& refs) {
  for (auto [name, count] : counts)
    goro::go([&name, count] { use(name + std::to_string(count)); });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'name' by reference; 'name' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
  // CHECK-MESSAGES: :[[@LINE-3]]:14: note: 'name' is declared here, anew in every iteration
  // CHECK-MESSAGES-POOL: :[[@LINE-3]]:16: warning: goroutine captures loop variable 'name'
  // CHECK-FIXES: {{^}}    goro::go([name, count] { use(name + std::to_string(count)); });{{$}}

  // Negatives.
  for (auto& [name, count] : counts)
    goro::go([&] { use(name); use(count); });
  for (const auto& [name, count] : counts)
    goro::go([&name] { use(name); });
  for (auto [ref] : refs)
    goro::go([&ref] { use(ref); });
}

// ---------------------------------------------------------------------------
// while and do loops: condition variables and body locals.
void whileAndDoLoops(goro::chan<std::string> jobs) {
  while (auto job = jobs.try_recv())
    goro::go([&job] { use(job.value_or("")); });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'job' by reference; 'job' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:16: warning: goroutine captures loop variable 'job'
  // CHECK-FIXES: {{^}}    goro::go([job] { use(job.value_or("")); });{{$}}

  while (true) {
    std::optional<std::string> job = jobs.recv();
    if (!job)
      break;
    goro::go([&] { use(job.value_or("")); });
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures 'job' by reference; 'job' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
    // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures 'job' by reference
    // CHECK-FIXES: {{^}}    goro::go([&, job] { use(job.value_or("")); });{{$}}
  }

  int attempt = 0;
  do {
    std::string message = "attempt " + std::to_string(attempt);
    goro::go([&message] { use(message); });
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures 'message' by reference; 'message' is destroyed at the end of each loop iteration
    // CHECK-MESSAGES-POOL: :[[@LINE-2]]:16: warning: goroutine captures 'message' by reference
    // CHECK-FIXES: {{^}}    goro::go([message] { use(message); });{{$}}
  } while (++attempt < 3);

  // Negatives: `do { } while (0)` is a block, not a loop (the macro idiom);
  // a variable declared before the loop lives on after it.
  do {
    std::string once = "once";
    goro::go([&once] { use(once); });
  } while (0);
  std::string shared = "shared";
  while (attempt-- > 0)
    goro::go([&shared] { use(shared); });
}

// ---------------------------------------------------------------------------
// Locals of the loop body, and nested loops: what matters is the loop the
// object is declared in, not the loop the spawn is in.
void bodyLocalsAndNestedLoops(const std::vector<std::vector<int>>& batches) {
  for (const auto& batch : batches) {
    std::string label = "batch";
    for (int item : batch)
      goro::go([&label, item] { use(label + std::to_string(item)); });
    // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: goroutine captures 'label' by reference; 'label' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
    // CHECK-MESSAGES: :[[@LINE-4]]:17: note: 'label' is declared here, anew in every iteration
    // CHECK-MESSAGES-POOL: :[[@LINE-3]]:18: warning: goroutine captures 'label' by reference
    // CHECK-FIXES: {{^}}      goro::go([label, item] { use(label + std::to_string(item)); });{{$}}
  }

  // A local of a nested block inside the body dies even sooner.
  for (const auto& batch : batches) {
    if (!batch.empty()) {
      int first = batch.front();
      goro::go([&] { use(first); });
      // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: goroutine captures 'first' by reference
      // CHECK-MESSAGES-POOL: :[[@LINE-2]]:17: warning: goroutine captures 'first' by reference
      // CHECK-FIXES: {{^}}      goro::go([&, first] { use(first); });{{$}}
    }
  }

  // Negatives: objects declared outside every loop; a loop inside the
  // spawned lambda (its objects belong to the goroutine).
  std::vector<int> results(batches.size());
  goro::wait_group wg;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const std::vector<int>& batch = batches[i];
    wg.add(1);
    goro::go([&results, &batch, &wg, i] {
      int sum = 0;
      for (int value : batch)
        sum += value;
      results[i] = sum;
      wg.done();
    });
  }
  wg.wait();
  goro::go([&results] {
    for (int r : results) {
      int twice = r * 2;
      goro::go([twice] { use(twice); });
    }
  });
}

// ---------------------------------------------------------------------------
// Reference variables: a reference names its referent. Bound to something
// outside the loop it is fine; bound to a loop object it is that object.
struct Config {
  std::string name;
  int retries;
};
std::string& lookup(int key);

void referenceVariables(Config& global, std::vector<Config>& configs) {
  for (int i = 0; i < 3; ++i) {
    Config& outer = global;
    std::string& fromCall = lookup(i);
    goro::go([&] { use(outer.name); use(fromCall); });
  }

  for (int i = 0; i < 3; ++i) {
    Config local = configs[i];
    const std::string& name = local.name;
    goro::go([&name] { use(name); });
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures 'local' by reference; 'local' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
    // CHECK-MESSAGES: :[[@LINE-3]]:24: note: 'name' refers to 'local'
    // CHECK-MESSAGES: :[[@LINE-5]]:12: note: 'local' is declared here, anew in every iteration
    // CHECK-MESSAGES-POOL: :[[@LINE-4]]:16: warning: goroutine captures 'local' by reference
    // CHECK-FIXES: {{^}}    goro::go([name] { use(name); });{{$}}
  }
}

// ---------------------------------------------------------------------------
// Init-captures: `&x = i` is a reference to i; `x = i` a copy.
void initCaptures() {
  int total = 0;
  for (int i = 0; i < 3; ++i)
    goro::go([&id = i] { use(id); });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'i' by reference; every goroutine sees the same 'i', and it dies when the loop ends [goro-loop-variable-capture]
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:16: warning: goroutine captures loop variable 'i'
  // CHECK-FIXES: {{^}}    goro::go([id = i] { use(id); });{{$}}

  // Negatives.
  for (int i = 0; i < 3; ++i)
    goro::go([id = i] { use(id); });
  for (int i = 0; i < 3; ++i)
    goro::go([&sum = total, i] { use(sum + i); });
}

// ---------------------------------------------------------------------------
// `this` is never a loop object: members live as long as the object.
class Crawler {
public:
  void crawl(const std::vector<std::string>& urls) {
    for (const auto& url : urls)
      goro::go([this, &url] { use(url + prefix_); });
    for (int i = 0; i < 3; ++i)
      goro::go([&, i] { use(prefix_); use(i); });
  }

private:
  std::string prefix_;
};

// ---------------------------------------------------------------------------
// Lambdas that are not spawned run before the iteration ends.
void notSpawned(std::vector<int>& values) {
  for (int i = 0; i < 3; ++i) {
    int pivot = values[i];
    std::sort(values.begin(), values.end(), [&](int a, int b) { return a - pivot < b - pivot; });
    [&] { use(pivot + i); }();
    auto print = [&] { use(i); };
    print();
  }
}

// ---------------------------------------------------------------------------
// A lambda stored in a local and then spawned: the note points at the spawn.
void storedLambda() {
  for (int i = 0; i < 3; ++i) {
    auto work = [&] { use(i); };
    // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: goroutine captures loop variable 'i' by reference; every goroutine sees the same 'i', and it dies when the loop ends [goro-loop-variable-capture]
    // CHECK-MESSAGES: :[[@LINE-3]]:12: note: 'i' is declared here, once for the whole loop
    // CHECK-MESSAGES: :[[@LINE+3]]:5: note: goroutine started here
    // CHECK-MESSAGES-POOL: :[[@LINE-4]]:18: warning: goroutine captures loop variable 'i'
    // CHECK-FIXES: {{^}}    auto work = [&, i] { use(i); };{{$}}
    goro::go(work);
  }
}

// ---------------------------------------------------------------------------
// Threads, async tasks and groups whose work provably ends inside the
// iteration are fine; the same spawns whose work may outlive it are not.
void scopedWork(std::vector<std::string>& names) {
  // A std::jthread local to the body joins when the iteration ends.
  for (auto name : names) {
    std::jthread worker([&] { use(name); });
  }
  // ... unless it is moved out of the body.
  std::vector<std::jthread> workers;
  for (auto name : names) {
    std::jthread worker([&] { use(name); });
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: thread captures loop variable 'name' by reference; 'name' is destroyed at the end of each loop iteration, while the thread may still be using it [goro-loop-variable-capture]
    // CHECK-FIXES: {{^}}    std::jthread worker([&, name] { use(name); });{{$}}
    workers.push_back(std::move(worker));
  }
  // ... or emplaced into a container that outlives the iteration.
  for (auto name : names)
    workers.emplace_back([&] { use(name); });
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: thread captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    workers.emplace_back([&, name] { use(name); });{{$}}
  // A container of threads local to the body is joined with it.
  for (auto name : names) {
    std::vector<std::jthread> local;
    local.emplace_back([&] { use(name); });
    local.emplace_back([&] { use(name + "!"); });
  }
  // A container declared before the object dies after it.
  for (int i = 0; i < 3; ++i) {
    std::vector<std::jthread> early;
    std::string late = names[i];
    early.emplace_back([&] { use(late); });
    // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: thread captures 'late' by reference
    // CHECK-FIXES: {{^}}    early.emplace_back([&, late] { use(late); });{{$}}
  }

  // A std::thread local to the body is joined in it (or std::terminate runs
  // when it dies joinable): nothing outlives the iteration ...
  for (auto name : names) {
    std::thread worker([&] { use(name); });
    worker.join();
  }
  for (auto name : names)
    std::thread([&] { use(name); }).join();
  // ... unless detached.
  for (auto name : names) {
    std::thread worker([&] { use(name); });
    // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: thread captures loop variable 'name' by reference
    // CHECK-FIXES: {{^}}    std::thread worker([&, name] { use(name); });{{$}}
    worker.detach();
  }
  for (auto name : names)
    std::thread([&] { use(name); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: thread captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    std::thread([&, name] { use(name); }).detach();{{$}}

  // The future of std::async waits in its destructor: local or discarded, it
  // ends the task inside the iteration; kept beyond it, it does not.
  for (auto name : names) {
    auto done = std::async(std::launch::async, [&] { use(name); });
  }
  for (auto name : names)
    std::async(std::launch::async, [&] { use(name); });
  for (auto name : names)
    (void)std::async(std::launch::async, [&] { use(name); });
  std::vector<std::future<void>> pending;
  for (auto name : names)
    pending.push_back(std::async(std::launch::async, [&] { use(name); }));
  // CHECK-MESSAGES: :[[@LINE-1]]:55: warning: async task captures loop variable 'name' by reference; 'name' is destroyed at the end of each loop iteration, while the async task may still be using it [goro-loop-variable-capture]
  // CHECK-FIXES: {{^}}    pending.push_back(std::async(std::launch::async, [&, name] { use(name); }));{{$}}

  // Waiting for the handle, or for every element of a container of handles,
  // inside the iteration ends the work in time, wherever the handle lives.
  for (int round = 0; round < 3; ++round) {
    std::vector<std::future<void>> futures;
    std::string payload = names[round];
    for (int k = 0; k < 3; ++k)
      futures.push_back(std::async(std::launch::async, [&payload] { use(payload); }));
    for (auto& f : futures)
      f.wait();
  }
  for (int round = 0; round < 3; ++round) {
    std::vector<std::thread> threads;
    std::string payload = names[round];
    for (int k = 0; k < 3; ++k)
      threads.emplace_back([&] { use(payload); });
    for (std::size_t k = 0; k < threads.size(); ++k)
      threads[k].join();
  }
  std::thread reused;
  for (auto name : names) {
    reused = std::thread([&] { use(name); });
    reused.join();
  }
  // ... but not when the wait comes after the loop the object lives in.
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back([&] { use(i); });
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: thread captures loop variable 'i' by reference; every thread sees the same 'i', and it dies when the loop ends [goro-loop-variable-capture]
  // CHECK-FIXES: {{^}}    threads.emplace_back([&, i] { use(i); });{{$}}
  for (auto& t : threads)
    t.join();
}

void waitedGroups(std::vector<std::string>& names) {
  // An errgroup waited in the body, on every path after the spawns.
  for (int i = 0; i < 3; ++i) {
    std::string name = names[i];
    goro::errgroup g;
    g.go([&] { return fetch(name); });
    g.go([&] { return fetch(name + "/index.html"); });
    if (goro::error err = g.wait())
      return;
  }
  // ... not when the wait comes after the loop,
  goro::errgroup group;
  for (int i = 0; i < 3; ++i) {
    std::string name = names[i];
    group.go([&] { return fetch(name); });
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures 'name' by reference; 'name' is destroyed at the end of each loop iteration, while the goroutine may still be using it [goro-loop-variable-capture]
    // CHECK-FIXES: {{^}}    group.go([&, name] { return fetch(name); });{{$}}
  }
  (void)group.wait();
  // ... nor when a path skips the wait.
  for (int i = 0; i < 3; ++i) {
    std::string name = names[i];
    group.go([&] { return fetch(name); });
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures 'name' by reference
    // CHECK-FIXES: {{^}}    group.go([&, name] { return fetch(name); });{{$}}
    if (name.empty())
      continue;
    (void)group.wait();
  }
  // A break out of a nested loop still reaches the wait.
  for (int i = 0; i < 3; ++i) {
    std::string name = names[i];
    for (int j = 0; j < 3; ++j) {
      (void)group.try_go([&] { return fetch(name); });
      if (j == i)
        break;
    }
    (void)group.wait();
  }

  // A wait_group the goroutine counts down, waited in the body.
  for (auto name : names) {
    goro::wait_group wg;
    wg.add(2);
    goro::go([&] { use(name); wg.done(); });
    goro::go([&] { use(name + "?"); wg.done(); });
    wg.wait();
  }
  // ... or waited after the loop: too late for 'name'.
  goro::wait_group all;
  for (auto name : names) {
    all.add(1);
    goro::go([&] {
      // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'name' by reference
      // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'name' by reference
      // CHECK-FIXES: {{^}}    goro::go([&, name] {{{$}}
      use(name);
      all.done();
    });
  }
  all.wait();
  // A std::latch works the same way.
  for (auto name : names) {
    std::latch finished(1);
    std::thread([&] { use(name); finished.count_down(); }).detach();
    finished.wait();
  }
}

// ---------------------------------------------------------------------------
// The fix-it captures by value only when that is safe: not when the lambda
// writes the variable or needs it non-const, not for types that cannot be
// copied, not when the loop writes it after the spawn (the goroutine may be
// meant to see that), not in macros. The warning stays.
void consume(std::string& s);
#define SPAWN_USE(x) goro::go([&] { use(x); })

void fixSafety(std::vector<std::string>& names) {
  for (auto name : names)
    goro::go([&name] { name += "!"; });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'name' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:16: warning: goroutine captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    goro::go([&name] { name += "!"; });{{$}}
  for (auto name : names)
    goro::go([&] { consume(name); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    goro::go([&] { consume(name); });{{$}}
  // A call that picks a non-const overload counts as a write (after the fix
  // the const overload would be called instead).
  for (auto job : std::vector<std::optional<std::string>>{})
    goro::go([&job] { use(*job); });
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures loop variable 'job' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:16: warning: goroutine captures loop variable 'job' by reference
  // CHECK-FIXES: {{^}}    goro::go([&job] { use(*job); });{{$}}
  for (auto name : names)
    goro::go([&] { std::string* p = &name; use(*p); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    goro::go([&] { std::string* p = &name; use(*p); });{{$}}
  for (int i = 0; i < 3; ++i) {
    std::atomic<bool> stop{false};
    goro::go([&stop] { use(stop.load()); });
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: goroutine captures 'stop' by reference
    // CHECK-MESSAGES-POOL: :[[@LINE-2]]:16: warning: goroutine captures 'stop' by reference
    // CHECK-FIXES: {{^}}    goro::go([&stop] { use(stop.load()); });{{$}}
  }
  for (int i = 0; i < 3; ++i) {
    bool cancelled = false;
    goro::go([&] { use(cancelled); });
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures 'cancelled' by reference
    // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures 'cancelled' by reference
    // CHECK-FIXES: {{^}}    goro::go([&] { use(cancelled); });{{$}}
    cancelled = true;
  }
  for (int i = 0; i < 3; ++i)
    SPAWN_USE(i);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine captures loop variable 'i' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:5: warning: goroutine captures loop variable 'i' by reference
  // CHECK-FIXES: {{^}}    SPAWN_USE(i);{{$}}

  // Reads through const members, const references and copies keep the fix;
  // a non-const reference or a move does not.
  for (auto name : names)
    goro::go([&] { use(static_cast<int>(name.size())); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    goro::go([&, name] { use(static_cast<int>(name.size())); });{{$}}
  for (auto name : names)
    goro::go([&] {
      // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'name' by reference
      // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'name' by reference
      // CHECK-FIXES: {{^}}    goro::go([&, name] {{{$}}
      for (char c : name)
        use(c);
    });
  for (auto name : names)
    goro::go([&] { for (char& c : name) c = '-'; });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    goro::go([&] { for (char& c : name) c = '-'; });{{$}}
  for (auto name : names)
    goro::go([&] { std::string taken = std::move(name); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'name' by reference
  // CHECK-FIXES: {{^}}    goro::go([&] { std::string taken = std::move(name); });{{$}}

  // With a [=] default, `[=, i]` would not compile: the fix drops `, &i`.
  for (int i = 0; i < 3; ++i)
    goro::go([=, &i] { use(i); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: goroutine captures loop variable 'i' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:19: warning: goroutine captures loop variable 'i' by reference
  // CHECK-FIXES: {{^}}    goro::go([=] { use(i); });{{$}}

  // Several implicit captures: one warning each; together the fixes list all.
  for (int i = 0; i < 3; ++i) {
    int square = i * i;
    goro::go([&] { use(i + square); });
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures 'square' by reference
    // CHECK-MESSAGES: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'i' by reference
    // CHECK-MESSAGES-POOL: :[[@LINE-3]]:15: warning: goroutine captures 'square' by reference
    // CHECK-MESSAGES-POOL: :[[@LINE-4]]:15: warning: goroutine captures loop variable 'i' by reference
    // CHECK-FIXES: {{^}}    goro::go([&, square, i] { use(i + square); });{{$}}
  }
}

// ---------------------------------------------------------------------------
// Templates: one warning however often the template is instantiated, no
// fix-it in instantiations (another instantiation may make it unsafe), and no
// crash on code that is never instantiated.
template <class T> void spawnAll(const std::vector<T>& values) {
  for (T value : values)
    goro::go([&] { use(value); });
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: goroutine captures loop variable 'value' by reference
  // CHECK-MESSAGES-POOL: :[[@LINE-2]]:15: warning: goroutine captures loop variable 'value' by reference
  // CHECK-FIXES: {{^}}    goro::go([&] { use(value); });{{$}}
}
template void spawnAll<int>(const std::vector<int>&);
template void spawnAll<std::string>(const std::vector<std::string>&);

template <class T> void neverInstantiated(const std::vector<T>& values) {
  for (auto value : values)
    goro::go([&] { value.frobnicate(); });
  for (typename T::size_type i = 0; i < values.size(); ++i)
    std::thread([&] { use(values[i]); }).detach();
}

// ---------------------------------------------------------------------------
// A user's thread pool, configured through SpawnFunctions (second run only).
void userPool(std::vector<std::string>& names) {
  pool::thread_pool workers;
  for (auto name : names)
    workers.submit([&] { use(name); });
  // CHECK-MESSAGES-POOL: :[[@LINE-1]]:21: warning: task captures loop variable 'name' by reference; 'name' is destroyed at the end of each loop iteration, while the task may still be using it [goro-loop-variable-capture]
  workers.wait();
  // Waited in the body: fine.
  for (auto name : names) {
    workers.submit([&] { use(name); });
    workers.wait();
  }
}
