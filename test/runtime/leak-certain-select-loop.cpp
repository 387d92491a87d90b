// goro-leak, certain: the seed's memoryLeak(), a select loop with no case to
// exit. Once the caller dropped the channel, no case can ever fire.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <cstdio>
#include <goro/goro.hpp>

void memory_leak() {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (;;) {
      goro::select(goro::on_recv(ch, [](std::optional<int> val) { std::printf("%d\n", *val); }));
      // No case to exit the goroutine!
    }
  });
  // Channel is never used, goroutine leaks
}
// CHECK: {{^/.*}}/leak-certain-select-loop.cpp:[[#@LINE-6]]:7: error: goroutine leak: goroutine 1 is blocked in select forever: no other goroutine or thread can reach the channel [goro-leak]
// CHECK-NEXT: {{^/.*}}/leak-certain-select-loop.cpp:[[#@LINE-9]]:3: note: the goroutine was created here
// CHECK-NEXT: {{^/.*}}/leak-certain-select-loop.cpp:[[#@LINE-11]]:13: note: the channel was made here
// CHECK-NEXT: goroutine 1 [select]:
// CHECK-NEXT: #0 memory_leak()::$_0::operator()() const {{/.*}}/leak-certain-select-loop.cpp:[[#@LINE-10]]

int main() {
  memory_leak();
  while (goro::debug::findings_reported() == 0)
    goro::yield();
  return 0;
}
