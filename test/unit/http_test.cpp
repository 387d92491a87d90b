// http_test.cpp — goro::http::server over real loopback sockets.
//
// Every test talks to a server on 127.0.0.1:0 through http_client.hpp's raw
// sockets, and the fixture checks afterwards that no goroutine and no file
// descriptor was left behind. Timeouts under test are configured small on
// the server while the client is obviously slower (it never sends the rest);
// the tests assert the answer and the close, never how long they took.
#include <goro/goro.hpp>
#include <goro/http.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "http_client.hpp"

using namespace std::chrono_literals;
using goro::http::request;
using goro::http::response_writer;
using http_test::get;
using http_test::raw_conn;
using http_test::response;

namespace {

template <class F>
bool eventually(F&& pred) {
  auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

goro::http::server_options default_options() {
  goro::http::server_options o;
  o.read_timeout = 60s;
  o.write_timeout = 60s;
  o.idle_timeout = 60s;
  return o;
}

// Starts the runtime (workers, netpoller descriptors) before any test counts
// descriptors or goroutines.
class warm_up : public ::testing::Environment {
public:
  void SetUp() override {
    goro::http::server srv("127.0.0.1:0");
    srv.handle("/", [](response_writer& w, const request&) { w.write("ok"); });
    ASSERT_FALSE(srv.listen());
    std::thread t([&] { srv.serve(); });
    {
      raw_conn c(srv.port());
      c.send(get("/"));
      ASSERT_TRUE(c.read_response());
    }
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 30s);
    ASSERT_FALSE(srv.shutdown(ctx));
    cancel();
    t.join();
  }
};
const auto* env = ::testing::AddGlobalTestEnvironment(new warm_up);

class Http : public ::testing::Test {
protected:
  void SetUp() override {
    // The previous test's goroutines may still be on their way out.
    ASSERT_TRUE(eventually([] { return goro::num_goroutines() == 0; }));
    fds_ = http_test::open_fds();
  }
  void TearDown() override {
    stop();
    EXPECT_TRUE(eventually([&] { return goro::num_goroutines() == 0; }))
        << goro::num_goroutines() << " goroutines left";
    EXPECT_EQ(http_test::open_fds(), fds_) << "descriptors leaked";
  }

  template <class Setup>
  void start(goro::http::server_options options, Setup setup) {
    srv_ = std::make_unique<goro::http::server>("127.0.0.1:0", options);
    setup(*srv_);
    ASSERT_FALSE(srv_->listen());
    port_ = srv_->port();
    ASSERT_GT(port_, 0);
    serving_ = std::thread([this] { serve_result_ = srv_->serve(); });
  }
  template <class Setup>
  void start(Setup setup) {
    start(default_options(), setup);
  }

  goro::error stop() {
    if (!srv_)
      return {};
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 60s);
    goro::error err = srv_->shutdown(ctx);
    cancel();
    serving_.join();
    EXPECT_EQ(serve_result_.message(), "http: Server closed");
    srv_.reset();
    return err;
  }

  // Sends `bytes` on a fresh connection and reads one response; the server
  // must then close the connection.
  response answer_then_close(std::string_view bytes) {
    raw_conn c(port_);
    EXPECT_TRUE(c.send(bytes));
    std::optional<response> r = c.read_response();
    EXPECT_TRUE(r.has_value()) << "no response to: " << bytes.substr(0, 200);
    EXPECT_TRUE(c.closed_by_peer()) << "connection left open";
    return r.value_or(response{});
  }

  std::unique_ptr<goro::http::server> srv_;
  int port_ = 0;
  std::thread serving_;
  goro::error serve_result_;
  int fds_ = 0;
};

void hello(goro::http::server& s) {
  s.handle("/hello", [](response_writer& w, const request& r) {
    w.headers().set("Content-Type", "text/plain");
    w.write("hello, " + r.query("name"));
  });
}

// ---- requests and responses

TEST_F(Http, ServesAResponseWithContentLength) {
  start(hello);
  raw_conn c(port_);
  c.send(get("/hello?name=g%C3%B6%20ro"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->version, "HTTP/1.1");
  EXPECT_EQ(r->body, "hello, g\xC3\xB6 ro");
  EXPECT_EQ(r->header("Content-Length"), std::to_string(r->body.size()));
  EXPECT_EQ(r->header("Content-Type"), "text/plain");
  EXPECT_FALSE(r->header("Date").empty());
}

TEST_F(Http, KeepAliveServesManyRequestsOnOneConnection) {
  std::atomic<int> served{0};
  start([&](goro::http::server& s) {
    s.handle("/n", [&](response_writer& w, const request& r) {
      ++served;
      w.write(r.query("i"));
    });
  });
  raw_conn c(port_);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(c.send(get("/n?i=" + std::to_string(i))));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(served.load(), 50);
}

TEST_F(Http, PipelinedRequestsAreAnsweredInOrder) {
  start([](goro::http::server& s) {
    s.handle("/n", [](response_writer& w, const request& r) { w.write(r.query("i")); });
  });
  raw_conn c(port_);
  std::string all;
  for (int i = 0; i < 20; ++i)
    all += get("/n?i=" + std::to_string(i));
  ASSERT_TRUE(c.send(all));
  for (int i = 0; i < 20; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, std::to_string(i));
  }
}

TEST_F(Http, ContentLengthBodyArrivesInPieces) {
  start([](goro::http::server& s) {
    s.handle("/echo", [](response_writer& w, const request& r) { w.write(r.body()); });
  });
  raw_conn c(port_);
  std::string body(100000, 'b');
  for (std::size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>('a' + i % 26);
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
  for (std::size_t i = 0; i < body.size(); i += 7919)
    c.send(std::string_view(body).substr(i, 7919));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, body);
}

TEST_F(Http, ChunkedRequestBodyIsDecoded) {
  start([](goro::http::server& s) {
    s.handle("/echo", [](response_writer& w, const request& r) { w.write(r.body()); });
  });
  raw_conn c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n1;ext=\"v\"\r\n,\r\nA\r\n world!!!!\r\n0\r\nTrailer: x\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello, world!!!!");
  // The connection stays usable after a chunked body with trailers.
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "abc");
}

TEST_F(Http, LargeResponseWithoutLengthIsChunked) {
  // Outlives the server (TearDown stops it): what orders the handler's reads
  // before the string's end is the server's shutdown, not the response the
  // client read (ThreadSanitizer does not see the runtime's socket I/O).
  static const std::string big(300000, 'x');
  start([&](goro::http::server& s) {
    s.handle("/big", [&](response_writer& w, const request&) {
      for (std::size_t i = 0; i < big.size(); i += 1000)
        w.write(std::string_view(big).substr(i, 1000));
    });
  });
  raw_conn c(port_);
  c.send(get("/big"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->body, big);
  c.send(get("/big"));
  EXPECT_TRUE(c.read_response()); // still keep-alive
}

TEST_F(Http, FlushStreamsChunks) {
  goro::chan<int> step = goro::make_chan<int>();
  start([&](goro::http::server& s) {
    s.handle("/stream", [&](response_writer& w, const request&) {
      for (int i = 0; i < 3; ++i) {
        step.recv();
        w.write("part" + std::to_string(i) + "\n");
        w.flush();
      }
    });
  });
  raw_conn c(port_);
  c.send(get("/stream"));
  // Each part is readable before the next one is allowed to be written.
  std::string seen;
  for (int i = 0; i < 3; ++i) {
    step.send(i);
    std::string want = "part" + std::to_string(i) + "\n";
    char buf[256];
    while (seen.find(want) == std::string::npos) {
      ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
      ASSERT_GT(n, 0);
      seen.append(buf, static_cast<std::size_t>(n));
    }
  }
  EXPECT_NE(seen.find("Transfer-Encoding: chunked"), std::string::npos);
}

TEST_F(Http, DeclaredContentLengthLimitsTheBody) {
  std::atomic<std::size_t> accepted{0};
  start([&](goro::http::server& s) {
    s.handle("/cl", [&](response_writer& w, const request&) {
      w.headers().set("Content-Length", "5");
      accepted = w.write("0123456789");
    });
  });
  raw_conn c(port_);
  c.send(get("/cl"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "01234");
  EXPECT_EQ(accepted.load(), 5u);
}

TEST_F(Http, ShortBodyForDeclaredLengthClosesTheConnection) {
  start([&](goro::http::server& s) {
    s.handle("/short", [&](response_writer& w, const request&) {
      w.headers().set("Content-Length", "100");
      w.write("only this");
    });
  });
  raw_conn c(port_);
  c.send(get("/short"));
  std::string all = c.read_to_eof(); // the client learns the body is short from the close
  EXPECT_NE(all.find("Content-Length: 100"), std::string::npos);
  EXPECT_EQ(all.substr(all.size() - 9), "only this");
}

TEST_F(Http, HeadGetsLengthButNoBody) {
  start(hello);
  raw_conn c(port_);
  c.send("HEAD /hello?name=x HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response(true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Length"), "8");
  c.send(get("/hello?name=y")); // no stray body bytes before the next response
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello, y");
}

TEST_F(Http, NoContentHasNoBody) {
  std::atomic<std::size_t> accepted{99};
  start([&](goro::http::server& s) {
    s.handle("/204", [&](response_writer& w, const request&) {
      w.write_header(204);
      accepted = w.write("dropped");
    });
  });
  raw_conn c(port_);
  c.send(get("/204") + get("/204"));
  for (int i = 0; i < 2; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204);
    EXPECT_FALSE(r->has_header("Content-Length"));
  }
  EXPECT_EQ(accepted.load(), 0u);
}

TEST_F(Http, Http10ClosesUnlessKeepAlive) {
  start(hello);
  {
    raw_conn c(port_);
    c.send("GET /hello?name=a HTTP/1.0\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->version, "HTTP/1.0");
    EXPECT_EQ(r->body, "hello, a");
    EXPECT_TRUE(c.closed_by_peer());
  }
  raw_conn c(port_);
  c.send("GET /hello?name=b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Connection"), "keep-alive");
  c.send("GET /hello?name=c HTTP/1.0\r\n\r\n");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello, c");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(Http, ConnectionCloseIsHonored) {
  start(hello);
  raw_conn c(port_);
  c.send(get("/hello", "Connection: close\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(Http, ExpectContinueGetsContinueBeforeTheBody) {
  start([](goro::http::server& s) {
    s.handle("/up", [](response_writer& w, const request& r) { w.write(r.body()); });
  });
  raw_conn c(port_);
  c.send("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 100);
  c.send("data");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "data");
}

TEST_F(Http, HandlerExceptionIs500AndTheServerGoesOn) {
  start([](goro::http::server& s) {
    s.handle("/throw",
             [](response_writer&, const request&) -> void { throw std::runtime_error("boom"); });
    hello(s);
  });
  response r = answer_then_close(get("/throw"));
  EXPECT_EQ(r.status, 500);
  raw_conn c(port_);
  c.send(get("/hello?name=z"));
  auto ok = c.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "hello, z");
}

TEST_F(Http, HandlerFieldsCannotSplitTheResponse) {
  start([](goro::http::server& s) {
    s.handle("/inject", [](response_writer& w, const request&) {
      w.headers().set("X-Evil", "a\r\nSet-Cookie: stolen\r\n\r\nbody");
      w.write("real");
    });
  });
  raw_conn c(port_);
  c.send(get("/inject"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Set-Cookie"));
  EXPECT_EQ(r->body, "real");
}

// ---- routing

void routes(goro::http::server& s) {
  for (std::string p : {"/", "/api/", "/api/users", "/api/users/", "/static/", "/exact"})
    s.handle(p, [p](response_writer& w, const request&) { w.write(p); });
}

TEST_F(Http, LongestPatternWins) {
  start(routes);
  raw_conn c(port_);
  std::pair<const char*, const char*> cases[] = {
      {"/", "/"},
      {"/nothing/here", "/"},
      {"/api/", "/api/"},
      {"/api/orders", "/api/"},
      {"/api/users", "/api/users"},
      {"/api/users/7", "/api/users/"},
      {"/static/a/b/c.css", "/static/"},
      {"/exact", "/exact"},
      {"/exact/more", "/"},
  };
  for (auto [path, pattern] : cases) {
    c.send(get(path));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, pattern) << path;
  }
}

TEST_F(Http, UnmatchedPathIs404) {
  start([](goro::http::server& s) {
    s.handle("/only", [](response_writer& w, const request&) { w.write("x"); });
  });
  raw_conn c(port_);
  c.send(get("/other"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "404 page not found\n");
}

TEST_F(Http, SubtreeWithoutSlashAndUncleanPathsRedirect) {
  start(routes);
  raw_conn c(port_);
  std::pair<const char*, const char*> cases[] = {
      {"/static?v=1", "/static/?v=1"},
      {"/api/../exact", "/exact"},
      {"/api//users", "/api/users"},
      {"/api/./users/", "/api/users/"},
  };
  for (auto [path, location] : cases) {
    c.send(get(path));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 301) << path;
    EXPECT_EQ(r->header("Location"), location) << path;
  }
}

TEST_F(Http, BadPatternsAreRejected) {
  goro::http::server s("127.0.0.1:0");
  auto h = [](response_writer&, const request&) {};
  EXPECT_THROW(s.handle("nope", h), goro::panic);
  EXPECT_THROW(s.handle("/x", goro::http::handler()), goro::panic);
  s.handle("/x", h);
  EXPECT_THROW(s.handle("/x", h), goro::panic);
}

// ---- malformed requests: each gets its status, then the connection closes

struct bad_case {
  const char* name;
  std::string bytes;
  int status;
};

TEST_F(Http, MalformedRequestsGetTheirStatus) {
  start(hello);
  const bad_case cases[] = {
      {"no version", "GET /hello\r\n\r\n", 400},
      {"two spaces", "GET  /hello HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"bad version text", "GET /hello HTTP/1.x\r\nHost: t\r\n\r\n", 400},
      {"lowercase http", "GET /hello http/1.1\r\nHost: t\r\n\r\n", 400},
      {"bad method char", "G(T /hello HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"control char in target", "GET /hel\x01lo HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"non-ascii target", "GET /h\xC3\xA9 HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"bad escape", "GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"authority form", "GET example.com:80 HTTP/1.1\r\nHost: t\r\n\r\n", 400},
      {"bare LF", "GET /hello HTTP/1.1\nHost: t\n\n", 400},
      {"bare CR", "GET /hello HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", 400},
      {"CR without LF ends head", "GET /hello HTTP/1.1\r\nHost: t\r\n\rX", 400},
      {"obs-fold", "GET /hello HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400},
      {"space before colon", "GET /hello HTTP/1.1\r\nHost : t\r\n\r\n", 400},
      {"leading space smuggle", "POST /hello HTTP/1.1\r\nHost: t\r\n Content-Length: 3\r\n\r\nabc",
       400},
      {"no colon", "GET /hello HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n", 400},
      {"NUL in value", std::string("GET /hello HTTP/1.1\r\nHost: t\r\nX: a\0b\r\n\r\n", 40), 400},
      {"missing host", "GET /hello HTTP/1.1\r\n\r\n", 400},
      {"two hosts", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"bad length", "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 3x\r\n\r\nabc", 400},
      {"negative length", "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400},
      {"conflicting lengths",
       "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
       400},
      {"TE and CL",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n",
       400},
      {"chunked not last",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
      {"TE in HTTP/1.0", "POST /hello HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       400},
      {"bad chunk size",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400},
      {"chunk data without CRLF",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n",
       400},
      {"chunk size with bare CR",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n0\r\n\r\n",
       400},
      {"huge chunk size",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
       "fffffffffffffffffff\r\n",
       400},
      {"bad trailer",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad "
       "Trailer\r\n\r\n",
       400},
      {"unknown coding",
       "POST /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"HTTP/2.0", "GET /hello HTTP/2.0\r\nHost: t\r\n\r\n", 505},
      {"HTTP/0.9 spelled out", "GET /hello HTTP/0.9\r\n\r\n", 505},
      {"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
      {"unknown expectation", "GET /hello HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n", 417},
  };
  for (const bad_case& bc : cases) {
    SCOPED_TRACE(bc.name);
    response r = answer_then_close(bc.bytes);
    EXPECT_EQ(r.status, bc.status);
    EXPECT_EQ(r.header("Connection"), "close");
  }
}

TEST_F(Http, LimitsGet413And414And431) {
  auto o = default_options();
  o.max_header_bytes = 4096;
  o.max_line_bytes = 1024;
  o.max_headers = 10;
  o.max_body_bytes = 1000;
  start(o, [](goro::http::server& s) {
    s.handle("/", [](response_writer& w, const request& r) { w.write(r.body()); });
  });
  std::string ten_fields;
  for (int i = 0; i < 10; ++i)
    ten_fields += "X-" + std::to_string(i) + ": v\r\n";
  const bad_case cases[] = {
      {"request line too long", "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n",
       414},
      {"header line too long", get("/", "X-Long: " + std::string(2000, 'v') + "\r\n"), 431},
      {"headers too large",
       get("/",
           [] {
             std::string f;
             for (int i = 0; i < 8; ++i)
               f += "X-" + std::to_string(i) + ": " + std::string(900, 'v') + "\r\n";
             return f;
           }()),
       431},
      {"too many headers", get("/", ten_fields + "X-Eleventh: v\r\n"), 431},
      {"body too large", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", 413},
      {"chunked body too large",
       "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
       "1f4\r\n" +
           std::string(500, 'a') + "\r\n1f5\r\n",
       413},
      {"chunk line too long",
       "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;" +
           std::string(1100, 'e') + "\r\n",
       400},
      {"trailers too many",
       "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + ten_fields +
           "X-Eleventh: v\r\n\r\n",
       431},
  };
  for (const bad_case& bc : cases) {
    SCOPED_TRACE(bc.name);
    response r = answer_then_close(bc.bytes);
    EXPECT_EQ(r.status, bc.status);
  }
  // Exactly at the limits is fine: 10 fields (Host, 8 more, Content-Length).
  raw_conn c(port_);
  c.send("POST / HTTP/1.1\r\nHost: t\r\n" + ten_fields.substr(0, ten_fields.size() - 16) +
         "Content-Length: 1000\r\n\r\n" + std::string(1000, 'z'));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), 1000u);
}

TEST_F(Http, OversizedHeadersAreAnsweredBeforeTheyEnd) {
  auto o = default_options();
  o.max_header_bytes = 4096;
  start(o, hello);
  // The client never ends its headers: the answer comes once the limit is
  // certain, without waiting for the rest.
  raw_conn c(port_);
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\n");
  for (int i = 0; i < 10; ++i)
    c.send("X-Filler-" + std::to_string(i) + ": " + std::string(500, 'f') + "\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.closed_by_peer());
}

// ---- slow clients

TEST_F(Http, SlowHeadersGet408) {
  auto o = default_options();
  o.read_timeout = 200ms;
  start(o, hello);
  raw_conn c(port_);
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\n"); // and never the blank line
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(Http, SlowBodyGets408) {
  auto o = default_options();
  o.read_timeout = 200ms;
  start(o, hello);
  raw_conn c(port_);
  c.send("POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"); // 7 bytes short
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(Http, SilentConnectionIsClosedWithoutAnAnswer) {
  auto o = default_options();
  o.read_timeout = 200ms;
  start(o, hello);
  raw_conn c(port_);
  EXPECT_EQ(c.read_to_eof(), ""); // never sent a byte: nothing to answer
}

TEST_F(Http, IdleKeepAliveConnectionIsClosedSilently) {
  auto o = default_options();
  o.idle_timeout = 200ms;
  start(o, hello);
  raw_conn c(port_);
  c.send(get("/hello?name=i"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(c.read_to_eof(), "");
}

TEST_F(Http, ClientThatDoesNotReadHitsTheWriteTimeout) {
  auto o = default_options();
  o.write_timeout = 200ms;
  std::atomic<bool> short_write{false};
  std::atomic<bool> canceled{false};
  start(o, [&](goro::http::server& s) {
    s.handle("/flood", [&](response_writer& w, const request& r) {
      std::string chunk(64 * 1024, 'f');
      const goro::context& ctx = r.context();
      for (int i = 0; i < 100000; ++i) // 6.4 GB: more than any socket buffer
        if (w.write(chunk) != chunk.size()) {
          short_write = true;
          break;
        }
      canceled = static_cast<bool>(ctx.err());
    });
  });
  raw_conn c(port_);
  int small = 4096;
  ::setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  c.send(get("/flood"));
  // Never read: the server gives up on its own and closes.
  ASSERT_TRUE(eventually([&] { return short_write.load(); }));
  EXPECT_TRUE(eventually([&] { return canceled.load(); }));
}

// ---- too many connections

TEST_F(Http, ConnectionsBeyondTheLimitGet503) {
  auto o = default_options();
  o.max_connections = 2;
  start(o, hello);
  raw_conn a(port_), b(port_);
  a.send(get("/hello?name=a"));
  b.send(get("/hello?name=b"));
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(b.read_response()); // both admitted and still open
  response r = answer_then_close(get("/hello?name=c"));
  EXPECT_EQ(r.status, 503);
  // Once a closes, its slot is free again.
  a.send(get("/hello?name=a", "Connection: close\r\n"));
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(a.closed_by_peer());
  raw_conn d(port_);
  d.send(get("/hello?name=d"));
  auto ok = d.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "hello, d");
}

// ---- request contexts

TEST_F(Http, ContextIsCanceledWhenTheClientDisconnects) {
  auto started = goro::make_chan<goro::unit>(1);
  auto result = goro::make_chan<std::string>(1);
  start([&](goro::http::server& s) {
    s.handle("/wait", [&](response_writer& w, const request& r) {
      const goro::context& ctx = r.context();
      started.send({});
      bool done = false;
      goro::select(goro::on_recv(ctx.done(), [&](auto) { done = true; }),
                   goro::on_recv(goro::after(60s), [](auto) {}));
      result.send(done ? ctx.err().message() : "not canceled");
      w.write("unreachable");
    });
  });
  {
    raw_conn c(port_);
    c.send(get("/wait"));
    started.recv();
  } // the client hangs up
  EXPECT_EQ(result.recv().value_or(""), "context canceled");
}

TEST_F(Http, ContextIsCanceledWhenTheHandlerReturns) {
  auto result = goro::make_chan<std::string>(1);
  start([&](goro::http::server& s) {
    s.handle("/bg", [&](response_writer& w, const request& r) {
      goro::go([ctx = r.context(), result] {
        ctx.done().recv();
        result.send(ctx.err().message());
      });
      w.write("done");
    });
  });
  raw_conn c(port_);
  c.send(get("/bg"));
  ASSERT_TRUE(c.read_response());
  EXPECT_EQ(result.recv().value_or(""), "context canceled");
}

TEST_F(Http, PipelinedRequestsKeepTheirContextsUncanceled) {
  auto errs = goro::make_chan<std::string>(2);
  start([&](goro::http::server& s) {
    s.handle("/p", [&](response_writer& w, const request& r) {
      errs.send(r.context().err().message());
      w.write("p");
    });
  });
  raw_conn c(port_);
  c.send(get("/p") + get("/p"));
  ASSERT_TRUE(c.read_response());
  ASSERT_TRUE(c.read_response());
  EXPECT_EQ(errs.recv().value_or("x"), "");
  EXPECT_EQ(errs.recv().value_or("x"), "");
}

// ---- response_writer after the handler returned

TEST_F(Http, WritesAfterTheHandlerReturnedAreDropped) {
  auto late = goro::make_chan<std::size_t>(4);
  start([&](goro::http::server& s) {
    s.handle("/late", [&](response_writer& w, const request& r) {
      response_writer copy = w;
      goro::go([&w, copy, ctx = r.context(), late]() mutable {
        ctx.done().recv(); // canceled when the handler returns
        late.send(w.write("late through a reference"));
        late.send(copy.write("late through a copy"));
        w.write_header(500);
        w.headers().set("X-Late", "1");
        w.flush();
        late.send(w.write("again"));
      });
      w.write("on time");
    });
  });
  raw_conn c(port_);
  c.send(get("/late"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "on time");
  EXPECT_EQ(late.recv().value_or(1), 0u);
  EXPECT_EQ(late.recv().value_or(1), 0u);
  EXPECT_EQ(late.recv().value_or(1), 0u);
  // The next response on the same connection is untouched.
  c.send(get("/late"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "on time");
  EXPECT_FALSE(r->has_header("X-Late"));
  for (int i = 0; i < 3; ++i)
    late.recv();
}

TEST_F(Http, ConcurrentWritesWhileTheHandlerRunsAreSerialized) {
  start([](goro::http::server& s) {
    s.handle("/par", [](response_writer& w, const request&) {
      goro::wait_group wg;
      for (int g = 0; g < 8; ++g) {
        wg.add(1);
        goro::go([&, g] {
          for (int i = 0; i < 200; ++i)
            w.write(std::string(100, static_cast<char>('a' + g)));
          wg.done();
        });
      }
      wg.wait();
    });
  });
  raw_conn c(port_);
  c.send(get("/par"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->body.size(), 8u * 200 * 100);
  for (std::size_t i = 0; i < r->body.size(); i += 100) // whole writes, never interleaved
    EXPECT_EQ(r->body.substr(i, 100), std::string(100, r->body[i]));
}

// ---- shutdown

TEST_F(Http, ShutdownLetsInFlightRequestsFinish) {
  auto entered = goro::make_chan<goro::unit>(1);
  auto release = goro::make_chan<goro::unit>();
  start([&](goro::http::server& s) {
    s.handle("/slow", [&](response_writer& w, const request&) {
      entered.send({});
      release.recv();
      w.write("finished");
    });
    hello(s);
  });
  raw_conn busy(port_), idle(port_);
  idle.send(get("/hello?name=idle"));
  ASSERT_TRUE(idle.read_response());
  busy.send(get("/slow"));
  entered.recv();

  auto shut = goro::make_chan<std::string>(1);
  goro::go([&] {
    auto [ctx, cancel] = goro::with_timeout(goro::background(), 60s);
    shut.send(srv_->shutdown(ctx).message());
    cancel();
  });
  EXPECT_TRUE(idle.closed_by_peer()); // idle connections close at once
  // New connections are refused once the listener is closed.
  EXPECT_TRUE(eventually([&] { return !raw_conn(port_).connected(); }));
  release.send({});
  auto r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "finished");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(busy.closed_by_peer());
  EXPECT_EQ(shut.recv().value_or("x"), "");
}

TEST_F(Http, ShutdownPastItsDeadlineCancelsRequests) {
  auto entered = goro::make_chan<goro::unit>(1);
  auto seen = goro::make_chan<std::string>(1);
  start([&](goro::http::server& s) {
    s.handle("/forever", [&](response_writer&, const request& r) {
      entered.send({});
      r.context().done().recv(); // until someone gives up on us
      seen.send(r.context().err().message());
    });
  });
  raw_conn c(port_);
  c.send(get("/forever"));
  entered.recv();
  auto [ctx, cancel] = goro::with_cancel(goro::background());
  cancel(); // the grace period is over before it began
  EXPECT_EQ(srv_->shutdown(ctx), goro::errc::canceled);
  EXPECT_EQ(seen.recv().value_or(""), "context canceled");
  c.read_to_eof(); // whatever the handler managed to send, then the close
}

TEST_F(Http, ListenReportsABusyPort) {
  start(hello);
  goro::http::server other("127.0.0.1:" + std::to_string(port_));
  goro::error err = other.listen();
  EXPECT_EQ(err.message(),
            "listen tcp 127.0.0.1:" + std::to_string(port_) + ": bind: Address already in use");
  goro::http::server bad("127.0.0.1:http");
  EXPECT_NE(bad.listen().message().find("invalid port"), std::string::npos);
  goro::http::server not_listening("127.0.0.1:0");
  EXPECT_EQ(not_listening.serve().message(), "http: serve() before listen()");
}

} // namespace
