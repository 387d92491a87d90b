// A chat server over HTTP: GET /events?user=NAME streams the room's messages
// (one chunk per message), POST /send?user=NAME broadcasts its body, GET
// /stats counts. One hub goroutine owns the room; handlers talk to it by
// channel. Graceful shutdown on SIGINT/SIGTERM.
//
// Seeds: 001 ("Chat Server": the hub owning clients, broadcast), 000
// (handlers already run in their own goroutines; the request's context),
// 002/004 (non-blocking send with select's default).
//
// Notice:
//   - Broadcast never blocks: each subscriber has a buffered inbox and the hub
//     sends with try_send (Go: select with a default case). A subscriber that
//     cannot keep up loses messages (counted in /stats), instead of stalling
//     the room for everyone.
//   - A streaming handler returns when its client goes away
//     (request::context() is canceled on disconnect) or when the hub stops
//     (its inbox is closed); then it leaves the room. The hub closes inboxes,
//     never the handlers: the owner of a channel closes it.
//   - Shutdown stops the hub first, which ends every stream; only then can
//     the server's graceful shutdown find no request in flight.
//
// Run: `http_chat` plays a short conversation against itself over a real
// socket, then sends itself SIGTERM. `http_chat --serve 127.0.0.1:8080`
// serves until Ctrl-C; try `curl -N 'localhost:8080/events?user=me'` and
// `curl -d hello 'localhost:8080/send?user=you'`.
#include <goro/goro.hpp>
#include <goro/http.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;
using goro::http::request;
using goro::http::response_writer;

namespace {

constexpr std::size_t inbox_size = 16;

struct join_request {
  std::string user;
  goro::chan<std::string> inbox;
};

struct stats {
  std::size_t subscribers = 0;
  std::size_t delivered = 0;
  std::size_t dropped = 0;
};

class hub {
public:
  hub()
      : join_(goro::make_chan<join_request>()), leave_(goro::make_chan<std::string>()),
        say_(goro::make_chan<std::string>()), stats_(goro::make_chan<goro::chan<stats>>()),
        stop_(goro::make_chan<goro::unit>()) {
    running_.add(1);
    goro::go([this] {
      run();
      running_.done();
    });
  }
  hub(const hub&) = delete;
  hub& operator=(const hub&) = delete;
  ~hub() { stop(); }

  // Each call is a request to the hub goroutine; after stop() they return at
  // once (join: a closed inbox).
  goro::chan<std::string> join(std::string user) {
    auto inbox = goro::make_chan<std::string>(inbox_size);
    bool joined = false;
    goro::select(goro::on_send(join_, join_request{std::move(user), inbox}, [&] { joined = true; }),
                 goro::on_recv(stop_, [](auto) {}));
    if (!joined)
      inbox.close();
    return inbox;
  }
  void leave(std::string user) {
    goro::select(goro::on_send(leave_, std::move(user), [] {}), goro::on_recv(stop_, [](auto) {}));
  }
  void say(std::string line) {
    goro::select(goro::on_send(say_, std::move(line), [] {}), goro::on_recv(stop_, [](auto) {}));
  }
  std::optional<stats> counts() {
    auto reply = goro::make_chan<stats>(1);
    bool asked = false;
    goro::select(goro::on_send(stats_, reply, [&] { asked = true; }),
                 goro::on_recv(stop_, [](auto) {}));
    return asked ? reply.recv() : std::nullopt;
  }
  // Closes every inbox (ending every stream) and waits for the hub goroutine.
  void stop() {
    if (!stopped_) {
      stopped_ = true;
      stop_.close();
    }
    running_.wait();
  }

private:
  void run() {
    std::map<std::string, goro::chan<std::string>> members; // only this goroutine touches it
    stats counts;
    auto broadcast = [&](const std::string& line) {
      for (auto& [user, inbox] : members) {
        if (inbox.try_send(line)) // never blocks: a full inbox drops the message
          ++counts.delivered;
        else
          ++counts.dropped;
      }
    };
    for (bool done = false; !done;) {
      goro::select(goro::on_recv(join_,
                                 [&](std::optional<join_request> j) {
                                   members[j->user] = j->inbox;
                                   broadcast("[system] " + j->user + " joined");
                                 }),
                   goro::on_recv(leave_,
                                 [&](std::optional<std::string> user) {
                                   auto it = members.find(*user);
                                   if (it == members.end())
                                     return;
                                   it->second.close();
                                   members.erase(it);
                                   broadcast("[system] " + *user + " left");
                                 }),
                   goro::on_recv(say_, [&](std::optional<std::string> line) { broadcast(*line); }),
                   goro::on_recv(stats_,
                                 [&](std::optional<goro::chan<stats>> reply) {
                                   counts.subscribers = members.size();
                                   reply->send(counts);
                                 }),
                   goro::on_recv(stop_, [&](auto) { done = true; }));
    }
    for (auto& [user, inbox] : members)
      inbox.close();
  }

  goro::chan<join_request> join_;
  goro::chan<std::string> leave_;
  goro::chan<std::string> say_;
  goro::chan<goro::chan<stats>> stats_;
  goro::chan<goro::unit> stop_;
  goro::wait_group running_;
  bool stopped_ = false; // main's alone
};

void routes(goro::http::server& srv, hub& room) {
  srv.handle("/events", [&room](response_writer& w, const request& r) {
    std::string user = r.query("user");
    if (user.empty())
      return goro::http::write_error(w, "missing ?user=", 400);
    goro::chan<std::string> inbox = room.join(user);
    w.headers().set("Content-Type", "text/plain; charset=utf-8");
    w.flush(); // the client sees the stream open now
    for (bool open = true; open;) {
      goro::select(goro::on_recv(inbox,
                                 [&](std::optional<std::string> line) {
                                   if (!line) {
                                     open = false; // the hub stopped
                                     return;
                                   }
                                   w.write(*line + "\n");
                                   w.flush();
                                 }),
                   goro::on_recv(r.context().done(), [&](auto) { open = false; }));
    }
    room.leave(user); // the client left (or the hub stopped: then a no-op)
  });
  srv.handle("/send", [&room](response_writer& w, const request& r) {
    if (r.method() != "POST")
      return goro::http::write_error(w, "use POST", 405);
    std::string user = r.query("user");
    if (user.empty() || r.body().empty())
      return goro::http::write_error(w, "need ?user= and a message", 400);
    room.say("[" + user + "] " + std::string(r.body()));
    w.write("sent\n");
  });
  srv.handle("/stats", [&room](response_writer& w, const request&) {
    std::optional<stats> s = room.counts();
    if (!s)
      return goro::http::write_error(w, "shutting down", 503);
    w.write("subscribers " + std::to_string(s->subscribers) + ", delivered " +
            std::to_string(s->delivered) + ", dropped " + std::to_string(s->dropped) + "\n");
  });
}

// ---- the self-test's clients: plain sockets on a plain thread

class client {
public:
  explicit client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      std::perror("connect");
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  ~client() { hang_up(); }
  void hang_up() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }
  void send(const std::string& bytes) { ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  // Reads until `text` arrived (after what was consumed before); false at EOF.
  bool wait_for(const std::string& text) {
    for (;;) {
      std::size_t at = seen_.find(text, consumed_);
      if (at != std::string::npos) {
        consumed_ = at + text.size();
        return true;
      }
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return false;
      seen_.append(buf, static_cast<std::size_t>(n));
    }
  }
  // Everything until the server closes.
  std::string rest() {
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0)
      seen_.append(buf, static_cast<std::size_t>(n));
    return seen_.substr(consumed_);
  }

private:
  int fd_ = -1;
  std::string seen_;
  std::size_t consumed_ = 0;
};

std::string post(int port, const std::string& target, const std::string& body) {
  client c(port);
  c.send("POST " + target +
         " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string all = c.rest();
  return all.substr(all.find("\r\n\r\n") + 4);
}

std::string get(int port, const std::string& target) {
  client c(port);
  c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  std::string all = c.rest();
  return all.substr(all.find("\r\n\r\n") + 4);
}

void expect(client& c, const char* who, const std::string& line) {
  std::printf("%s %s: %s\n", who, c.wait_for(line + "\n") ? "got" : "MISSED", line.c_str());
}

void self_test(int port) {
  client bob(port), carol(port);
  bob.send("GET /events?user=bob HTTP/1.1\r\nHost: localhost\r\n\r\n");
  expect(bob, "bob", "[system] bob joined");
  carol.send("GET /events?user=carol HTTP/1.1\r\nHost: localhost\r\n\r\n");
  expect(carol, "carol", "[system] carol joined");
  expect(bob, "bob", "[system] carol joined");

  std::printf("alice posts: %s", post(port, "/send?user=alice", "hi everyone").c_str());
  expect(bob, "bob", "[alice] hi everyone");
  expect(carol, "carol", "[alice] hi everyone");

  carol.hang_up(); // her handler sees its context canceled and leaves
  expect(bob, "bob", "[system] carol left");
  std::printf("stats: %s", get(port, "/stats").c_str());

  std::printf("client: simulating `kill -TERM <pid>` with bob still listening\n");
  std::fflush(stdout);
  std::raise(SIGTERM);
  // The hub stops, bob's stream ends with its last chunk, the server closes.
  std::string tail = bob.rest();
  std::printf("bob's stream ended %s\n",
              tail.size() >= 5 && tail.compare(tail.size() - 5, 5, "0\r\n\r\n") == 0
                  ? "cleanly (last chunk)"
                  : "abruptly");
}

} // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1:0";
  bool serve_only = argc >= 2 && std::strcmp(argv[1], "--serve") == 0;
  if (serve_only && argc >= 3)
    address = argv[2];
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  auto signals = goro::notify_signals({SIGINT, SIGTERM}); // before anything can raise one

  hub room;
  goro::http::server srv(address);
  routes(srv, room);
  if (goro::error err = srv.listen()) {
    std::fprintf(stderr, "%s\n", err.message().c_str());
    return 1;
  }
  if (serve_only)
    std::printf("listening on 127.0.0.1:%d\n", srv.port());
  auto served = goro::make_chan<goro::error>(1);
  goro::go([&] { served.send(srv.serve()); });
  std::thread player;
  if (!serve_only)
    player = std::thread(self_test, srv.port());

  int sig = signals.recv().value_or(0);
  std::printf("main: %s: stopping the hub, then the server\n",
              sig == SIGINT ? "SIGINT" : "SIGTERM");
  room.stop(); // ends every stream
  auto [ctx, cancel] = goro::with_timeout(goro::background(), 10s);
  goro::error err = srv.shutdown(ctx);
  cancel();
  if (player.joinable())
    player.join(); // its last line comes first
  std::printf("main: server stopped (%s), serve returned \"%s\"\n",
              err ? err.message().c_str() : "graceful",
              served.recv().value_or(goro::error()).message().c_str());
  return 0;
}
