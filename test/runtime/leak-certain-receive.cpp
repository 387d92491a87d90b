// goro-leak, reported as soon as it is certain: the seed's leak(), a
// goroutine receiving on a channel that only it can reach (the caller
// returned and dropped its handle). The report comes while the program still
// runs; main waits for it (liveness, not timing), goes on, and exits with 66;
// the leak is not reported a second time at exit.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>

void leak() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    auto val = ch.recv(); // blocks forever: nothing sends
    std::printf("%d\n", *val);
  });
  // ch never receives a value: the goroutine leaks
}
// CHECK: {{^/.*}}/leak-certain-receive.cpp:[[#@LINE-5]]:16: error: goroutine leak: goroutine 1 is blocked in chan receive forever: no other goroutine or thread can reach the channel [goro-leak]
// CHECK-NEXT: {{^/.*}}/leak-certain-receive.cpp:[[#@LINE-7]]:3: note: the goroutine was created here
// CHECK-NEXT: {{^/.*}}/leak-certain-receive.cpp:[[#@LINE-9]]:13: note: the channel was made here
// CHECK-NEXT: goroutine 1 [chan receive]:
// CHECK-NEXT: #0 leak()::$_0::operator()() const {{/.*}}/leak-certain-receive.cpp:[[#@LINE-9]]
// CHECK-NEXT: goroutine 1 was created by:
// CHECK-NEXT: #0 leak() {{/.*}}/leak-certain-receive.cpp:[[#@LINE-12]]:3
// CHECK-NEXT: #1 main {{/.*}}/leak-certain-receive.cpp:[[#@LINE+4]]:3
// CHECK-EMPTY:

int main() {
  leak();
  while (goro::debug::findings_reported() == 0)
    goro::yield();
  std::printf("reported while running: %zu\n", goro::debug::findings_reported());
  // OUT: reported while running: 1
  return 0;
}
