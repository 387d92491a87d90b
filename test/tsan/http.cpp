// HTTP: the handlers of two connections are not ordered with each other (the
// server's own locks are invisible to TSan), and every handler happens before
// shutdown() returns. Built with -DSYNC the handlers count their hits under a
// goro::mutex and main reads the count after shutdown; the racy handlers
// forget the mutex, and TSan must report the two handlers.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

int hits = 0;
goro::mutex mu;

// One request on a fresh connection; returns the whole answer (the server
// closes the connection after it).
std::string get(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<unsigned short>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return "connect failed";
  const char request[] = "GET /hit HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  if (send(fd, request, sizeof request - 1, 0) != static_cast<ssize_t>(sizeof request - 1))
    return "send failed";
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
    answer.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return answer;
}

int main() {
  goro::http::server srv("127.0.0.1:0");
  srv.handle("/hit", [](goro::http::response_writer& w, const goro::http::request&) {
#ifdef SYNC
    mu.lock();
#endif
    ++hits;
#ifdef SYNC
    mu.unlock();
#endif
    w.write("ok\n");
  });
  if (srv.listen())
    return 1;
  std::thread serving([&] { (void)srv.serve(); });
  for (int i = 0; i < 2; ++i) {
    std::string answer = get(srv.port());
    std::printf("answer %d ends with ok: %d\n", i,
                answer.size() >= 3 && answer.compare(answer.size() - 3, 3, "ok\n") == 0);
  }
  auto [ctx, cancel] = goro::with_timeout(goro::background(), std::chrono::seconds(60));
  goro::error err = srv.shutdown(ctx);
  cancel();
  serving.join();
  std::printf("shutdown: %s, hits: %d\n", err ? err.message().c_str() : "ok", hits);
  // SYNC: answer 0 ends with ok: 1
  // SYNC: answer 1 ends with ok: 1
  // SYNC: shutdown: ok, hits: 2
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK: {{#0 .*}}http.cpp:51
// CHECK: {{#0 .*}}http.cpp:51
// CHECK: Location is global 'hits'
