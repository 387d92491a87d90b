// Worker pool with errgroup: the producer and the workers all run in one
// errgroup whose context is canceled by the first failure, so one bad job
// stops the whole batch and wait() returns that job's error.
//
// Seeds: 003 "Worker Pool", 004 "Manual Worker Pool (More Control)".
//
// Notice: the producer selects between sending the next job and ctx.done().
// When a worker fails, the context is canceled and the producer stops instead
// of blocking forever on a send no worker will take. (Seed 004's version says
// `break` inside its select, which leaves only the select, not the loop.)
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct item {
  int id;
  bool valid;
};

std::atomic<int> processed{0};

goro::error process(const goro::context& ctx, const item& it) {
  if (auto err = ctx.err()) // the batch was already abandoned
    return err;
  goro::sleep(1ms); // simulated work
  if (!it.valid)
    return goro::error("item " + std::to_string(it.id) + ": invalid input");
  processed.fetch_add(1, std::memory_order_relaxed);
  return {};
}

goro::error process_items(const goro::context& parent, std::vector<item> items, int workers) {
  auto jobs = goro::make_chan<item>();
  auto [g, ctx] = goro::errgroup::with_context(parent);

  for (int i = 0; i < workers; ++i) {
    g.go([jobs, ctx] {
      for (item it : jobs)
        if (auto err = process(ctx, it))
          return err;
      return goro::error{};
    });
  }

  // The producer is a member of the group too, and it owns `jobs`: it closes
  // the channel on every path out (goro::defer), so idle workers always end.
  g.go([jobs, ctx, items = std::move(items)] {
    goro::defer close_jobs([&] { jobs.close(); });
    for (const item& it : items) {
      goro::error err;
      goro::select(goro::on_send(jobs, it, [] {}),
                   goro::on_recv(ctx.done(), [&](auto) { err = ctx.err(); }));
      if (err)
        return err;
    }
    return goro::error{};
  });

  return g.wait();
}

std::vector<item> make_batch(int n, int invalid_id) {
  std::vector<item> items;
  for (int id = 1; id <= n; ++id)
    items.push_back({id, id != invalid_id});
  return items;
}

} // namespace

int main() {
  if (auto err = process_items(goro::background(), make_batch(20, 0), 4)) {
    std::printf("batch 1: unexpected error: %s\n", err.message().c_str());
    return 1;
  }
  std::printf("batch 1: ok, %d items processed\n", processed.load());

  // Item 7 is bad: its worker's error cancels the group's context, the other
  // workers and the producer see ctx.done() and stop, and wait() returns the
  // first error, not the "context canceled" of those that stopped after it.
  auto err = process_items(goro::background(), make_batch(1000, 7), 4);
  std::printf("batch 2: error: %s\n", err ? err.message().c_str() : "none");
  return err == goro::error("item 7: invalid input") ? 0 : 1;
}
