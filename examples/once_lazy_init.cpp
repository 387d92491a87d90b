// Lazy one-time initialization with goro::once: eight goroutines ask for the
// database pool at the same time; the pool is opened once, the callers that
// arrive while it opens wait for it, and all share it.
//
// Seeds: 004 "sync.Once — One-Time Initialization" (DBPool),
// 001 "Close once ... Use sync.Once".
//
// Notice: the error is stored next to the pool, not in a local of get().
// Seed 004 assigns `err` inside once.Do to a local variable, so only the
// first caller ever sees a failed open; every later caller gets a nil pool and
// no error.
//
// (One difference from Go: if the function passed to once::call throws, the
// once stays un-done and the next call runs it again, like std::call_once.)
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct connection_pool {
  std::string url;
};

std::atomic<int> opens{0};

goro::error open_pool(const std::string& url, std::unique_ptr<connection_pool>& out) {
  opens.fetch_add(1);
  goro::sleep(2ms); // connecting takes a while: the other callers wait in call()
  if (url.starts_with("postgres://"))
    out = std::make_unique<connection_pool>(connection_pool{url});
  else
    return goro::error("open " + url + ": unsupported scheme");
  return {};
}

class db {
public:
  explicit db(std::string url) : url_(std::move(url)) {}

  std::pair<connection_pool*, goro::error> get() {
    once_.call([&] { err_ = open_pool(url_, pool_); });
    return {pool_.get(), err_}; // written once, inside call(); read-only after
  }

private:
  std::string url_;
  goro::once once_;
  std::unique_ptr<connection_pool> pool_;
  goro::error err_;
};

// Calls d.get() from `callers` goroutines at once; returns what each got.
std::vector<std::pair<connection_pool*, goro::error>> get_concurrently(db& d, int callers) {
  std::vector<std::pair<connection_pool*, goro::error>> got(callers);
  goro::wait_group wg;
  for (int i = 0; i < callers; ++i) {
    wg.add(1);
    goro::go([&, i] {
      goro::defer done([&] { wg.done(); });
      got[i] = d.get();
    });
  }
  wg.wait();
  return got;
}

} // namespace

int main() {
  db good("postgres://db.internal/app");
  auto got = get_concurrently(good, 8);
  int same_pool = 0;
  for (const auto& [pool, err] : got)
    if (!err && pool != nullptr && pool == got[0].first)
      ++same_pool;
  std::printf("good: opened %d time(s); %d of 8 callers share one pool\n", opens.exchange(0),
              same_pool);

  db bad("mysql://db.internal/app");
  got = get_concurrently(bad, 4);
  int saw_error = 0;
  for (const auto& [pool, err] : got)
    if (err && pool == nullptr)
      ++saw_error;
  std::printf("bad: opened %d time(s); %d of 4 callers saw: %s\n", opens.load(), saw_error,
              got[0].second.message().c_str());
  return same_pool == 8 && saw_error == 4 ? 0 : 1;
}
