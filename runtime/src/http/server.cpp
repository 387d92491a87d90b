// http/server.cpp — the HTTP/1.1 server: accept loop, one goroutine per
// connection, routing, the disconnect watcher, limits and shutdown.
//
// A connection goroutine reads a request (request_decoder), runs its handler
// itself (so handlers of one connection run one after the other, as in Go),
// retires the exchange, finishes the response, and loops while keep-alive
// holds. Every failure has one answer: a malformed or oversized request gets
// its status (400, 408, 413, 414, 431, 417, 501, 505) and the connection is
// closed after a lingering close (FIN first, then the client's unread bytes
// are drained for a bounded time, so the client sees the answer instead of a
// reset); an idle timeout, an EOF or a broken socket closes silently.
//
// Disconnect watcher: while a handler runs, if its request's context was
// asked for, a watcher goroutine waits for the socket to become readable. EOF
// or an error means the client went away: the context is canceled. Pipelined
// bytes end the watch (Go does the same). The connection goroutine stops the
// watcher with netpoll_kick and joins it before it touches the socket again.
//
// ThreadSanitizer (tsan.hpp): the server's locks are invisible to TSan, as
// the runtime's are, and the edges the server promises are said where they
// are made: every connection goroutine's life happens before the server is
// seen drained (goroutine_gone -> drained_now_locked, then the drained
// channel's close), so before shutdown() returns and ~server frees the
// routes; the routes behave as Go's ServeMux's RWMutex (a registration ->
// the routing that finds it; a routing -> the next registration; routings
// not ordered among themselves, so two requests' handlers stay unordered).
// The disconnect watcher's work happens before its join; the response
// writer's mutex and the quarantine say their edges in response.cpp. The
// sockets' bytes are the runtime's (net.cpp), so a client that read a
// response is not ordered after the handler that wrote it.
//
// Server state (server_impl::lock): the list of connections with their idle
// flags, the counts of admitted connections (max_connections) and of live
// goroutines (shutdown waits for zero), shutting_down/stopped. A connection
// leaves the admitted count before its descriptor is closed, so a client that
// saw the close can count on the slot being free.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <tuple>

#include <sys/socket.h>
#include <unistd.h>

#include "../sched.hpp"
#include "../tsan.hpp"
#include "goro/go.hpp"
#include "goro/select.hpp"
#include "server_impl.hpp"

namespace goro::http::detail {

struct server_impl {
  server_impl(std::string addr, const server_options& opts)
      : address(std::move(addr)), options(opts) {
    limits.max_header_bytes = options.max_header_bytes;
    limits.max_line_bytes = options.max_line_bytes;
    limits.max_headers = options.max_headers;
    limits.max_body_bytes = options.max_body_bytes;
    std::tie(base, cancel_base) = goro::with_cancel(goro::background());
    drained = goro::make_chan<unit>();
  }

  std::string address;
  server_options options;
  goro::detail::http_limits limits;
  goro::context base; // parent of every request context; canceled when the server stops for good
  cancel_func cancel_base;

  spin_lock routes_lock;
  std::vector<std::unique_ptr<handler_entry>> entries;
  std::unordered_map<std::string, handler_entry*> exact;
  std::vector<handler_entry*> subtrees; // longest pattern first
  handler_entry not_found;
  handler_entry redirect;
  handler_entry options_star;

  goro::detail::tcp_listener listener;

  spin_lock lock; // guards everything below
  std::atomic<bool> shutting_down{false};
  bool stopped = false; // forced: request contexts canceled, I/O interrupted
  bool listening = false;
  bool serving = false;
  goro::chan<unit> serve_exit; // closed when serve() returns
  http_conn* conns = nullptr;  // every connection goroutine's record
  std::size_t admitted = 0;    // counted against max_connections
  std::size_t live = 0;        // connection and rejection goroutines
  std::size_t rejecting = 0;
  goro::chan<unit> drained; // closed once shutting down with no goroutine left
  bool drained_closed = false;
};

} // namespace goro::http::detail

namespace goro::detail {

using http::detail::server_impl;

struct http_conn {
  http_conn(server_impl* s, int fd) : srv(s), sock(fd), dec(s->limits) {}

  server_impl* srv;
  tcp_conn sock;
  request_decoder dec;
  http_conn* prev = nullptr; // in srv->conns, under srv->lock
  http_conn* next = nullptr;
  bool idle = false; // waiting for a request's first byte (srv->lock)
  bool shut = false; // shutdown closed it (srv->lock)
  bool keep_alive = true;
  std::atomic<bool> broken{false}; // the client went away or the socket failed
  std::atomic<bool> watch_stop{false};
  sema watch_done;
  std::string spare_out; // the last response's buffer, reused
};

namespace {

constexpr std::int64_t linger_ns = 2'000'000'000;      // bounded wait for a client's FIN
constexpr std::size_t linger_bytes = 1024 * 1024;      // bounded drain of unread bytes
constexpr std::size_t max_rejecting = 64;              // 503 answers in flight
constexpr std::int64_t error_write_ns = 5'000'000'000; // to send an error answer

std::int64_t deadline_after(goro::duration d) noexcept {
  std::int64_t now = now_ns();
  std::int64_t n = d.count();
  return n >= INT64_MAX - now ? INT64_MAX : now + n;
}

// ---- routing

// Go's cleanPath: path.Clean, keeping a trailing slash.
std::string clean_path(std::string_view p) {
  if (p.empty())
    return "/";
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < p.size()) {
    std::size_t j = p.find('/', i);
    if (j == std::string_view::npos)
      j = p.size();
    std::string_view seg = p.substr(i, j - i);
    if (seg == "..") {
      if (!parts.empty())
        parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view seg : parts) {
    out += '/';
    out.append(seg);
  }
  if (out.empty())
    return "/";
  std::string_view last = p.substr(p.rfind('/') + 1);
  if (p.back() == '/' || last == "." || last == "..")
    out += '/';
  return out;
}

// True when clean_path(p) != p, without building the clean path: an empty
// segment ("//"), a "." or ".." segment.
bool unclean(std::string_view p) {
  if (p.empty() || p.front() != '/')
    return true;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '/')
      continue;
    std::string_view seg = p.substr(i + 1, p.find('/', i + 1) - (i + 1));
    bool last = i + 1 + seg.size() >= p.size();
    if ((seg.empty() && !last) || seg == "." || seg == "..")
      return true;
  }
  return false;
}

// Escapes a decoded path for a Location field.
std::string escape_path(std::string_view p) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : p) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::strchr("/-._~!$&'()*+,;=:@", c) != nullptr;
    if (plain && c != 0) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

handler_entry* match(server_impl* s, const std::string& path) {
  auto it = s->exact.find(path);
  if (it != s->exact.end())
    return it->second;
  for (handler_entry* e : s->subtrees)
    if (path.compare(0, e->pattern.size(), e->pattern) == 0)
      return e;
  return nullptr;
}

// Where a request goes: a handler, or the built-in redirect / 404.
const handler_entry* route(server_impl* s, const request_head& h) {
  if (h.path == "*")
    return &s->options_star;
  if (h.method != "CONNECT" && unclean(h.path))
    return &s->redirect;
  s->routes_lock.lock();
  tsan_acquire(&s->routes_lock); // the registrations (handle)
  handler_entry* e = match(s, h.path);
  if (e == nullptr || e->pattern != h.path) {
    // Only the subtree "/p/" is registered, not "/p": redirect there (Go).
    if (h.path.back() != '/' && s->exact.count(h.path + "/") != 0)
      e = &s->redirect;
  }
  tsan_release(&s->exact); // -> the next registration only, as RUnlock -> Lock
  s->routes_lock.unlock();
  return e != nullptr ? e : &s->not_found;
}

void install_builtins(server_impl* s) {
  s->not_found.pattern = "(not found)";
  s->not_found.fn = [](http::response_writer& w, const http::request&) {
    http::write_error(w, "404 page not found", 404);
  };
  s->redirect.pattern = "(redirect)";
  s->redirect.fn = [](http::response_writer& w, const http::request& r) {
    std::string target = clean_path(r.path());
    if (target == r.path())
      target += '/';
    std::string location = escape_path(target);
    std::string_view t = r.target();
    if (std::size_t q = t.find('?'); q != std::string_view::npos)
      location.append(t.substr(q));
    w.headers().set("Location", location);
    http::write_error(w, "Moved Permanently", 301);
  };
  s->options_star.pattern = "*";
  s->options_star.fn = [](http::response_writer& w, const http::request& r) {
    if (r.method() != "OPTIONS")
      return http::write_error(w, "400 Bad Request", 400);
    w.headers().set("Content-Length", "0");
    w.write_header(200);
  };
}

// ---- server bookkeeping

bool drained_now_locked(server_impl* s) {
  if (s->drained_closed || !s->shutting_down.load() || s->live != 0)
    return false;
  s->drained_closed = true;
  tsan_acquire(&s->live); // every goroutine_gone -> the close of drained
  return true;
}

void goroutine_gone(server_impl* s) {
  tsan_release(&s->live);
  s->lock.lock();
  --s->live;
  bool close = drained_now_locked(s);
  s->lock.unlock();
  if (close)
    s->drained.close();
}

// Idle: waiting for a request's first byte; shutdown closes idle
// connections. Returns false when the connection must close now.
bool set_idle(http_conn& c, bool idle) {
  server_impl* s = c.srv;
  s->lock.lock();
  bool ok = !c.shut && !(idle && s->shutting_down.load());
  c.idle = idle && ok;
  s->lock.unlock();
  return ok;
}

void interrupt_locked(server_impl* s, bool idle_only) {
  for (http_conn* c = s->conns; c != nullptr; c = c->next) {
    if (idle_only && !c->idle)
      continue;
    c->shut = true;
    c->sock.interrupt();
  }
}

// ---- connection I/O

io_result read_some(http_conn& c, std::int64_t deadline) {
  std::size_t room = 0;
  char* p = c.dec.space(4096, room);
  io_result r = c.sock.read(p, room, deadline);
  if (r.status == io_status::ok)
    c.dec.commit(r.n);
  return r;
}

// Half-closes, then reads and drops what the client still sends until its
// FIN, an error, linger_bytes or linger_ns: closing with unread bytes would
// send a reset that can destroy the answer before the client reads it.
void linger(http_conn& c) {
  c.sock.close_write();
  std::int64_t deadline = now_ns() + linger_ns;
  std::size_t drained = 0;
  char scratch[4096];
  while (drained < linger_bytes) {
    io_result r = c.sock.read(scratch, sizeof scratch, deadline);
    if (r.status != io_status::ok)
      break;
    drained += r.n;
  }
}

std::string error_answer(int status, std::string_view detail) {
  std::string body = std::to_string(status) + " " + status_text(status);
  if (!detail.empty())
    body += std::string(": ") + std::string(detail);
  body += '\n';
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + status_text(status) +
                    "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n";
  return out + body;
}

// Answers a request the server rejected, then closes (lingering).
void fail_request(http_conn& c, int status, const char* reason) {
  c.sock.write_all(error_answer(status, reason), now_ns() + error_write_ns);
  linger(c);
}

// ---- the disconnect watcher

void watch(http_conn* c, request_impl* rq) {
  for (;;) {
    if (c->watch_stop.load(std::memory_order_acquire))
      break;
    io_result r = c->sock.wait_readable(INT64_MAX);
    if (r.status == io_status::ok)
      break; // the client sent more: it is there
    if (r.status == io_status::timeout)
      continue; // kicked: look at watch_stop
    c->broken.store(true, std::memory_order_relaxed);
    rq->cancel(); // EOF, reset, or interrupted: the client is gone
    break;
  }
  tsan_release(&c->watch_done); // the watcher's work -> the join (run_request)
  c->watch_done.release();
}

// ---- one request

void log_handler_exception(const request_impl& rq, const handler_entry* h, const char* what) {
  std::fprintf(stderr, "goro: http: handler for \"%s\" (%s %s) threw: %s\n", h->pattern.c_str(),
               rq.head.method.c_str(), rq.head.target.c_str(), what);
}

// Runs the handler of the request the decoder holds; returns whether the
// connection stays open for another request.
bool run_request(http_conn& c) {
  server_impl* s = c.srv;
  auto* x = new exchange(std::move(c.dec.head()), std::move(c.dec.body()));
  request_impl& rq = x->rq;
  response_impl& rs = x->rs;
  rq.base = s->base;
  rq.conn = &c;
  rs.conn = &c;
  rs.request = &rq;
  rs.head_request = rq.head.method == "HEAD";
  rs.minor = rq.head.minor;
  rs.write_deadline = deadline_after(s->options.write_timeout);
  rs.out = std::move(c.spare_out);
  rs.out.clear();
  c.keep_alive = rq.head.keep_alive;

  const handler_entry* h = route(s, rq.head);
  rs.handler = h;
  bool threw = false;
  try {
    h->fn(rs.writer, rq.req);
  } catch (const std::exception& e) {
    log_handler_exception(rq, h, e.what());
    threw = true;
  } catch (...) {
    log_handler_exception(rq, h, "an exception not derived from std::exception");
    threw = true;
  }

  // Retire: from here on, uses of the writer are dropped (or reported).
  retire_response(rs);
  rq.ctx_lock.lock();
  rq.retired = true;
  rq.conn = nullptr;
  bool watching = rq.watching;
  bool has_ctx = rq.ctx.has_value();
  rq.ctx_lock.unlock();
  if (watching) {
    c.watch_stop.store(true, std::memory_order_release);
    c.sock.kick_read();
    c.watch_done.acquire(wait_site{"http: stopping the disconnect watcher", nullptr, nullptr,
                                   wait_kind::wait_group, &c.watch_done});
    tsan_acquire(&c.watch_done);
    c.watch_stop.store(false, std::memory_order_relaxed);
  }
  if (has_ctx)
    rq.cancel(); // Go cancels the request's context when the handler returns

  if (threw)
    internal_error_response(rs);
  finish_response(rs);
  bool keep = !rs.close_after && !rs.broken && conn_keep_alive(&c);

  // Keep the buffers for the next request; free the rest before the
  // exchange goes into quarantine.
  // Small ones only: an idle keep-alive connection should not pin memory.
  if (rs.out.capacity() <= 8 * 1024)
    c.spare_out = std::move(rs.out);
  std::string body = std::move(rq.body);
  if (body.capacity() > 8 * 1024)
    body = std::string();
  rq.head = request_head{};
  rq.body = std::string();
  rs.headers = http::header{};
  rs.head = std::string();
  rs.out = std::string();
  rs.conn = nullptr;
  quarantine(x);
  c.dec.next_message(std::move(body));
  return keep;
}

// Reads until the decoder reports something other than need_more.
request_decoder::event read_until_event(http_conn& c, std::int64_t deadline, bool& gone) {
  request_decoder::event ev = c.dec.advance();
  while (ev == request_decoder::event::need_more) {
    io_result r = read_some(c, deadline);
    if (r.status == io_status::timeout) {
      fail_request(c, 408, "request not received in time");
      gone = true;
      return ev;
    }
    if (r.status != io_status::ok) {
      gone = true; // EOF mid-request, a reset, or shutdown: nobody to answer
      return ev;
    }
    ev = c.dec.advance();
  }
  return ev;
}

void serve_requests(http_conn& c) {
  server_impl* s = c.srv;
  std::int64_t first_deadline = deadline_after(s->options.read_timeout);
  bool first = true;
  for (;;) {
    if (!c.dec.in_message()) {
      if (!set_idle(c, true))
        return;
      io_result r = read_some(c, first ? first_deadline : deadline_after(s->options.idle_timeout));
      if (!set_idle(c, false) || r.status != io_status::ok)
        return; // shutdown, the client left, or idle too long: close silently
    }
    std::int64_t deadline = first ? first_deadline : deadline_after(s->options.read_timeout);
    bool gone = false;
    request_decoder::event ev = read_until_event(c, deadline, gone);
    if (gone)
      return;
    if (ev == request_decoder::event::error)
      return fail_request(c, c.dec.status(), c.dec.reason());
    if (ev == request_decoder::event::head) {
      if (c.dec.head().expect_continue) {
        io_result r = c.sock.write_all("HTTP/1.1 100 Continue\r\n\r\n",
                                       deadline_after(s->options.write_timeout));
        if (r.status != io_status::ok)
          return;
      }
      ev = read_until_event(c, deadline, gone);
      if (gone)
        return;
      if (ev == request_decoder::event::error)
        return fail_request(c, c.dec.status(), c.dec.reason());
    }
    if (!run_request(c)) {
      if (c.dec.buffered() > 0 && !c.broken.load())
        linger(c); // pipelined requests we will not answer
      return;
    }
    first = false;
  }
}

void serve_conn(server_impl* s, int fd) {
  std::unique_ptr<http_conn> c;
  try {
    c = std::make_unique<http_conn>(s, fd);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "goro: http: cannot serve a connection: %s\n", e.what());
  }
  if (c != nullptr) {
    s->lock.lock();
    c->next = s->conns;
    if (s->conns != nullptr)
      s->conns->prev = c.get();
    s->conns = c.get();
    c->shut = s->stopped;
    s->lock.unlock();
    if (c->shut)
      c->sock.interrupt();

    serve_requests(*c);

    s->lock.lock();
    if (c->prev != nullptr)
      c->prev->next = c->next;
    else
      s->conns = c->next;
    if (c->next != nullptr)
      c->next->prev = c->prev;
    --s->admitted;
    s->lock.unlock();
    c.reset(); // closes the descriptor
  } else {
    s->lock.lock();
    --s->admitted;
    s->lock.unlock();
  }
  goroutine_gone(s);
}

// Too many connections: answer 503 and close.
void reject(server_impl* s, int fd) {
  try {
    tcp_conn sock(fd);
    sock.write_all(error_answer(503, "too many connections"), now_ns() + error_write_ns);
    sock.close_write();
    char scratch[4096];
    std::int64_t deadline = now_ns() + linger_ns;
    std::size_t drained = 0;
    while (drained < linger_bytes) {
      io_result r = sock.read(scratch, sizeof scratch, deadline);
      if (r.status != io_status::ok)
        break;
      drained += r.n;
    }
  } catch (const std::exception&) {
    // could not register the descriptor: tcp_conn closed it
  }
  s->lock.lock();
  --s->rejecting;
  s->lock.unlock();
  goroutine_gone(s);
}

void admit(server_impl* s, int fd) {
  s->lock.lock();
  if (s->shutting_down.load()) {
    s->lock.unlock();
    ::close(fd);
    return;
  }
  bool full = s->admitted >= s->options.max_connections;
  if (full && s->rejecting >= max_rejecting) {
    s->lock.unlock();
    ::close(fd); // a flood: no answer
    return;
  }
  ++s->live;
  if (full)
    ++s->rejecting;
  else
    ++s->admitted;
  s->lock.unlock();
  try {
    if (full)
      goro::go(reject, s, fd);
    else
      goro::go(serve_conn, s, fd);
  } catch (...) {
    ::close(fd);
    s->lock.lock();
    if (full)
      --s->rejecting;
    else
      --s->admitted;
    s->lock.unlock();
    goroutine_gone(s);
  }
}

// Closes the listening socket (so new connections are refused) once nothing
// waits on it: by the accept loop as it ends, or by whoever stops a server
// that is not serving.
void close_listener_locked(server_impl* s) {
  if (s->serving)
    s->listener.interrupt(); // the loop closes it
  else
    s->listener.close();
}

goro::error accept_connections(server_impl* s);

goro::error accept_loop(server_impl* s) {
  goro::error result = accept_connections(s);
  s->lock.lock();
  s->listener.close();
  s->lock.unlock();
  return result;
}

goro::error accept_connections(server_impl* s) {
  std::int64_t backoff_ns = 0;
  for (;;) {
    int fd = -1;
    io_result r = s->listener.accept(fd);
    if (r.status == io_status::closed)
      return goro::error("http: Server closed");
    if (r.status == io_status::error) {
      if (r.error == EMFILE || r.error == ENFILE || r.error == ENOBUFS || r.error == ENOMEM) {
        // Out of descriptors or memory: wait and try again (Go backs off
        // the same way), unless shutdown interrupts the wait.
        backoff_ns =
            backoff_ns == 0 ? 5'000'000 : std::min<std::int64_t>(backoff_ns * 2, 1'000'000'000);
        std::fprintf(stderr, "goro: http: accept: %s; retrying in %lld ms\n",
                     std::strerror(r.error), static_cast<long long>(backoff_ns / 1'000'000));
        if (s->listener.wait(now_ns() + backoff_ns) == io_status::closed)
          return goro::error("http: Server closed");
        continue;
      }
      return goro::error("http: accept: " + std::string(std::strerror(r.error)));
    }
    backoff_ns = 0;
    admit(s, fd);
  }
}

// Stops for good: cancels every request context, interrupts all I/O.
void stop_all(server_impl* s) {
  s->cancel_base();
  s->lock.lock();
  s->shutting_down.store(true);
  s->stopped = true;
  interrupt_locked(s, false);
  close_listener_locked(s);
  bool close = drained_now_locked(s);
  s->lock.unlock();
  if (close)
    s->drained.close();
}

} // namespace

// ---- what response.cpp needs of a connection

io_result conn_write(http_conn* c, std::initializer_list<std::string_view> parts,
                     std::int64_t deadline) {
  return c->sock.write_all(parts.begin(), parts.size(), deadline);
}

bool conn_keep_alive(const http_conn* c) noexcept {
  return c->keep_alive && !c->broken.load(std::memory_order_relaxed) &&
         !c->srv->shutting_down.load(std::memory_order_relaxed);
}

void conn_broken(http_conn* c) noexcept {
  c->broken.store(true, std::memory_order_relaxed);
}

void conn_start_watch(http_conn* c, request_impl* rq) {
  goro::go(watch, c, rq);
}

} // namespace goro::detail

namespace goro::http {

const goro::context& detail::request_impl::context() {
  bool start_watch = false;
  bool cancel_now = false;
  http_conn* watched = nullptr;
  ctx_lock.lock();
  if (!ctx) {
    auto [made, cancel_fn] = goro::with_cancel(base);
    ctx.emplace(std::move(made));
    cancel = std::move(cancel_fn);
    if (retired) {
      cancel_now = true;
    } else if (conn != nullptr && conn->dec.buffered() == 0) {
      watching = start_watch = true;
      watched = conn;
    }
  }
  ctx_lock.unlock();
  if (cancel_now)
    cancel();
  if (start_watch)
    goro::detail::conn_start_watch(watched, this);
  return *ctx;
}

void detail::request_impl::cancel_if_made() {
  ctx_lock.lock();
  bool made = ctx.has_value();
  ctx_lock.unlock();
  if (made)
    cancel();
}

server::server(std::string address, server_options options)
    : impl_(new detail::server_impl(std::move(address), options)) {
  goro::detail::install_builtins(impl_);
}

server::~server() {
  detail::server_impl* s = impl_;
  goro::detail::stop_all(s);
  s->drained.recv();
  s->lock.lock();
  bool serving = s->serving;
  goro::chan<unit> serve_exit = s->serve_exit;
  s->lock.unlock();
  if (serving)
    serve_exit.recv();
  delete s;
}

void server::handle(std::string pattern, handler h, std::source_location where) {
  if (pattern.empty() || pattern.front() != '/')
    throw goro::panic("http: invalid pattern \"" + pattern + "\" (must start with '/')");
  if (!h)
    throw goro::panic("http: empty handler for pattern \"" + pattern + "\"");
  auto entry = std::make_unique<detail::handler_entry>();
  entry->pattern = pattern;
  entry->fn = std::move(h);
  entry->registered = where;
  detail::server_impl* s = impl_;
  s->routes_lock.lock();
  goro::detail::tsan_acquire(&s->routes_lock); // earlier registrations
  goro::detail::tsan_acquire(&s->exact);       // earlier routings (route)
  if (s->exact.count(pattern) != 0) {
    s->routes_lock.unlock();
    throw goro::panic("http: multiple registrations for " + pattern);
  }
  detail::handler_entry* e = entry.get();
  s->entries.push_back(std::move(entry));
  // Subtree patterns are also kept in `exact` (for "/p" -> "/p/" redirects
  // and duplicate checks); an exact match of "/p/" itself is the same handler.
  s->exact.emplace(pattern, e);
  if (pattern.back() == '/') {
    auto pos =
        std::find_if(s->subtrees.begin(), s->subtrees.end(), [&](detail::handler_entry* other) {
          return other->pattern.size() < pattern.size();
        });
    s->subtrees.insert(pos, e);
  }
  goro::detail::tsan_release(&s->routes_lock);
  s->routes_lock.unlock();
}

goro::error server::listen() {
  detail::server_impl* s = impl_;
  s->lock.lock();
  if (s->shutting_down.load() || s->listening) {
    bool closed = s->shutting_down.load();
    s->lock.unlock();
    return goro::error(closed ? "http: Server closed" : "http: already listening");
  }
  s->listening = true;
  s->lock.unlock();
  goro::error err = s->listener.listen(s->address, SOMAXCONN);
  if (err) {
    s->lock.lock();
    s->listening = false;
    s->lock.unlock();
  }
  return err;
}

goro::error server::serve() {
  detail::server_impl* s = impl_;
  s->lock.lock();
  if (!s->listener.is_open() || s->shutting_down.load() || s->serving) {
    const char* why = s->shutting_down.load() ? "http: Server closed"
                      : s->serving            ? "http: already serving"
                                              : "http: serve() before listen()";
    s->lock.unlock();
    return goro::error(why);
  }
  s->serving = true;
  s->serve_exit = goro::make_chan<unit>();
  goro::chan<unit> serve_exit = s->serve_exit;
  s->lock.unlock();

  goro::error result;
  if (goro::detail::on_goroutine()) {
    result = goro::detail::accept_loop(s);
  } else {
    auto done = goro::make_chan<goro::error>(1);
    goro::go([s, done] { done.send(goro::detail::accept_loop(s)); });
    result = done.recv().value_or(goro::error("http: Server closed"));
  }
  s->lock.lock();
  s->serving = false;
  s->lock.unlock();
  serve_exit.close();
  return result;
}

goro::error server::listen_and_serve() {
  if (goro::error err = listen())
    return err;
  return serve();
}

int server::port() const {
  return impl_->listener.port();
}

goro::error server::shutdown(const goro::context& ctx) {
  detail::server_impl* s = impl_;
  s->lock.lock();
  s->shutting_down.store(true);
  goro::detail::interrupt_locked(s, true);
  goro::detail::close_listener_locked(s);
  bool close = goro::detail::drained_now_locked(s);
  s->lock.unlock();
  if (close)
    s->drained.close();

  bool drained = false;
  goro::select(goro::on_recv(s->drained, [&](auto) { drained = true; }),
               goro::on_recv(ctx.done(), [](auto) {}));
  if (drained)
    return {};
  goro::detail::stop_all(s);
  return ctx.err();
}

} // namespace goro::http
