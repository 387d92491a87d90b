// goro/http.hpp — an HTTP/1.1 server whose handlers each run in their own
// goroutine, as net/http does.
//
//   goro::http::server srv("127.0.0.1:8080");
//   srv.handle("/hello", [](goro::http::response_writer& w, const goro::http::request& r) {
//     w.headers().set("Content-Type", "text/plain");
//     w.write("hello, " + r.query("name") + "\n");
//   });
//   srv.listen_and_serve(); // until shutdown()
//
// Each connection is served by its own goroutine, which runs the handlers of
// its requests one after the other (keep-alive, pipelining); handlers of
// different connections run in parallel. The response_writer and request
// passed to a handler are valid only until the handler returns. Background
// work that outlives the handler must not touch them
// (goro-response-after-return finds that statically; at run time a late
// write is dropped, and the debug runtime reports it). docs/http.md has the
// limits, timeouts and status codes.
#pragma once

#include <cstddef>
#include <functional>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "goro/context.hpp"
#include "goro/error.hpp"
#include "goro/types.hpp"

namespace goro::http {

namespace detail {
struct request_impl;
struct response_impl;
struct server_impl;
} // namespace detail

// Header fields. Keys compare case-insensitively; order is kept.
class header {
public:
  void set(std::string key, std::string value); // replaces every field named key
  void add(std::string key, std::string value); // appends another field named key
  std::string get(std::string_view key) const;  // the first value; "" when absent
  void del(std::string_view key);
  const std::vector<std::pair<std::string, std::string>>& fields() const noexcept {
    return fields_;
  }

private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

class request {
public:
  std::string_view method() const;
  // The target's path, percent-decoded ("/users/42"); "*" for `OPTIONS *`.
  std::string_view path() const;
  // The target as sent, escapes and query included ("/users/42?full=1").
  std::string_view target() const;
  std::string query(std::string_view key) const; // URL query parameter; "" when absent
  const http::header& headers() const;
  // The whole body (Content-Length or chunked), read before the handler runs.
  std::string_view body() const;
  // Canceled when the client goes away (its connection closed or failed),
  // when the handler returns (as in Go), or when the server stops for good
  // (shutdown's context expired, or ~server). Made on first use; using it
  // starts watching the connection for a disconnect.
  const goro::context& context() const;

private:
  friend struct detail::request_impl;
  explicit request(detail::request_impl* impl) noexcept : impl_(impl) {}
  detail::request_impl* impl_;
};

// http.ResponseWriter. Not copyable into a goroutine that outlives the
// handler (see the file comment). Calls from several goroutines while the
// handler runs are serialized. `where` names the call site in the debug
// runtime's report of a use after the handler returned.
class response_writer {
public:
  // The response's header fields; changes after the head was sent (first
  // write beyond the buffer, flush(), or the handler's return) have no effect.
  http::header& headers(std::source_location where = std::source_location::current());
  // Sends the status (100-999; otherwise throws goro::panic). Later calls are
  // ignored; 1xx statuses are sent at once as informational responses.
  void write_header(int status, std::source_location where = std::source_location::current());
  // Appends to the body (write_header(200) first if no status was written);
  // returns how many bytes were accepted: 0 after the handler returned, on a
  // broken connection, or for a status without a body (204, 304); at most
  // what is left of a declared Content-Length. Blocks (parks) while the
  // client is slow to read, up to the write timeout.
  std::size_t write(std::string_view bytes,
                    std::source_location where = std::source_location::current());
  // Sends what is buffered now (http.Flusher): a response without a
  // Content-Length is then sent chunked (HTTP/1.1) or until close (HTTP/1.0).
  void flush(std::source_location where = std::source_location::current());

private:
  friend struct detail::response_impl;
  explicit response_writer(detail::response_impl* impl) noexcept : impl_(impl) {}
  detail::response_impl* impl_;
};

using handler = std::function<void(response_writer&, const request&)>;

// http.Error: sets Content-Type text/plain (and X-Content-Type-Options:
// nosniff), drops Content-Length, writes status, then message and a newline.
void write_error(response_writer& w, std::string_view message, int status);

struct server_options {
  std::size_t max_header_bytes = std::size_t{64} * 1024;     // request line + headers; larger: 431
  std::size_t max_headers = 100;                             // more: 431
  std::size_t max_body_bytes = std::size_t{8} * 1024 * 1024; // larger: 413
  // Whole request, headers and body (from its first byte; for a new
  // connection, from accept). Exceeded with part of a request read: 408.
  goro::duration read_timeout = std::chrono::seconds(30);
  // From the end of the request to the end of the response; exceeded, the
  // connection is closed and the request's context canceled.
  goro::duration write_timeout = std::chrono::seconds(30);
  // Keep-alive: wait for the next request this long, then close silently.
  goro::duration idle_timeout = std::chrono::seconds(120);
  // Connections served at once; more are answered 503 and closed.
  std::size_t max_connections = 10000;
  // One request line (414), header line (431) or chunk-size line (400),
  // without its CRLF.
  std::size_t max_line_bytes = std::size_t{8} * 1024;
};

class server {
public:
  explicit server(std::string address = "127.0.0.1:8080",
                  server_options options = {}); // port 0: any free port
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  // Stops the server for good (as shutdown with an expired context) and waits
  // until every connection goroutine and serve() have returned.
  ~server();
  // ServeMux-style: `pattern` is an exact path ("/users") or a subtree
  // ending in '/' ("/static/"); the longest match wins; "/" matches
  // everything else. A request for "/static" is redirected (301) to
  // "/static/" when only the subtree is registered, and an unclean path
  // ("/a/../b", "//b") to its clean form. No match: 404. A pattern that does
  // not start with '/', an empty handler or a second registration of a
  // pattern throws goro::panic. May be called while serving. `where` is the
  // handler site in the debug runtime's response-after-return report.
  void handle(std::string pattern, handler h,
              std::source_location where = std::source_location::current());
  goro::error listen(); // binds and listens; port() is valid after it returns
  // Accepts until shutdown (after listen()): each connection gets a
  // goroutine. Returns "http: Server closed" once shutdown began, or the
  // accept error. From a plain thread, the loop runs on a goroutine and the
  // thread waits.
  goro::error serve();
  goro::error listen_and_serve(); // listen() then serve()
  int port() const;               // the bound port once listening; 0 before
  // Graceful shutdown (Go's Server.Shutdown): stops accepting, closes idle
  // connections, lets in-flight requests finish (their connections close
  // after the response), and returns once every connection is gone. If ctx
  // is done first: cancels every request's context, interrupts every
  // connection's I/O and returns ctx.err(); the destructor then waits for
  // the remaining handlers.
  goro::error shutdown(const goro::context& ctx);

private:
  detail::server_impl* impl_;
};

} // namespace goro::http
