// http_client.hpp — a raw-socket HTTP/1.1 client for the server's tests.
//
// Deliberately independent of goro: plain blocking POSIX sockets on the
// test's own threads, so a test exercises the server over a real loopback
// connection and can send any bytes at any pace. Every socket has a 60 s
// receive/send timeout: a server that hangs fails the test instead of
// hanging it (correctness never depends on that timeout; it is a backstop).
#pragma once

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace http_test {

struct response {
  int status = 0;
  std::string version;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  bool chunked = false;
  bool has_length = false;

  std::string header(std::string_view name) const {
    for (const auto& [k, v] : fields)
      if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0)
        return v;
    return {};
  }
  bool has_header(std::string_view name) const {
    for (const auto& [k, v] : fields)
      if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0)
        return true;
    return false;
  }
};

class raw_conn {
public:
  explicit raw_conn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{60, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    connect_errno_ = connected_ ? 0 : errno;
  }
  raw_conn(const raw_conn&) = delete;
  raw_conn& operator=(const raw_conn&) = delete;
  ~raw_conn() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  bool connected() const { return connected_; }
  int connect_errno() const { return connect_errno_; }
  int fd() const { return fd_; }
  void close() {
    ::close(fd_);
    fd_ = -1;
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR)
          continue;
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One response; nullopt if the connection ended (or failed) first.
  std::optional<response> read_response(bool head_request = false) {
    response r;
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill())
        return std::nullopt;
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    std::size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12)
      return std::nullopt;
    r.version = status_line.substr(0, 8);
    r.status = std::stoi(status_line.substr(9, 3));
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string::npos)
        e = head.size();
      std::string line = head.substr(pos, e - pos);
      std::size_t colon = line.find(':');
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      r.fields.emplace_back(line.substr(0, colon), value);
      pos = e + 2;
    }
    bool no_body = head_request || r.status == 204 || r.status == 304 || r.status < 200;
    if (no_body)
      return r;
    if (r.header("Transfer-Encoding") == "chunked") {
      r.chunked = true;
      for (;;) {
        std::size_t e;
        while ((e = buf_.find("\r\n")) == std::string::npos)
          if (!fill())
            return std::nullopt;
        std::size_t size = std::stoul(buf_.substr(0, e), nullptr, 16);
        buf_.erase(0, e + 2);
        if (size == 0) {
          while ((e = buf_.find("\r\n")) == std::string::npos)
            if (!fill())
              return std::nullopt;
          buf_.erase(0, e + 2); // no trailers from our server
          return r;
        }
        while (buf_.size() < size + 2)
          if (!fill())
            return std::nullopt;
        r.body.append(buf_, 0, size);
        buf_.erase(0, size + 2);
      }
    }
    if (r.has_header("Content-Length")) {
      r.has_length = true;
      std::size_t n = std::stoul(r.header("Content-Length"));
      while (buf_.size() < n)
        if (!fill())
          return std::nullopt;
      r.body = buf_.substr(0, n);
      buf_.erase(0, n);
      return r;
    }
    while (fill()) {
    }
    r.body = std::move(buf_);
    buf_.clear();
    return r;
  }

  // True when the server closed the connection (EOF or reset) with nothing
  // more to read.
  bool closed_by_peer() {
    if (!buf_.empty())
      return false;
    char c;
    ssize_t n;
    do {
      n = ::recv(fd_, &c, 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n == 1)
      buf_ += c;
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  // Everything until EOF.
  std::string read_to_eof() {
    while (fill()) {
    }
    return std::exchange(buf_, std::string());
  }

private:
  bool fill() {
    char tmp[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n > 0) {
        buf_.append(tmp, static_cast<std::size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR)
        continue;
      return false;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  int connect_errno_ = 0;
  std::string buf_;
};

// The number of open descriptors of this process.
inline int open_fds() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr)
    return -1;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.')
      ++n;
  ::closedir(d);
  return n - 1; // the directory stream's own descriptor
}

// "GET path HTTP/1.1" with a Host field and `extra` fields (each ending in CRLF).
inline std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

} // namespace http_test
