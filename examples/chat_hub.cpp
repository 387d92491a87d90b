// A chat hub: one goroutine owns the set of clients and receives joins,
// leaves and messages on channels; it broadcasts each event to every client's
// buffered inbox, and each client reads its inbox in its own goroutine.
//
// Seed: 001 "Real-time Chat Server" (ChatServer.Run, broadcast,
// HandleClient), without the WebSocket.
//
// Notice: only the hub goroutine touches `clients`, so it needs no mutex
// ("share memory by communicating"); and the hub stops when its context is
// canceled, closing every inbox still open. Seed 001's Run loop has no way
// out, so its goroutine, and every client reader, would never end.
#include <goro/goro.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

struct message {
  std::string from;
  std::string text;
};

struct client {
  std::string name;
  goro::chan<std::string> inbox = goro::make_chan<std::string>(16);
  std::vector<std::string> transcript; // written only by the client's reader
};

class hub {
public:
  goro::send_chan<client*> joining() const { return joining_; }
  goro::send_chan<client*> leaving() const { return leaving_; }
  goro::send_chan<message> messages() const { return messages_; }

  // The hub's loop; returns when ctx is done.
  void run(const goro::context& ctx) {
    for (bool stop = false; !stop;) {
      goro::select(goro::on_recv(ctx.done(), [&](auto) { stop = true; }),
                   goro::on_recv(joining_, [&](std::optional<client*> c) { join(*c); }),
                   goro::on_recv(leaving_, [&](std::optional<client*> c) { leave(*c); }),
                   goro::on_recv(messages_, [&](std::optional<message> m) { broadcast(*m); }));
    }
    for (auto& [name, c] : clients_)
      c->inbox.close(); // the hub owns the inboxes' send side: it closes them
    clients_.clear();
  }

private:
  void join(client* c) {
    clients_[c->name] = c;
    broadcast({"system", c->name + " joined"});
  }
  void leave(client* c) {
    if (clients_.erase(c->name) != 0)
      c->inbox.close();
    broadcast({"system", c->name + " left"});
  }
  void broadcast(const message& m) {
    // A full inbox drops the message rather than stall the whole hub (the
    // seed's select with a default case).
    for (auto& [name, c] : clients_)
      (void)c->inbox.try_send("[" + m.from + "] " + m.text);
  }

  goro::chan<client*> joining_ = goro::make_chan<client*>();
  goro::chan<client*> leaving_ = goro::make_chan<client*>();
  goro::chan<message> messages_ = goro::make_chan<message>();
  std::map<std::string, client*> clients_;
};

} // namespace

int main() {
  hub h;
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::wait_group wg;
  wg.add(1);
  goro::go([&, ctx] {
    goro::defer done([&] { wg.done(); });
    h.run(ctx);
  });

  std::vector<std::unique_ptr<client>> clients;
  auto connect = [&](const std::string& name) {
    auto c = std::make_unique<client>();
    c->name = name;
    wg.add(1);
    goro::go([&wg, c = c.get()] { // reads until the hub closes the inbox
      goro::defer done([&] { wg.done(); });
      for (std::string line : c->inbox)
        c->transcript.push_back(std::move(line));
    });
    h.joining().send(c.get());
    clients.push_back(std::move(c));
  };

  // Each send returns once the hub has received it, and the hub handles one
  // event at a time, so every client sees the events in this order.
  connect("alice");
  connect("bob");
  h.messages().send({"alice", "hi"});
  h.messages().send({"bob", "hello"});
  connect("carol");
  h.leaving().send(clients[0].get()); // alice
  h.messages().send({"bob", "bye"});

  cancel(); // stop the hub; it closes bob's and carol's inboxes
  wg.wait();

  for (const auto& c : clients) {
    std::printf("%s saw:\n", c->name.c_str());
    for (const auto& line : c->transcript)
      std::printf("  %s\n", line.c_str());
  }
  return clients[2]->transcript.size() == 3 ? 0 : 1;
}
