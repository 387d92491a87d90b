// goro/http.hpp — an HTTP/1.1 server whose handlers each run in their own
// goroutine, as net/http does.
//
// The response_writer passed to a handler is valid only until the handler
// returns. Background work that outlives the handler must not touch it
// (goro-response-after-return finds that statically; the debug runtime
// reports it at run time).
#pragma once

#include <cstddef>
#include <functional>
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
  std::string_view path() const;
  std::string query(std::string_view key) const; // URL query parameter; "" when absent
  const http::header& headers() const;
  std::string_view body() const;
  const goro::context&
  context() const; // canceled when the client goes away or the server shuts down

private:
  friend struct detail::request_impl;
  explicit request(detail::request_impl* impl) noexcept : impl_(impl) {}
  detail::request_impl* impl_;
};

class response_writer {
public:
  http::header& headers();
  void write_header(int status);
  std::size_t write(std::string_view bytes);

private:
  friend struct detail::response_impl;
  explicit response_writer(detail::response_impl* impl) noexcept : impl_(impl) {}
  detail::response_impl* impl_;
};

using handler = std::function<void(response_writer&, const request&)>;

// http.Error: sets Content-Type text/plain, writes status and message.
void write_error(response_writer& w, std::string_view message, int status);

struct server_options {
  std::size_t max_header_bytes = std::size_t{64} * 1024;     // request line + headers; larger: 431
  std::size_t max_headers = 100;                // more: 431
  std::size_t max_body_bytes = std::size_t{8} * 1024 * 1024; // larger: 413
  goro::duration read_timeout = std::chrono::seconds(30);
  goro::duration write_timeout = std::chrono::seconds(30);
  goro::duration idle_timeout = std::chrono::seconds(120);
  std::size_t max_connections = 10000;
};

class server {
public:
  explicit server(std::string address = "127.0.0.1:8080",
                  server_options options = {}); // port 0: any free port
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  ~server();
  void handle(std::string pattern,
              handler h);         // ServeMux-style: exact path, or prefix ending in '/'
  goro::error listen();           // binds and listens; port() is valid after it returns
  goro::error serve();            // accepts until shutdown (after listen())
  goro::error listen_and_serve(); // listen() then serve()
  int port() const;               // the bound port once listening; 0 before
  goro::error
  shutdown(const goro::context& ctx); // stop accepting; wait for in-flight handlers or ctx

private:
  detail::server_impl* impl_;
};

} // namespace goro::http
