// A connection pool kept in a buffered channel: get() takes an idle
// connection or, when none is idle, opens a new one; put() returns it or, when
// the pool is full, closes it. Both are non-blocking (select with a default).
//
// Seed: 001 "Database Connection Pool" (ConnectionPool: Get, Put, Close).
//
// Notice: `closed_` and the channel's close() are guarded by one mutex, held
// by put() from its check to its send. Without it, a put() racing close()
// could send on the closed channel, which panics.
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

using namespace std::chrono_literals;

namespace {

std::atomic<int> opened{0};
std::atomic<int> closed{0};
bool verbose = true; // the sequential demo narrates; the concurrent one counts

class connection {
public:
  connection() : id_(opened.fetch_add(1) + 1) {
    if (verbose)
      std::printf("  open connection %d\n", id_);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() {
    closed.fetch_add(1);
    if (verbose)
      std::printf("  close connection %d\n", id_);
  }
  int id() const { return id_; }
  void query() const { goro::sleep(1ms); }

private:
  int id_;
};

using conn_ptr = std::unique_ptr<connection>;

class connection_pool {
public:
  explicit connection_pool(int max_idle) : idle_(goro::make_chan<conn_ptr>(max_idle)) {
    for (int i = 0; i < max_idle; ++i)
      idle_.send(std::make_unique<connection>()); // pre-fill
  }
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;
  ~connection_pool() { close(); }

  std::pair<conn_ptr, goro::error> get() {
    conn_ptr conn;
    {
      std::lock_guard lock(mu_); // so that close() cannot close idle_ meanwhile
      if (closed_)
        return {nullptr, goro::error("pool is closed")};
      // select { case c := <-idle: default: }
      auto take = [&](std::optional<conn_ptr> c) {
        if (c)
          conn = std::move(*c);
      };
      goro::select(goro::on_recv(idle_, take), goro::on_default([] {}));
    }
    if (!conn) // none idle: open a new one, outside the lock (opening is slow)
      conn = std::make_unique<connection>();
    return {std::move(conn), goro::error{}};
  }

  void put(conn_ptr conn) {
    std::lock_guard lock(mu_);
    if (closed_)
      return; // conn closes as it goes out of scope
    // select { case idle <- conn: default: }: try_send moves only on success.
    if (!idle_.try_send(std::move(conn)))
      conn.reset(); // pool full: close it
  }

  void close() {
    std::lock_guard lock(mu_);
    if (closed_)
      return;
    closed_ = true;
    idle_.close();
    for (conn_ptr c : idle_) // drain: close every idle connection
      c.reset();
  }

private:
  goro::mutex mu_;
  bool closed_ = false;
  goro::chan<conn_ptr> idle_;
};

} // namespace

int main() {
  std::printf("sequential:\n");
  {
    connection_pool pool(2);
    auto [a, e1] = pool.get(); // idle connection 1
    auto [b, e2] = pool.get(); // idle connection 2
    auto [c, e3] = pool.get(); // none idle: opens 3
    std::printf("  using %d, %d, %d\n", a->id(), b->id(), c->id());
    pool.put(std::move(a));
    pool.put(std::move(b));
    pool.put(std::move(c)); // pool full: 3 is closed
    pool.close();           // closes 1 and 2
    auto [d, err] = pool.get();
    std::printf("  get after close: %s\n", err.message().c_str());
  }

  verbose = false; // before any goroutine runs, so no goroutine ever races on it
  {
    connection_pool pool(4);
    std::atomic<int> queries{0};
    goro::wait_group wg;
    for (int i = 0; i < 50; ++i) {
      wg.add(1);
      goro::go([&] {
        goro::defer done([&] { wg.done(); });
        auto [conn, err] = pool.get();
        if (err)
          return;
        conn->query();
        queries.fetch_add(1);
        pool.put(std::move(conn));
      });
    }
    wg.wait();
    pool.close();
    std::printf("concurrent: %d queries; every connection opened was closed: %s\n", queries.load(),
                opened.load() == closed.load() ? "yes" : "NO");
  }
  return opened.load() == closed.load() ? 0 : 1;
}
