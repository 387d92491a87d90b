// examples/pitfalls/loop-variable-capture.cpp — WRONG ON PURPOSE.
//
// The seeds' worker pool and fan-out, written the way both Go before 1.22 and
// C++ punish: goroutines capture loop variables by reference. Every one of
// them reads a variable the loop keeps changing, and the variable is gone by
// the time most of them run. goro-loop-variable-capture reports each capture:
//
//   clang-tidy-19 --load build/default/checkers/goro-tidy.so
//     --checks='-*,goro-loop-variable-capture'
//     examples/pitfalls/loop-variable-capture.cpp -- -std=c++20 -Iruntime/include
//   (one command)
//
// The fix in every case is to capture the variable by value (the check offers
// it): `[&]` -> `[&, w]`, `[&url]` -> `[url]`. See
// docs/checks/goro-loop-variable-capture.md.
//
// This file is not built (it is excluded from the repository's own checks);
// it compiles against the real headers.

#include <goro/goro.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

struct page {
  std::string url;
  std::size_t bytes = 0;
};

// Stands in for an HTTP GET.
goro::error fetch(const goro::context& ctx, const std::string& url, page& out) {
  if (goro::error err = ctx.err())
    return err;
  out = page{url, url.size() * 100};
  return {};
}

void worker(int id, goro::recv_chan<int> jobs, goro::send_chan<int> results) {
  for (int job : jobs) {
    std::printf("worker %d processing job %d\n", id, job);
    results.send(job * 2);
  }
}

// Worker pool (seed: "Start workers"): `w` is one variable for the whole loop.
// Every worker reads whatever `w` holds when it starts (often 4), and `w` is
// destroyed when the loop ends, while workers still run.
void worker_pool() {
  auto jobs = goro::make_chan<int>(100);
  auto results = goro::make_chan<int>(100);
  for (int w = 1; w <= 3; ++w)
    goro::go([&] { worker(w, jobs, results); }); // BUG: w by reference
  for (int j = 1; j <= 9; ++j)
    jobs.send(j);
  jobs.close();
  for (int a = 1; a <= 9; ++a)
    (void)results.recv();
}

// Fan-out with errgroup (seed: FanOutFanIn): `url` is a fresh copy in every
// iteration, destroyed at the end of it; the group is waited for only after
// the loop, so the goroutines fetch from destroyed strings.
std::vector<page> fan_out(const goro::context& parent, const std::vector<std::string>& urls) {
  auto [group, ctx] = goro::errgroup::with_context(parent);
  std::vector<page> pages(urls.size());
  std::size_t i = 0;
  for (std::string url : urls) {
    group.go([&, i] { return fetch(ctx, url, pages[i]); }); // BUG: url by reference
    ++i;
  }
  if (goro::error err = group.wait())
    std::printf("fan-out failed: %s\n", err.message().c_str());
  return pages;
}

// An accept loop handing each connection to a detached thread: `peer` is a
// local of the loop body.
void serve(goro::chan<int> connections) {
  while (std::optional<int> conn = connections.recv()) {
    std::string peer = "client-" + std::to_string(*conn);
    std::thread([&peer] { std::printf("serving %s\n", peer.c_str()); }).detach(); // BUG
  }
}

} // namespace

int main() {
  worker_pool();
  auto pages = fan_out(goro::background(), {"https://a.example", "https://b.example"});
  std::printf("%zu pages\n", pages.size());
  auto connections = goro::make_chan<int>(2);
  connections.send(1);
  connections.send(2);
  connections.close();
  serve(connections);
}
