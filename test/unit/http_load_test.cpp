// http_load_test.cpp — a bounded load test of goro::http::server over
// loopback: 48 client threads, 3,840 requests in all, each response checked.
//
// The clients mix what a server meets: keep-alive connections, pipelined
// bursts, a new connection per request, Content-Length and chunked bodies,
// and handlers that park (a channel round trip through another goroutine)
// while thousands of requests are in flight. Afterwards no goroutine and no
// descriptor is left. It checks answers, never speed (bench/http/ measures).
#include <goro/goro.hpp>
#include <goro/http.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http_client.hpp"

using namespace std::chrono_literals;
using goro::http::request;
using goro::http::response_writer;
using http_test::raw_conn;

namespace {

constexpr int clients = 48;
constexpr int requests_per_client = 80;

// The body a request for (client, i) carries, and the answer it must get.
std::string payload(int client, int i) {
  return std::string(static_cast<std::size_t>(1 + (client * 31 + i * 17) % 3000),
                     static_cast<char>('a' + (client + i) % 26));
}
std::string answer(int client, int i) {
  return "client " + std::to_string(client) + " request " + std::to_string(i) + " got " +
         std::to_string(payload(client, i).size()) + " bytes of " + payload(client, i)[0];
}

std::string request_bytes(int client, int i, bool close) {
  std::string target = "/work?client=" + std::to_string(client) + "&i=" + std::to_string(i);
  std::string body = payload(client, i);
  std::string head = "POST " + target + " HTTP/1.1\r\nHost: load\r\n";
  if (close)
    head += "Connection: close\r\n";
  if (i % 3 == 0) { // chunked, in two chunks
    std::size_t half = body.size() / 2;
    auto hex = [](std::size_t n) {
      char buf[20];
      std::snprintf(buf, sizeof buf, "%zx", n);
      return std::string(buf);
    };
    std::string chunks;
    if (half > 0)
      chunks += hex(half) + "\r\n" + body.substr(0, half) + "\r\n";
    chunks += hex(body.size() - half) + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n";
    return head + "Transfer-Encoding: chunked\r\n\r\n" + chunks;
  }
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(HttpLoad, EveryResponseIsRightUnderManyConcurrentConnections) {
  // A goroutine the handlers ask for part of their answer: every request
  // parks at least once on a channel.
  auto questions = goro::make_chan<std::pair<std::size_t, goro::chan<std::string>>>();
  goro::wait_group helper;
  helper.add(1);
  goro::go([&] {
    for (auto q : questions)
      q.second.send(std::to_string(q.first));
    helper.done();
  });
  int fds_before = http_test::open_fds(); // the runtime's own (epoll, eventfd) are open now

  goro::http::server_options options;
  options.max_connections = 1000;
  goro::http::server srv("127.0.0.1:0", options);
  std::atomic<int> handled{0};
  srv.handle("/work", [&](response_writer& w, const request& r) {
    auto reply = goro::make_chan<std::string>(1);
    questions.send({r.body().size(), reply});
    std::string size = reply.recv().value_or("?");
    w.write("client " + r.query("client") + " request " + r.query("i") + " got " + size +
            " bytes of " + std::string(r.body().substr(0, 1)));
    ++handled;
  });
  ASSERT_FALSE(srv.listen());
  std::thread serving([&] { srv.serve(); });

  std::atomic<int> right{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      int style = c % 4; // 0,1: keep-alive; 2: pipelined bursts of 8; 3: a connection per request
      auto check = [&](const std::optional<http_test::response>& r, int i) {
        if (r && r->status == 200 && r->body == answer(c, i))
          ++right;
        else
          ++wrong;
      };
      if (style == 3) {
        for (int i = 0; i < requests_per_client; ++i) {
          raw_conn conn(srv.port());
          conn.send(request_bytes(c, i, true));
          check(conn.read_response(), i);
        }
      } else if (style == 2) {
        raw_conn conn(srv.port());
        for (int i = 0; i < requests_per_client; i += 8) {
          std::string burst;
          for (int j = i; j < i + 8; ++j)
            burst += request_bytes(c, j, false);
          conn.send(burst);
          for (int j = i; j < i + 8; ++j)
            check(conn.read_response(), j);
        }
      } else {
        raw_conn conn(srv.port());
        for (int i = 0; i < requests_per_client; ++i) {
          conn.send(request_bytes(c, i, false));
          check(conn.read_response(), i);
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(right.load(), clients * requests_per_client);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(handled.load(), clients * requests_per_client);

  auto [ctx, cancel] = goro::with_timeout(goro::background(), 60s);
  EXPECT_FALSE(srv.shutdown(ctx));
  cancel();
  serving.join();
  questions.close();
  helper.wait();
  auto until = std::chrono::steady_clock::now() + 30s;
  while (goro::num_goroutines() != 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(goro::num_goroutines(), 0u);
  EXPECT_EQ(http_test::open_fds(), fds_before);
}

} // namespace
