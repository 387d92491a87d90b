// The user service of seed 000, "Using Goroutines in HTTP Handlers": handlers
// that fetch from SQLite in parallel (errgroup) through a small connection
// pool, respond, then start background work; a report handler with a timeout
// from the request's context; graceful shutdown on SIGINT/SIGTERM.
//
// Seeds: 000 (Pattern 1 "respond, then background work", Pattern 2/3
// "parallel queries", Pattern 4 "context for timeout"), 003 (errgroup,
// graceful shutdown), 001 (connection pool).
//
// How SQLite stays off the scheduler: every SQLite call (prepare, step,
// finalize) runs inside goro::blocking(), i.e. on the runtime's pool of
// threads reserved for blocking calls (bounded by GORO_BLOCKING_THREADS,
// default 64); the calling goroutine parks meanwhile, so the worker threads
// keep serving other connections. The connection pool below (4 connections,
// a buffered channel) bounds how many SQLite calls run at once; a handler
// waiting for a connection parks too, and gives up when its request's
// context is canceled. A query whose context ends while it runs is stopped
// with sqlite3_interrupt().
//
// Notice:
//   - The handler writes its whole response before it starts background work,
//     and the background goroutine gets copies (the user count), never the
//     response_writer or the request: both are dead once the handler returns.
//   - Background work gets its own context (the request's is canceled when
//     the handler returns) and a wait_group, so shutdown waits for it.
//   - The report's result channel is buffered: when the handler stops
//     waiting, the abandoned goroutine can still deliver and exit.
//
// Run: `http_users` answers its own requests over a real socket, then sends
// itself SIGTERM and shuts down. `http_users --serve 127.0.0.1:8080` serves
// until Ctrl-C.
#include <goro/goro.hpp>
#include <goro/http.hpp>

#include <sqlite3.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
using goro::http::request;
using goro::http::response_writer;

namespace {

using row = std::vector<std::string>;

// ---- a small pool of SQLite connections

class db_pool {
public:
  db_pool(const char* uri, int size)
      : idle_(goro::make_chan<sqlite3*>(static_cast<std::size_t>(size))) {
    for (int i = 0; i < size; ++i) {
      sqlite3* db = nullptr;
      if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                          nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "sqlite3_open_v2: %s\n", sqlite3_errmsg(db));
        std::exit(1);
      }
      sqlite3_busy_timeout(db, 5000);
      all_.push_back(db);
      idle_.send(db);
    }
  }
  db_pool(const db_pool&) = delete;
  db_pool& operator=(const db_pool&) = delete;
  ~db_pool() {
    for (sqlite3* db : all_)
      sqlite3_close(db);
  }

  // Runs one statement with text parameters on a pooled connection; the rows
  // come back as text. Waits (parked) for a free connection; gives up when
  // ctx is done, and interrupts a statement still running then.
  goro::error query(const goro::context& ctx, const std::string& sql,
                    const std::vector<std::string>& params, std::vector<row>* rows = nullptr) {
    sqlite3* db = nullptr;
    goro::select(goro::on_recv(idle_, [&](std::optional<sqlite3*> d) { db = d.value_or(nullptr); }),
                 goro::on_recv(ctx.done(), [](auto) {}));
    if (db == nullptr)
      return ctx.err();

    // A goroutine that interrupts the statement if ctx ends first. It must
    // be gone before the connection goes back to the pool.
    auto finished = goro::make_chan<goro::unit>();
    goro::wait_group watcher;
    watcher.add(1);
    goro::go([&] {
      goro::select(goro::on_recv(ctx.done(), [&](auto) { sqlite3_interrupt(db); }),
                   goro::on_recv(finished, [](auto) {}));
      watcher.done();
    });

    std::string failure = goro::blocking([&]() -> std::string { // on a blocking-pool thread
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
        return sqlite3_errmsg(db);
      for (std::size_t i = 0; i < params.size(); ++i)
        sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (rows == nullptr)
          continue;
        row r;
        for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
          const unsigned char* text = sqlite3_column_text(stmt, c);
          r.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
        }
        rows->push_back(std::move(r));
      }
      std::string err = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
      sqlite3_finalize(stmt);
      return err;
    });

    finished.close();
    watcher.wait();
    idle_.send(db);
    if (ctx.err())
      return ctx.err();
    return failure.empty() ? goro::error() : goro::error("sqlite: " + failure);
  }

private:
  goro::chan<sqlite3*> idle_;
  std::vector<sqlite3*> all_;
};

// ---- JSON by hand (the example needs three shapes)

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string user_json(const row& r) {
  return "{\"id\":" + r[0] + ",\"name\":" + json_string(r[1]) + ",\"email\":" + json_string(r[2]) +
         "}";
}

// ---- the service

class user_service {
public:
  explicit user_service(db_pool& db) : db_(db) {}

  void routes(goro::http::server& srv) {
    srv.handle("/users", [this](response_writer& w, const request& r) { list_users(w, r); });
    srv.handle("/users/", [this](response_writer& w, const request& r) { get_user(w, r); });
    srv.handle("/report", [this](response_writer& w, const request& r) { report(w, r); });
  }

  // Waits for the background work started by handlers, including report
  // queries that outlived their handler (shutdown calls it after the server
  // stopped, so no new work can start).
  void wait_background() { background_.wait(); }

private:
  // Seed 000, Patterns 2 and 3: two queries in parallel, then one response.
  void list_users(response_writer& w, const request& r) {
    auto [group, ctx] = goro::errgroup::with_context(r.context());
    std::vector<row> active;
    std::vector<row> inactive;
    group.go([&, ctx = ctx] {
      return db_.query(ctx, "SELECT id, name, email FROM users WHERE active = 1 ORDER BY id", {},
                       &active);
    });
    group.go([&, ctx = ctx] {
      return db_.query(ctx, "SELECT count(*) FROM users WHERE active = 0", {}, &inactive);
    });
    if (goro::error err = group.wait())
      return goro::http::write_error(w, err.message(), 500);

    std::string body = "{\"active\":[";
    for (std::size_t i = 0; i < active.size(); ++i)
      body += (i ? "," : "") + user_json(active[i]);
    body += "],\"inactive\":" + inactive.at(0).at(0) + "}\n";
    w.headers().set("Content-Type", "application/json");
    w.write(body); // the response is complete here

    // Seed 000, Pattern 1: background work after the response, with copies.
    background_.add(1);
    goro::go([this, count = active.size()] {
      goro::defer done([&] { background_.done(); });
      db_.query(goro::background(), "INSERT INTO audit(event) VALUES (?)",
                {"listed " + std::to_string(count) + " active users"});
    });
  }

  void get_user(response_writer& w, const request& r) {
    std::string id(r.path().substr(std::strlen("/users/")));
    std::vector<row> rows;
    if (goro::error err =
            db_.query(r.context(), "SELECT id, name, email FROM users WHERE id = ?", {id}, &rows))
      return goro::http::write_error(w, err.message(), 500);
    if (rows.empty())
      return goro::http::write_error(w, "no user " + id, 404);
    w.headers().set("Content-Type", "application/json");
    w.write(user_json(rows[0]) + "\n");
  }

  // Seed 000, Pattern 4: a deadline from the request's context. The report
  // counts `rows` rows in SQLite; past timeout_ms the handler answers 503
  // (as Go's http.TimeoutHandler does) and the query is interrupted.
  void report(response_writer& w, const request& r) {
    long rows = std::atol(r.query("rows").c_str());
    long timeout_ms = std::atol(r.query("timeout_ms").c_str());
    auto [ctx, cancel] = goro::with_timeout(r.context(), std::chrono::milliseconds(timeout_ms));
    goro::defer release([&] { cancel(); });

    auto result = goro::make_chan<std::string>(1); // room for an answer nobody waits for
    // The query may outlive this handler (it answers 503 at the deadline and
    // the interrupted statement ends a little later): count it as background
    // work, so shutdown waits for it instead of exiting under it.
    background_.add(1);
    goro::go([this, ctx = ctx, rows, result] {
      goro::defer done([&] { background_.done(); });
      std::vector<row> out;
      goro::error err = db_.query(ctx,
                                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                  "WHERE i < CAST(? AS INTEGER)) SELECT count(*) FROM n",
                                  {std::to_string(rows)}, &out);
      result.send(err ? "" : out.at(0).at(0));
    });

    goro::select(goro::on_recv(result,
                               [&](std::optional<std::string> count) {
                                 if (count && !count->empty())
                                   w.write("{\"rows\":" + *count + "}\n");
                                 else
                                   goro::http::write_error(w, "report failed", 500);
                               }),
                 goro::on_recv(ctx.done(),
                               [&](auto) { goro::http::write_error(w, "report timed out", 503); }));
  }

  db_pool& db_;
  goro::wait_group background_;
};

void create_schema(db_pool& db) {
  for (const char* sql : {
           "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, email TEXT, active INTEGER)",
           "CREATE TABLE audit(id INTEGER PRIMARY KEY, event TEXT)",
           "INSERT INTO users(name, email, active) VALUES "
           "('Ada', 'ada@example.com', 1), ('Brian', 'brian@example.com', 1), "
           "('Chen', 'chen@example.com', 0), ('Dana', 'dana@example.com', 1)",
       })
    if (goro::error err = db.query(goro::background(), sql, {})) {
      std::fprintf(stderr, "schema: %s\n", err.message().c_str());
      std::exit(1);
    }
}

// ---- the self-test's client: plain sockets on a plain thread

std::string fetch(int port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
    all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  std::size_t head_end = all.find("\r\n\r\n");
  if (head_end == std::string::npos)
    return "no response";
  return all.substr(9, 3) + " " + all.substr(head_end + 4); // status and body
}

void self_test(int port) {
  for (const char* target :
       {"/users", "/users/2", "/users/99", "/report?rows=1000&timeout_ms=30000",
        "/report?rows=1000000000000&timeout_ms=50"}) {
    std::string answer = fetch(port, target);
    std::printf("GET %s -> %s", target, answer.c_str());
    if (answer.empty() || answer.back() != '\n')
      std::printf("\n");
  }
  std::printf("client: done; simulating `kill -TERM <pid>`\n");
  std::fflush(stdout);
  std::raise(SIGTERM);
}

} // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1:0";
  bool serve_only = argc >= 2 && std::strcmp(argv[1], "--serve") == 0;
  if (serve_only && argc >= 3)
    address = argv[2];
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  auto signals = goro::notify_signals({SIGINT, SIGTERM}); // before anything can raise one

  db_pool db("file:users?mode=memory&cache=shared", 4);
  create_schema(db);
  user_service service(db);
  goro::http::server srv(address);
  service.routes(srv);
  if (goro::error err = srv.listen()) {
    std::fprintf(stderr, "%s\n", err.message().c_str());
    return 1;
  }
  if (serve_only)
    std::printf("listening on 127.0.0.1:%d\n", srv.port());

  auto served = goro::make_chan<goro::error>(1);
  goro::go([&] { served.send(srv.serve()); });
  std::thread client;
  if (!serve_only)
    client = std::thread(self_test, srv.port());

  int sig = signals.recv().value_or(0);
  std::printf("main: %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  auto [ctx, cancel] = goro::with_timeout(goro::background(), 10s);
  goro::error err = srv.shutdown(ctx); // in-flight requests finish first
  cancel();
  std::printf("main: server stopped (%s)\n", err ? err.message().c_str() : "graceful");
  std::printf("main: serve returned \"%s\"\n",
              served.recv().value_or(goro::error()).message().c_str());
  service.wait_background();
  if (client.joinable())
    client.join();

  std::vector<row> audit;
  db.query(goro::background(), "SELECT event FROM audit ORDER BY id", {}, &audit);
  std::printf("main: background work done, audit log:\n");
  for (const row& r : audit)
    std::printf("  %s\n", r[0].c_str());
  return 0;
}
