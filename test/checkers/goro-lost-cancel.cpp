// RUN: %check_goro_tidy %s goro-lost-cancel %t
// RUN: %check_goro_tidy --check-suffix=OPTS --config="{CheckOptions: {goro-lost-cancel.CancelFunctions: '::acme::with_lease'}}" %s goro-lost-cancel %t-opts

// goro-lost-cancel: the cancel function of with_cancel / with_timeout /
// with_deadline discarded, never called, or not called on every path out of
// the function (go vet's lostcancel), unless it escapes. The second run makes
// a user's function the only one checked; its expectations are the
// CHECK-MESSAGES-OPTS lines.

#include <goro/goro.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

void use(const goro::context& ctx);
bool ok(const goro::context& ctx);
void keep(goro::cancel_func cancel);

namespace acme {
// A user's function with the same shape.
std::pair<goro::context, goro::cancel_func> with_lease(const goro::context& parent);
} // namespace acme

// ---------------------------------------------------------------------------
// Discarded: the result thrown away, cast to void, or only the context kept.
void discarded(const goro::context& parent) {
  goro::with_timeout(parent, 100ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: the cancel function returned by 'with_timeout' is discarded; the context is never canceled and leaks until its parent is [goro-lost-cancel]
  (void)goro::with_cancel(parent);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: the cancel function returned by 'with_cancel' is discarded; {{.*}} [goro-lost-cancel]
  goro::context ctx = goro::with_deadline(parent, goro::time_point::clock::now() + 1s).first;
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: the cancel function returned by 'with_deadline' is discarded; {{.*}} [goro-lost-cancel]
  use(ctx);
}

// ---------------------------------------------------------------------------
// Declared but never called: bound to `_`, never named again, only tested,
// a pair whose .second is never called, a cancel_func never called.
void neverCalled(const goro::context& parent) {
  auto [ctx1, _] = goro::with_timeout(parent, 1s);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: the cancel function '_' returned by 'with_timeout' is never used; the context is never canceled and leaks until its parent is [goro-lost-cancel]
  use(ctx1);

  auto [ctx2, cancel2] = goro::with_cancel(parent);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: the cancel function 'cancel2' returned by 'with_cancel' is never used; {{.*}} [goro-lost-cancel]
  use(ctx2);

  auto [ctx3, cancel3] = goro::with_cancel(parent);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: the cancel function 'cancel3' returned by 'with_cancel' is never called; {{.*}} [goro-lost-cancel]
  if (cancel3)
    use(ctx3);

  auto pair = goro::with_cancel(parent);
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: the cancel function returned by 'with_cancel' ('pair.second') is never called; {{.*}} [goro-lost-cancel]
  use(pair.first);

  goro::cancel_func cancel4 = goro::with_timeout(parent, 1s).second;
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: the cancel function 'cancel4' returned by 'with_timeout' is never used; {{.*}} [goro-lost-cancel]

  // In a goroutine: its own function.
  goro::go([parent] {
    auto [ctx, cancel] = goro::with_timeout(parent, 1s);
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: the cancel function 'cancel' returned by 'with_timeout' is never used; {{.*}} [goro-lost-cancel]
    use(ctx);
  });
}

// ---------------------------------------------------------------------------
// Called, but not on every path: an early return, a branch that falls off the
// end, a loop that makes a new context before canceling the last one.
bool earlyReturn(const goro::context& parent, bool fast) {
  auto [ctx, cancel] = goro::with_timeout(parent, 100ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: the cancel function 'cancel' returned by 'with_timeout' is not called on every path; the context leaks until its parent is canceled [goro-lost-cancel]
  if (fast)
    return false;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: this return is reached without calling 'cancel'
  use(ctx);
  cancel();
  return true;
}

void fallsOffTheEnd(const goro::context& parent, bool done) {
  auto [ctx, cancel] = goro::with_cancel(parent);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: the cancel function 'cancel' returned by 'with_cancel' is not called on every path; {{.*}} [goro-lost-cancel]
  use(ctx);
  if (done)
    cancel();
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: note: the function ends here without calling 'cancel'

void perIteration(const goro::context& parent, int n) {
  for (int i = 0; i < n; ++i) {
    auto [ctx, cancel] = goro::with_timeout(parent, 10ms);
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: the cancel function 'cancel' returned by 'with_timeout' is not called on every path; {{.*}} [goro-lost-cancel]
    if (!ok(ctx))
      continue;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: note: this jump leaves the scope of 'cancel' without calling it
    cancel();
  }
  while (true) {
    auto [ctx, cancel] = goro::with_timeout(parent, 10ms);
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: the cancel function 'cancel' returned by 'with_timeout' is not called on every path; {{.*}} [goro-lost-cancel]
    // CHECK-MESSAGES: :[[@LINE+3]]:7: note: this return is reached without calling 'cancel'
    use(ctx);
    if (ok(ctx))
      return;
    cancel();
  }
}

// A block: the cancel function dies at its end.
void innerBlock(const goro::context& parent, bool done) {
  {
    auto [ctx, cancel] = goro::with_cancel(parent);
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: the cancel function 'cancel' returned by 'with_cancel' is not called on every path; {{.*}} [goro-lost-cancel]
    if (done)
      cancel();
  }
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'cancel' goes out of scope here without being called
  use(parent);
}

// In a macro: reported at the expansion.
#define WITH_TIMEOUT_CTX(parent) goro::with_timeout(parent, 1s).first
void inMacro(const goro::context& parent) {
  use(WITH_TIMEOUT_CTX(parent));
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: the cancel function returned by 'with_timeout' is discarded; {{.*}} [goro-lost-cancel]
}

// A return inside a test's fatal assertion (IgnoredReturnMacros: ASSERT_*,
// FAIL, GTEST_*) ends a failing test, not a path worth reporting; a return in
// any other macro is a path like any other.
#define ASSERT_TRUE(condition)                                                                    \
  if (!(condition))                                                                               \
  return
#define RETURN_IF(condition)                                                                      \
  if (condition)                                                                                  \
  return
void inTest(const goro::context& parent) {
  auto [ctx, cancel] = goro::with_timeout(parent, 1s);
  ASSERT_TRUE(ok(ctx));
  use(ctx);
  cancel();
}
void earlyReturnMacro(const goro::context& parent) {
  auto [ctx, cancel] = goro::with_timeout(parent, 1s);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: the cancel function 'cancel' returned by 'with_timeout' is not called on every path; {{.*}} [goro-lost-cancel]
  RETURN_IF(!ok(ctx));
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: this return is reached without calling 'cancel'
  cancel();
}

// A pair variable: its .second is the cancel function.
void pairVariable(const goro::context& parent, bool fast) {
  auto lease = goro::with_cancel(parent);
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: the cancel function 'lease.second' returned by 'with_cancel' is not called on every path; {{.*}} [goro-lost-cancel]
  if (fast)
    return;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: this return is reached without calling 'lease.second'
  use(lease.first);
  lease.second();
}

// A template: reported once for all its instantiations.
template <class D>
void withAny(const goro::context& parent, D timeout, bool fast) {
  auto [ctx, cancel] = goro::with_timeout(parent, timeout);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: the cancel function 'cancel' returned by 'with_timeout' is not called on every path; {{.*}} [goro-lost-cancel]
  if (fast)
    return;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: note: this return is reached without calling 'cancel'
  cancel();
}
void instantiate(const goro::context& parent) {
  withAny(parent, 1s, true);
  withAny(parent, 10ms, false);
}

// ---------------------------------------------------------------------------
// Negatives: called on every path; a guard calls it (goro::defer, or any
// object whose destructor runs the lambda); paths that throw or abort.
template <class F>
struct scope_exit {
  explicit scope_exit(F f) : f_(std::move(f)) {}
  ~scope_exit() { f_(); }
  F f_;
};

int everyPath(const goro::context& parent, int mode) {
  auto [ctx, cancel] = goro::with_timeout(parent, 100ms);
  switch (mode) {
  case 0:
    cancel();
    return 0;
  case 1:
    cancel.operator()();
    return 1;
  default:
    break;
  }
  if (!ok(ctx)) {
    cancel();
    return 2;
  }
  cancel();
  return 3;
}

bool guarded(const goro::context& parent, bool fast) {
  auto [ctx, cancel] = goro::with_timeout(parent, 100ms);
  goro::defer stop([&] { cancel(); });
  if (fast)
    return false;
  auto [ctx2, cancel2] = goro::with_cancel(ctx);
  scope_exit guard([&cancel2] { cancel2(); });
  use(ctx2);
  return true;
}

void throwsOrAborts(const goro::context& parent, bool bad, bool worse) {
  auto [ctx, cancel] = goro::with_cancel(parent);
  if (bad)
    throw std::runtime_error("bad");
  if (worse)
    std::abort();
  use(ctx);
  cancel();
}

// ---------------------------------------------------------------------------
// Negatives: the cancel function escapes, so someone else may call it.
class worker {
public:
  explicit worker(const goro::context& parent) {
    auto [ctx, cancel] = goro::with_cancel(parent);
    ctx_ = ctx;
    cancel_ = cancel;
  }
  void stop() { cancel_(); }

private:
  goro::context ctx_;
  goro::cancel_func cancel_;
};

std::pair<goro::context, goro::cancel_func> returned(const goro::context& parent) {
  return goro::with_timeout(parent, 1s);
}

goro::cancel_func returnedCancel(const goro::context& parent) {
  auto [ctx, cancel] = goro::with_cancel(parent);
  use(ctx);
  return cancel;
}

void passedOn(const goro::context& parent, std::vector<goro::cancel_func>& cancels) {
  auto [ctx1, cancel1] = goro::with_cancel(parent);
  keep(cancel1);
  auto [ctx2, cancel2] = goro::with_cancel(parent);
  cancels.push_back(std::move(cancel2));
  auto [ctx3, cancel3] = goro::with_cancel(parent);
  goro::go([cancel3] { cancel3(); });
  auto [ctx4, cancel4] = goro::with_cancel(parent);
  std::function<void()> later = [cancel4] { cancel4(); };
  keep(later);
  auto [ctx5, cancel5] = goro::with_cancel(parent);
  goro::defer stop(cancel5);
  goro::context ctx6;
  goro::cancel_func cancel6;
  std::tie(ctx6, cancel6) = goro::with_cancel(parent);
  keep(cancel6);
  use(ctx1);
}

auto global_context = goro::with_cancel(goro::background());

// ---------------------------------------------------------------------------
// Options: only the listed functions are checked.
void userFunction(const goro::context& parent) {
  auto [ctx, release] = acme::with_lease(parent);
  // CHECK-MESSAGES-OPTS: :[[@LINE-1]]:14: warning: the cancel function 'release' returned by 'with_lease' is never used; {{.*}} [goro-lost-cancel]
  use(ctx);
}
