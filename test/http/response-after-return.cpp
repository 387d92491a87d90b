// A handler starts a goroutine that writes to the response_writer after the
// handler returned (seed 000's "DON'T: Write to ResponseWriter in
// Goroutine"). The release runtime drops the write (write() returns 0 and the
// client gets only the on-time bytes); the debug runtime also reports it, at
// the late write with a note at the handler's registration, once per site.
//
// clang-format off
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s -o %t.release %goro_release
// RUN: %t.release 2>&1 | FileCheck %s --check-prefix=RELEASE --implicit-check-not=goro-response-after-return
// RUN: %cxx %goro_cxxflags %s -o %t.debug %goro_debug
// RUN: env GORO_OPTIONS=sarif_path=%t.sarif not %t.debug 2>&1 | FileCheck %s --check-prefix=DEBUG
// RUN: FileCheck %s --check-prefix=SARIF < %t.sarif
// clang-format on
#include <goro/goro.hpp>
#include <goro/http.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// Sends one request and returns the whole response (the server closes).
std::string fetch(int port, const char* path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return "connect failed";
  std::string req = std::string("GET ") + path + " HTTP/1.1\r\n";
  req += "Host: t\r\nConnection: close\r\n\r\n";
  send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
    out.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return out.substr(out.find("\r\n\r\n") + 4);
}

} // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IONBF, 0); // interleave with the report on stderr
  goro::http::server srv("127.0.0.1:0");
  auto late = goro::make_chan<std::size_t>(2);
  using goro::http::request;
  using goro::http::response_writer;
  srv.handle("/users", [&](response_writer& w, const request& r) { // the handler
    w.write("users\n");
    goro::go([&w, ctx = r.context(), late] {
      ctx.done().recv();              // the handler has returned
      late.send(w.write("logged\n")); // late write
    });
  });
  if (srv.listen())
    return 1;
  std::thread serving([&] { srv.serve(); });
  for (int i = 0; i < 2; ++i) {
    std::printf("response: %s", fetch(srv.port(), "/users").c_str());
    std::printf("late write returned %zu\n", late.recv().value_or(99));
  }
  auto [ctx, cancel] = goro::with_timeout(goro::background(), std::chrono::seconds(30));
  srv.shutdown(ctx);
  cancel();
  serving.join();
  std::printf("done\n");
}

// RELEASE:      response: users
// RELEASE-NEXT: late write returned 0
// RELEASE-NEXT: response: users
// RELEASE-NEXT: late write returned 0
// RELEASE-NEXT: done

// Reported once for the two late writes from the same site.
// clang-format off
// The late write is line 63, the handle() call line 59.
// DEBUG:      response: users
// DEBUG-NEXT: {{.*}}response-after-return.cpp:63:{{[0-9]+}}: error: response_writer::write after the handler returned: the call is dropped (the response was already sent); finish writing before the handler returns [goro-response-after-return]
// DEBUG-NEXT: {{.*}}response-after-return.cpp:59:{{[0-9]+}}: note: the handler for "/users" was registered here
// DEBUG-NEXT: goroutine {{[0-9]+}} (the late call):
// DEBUG-NEXT: #0 {{.*}}response-after-return.cpp:63
// DEBUG:      late write returned 0
// DEBUG-NEXT: response: users
// DEBUG-NEXT: late write returned 0
// DEBUG-NEXT: done

// SARIF: "ruleId": "goro-response-after-return"
// SARIF: "startLine":63,
// clang-format on
