// bench/http/hello.cpp — goro::http::server serving the handler that
// bench/http/hello.go serves with Go's net/http (run.sh drives both with wrk).
#include <goro/goro.hpp>
#include <goro/http.hpp>

#include <cstdio>

int main() {
  goro::http::server srv("127.0.0.1:0");
  srv.handle("/hello", [](goro::http::response_writer& w, const goro::http::request&) {
    w.headers().set("Content-Type", "text/plain");
    w.write("Hello, World!\n");
  });
  if (goro::error err = srv.listen()) {
    std::fprintf(stderr, "%s\n", err.message().c_str());
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", srv.port());
  std::fflush(stdout);
  return srv.serve() ? 0 : 1;
}
