// http/response.cpp — header, request accessors, response_writer, and the
// retired-exchange quarantine (see server_impl.hpp for the lifetime rules).
//
// A response goes out in one of three framings, decided when its head is
// sent: Content-Length (declared by the handler, or computed when the whole
// body was still buffered as the handler returned), chunked (HTTP/1.1, the
// body outgrew the buffer or was flushed), or until close (HTTP/1.0). The
// head is built when the status is written, so later header changes have no
// effect (as in Go), and goes out with the first body bytes.
//
// Invariant: every field of response_impl is used under mu until retirement,
// and after it only by the connection goroutine; a late caller looks at
// `retired`, `reported` and late_headers only.
#include <algorithm>
#include <cstdio>
#include <ctime>

#include "../hooks.hpp"
#include "../sched.hpp"
#include "../tsan.hpp"
#include "goro/error.hpp"
#include "server_impl.hpp"

namespace goro::http {

// ---- request

std::string_view request::method() const {
  return impl_->head.method;
}
std::string_view request::path() const {
  return impl_->head.path;
}
std::string_view request::target() const {
  return impl_->head.target;
}
std::string request::query(std::string_view key) const {
  return goro::detail::query_value(impl_->head.query, key);
}
const http::header& request::headers() const {
  return impl_->head.headers;
}
std::string_view request::body() const {
  return impl_->body;
}
const goro::context& request::context() const {
  return impl_->context();
}

} // namespace goro::http

namespace goro::detail {
namespace {

constexpr std::size_t first_flush_bytes = 32 * 1024; // buffered before a response turns chunked
constexpr std::size_t flush_bytes = 16 * 1024;       // chunk size after that

bool body_allowed(int status) noexcept {
  return status >= 200 && status != 204 && status != 304;
}

bool valid_field_name(std::string_view s) noexcept {
  if (s.empty())
    return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f || c == ':' || c == '(' || c == ')' || c == ',' || c == '/' ||
        c == ';' || c == '<' || c == '=' || c == '>' || c == '?' || c == '@' || c == '[' ||
        c == '\\' || c == ']' || c == '{' || c == '}' || c == '"')
      return false;
  return true;
}

// Appends "Key: value\r\n"; CR, LF and NUL in values become spaces (as in
// Go), so a handler cannot inject header lines or split the response.
void append_field(std::string& out, std::string_view key, std::string_view value) {
  out.append(key);
  out.append(": ");
  for (char c : value)
    out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
  out.append("\r\n");
}

// The status line and the handler's fields, minus those the server writes
// itself (framing, Connection). Records a declared Content-Length and a
// "Connection: close".
void build_head(response_impl& r, int status, std::string& head) {
  const http::header& fields = r.headers;
  head.append(r.minor >= 1 ? "HTTP/1.1 " : "HTTP/1.0 ");
  head.append(std::to_string(status));
  head += ' ';
  head.append(status_text(status));
  head.append("\r\n");
  bool have_date = false;
  for (const auto& [key, value] : fields.fields()) {
    if (!valid_field_name(key))
      continue;
    if (equal_fold(key, "Content-Length")) {
      bool digits =
          !value.empty() && value.size() < 19 &&
          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (digits && !r.has_length && body_allowed(status)) {
        std::uint64_t n = 0;
        for (char c : value)
          n = n * 10 + static_cast<std::uint64_t>(c - '0');
        r.has_length = true;
        r.length = n;
      }
      continue;
    }
    if (equal_fold(key, "Transfer-Encoding"))
      continue;
    if (equal_fold(key, "Connection")) {
      if (status >= 200 && value.find("close") != std::string::npos)
        r.close_after = true;
      continue;
    }
    if (equal_fold(key, "Date"))
      have_date = true;
    append_field(head, key, value);
  }
  if (!have_date)
    append_field(head, "Date", http_date());
}

// The client cannot get this response: later writes are dropped, the
// connection closes, and the request's context is canceled.
void mark_broken(response_impl& r) {
  r.broken = true;
  r.close_after = true;
  conn_broken(r.conn);
  r.request->cancel_if_made();
}

// Sends the pending body bytes and `extra` (after the head, if not sent yet).
// `final`: the handler returned: compute the length if the whole body is
// still here, end a chunked body. Returns false when the connection failed.
bool flush_locked(response_impl& r, std::string_view extra, bool final) {
  if (r.broken)
    return false;
  std::string_view body = r.out;
  bool send_body = body_allowed(r.status) && !r.head_request;
  std::string head;
  if (!r.head_sent) {
    if (!r.has_length && body_allowed(r.status)) {
      if (final) {
        r.has_length = true;
        r.length = r.written;
      } else if (r.minor >= 1) {
        r.chunked = true;
      } else {
        r.close_after = true; // HTTP/1.0: the body ends when the connection does
      }
    }
    head = std::move(r.head);
    if (r.has_length)
      append_field(head, "Content-Length", std::to_string(r.length));
    else if (r.chunked)
      head.append("Transfer-Encoding: chunked\r\n");
    bool keep = !r.close_after && conn_keep_alive(r.conn);
    if (!keep) {
      r.close_after = true;
      head.append("Connection: close\r\n");
    } else if (r.minor == 0) {
      head.append("Connection: keep-alive\r\n");
    }
    head.append("\r\n");
    r.head_sent = true;
  }
  char chunk_head[24] = "";
  std::string_view tail;
  std::size_t n = send_body ? body.size() + extra.size() : 0;
  if (!send_body) {
    body = extra = {};
  } else if (r.chunked && n > 0) {
    std::snprintf(chunk_head, sizeof chunk_head, "%zx\r\n", n);
    tail = final ? "\r\n0\r\n\r\n" : "\r\n";
  } else if (r.chunked && final) {
    tail = "0\r\n\r\n";
  }
  io_result res = conn_write(r.conn, {head, chunk_head, body, extra, tail}, r.write_deadline);
  r.out.clear();
  if (res.status != io_status::ok) {
    mark_broken(r);
    return false;
  }
  return true;
}

void start_status(response_impl& r, int status) {
  r.status = status;
  build_head(r, status, r.head);
}

// mu is a goro mutex taken through the runtime's core calls, which tell
// ThreadSanitizer nothing: lock() and unlock() say it themselves (unlock ->
// lock, as goro::mutex does), so what one goroutine did with the writer
// happens before the next holder's use of it, and the last use before the
// connection goroutine retires and finishes the response.
void unlock(response_impl& r) noexcept {
  tsan_release(&r.mu);
  mutex_unlock(&r.mu);
}

// A use of a retired writer: dropped; the debug runtime reports the first.
void late_use(response_impl& r, const char* operation, const std::source_location& where) {
  bool first = !r.reported;
  r.reported = true;
  unlock(r);
  if (first && r.handler != nullptr)
    on_response_after_return_hook(&r.writer, operation, where, r.handler->registered,
                                  r.handler->pattern.c_str());
}

void lock(response_impl& r) {
  mutex_lock(&r.mu, __builtin_return_address(0), &r.writer);
  tsan_acquire(&r.mu);
}

} // namespace

const char* status_text(int status) noexcept {
  switch (status) {
  case 100:
    return "Continue";
  case 101:
    return "Switching Protocols";
  case 102:
    return "Processing";
  case 103:
    return "Early Hints";
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 203:
    return "Non-Authoritative Information";
  case 204:
    return "No Content";
  case 205:
    return "Reset Content";
  case 206:
    return "Partial Content";
  case 300:
    return "Multiple Choices";
  case 301:
    return "Moved Permanently";
  case 302:
    return "Found";
  case 303:
    return "See Other";
  case 304:
    return "Not Modified";
  case 307:
    return "Temporary Redirect";
  case 308:
    return "Permanent Redirect";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 406:
    return "Not Acceptable";
  case 408:
    return "Request Timeout";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 411:
    return "Length Required";
  case 412:
    return "Precondition Failed";
  case 413:
    return "Content Too Large";
  case 414:
    return "URI Too Long";
  case 415:
    return "Unsupported Media Type";
  case 417:
    return "Expectation Failed";
  case 422:
    return "Unprocessable Content";
  case 425:
    return "Too Early";
  case 426:
    return "Upgrade Required";
  case 428:
    return "Precondition Required";
  case 429:
    return "Too Many Requests";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  case 505:
    return "HTTP Version Not Supported";
  default:
    return "Status";
  }
}

std::string_view http_date() {
  struct cache {
    std::time_t second = -1;
    char text[40] = "";
  };
  thread_local cache c; // per worker: no lock, refreshed once a second
  std::time_t now = std::time(nullptr);
  if (now != c.second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(c.text, sizeof c.text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    c.second = now;
  }
  return c.text;
}

void retire_response(response_impl& r) {
  lock(r);
  r.retired = true;
  unlock(r);
}

void internal_error_response(response_impl& r) {
  lock(r);
  if (!r.head_sent) {
    r.headers = http::header{};
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.head.clear();
    r.has_length = false;
    r.chunked = false;
    start_status(r, 500);
    r.out = "500 Internal Server Error\n";
    r.written = r.out.size();
  }
  r.close_after = true;
  unlock(r);
}

void finish_response(response_impl& r) {
  // Retired: only the connection goroutine is here, but flush_locked's
  // contract is "under mu", and a late writer may hold mu for a moment.
  lock(r);
  if (r.status == 0)
    start_status(r, 200);
  if (!r.broken)
    flush_locked(r, {}, true);
  if (r.has_length && r.written < r.length)
    r.close_after = true; // the client waits for bytes that will never come
  unlock(r);
}

// ---- quarantine

namespace {

// Retired exchanges, oldest first. 16384 retired exchanges without their
// buffers are a few MiB at most.
constexpr std::size_t quarantine_size = 16384;

struct quarantine_ring {
  spin_lock lock;
  exchange* slots[quarantine_size] = {};
  std::size_t next = 0;
};

quarantine_ring& the_ring() {
  static auto* q = new quarantine_ring; // never destroyed: late writes may come during exit
  return *q;
}

} // namespace

void quarantine(exchange* x) {
  // The retiring goroutine's last uses of x happen before whoever pushes it
  // out of the ring frees it (the ring's lock orders them; TSan does not see
  // it).
  tsan_release(x);
  quarantine_ring& q = the_ring();
  q.lock.lock();
  exchange* oldest = q.slots[q.next];
  q.slots[q.next] = x;
  q.next = (q.next + 1) % quarantine_size;
  q.lock.unlock();
  if (oldest != nullptr)
    tsan_acquire(oldest);
  delete oldest;
}

} // namespace goro::detail

namespace goro::http {

using goro::detail::first_flush_bytes;
using goro::detail::flush_bytes;

http::header& response_writer::headers(std::source_location where) {
  detail::response_impl& r = *impl_;
  goro::detail::lock(r);
  if (r.retired) {
    goro::detail::late_use(r, "headers", where);
    return r.late_headers;
  }
  goro::detail::unlock(r);
  return r.headers;
}

void response_writer::write_header(int status, std::source_location where) {
  detail::response_impl& r = *impl_;
  goro::detail::lock(r);
  if (r.retired)
    return goro::detail::late_use(r, "write_header", where);
  if (status < 100 || status > 999) {
    goro::detail::unlock(r);
    throw goro::panic("http: invalid write_header status " + std::to_string(status));
  }
  if (r.status != 0) {
    goro::detail::unlock(r); // superfluous: ignored, as in Go
    return;
  }
  if (status < 200) {
    // Informational: sent now with the current fields; the final status is
    // still to come. HTTP/1.0 clients do not understand 1xx.
    if (r.minor >= 1 && !r.broken) {
      std::string head;
      goro::detail::build_head(r, status, head);
      head.append("\r\n");
      goro::detail::io_result res = goro::detail::conn_write(r.conn, {head}, r.write_deadline);
      if (res.status != goro::detail::io_status::ok)
        goro::detail::mark_broken(r);
    }
    goro::detail::unlock(r);
    return;
  }
  goro::detail::start_status(r, status);
  goro::detail::unlock(r);
}

std::size_t response_writer::write(std::string_view bytes, std::source_location where) {
  detail::response_impl& r = *impl_;
  goro::detail::lock(r);
  if (r.retired) {
    goro::detail::late_use(r, "write", where);
    return 0;
  }
  if (r.status == 0)
    goro::detail::start_status(r, 200);
  if (!goro::detail::body_allowed(r.status) || r.broken) {
    goro::detail::unlock(r);
    return 0;
  }
  if (r.has_length)
    bytes = bytes.substr(
        0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), r.length - r.written)));
  r.written += bytes.size();
  if (!r.head_request) {
    std::size_t limit = r.head_sent ? flush_bytes : first_flush_bytes;
    if (r.out.size() + bytes.size() < limit)
      r.out.append(bytes);
    else if (!goro::detail::flush_locked(r, bytes, false))
      bytes = {};
  }
  goro::detail::unlock(r);
  return bytes.size();
}

void response_writer::flush(std::source_location where) {
  detail::response_impl& r = *impl_;
  goro::detail::lock(r);
  if (r.retired)
    return goro::detail::late_use(r, "flush", where);
  if (r.status == 0)
    goro::detail::start_status(r, 200);
  if (!r.head_sent || !r.out.empty())
    goro::detail::flush_locked(r, {}, false);
  goro::detail::unlock(r);
}

void write_error(response_writer& w, std::string_view message, int status) {
  http::header& h = w.headers();
  h.del("Content-Length");
  h.set("Content-Type", "text/plain; charset=utf-8");
  h.set("X-Content-Type-Options", "nosniff");
  w.write_header(status);
  std::string body(message);
  body += '\n';
  w.write(body);
}

} // namespace goro::http
