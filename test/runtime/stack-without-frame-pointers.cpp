// Code built -O2 without frame pointers: the stack walk must stop cleanly (the
// frame chain is garbage there) and the reports must still point at the right
// lines wherever the API passes std::source_location (channel operations,
// wait_group, sleep). A goroutine whose function tail-calls mutex::lock (no
// source_location, no user frame left on its stack) is placed at the line
// that started it.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags -O2 -fomit-frame-pointer %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <goro/goro.hpp>
#include <vector>

goro::mutex held_forever;
auto* keep = new std::vector<goro::chan<int>>;

[[gnu::noinline]] void consume(goro::chan<int> in, int depth) {
  if (depth > 0)
    return consume(in, depth - 1); // recursion: frames without frame pointers
  in.recv();
}

int main() {
  goro::wait_group wg;
  try {
    wg.done();
    // CHECK: {{^/.*}}/stack-without-frame-pointers.cpp:[[#@LINE-1]]:5: error: negative wait_group counter
  } catch (const goro::panic&) {
  }

  auto in = goro::make_chan<int>();
  keep->push_back(in);
  goro::go(consume, in, 5);
  // CHECK: {{^/.*}}/stack-without-frame-pointers.cpp:[[#@LINE-14]]:3: error: goroutine leak: goroutine 1 is blocked in chan receive at exit [goro-leak]
  // CHECK-NEXT: {{^/.*}}/stack-without-frame-pointers.cpp:[[#@LINE-2]]:3: note: the goroutine was created here
  // CHECK-NEXT: {{^/.*}}/stack-without-frame-pointers.cpp:[[#@LINE-5]]:13: note: the channel was made here

  held_forever.lock();
  goro::go([] { held_forever.lock(); });
  // CHECK: {{^/.*}}/stack-without-frame-pointers.cpp:[[#@LINE-1]]:3: error: goroutine leak: goroutine 2 is blocked in mutex lock at exit [goro-leak]
  // CHECK-NEXT: goroutine 2 [mutex lock]:
  // CHECK-NEXT: #0 goro::mutex::lock()

  for (std::size_t blocked = 0; blocked < 2; goro::yield()) {
    blocked = 0;
    for (const auto& g : goro::debug::goroutines())
      blocked += g.st == goro::debug::state::blocked;
  }
  return 0;
}
