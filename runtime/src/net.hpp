// net.hpp — TCP sockets on the netpoller (internal; the HTTP server's
// transport). Go's net.Listener and net.Conn, reduced to what a server needs.
//
// Every descriptor is non-blocking and registered with the netpoller, so a
// goroutine that reads, writes or accepts parks instead of holding its worker
// thread. Each call follows netpoll.hpp's rule: try the system call first,
// wait only after EAGAIN. Deadlines are absolute (now_ns() clock, INT64_MAX:
// none) and passed per call, as SetDeadline would have stored them.
//
// Ownership: a tcp_conn or tcp_listener owns its descriptor and closes it in
// its destructor. interrupt() may be called from any goroutine or thread while
// another one uses the object: it wakes that user, and every later call fails
// with io_status::closed, until the owner destroys it. At most one goroutine
// reads and one writes at a time (the netpoller aborts otherwise).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "goro/error.hpp"
#include "netpoll.hpp"

namespace goro::detail {

enum class io_status {
  ok,      // n bytes moved (n > 0)
  eof,     // the peer closed its side (reads only)
  timeout, // the deadline passed
  closed,  // interrupt() was called
  error,   // the system call failed; `error` has errno
};

struct io_result {
  std::size_t n = 0;
  io_status status = io_status::ok;
  int error = 0;
};

class tcp_conn {
public:
  // Takes over a connected, non-blocking descriptor. Throws std::system_error
  // (and closes fd) when the netpoller cannot register it.
  explicit tcp_conn(int fd);
  tcp_conn(const tcp_conn&) = delete;
  tcp_conn& operator=(const tcp_conn&) = delete;
  ~tcp_conn();

  // Reads at most `size` bytes, waiting until some arrive or the deadline.
  io_result read(char* buf, std::size_t size, std::int64_t deadline_ns);
  // Writes all of `bytes` (or fails), waiting for room as often as needed.
  io_result write_all(std::string_view bytes, std::int64_t deadline_ns);
  // write_all of the concatenation of parts[0..count) (at most 8), gathered
  // into one sendmsg when the socket has room; empty parts are skipped.
  io_result write_all(const std::string_view* parts, std::size_t count, std::int64_t deadline_ns);
  // Waits until the socket is readable (data or EOF) without consuming
  // anything; kick_read() makes it return `timeout` early.
  io_result wait_readable(std::int64_t deadline_ns);
  // Peeks without waiting: ok (data queued), eof, error, or timeout for "nothing yet".
  io_result peek_now();
  void kick_read() noexcept;
  void interrupt() noexcept;
  // Half-closes the sending side (FIN), keeping the receiving side open.
  void close_write() noexcept;
  int fd() const noexcept { return fd_; }

private:
  int fd_;
  poll_desc* pd_;
};

class tcp_listener {
public:
  tcp_listener() = default;
  tcp_listener(const tcp_listener&) = delete;
  tcp_listener& operator=(const tcp_listener&) = delete;
  ~tcp_listener();

  // Binds "host:port" ("127.0.0.1:8080", ":8080" for every interface,
  // "[::1]:0", "localhost:0"; port 0 picks a free port) and listens.
  goro::error listen(std::string_view address, int backlog);
  // Waits for a connection: ok with `fd` set to a connected non-blocking
  // descriptor, closed after interrupt(), error with errno (EMFILE, ...).
  io_result accept(int& fd);
  // Waits until a connection may be pending, the deadline, or interrupt()
  // (returns closed).
  io_status wait(std::int64_t deadline_ns);
  void interrupt() noexcept;
  // Deregisters and closes the socket (idempotent); nobody may wait on it.
  void close() noexcept;
  int port() const noexcept { return port_; }
  bool is_open() const noexcept { return fd_ >= 0; }

private:
  int fd_ = -1;
  int port_ = 0;
  poll_desc* pd_ = nullptr;
};

} // namespace goro::detail
