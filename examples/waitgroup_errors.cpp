// Collecting errors from goroutines: each worker sends its error (if any) on a
// channel buffered for all of them; a closer goroutine closes the channel once
// the wait_group says every worker is done; main ranges over it.
//
// Seeds: 001 "WaitGroup with Error Handling" (waitGroupWithErrors),
// 004 "Rule: WaitGroup for Goroutine Completion" (ProcessBatch).
//
// Notice: the channel has room for one error per worker, so no worker ever
// blocks on its send, and it is closed only after wg.wait(). Closing it as
// soon as main has "enough" would make a late worker's send panic.
#include <goro/goro.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace {

goro::error process(int item) {
  if (item % 4 == 0)
    return goro::error("item " + std::to_string(item) + " failed");
  return {};
}

} // namespace

int main() {
  constexpr int items = 10;
  auto errs = goro::make_chan<goro::error>(items);
  goro::wait_group wg;
  for (int item = 1; item <= items; ++item) {
    wg.add(1);
    goro::go([&wg, errs, item] {
      goro::defer done([&] { wg.done(); });
      if (auto err = process(item))
        errs.send(err);
    });
  }

  // Close errs once every worker is done; meanwhile main is already reading.
  goro::wait_group closer;
  closer.add(1);
  goro::go([&] {
    goro::defer done([&] { closer.done(); });
    wg.wait();
    errs.close();
  });

  std::vector<std::string> failures;
  for (const goro::error& err : errs)
    failures.push_back(err.message());
  closer.wait();

  std::ranges::sort(failures); // arrival order varies
  std::printf("%d items, %zu failed\n", items, failures.size());
  for (const auto& f : failures)
    std::printf("  %s\n", f.c_str());
  return failures.size() == 2 ? 0 : 1;
}
