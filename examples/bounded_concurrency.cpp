// Bounded concurrency with errgroup::set_limit: twenty items, at most four
// processed at a time; go() blocks while four are running.
//
// Seeds: 003 "Bounded Concurrency", 004 "Worker Pool Pattern" (SetLimit).
//
// Notice: each goroutine captures `it` by value. The loop variable is one
// object reused by every iteration (Go before 1.22, and C++ always); a
// goroutine that kept a reference to it would see later items, or a dead one.
#include <goro/goro.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct item {
  int id;
};

std::atomic<int> running{0};
std::atomic<int> peak{0};
std::atomic<int> sum{0};

goro::error process(const goro::context& ctx, item it) {
  int now = running.fetch_add(1) + 1;
  int seen = peak.load();
  while (now > seen && !peak.compare_exchange_weak(seen, now)) {
  }
  goro::defer leave([] { running.fetch_sub(1); });

  if (auto err = ctx.err())
    return err;
  goro::sleep(2ms); // simulated work
  sum.fetch_add(it.id);
  return {};
}

goro::error process_items(const goro::context& parent, const std::vector<item>& items,
                          int max_concurrency) {
  auto [g, ctx] = goro::errgroup::with_context(parent);
  g.set_limit(max_concurrency);
  for (const item& it : items)
    g.go([ctx, it] { return process(ctx, it); }); // `it` by value: see the top
  return g.wait();
}

} // namespace

int main() {
  constexpr int limit = 4;
  std::vector<item> items;
  for (int id = 1; id <= 20; ++id)
    items.push_back({id});

  if (auto err = process_items(goro::background(), items, limit)) {
    std::printf("error: %s\n", err.message().c_str());
    return 1;
  }
  // How close the peak comes to the limit depends on timing; that it never
  // exceeds it does not.
  bool within = peak.load() <= limit;
  std::printf("processed %zu items, sum of ids %d\n", items.size(), sum.load());
  std::printf("never more than %d at once: %s\n", limit, within ? "yes" : "NO");
  return within && sum.load() == 210 ? 0 : 1;
}
