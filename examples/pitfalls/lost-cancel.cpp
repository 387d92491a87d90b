// Pitfall: the cancel function of a derived context discarded or not called
// on every path (goro-lost-cancel; go vet's lostcancel).
//
// A request handler in the shape of the seeds' context examples. Each call
// derives a context with a timeout from the server's long-lived root; when
// its cancel function is not called, the child stays registered with the
// root (and its timer armed) until the timeout fires: under load, memory and
// timers grow with the request rate.
//
//  1. lookup() returns early for an empty key without calling cancel().
//  2. prefetch() keeps only the context (`auto [ctx, _] = ...`).
//  3. warm_up() throws the whole result away.
//
// Not built by CMake. See the findings with:
//   clang-tidy-19 --load build/default/checkers/goro-tidy.so \
//     --checks='-*,goro-lost-cancel' examples/pitfalls/lost-cancel.cpp \
//     -- -std=c++20 -Iruntime/include
// The fix: `goro::defer release([&] { cancel(); });` right after each
// with_timeout (Go: `defer cancel()`).
#include <goro/goro.hpp>

#include <chrono>
#include <optional>
#include <string>

using namespace std::chrono_literals;

std::optional<std::string> query(const goro::context& ctx, const std::string& key);
void load(const goro::context& ctx, const std::string& key);

std::optional<std::string> lookup(const goro::context& root, const std::string& key) {
  auto [ctx, cancel] = goro::with_timeout(root, 100ms);
  if (key.empty())
    return std::nullopt; // BUG 1: cancel() is not called on this path
  std::optional<std::string> value = query(ctx, key);
  cancel();
  return value;
}

void prefetch(const goro::context& root, const std::string& key) {
  auto [ctx, _] = goro::with_timeout(root, 1s); // BUG 2: discarded
  goro::go([ctx, key] { load(ctx, key); });
}

void warm_up(const goro::context& root) {
  goro::with_timeout(root, 5s); // BUG 3: the whole result is discarded
}

int main() {
  auto [root, stop] = goro::with_cancel(goro::background());
  goro::defer stop_all([&] { stop(); });
  warm_up(root);
  prefetch(root, "home");
  (void)lookup(root, "");
}
