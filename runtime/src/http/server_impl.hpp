// http/server_impl.hpp — the server's internal records, shared by server.cpp
// (connections, routing, shutdown) and response.cpp (request and
// response_writer).
//
// One exchange per request: the request and response_writer objects handed to
// the handler live inside it, with their impls. It is never reused. When the
// handler returns, the connection goroutine retires it (under the writer's
// lock: later writes are dropped, or reported by the debug runtime), frees
// its buffers, and puts it in a global FIFO quarantine; only an exchange
// pushed out of that FIFO is freed. So a late write through a reference or a
// copy of the writer meets a retired impl, never freed memory (within the
// quarantine's bound) and never another request's response.
//
// Locks: response_impl::mu (a parking mutex: held across socket writes)
// guards the response state; request_impl::ctx_lock (a spin lock) guards the
// lazily made context and the watcher flag; server_impl::lock guards the
// connection list and the server's state. Order: mu, then ctx_lock; no
// other nesting.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <unordered_map>
#include <vector>

#include "../net.hpp"
#include "../spin_lock.hpp"
#include "../sync_impl.hpp"
#include "goro/context.hpp"
#include "goro/http.hpp"
#include "parser.hpp"

namespace goro::detail {
struct http_conn;
struct handler_entry;
} // namespace goro::detail

// The impls the public classes befriend live in goro::http::detail.
namespace goro::http::detail {

using goro::detail::handler_entry;
using goro::detail::http_conn;
using goro::detail::mutex_core;
using goro::detail::request_head;
using goro::detail::spin_lock;

struct request_impl {
  explicit request_impl(request_head&& h, std::string&& b)
      : head(std::move(h)), body(std::move(b)) {}

  const goro::context& context();
  // Cancels the context if it was made (a broken connection).
  void cancel_if_made();

  http::request req{this};
  request_head head;
  std::string body;

  spin_lock ctx_lock;
  std::optional<goro::context> ctx; // made on first use
  cancel_func cancel;
  goro::context base;        // the server's: canceled when it stops for good
  http_conn* conn = nullptr; // while the handler runs; the disconnect watcher reads it
  bool retired = false;
  bool watching = false; // a watcher goroutine runs (joined at retirement)
};

struct response_impl {
  http::response_writer writer{this};
  mutex_core mu;

  // ---- guarded by mu
  bool retired = false;
  bool reported = false; // a late use was reported (once per writer)
  http::header headers;
  int status = 0;         // 0 until write_header (or the first write)
  bool head_sent = false; // the status line and headers went out
  bool chunked = false;
  bool has_length = false; // Content-Length known (declared, or computed at the end)
  std::uint64_t length = 0;
  std::uint64_t written = 0; // body bytes the handler wrote (accepted)
  bool broken = false;       // the connection failed: writes are dropped
  bool close_after = false;  // the connection closes after this response
  std::string head;          // status line and fields, built by write_header
  std::string out;           // body bytes not sent yet
  http::header late_headers; // what headers() returns after retirement

  // ---- fixed while the handler runs
  http_conn* conn = nullptr;
  request_impl* request = nullptr;
  const handler_entry* handler = nullptr;
  bool head_request = false;
  int minor = 1;
  std::int64_t write_deadline = INT64_MAX;
};

} // namespace goro::http::detail

namespace goro::detail {

using http::detail::request_impl;
using http::detail::response_impl;

struct handler_entry {
  std::string pattern;
  http::handler fn;
  std::source_location registered; // where handle() was called: the debug report's note
};

struct exchange {
  exchange(request_head&& h, std::string&& b) : rq(std::move(h), std::move(b)) {}
  request_impl rq;
  response_impl rs;
};

// Retires x's writer and request; returns with x->rs.mu released. Called by
// the connection goroutine when the handler returned.
void retire_response(response_impl& rs);
// The handler threw: a 500 if nothing was sent yet; the connection closes.
void internal_error_response(response_impl& rs);
// Sends what is left of the response (the head if not sent, the last chunk).
void finish_response(response_impl& rs);
// Puts a retired exchange in the quarantine (frees the oldest beyond it).
void quarantine(exchange* x);

// Response head helpers (response.cpp).
const char* status_text(int status) noexcept;
// "Date: ..." value for now, cached per second.
std::string_view http_date();

// The connection (server.cpp): what response.cpp needs of it.
// Writes the parts in order (one sendmsg when the socket has room).
io_result conn_write(http_conn* c, std::initializer_list<std::string_view> parts,
                     std::int64_t deadline);
bool conn_keep_alive(const http_conn* c) noexcept;
void conn_broken(http_conn* c) noexcept;
void conn_start_watch(http_conn* c, request_impl* rq);

} // namespace goro::detail
