// test_util.hpp — what the unit tests share: running a test body on a plain
// thread or in a goroutine, observing goroutine states without sleeping, and
// checking panics by their message.
//
// Tests never order events by sleeping. When a test needs "X is blocked", it
// polls debug::goroutines() until the runtime itself says so (state and wait
// reason); when it needs "X finished", it waits on a synchronisation object.
// A test that would otherwise hang is stopped by ctest's timeout.
#pragma once

#include <gtest/gtest.h>

#include <goro/goro.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace goro_test {

// Built with ThreadSanitizer (the tsan preset)? Stress tests shrink there: a
// spawn costs a TSan fiber and a fresh stack mapping (docs/runtime.md).
#if defined(__SANITIZE_THREAD__)
inline constexpr bool under_tsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool under_tsan = true;
#else
inline constexpr bool under_tsan = false;
#endif
#else
inline constexpr bool under_tsan = false;
#endif

// Who calls the primitive under test: the test's own plain OS thread, or a
// goroutine. Every primitive must work from both.
enum class caller { thread, goroutine };

inline std::string caller_name(const testing::TestParamInfo<caller>& info) {
  return info.param == caller::thread ? "thread" : "goroutine";
}
inline void PrintTo(caller c, std::ostream* os) {
  *os << (c == caller::thread ? "plain thread" : "goroutine");
}

// Runs body as `who` and waits for it (with std primitives, so the harness
// does not depend on the code under test). Exceptions propagate to the test.
inline void run_as(caller who, const std::function<void()>& body) {
  if (who == caller::thread) {
    body();
    return;
  }
  std::promise<void> finished;
  goro::go([&] {
    try {
      body();
      finished.set_value();
    } catch (...) {
      finished.set_exception(std::current_exception());
    }
  });
  finished.get_future().get();
}

// Lets others run for a moment while polling: parks a goroutine (its worker
// runs others, even with one worker), sleeps a plain thread.
inline void pause_briefly() {
  goro::sleep(std::chrono::microseconds(50));
}

// Polls until pred() holds. There is no timeout here: a condition that never
// becomes true is a hang, which ctest's per-test timeout turns into a failure.
template <class Pred>
void await(Pred pred) {
  while (!pred())
    pause_briefly();
}

// The goroutines started after this object was created (goroutine ids only
// grow), so earlier tests' leftovers in the same process are not counted.
class goroutine_watch {
public:
  goroutine_watch() {
    for (const auto& g : goro::debug::goroutines())
      after_ = std::max(after_, g.id);
  }

  std::vector<goro::debug::goroutine_info> started() const {
    std::vector<goro::debug::goroutine_info> out;
    for (auto& g : goro::debug::goroutines())
      if (g.id > after_)
        out.push_back(std::move(g));
    return out;
  }

  // How many of them are in state st (and, if given, wait for `reason`).
  std::size_t count(goro::debug::state st, std::string_view reason = {}) const {
    std::size_t n = 0;
    for (const auto& g : started())
      if (g.st == st && (reason.empty() || g.wait_reason == reason))
        ++n;
    return n;
  }

  // Waits until at least n of them are blocked for `reason`.
  void await_blocked(std::size_t n, std::string_view reason) const {
    await([&] { return count(goro::debug::state::blocked, reason) >= n; });
  }
  void await_sleeping(std::size_t n) const {
    await([&] { return count(goro::debug::state::sleeping, "sleep") >= n; });
  }
  // Waits until every goroutine started since the watch has exited.
  void await_all_exited() const {
    await([&] { return started().empty(); });
  }

private:
  std::uint64_t after_ = 0;
};

// The message of the goro::panic that f() throws, or "<no panic>".
template <class F>
std::string panic_message(F&& f) {
  try {
    f();
  } catch (const goro::panic& p) {
    return p.what();
  }
  return "<no panic>";
}

// Sets GOMAXPROCS for one scope and restores the previous value.
class procs_scope {
public:
  explicit procs_scope(int n) : old_(goro::max_procs()) { goro::set_max_procs(n); }
  procs_scope(const procs_scope&) = delete;
  procs_scope& operator=(const procs_scope&) = delete;
  ~procs_scope() { goro::set_max_procs(old_); }

private:
  int old_;
};

// Joins plain threads without blocking a scheduler worker when called from a
// goroutine (goro::blocking runs the join on the blocking-call pool).
inline void join(std::thread& t) {
  goro::blocking([&] { t.join(); });
}
inline void join(std::vector<std::thread>& ts) {
  for (auto& t : ts)
    join(t);
}

// A one-shot event built from std primitives, for tests that must order
// things without relying on the primitive under test.
class event {
public:
  void set() { p_.set_value(); }
  void wait() { f_.wait(); }
  bool is_set() const { return f_.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }

private:
  std::promise<void> p_;
  std::shared_future<void> f_ = p_.get_future().share();
};

} // namespace goro_test
