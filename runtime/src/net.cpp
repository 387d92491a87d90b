// net.cpp — TCP sockets on the netpoller (see net.hpp).
//
// Invariant: a descriptor is registered with the netpoller from construction
// (or listen()) to destruction; the destructor deregisters before it closes,
// so a recycled descriptor number never meets a stale registration.
#include "net.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "goro/os.hpp"
#include "sched.hpp"
#include "tsan.hpp"

namespace goro::detail {
namespace {

io_result fail(int err) {
  return io_result{0, io_status::error, err};
}

io_result from_poll(poll_result r) {
  return io_result{0, r == poll_result::closed ? io_status::closed : io_status::timeout, 0};
}

goro::error listen_error(std::string_view address, const char* op, const std::string& why) {
  return goro::error("listen tcp " + std::string(address) + ": " + op + ": " + why);
}

goro::error listen_errno(std::string_view address, const char* op, int err) {
  return listen_error(address, op, std::generic_category().message(err));
}

} // namespace

// ---- tcp_conn

tcp_conn::tcp_conn(int fd) : fd_(fd), pd_(nullptr) {
  try {
    pd_ = netpoll_open(fd);
  } catch (...) {
    tsan_ignored([&] { return ::close(fd); });
    throw;
  }
}

tcp_conn::~tcp_conn() {
  netpoll_close(pd_);
  tsan_ignored([&] { return ::close(fd_); });
}

io_result tcp_conn::read(char* buf, std::size_t size, std::int64_t deadline_ns) {
  for (;;) {
    ssize_t n = tsan_ignored([&] { return ::recv(fd_, buf, size, 0); });
    if (n > 0)
      return io_result{static_cast<std::size_t>(n), io_status::ok, 0};
    if (n == 0)
      return io_result{0, io_status::eof, 0};
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return fail(errno);
    poll_result r = netpoll_wait(pd_, poll_mode::read, deadline_ns);
    if (r == poll_result::closed || (r == poll_result::timeout && now_ns() >= deadline_ns))
      return from_poll(r);
  }
}

io_result tcp_conn::write_all(std::string_view bytes, std::int64_t deadline_ns) {
  return write_all(&bytes, 1, deadline_ns);
}

io_result tcp_conn::write_all(const std::string_view* parts, std::size_t count,
                              std::int64_t deadline_ns) {
  constexpr std::size_t max_parts = 8;
  iovec iov[max_parts];
  std::size_t n_iov = 0;
  std::size_t total = 0;
  for (std::size_t i = 0; i < count && n_iov < max_parts; ++i) {
    if (parts[i].empty())
      continue;
    iov[n_iov].iov_base = const_cast<char*>(parts[i].data());
    iov[n_iov].iov_len = parts[i].size();
    total += parts[i].size();
    ++n_iov;
  }
  std::size_t done = 0;
  std::size_t first = 0; // iov[first..n_iov) still has bytes
  while (done < total) {
    msghdr msg{};
    msg.msg_iov = iov + first;
    msg.msg_iovlen = n_iov - first;
    ssize_t n = tsan_ignored([&] { return ::sendmsg(fd_, &msg, MSG_NOSIGNAL); });
    if (n >= 0) {
      done += static_cast<std::size_t>(n);
      auto left = static_cast<std::size_t>(n);
      while (first < n_iov && left >= iov[first].iov_len) {
        left -= iov[first].iov_len;
        ++first;
      }
      if (first < n_iov) {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
      }
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return io_result{done, io_status::error, errno};
    poll_result r = netpoll_wait(pd_, poll_mode::write, deadline_ns);
    if (r == poll_result::closed || (r == poll_result::timeout && now_ns() >= deadline_ns))
      return io_result{done, from_poll(r).status, 0};
  }
  return io_result{done, io_status::ok, 0};
}

io_result tcp_conn::peek_now() {
  char c;
  for (;;) {
    ssize_t n = tsan_ignored([&] { return ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT); });
    if (n > 0)
      return io_result{1, io_status::ok, 0};
    if (n == 0)
      return io_result{0, io_status::eof, 0};
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return io_result{0, io_status::timeout, 0};
    return fail(errno);
  }
}

io_result tcp_conn::wait_readable(std::int64_t deadline_ns) {
  for (;;) {
    io_result r = peek_now();
    if (r.status != io_status::timeout)
      return r;
    poll_result p = netpoll_wait(pd_, poll_mode::read, deadline_ns);
    if (p != poll_result::ready)
      return from_poll(p); // a kick or the deadline: the caller decides
  }
}

void tcp_conn::kick_read() noexcept {
  netpoll_kick(pd_, poll_mode::read);
}

void tcp_conn::interrupt() noexcept {
  netpoll_interrupt(pd_);
}

void tcp_conn::close_write() noexcept {
  tsan_ignored([&] { return ::shutdown(fd_, SHUT_WR); });
}

// ---- tcp_listener

tcp_listener::~tcp_listener() {
  close();
}

void tcp_listener::close() noexcept {
  if (fd_ < 0)
    return;
  netpoll_close(pd_);
  tsan_ignored([&] { return ::close(fd_); });
  fd_ = -1;
  pd_ = nullptr;
}

goro::error tcp_listener::listen(std::string_view address, int backlog) {
  if (fd_ >= 0)
    return listen_error(address, "listen", "already listening");
  std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos)
    return listen_error(address, "address", "missing port (want host:port)");
  std::string host(address.substr(0, colon));
  std::string_view port_text = address.substr(colon + 1);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535)
    return listen_error(address, "address", "invalid port '" + std::string(port_text) + "'");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;
  if (host.empty())
    hints.ai_family = AF_INET; // ":port": every IPv4 interface
  std::string service = std::to_string(port);
  const char* node = host.empty() ? nullptr : host.c_str();
  addrinfo* found = nullptr;
  int rc = getaddrinfo(node, service.c_str(), &hints, &found);
  if (rc == EAI_NONAME) {
    // A name, not a number: resolving may wait for DNS, so keep it off the
    // scheduler's workers.
    hints.ai_flags &= ~AI_NUMERICHOST;
    rc = goro::blocking([&] { return getaddrinfo(node, service.c_str(), &hints, &found); });
  }
  if (rc != 0)
    return listen_error(address, "lookup", gai_strerror(rc));

  int err = 0;
  const char* failed_op = "socket";
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd = tsan_ignored([&] {
      return ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      ai->ai_protocol);
    });
    if (fd < 0) {
      err = errno;
      failed_op = "socket";
      continue;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      failed_op = "bind";
    } else if (::listen(fd, backlog) != 0) {
      err = errno;
      failed_op = "listen";
    } else {
      break;
    }
    tsan_ignored([&] { return ::close(fd); });
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0)
    return listen_errno(address, failed_op, err);

  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  if (bound.ss_family == AF_INET)
    port_ = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  else
    port_ = ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  try {
    pd_ = netpoll_open(fd);
  } catch (const std::system_error& e) {
    tsan_ignored([&] { return ::close(fd); });
    port_ = 0;
    return listen_errno(address, "register", e.code().value());
  }
  fd_ = fd;
  return {};
}

io_result tcp_listener::accept(int& fd) {
  for (;;) {
    fd = tsan_ignored(
        [&] { return ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC); });
    if (fd >= 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return io_result{1, io_status::ok, 0};
    }
    int err = errno;
    if (err == EINTR || err == ECONNABORTED)
      continue;
    if (err != EAGAIN && err != EWOULDBLOCK)
      return fail(err);
    poll_result r = netpoll_wait(pd_, poll_mode::read, INT64_MAX);
    if (r == poll_result::closed)
      return from_poll(r);
  }
}

io_status tcp_listener::wait(std::int64_t deadline_ns) {
  poll_result r = netpoll_wait(pd_, poll_mode::read, deadline_ns);
  return r == poll_result::closed  ? io_status::closed
         : r == poll_result::ready ? io_status::ok
                                   : io_status::timeout;
}

void tcp_listener::interrupt() noexcept {
  if (fd_ >= 0)
    netpoll_interrupt(pd_);
}

} // namespace goro::detail
