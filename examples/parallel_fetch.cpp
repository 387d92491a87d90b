// Parallel fetch, results in input order: one goroutine per URL, each storing
// its result at its own index, so the output keeps the input's order however
// the fetches finish (here the last URL is the fastest).
//
// Seed: 004 "Fan-Out / Fan-In" (FanOutFanIn: results[i] = result).
//
// Notice: `results` is sized before the first goroutine starts and each
// goroutine writes only results[i]. Distinct elements need no lock; resizing
// the vector, or reading it before wait() returns, would be a data race.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct page {
  std::string url;
  int status = 0;
  std::size_t bytes = 0;
};

goro::error fetch(const goro::context& ctx, const std::string& url, goro::duration latency,
                  page& out) {
  goro::timer t(latency);
  goro::error err;
  goro::select(goro::on_recv(t.c(), [](auto) {}),
               goro::on_recv(ctx.done(), [&](auto) { err = ctx.err(); }));
  if (err)
    return err;
  out = {url, 200, url.size() * 10};
  return {};
}

goro::error fetch_all(const goro::context& parent, const std::vector<std::string>& urls,
                      std::vector<page>& results) {
  auto [g, ctx] = goro::errgroup::with_context(parent);
  results.assign(urls.size(), page{});
  for (std::size_t i = 0; i < urls.size(); ++i) {
    // Later URLs answer sooner, so completion order is the reverse of input order.
    auto latency = goro::duration(1ms) * static_cast<int>(urls.size() - i);
    g.go([&, ctx, i, latency] { return fetch(ctx, urls[i], latency, results[i]); });
  }
  return g.wait();
}

} // namespace

int main() {
  std::vector<std::string> urls = {"https://example.com/a", "https://example.com/bb",
                                   "https://example.com/ccc", "https://example.com/dddd",
                                   "https://example.com/eeeee"};
  std::vector<page> results;
  if (auto err = fetch_all(goro::background(), urls, results)) {
    std::printf("error: %s\n", err.message().c_str());
    return 1;
  }
  for (const page& p : results)
    std::printf("%s: %d, %zu bytes\n", p.url.c_str(), p.status, p.bytes);
  return results.size() == urls.size() ? 0 : 1;
}
