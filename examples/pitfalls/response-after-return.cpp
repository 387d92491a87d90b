// A user service from seed 000 ("Using Goroutines in HTTP Handlers"), with
// the mistake the seed warns about: WRONG ON PURPOSE.
//
// GET /users hands the whole response to a goroutine "so the handler returns
// at once". The goroutine runs after the handler has returned, when the
// response writer is already retired: the client gets an empty 200 response,
// and the JSON written later is dropped (the debug runtime reports the late
// write as goro-response-after-return). goro-response-after-return finds it
// before the program runs:
//
//   clang-tidy-19 --load=build/default/checkers/goro-tidy.so
//       --checks='-*,goro-response-after-return'
//       examples/pitfalls/response-after-return.cpp -- -std=c++20 -Iruntime/include
//
// (one command line).
//
// GET /users/stats is written the right way (the seed's patterns 1 and 3:
// run the queries in goroutines, wait for them, respond, and only then start
// background work that does not touch the writer) and is not reported. The
// fix for /users is in docs/checks/goro-response-after-return.md.
//
// Compiles with -std=c++20 -Iruntime/include; not built by CMake.
#include <goro/goro.hpp>

#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace {

struct user {
  int id;
  std::string name;
  bool active;
};

// Stands in for the seed's database: a query blocks for a while.
class user_store {
public:
  std::vector<user> find(bool active) const {
    goro::sleep(std::chrono::milliseconds(20));
    std::vector<user> out;
    for (const user& u : users_)
      if (u.active == active)
        out.push_back(u);
    return out;
  }

private:
  std::vector<user> users_{{1, "ada", true}, {2, "brian", false}, {3, "grace", true}};
};

std::string to_json(const std::vector<user>& users) {
  std::string out = "[";
  for (const user& u : users) {
    if (out.size() > 1)
      out += ",";
    out += "{\"id\":" + std::to_string(u.id) + ",\"name\":\"" + u.name + "\"}";
  }
  return out + "]";
}

class user_service {
public:
  explicit user_service(const user_store& db) : db_(db) {}

  // WRONG: nothing waits for the goroutine, and it writes the response.
  void get_users(goro::http::response_writer& w, const goro::http::request& r) {
    bool active = r.query("active") != "false";
    goro::go([this, &w, active] {
      std::vector<user> users = db_.find(active);
      w.headers().set("Content-Type", "application/json");
      w.write(to_json(users));
      std::printf("fetched %zu users\n", users.size());
    });
  }

  // Right: two queries in parallel, waited for; then the response; then
  // background work that gets copies, not the writer.
  void get_stats(goro::http::response_writer& w, const goro::http::request& /*r*/) {
    goro::wait_group wg;
    goro::mutex mu;
    std::size_t active = 0;
    std::size_t inactive = 0;
    wg.add(2);
    goro::go([&] {
      goro::defer done([&] { wg.done(); });
      std::size_t n = db_.find(true).size();
      std::lock_guard lock(mu);
      active = n;
    });
    goro::go([&] {
      goro::defer done([&] { wg.done(); });
      std::size_t n = db_.find(false).size();
      std::lock_guard lock(mu);
      inactive = n;
    });
    wg.wait();

    w.headers().set("Content-Type", "application/json");
    w.write("{\"active\":" + std::to_string(active) + ",\"inactive\":" + std::to_string(inactive) +
            "}");

    goro::go([active, inactive] {
      std::printf("stats served: %zu active, %zu inactive\n", active, inactive);
    });
  }

private:
  const user_store& db_;
};

} // namespace

int main() {
  user_store db;
  user_service users(db);
  goro::http::server srv("127.0.0.1:8080");
  srv.handle("/users", [&users](goro::http::response_writer& w, const goro::http::request& r) {
    users.get_users(w, r);
  });
  srv.handle("/users/stats", [&users](goro::http::response_writer& w,
                                      const goro::http::request& r) { users.get_stats(w, r); });
  if (goro::error err = srv.listen_and_serve()) {
    std::fprintf(stderr, "serve: %s\n", err.message().c_str());
    return 1;
  }
  return 0;
}
