// goro-leak at exit: every goroutine still alive when main returns is
// reported, grouped by (spawn site, blocking site) with a count, in the order
// the groups' first goroutines were created. The channels are kept on the heap
// (`keep`, never freed), so no leak here becomes "certain" before the exit
// check (leak_check_at_exit, on by default) finds them, not even while main's
// locals are destroyed on the way out.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <chrono>
#include <goro/goro.hpp>
#include <vector>

std::vector<goro::chan<int>>* keep = new std::vector<goro::chan<int>>;

// The seed's leak(): a receive nobody sends to. The report's line is the
// receive; notes: where the goroutine and the channel were made; then the
// stacks (user frames only).
void leak(goro::chan<int> ch) {
  goro::go([ch] {
    auto v = ch.recv();
    (void)v;
  });
  // CHECK: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-3]]:14: error: goroutine leak: goroutine 1 is blocked in chan receive at exit [goro-leak]
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-5]]:3: note: the goroutine was created here
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE+34]]:13: note: the channel was made here
  // CHECK-NEXT: goroutine 1 [chan receive]:
  // CHECK-NEXT: #0 leak(goro::chan<int>)::$_0::operator()() const {{/.*}}/leak-at-exit.cpp:[[#@LINE-7]]:17
  // CHECK-NEXT: goroutine 1 was created by:
  // CHECK-NEXT: #0 leak(goro::chan<int>) {{/.*}}/leak-at-exit.cpp:[[#@LINE-10]]:3
  // CHECK-NEXT: #1 main {{/.*}}/leak-at-exit.cpp:[[#@LINE+31]]:3
}

// The seed's leaky(), three times: one group with a count.
goro::recv_chan<int> leaky() {
  auto ch = goro::make_chan<int>();
  keep->push_back(ch);
  goro::go([ch] { ch.send(42); });
  return ch;
  // CHECK: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-2]]:19: error: goroutine leak: 3 goroutines are blocked in chan send at exit [goro-leak]
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-3]]:3: note: the goroutines were created here
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-6]]:13: note: the channel was made here
  // CHECK-NEXT: goroutine 2 [chan send]:
}

// One spawn site, two blocking sites: two groups.
void worker(goro::chan<int> in, bool first) {
  if (first)
    in.recv();
  else
    in.recv();
  // CHECK: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-3]]:5: error: goroutine leak: goroutine 5 is blocked in chan receive at exit [goro-leak]
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE+17]]:5: note: the goroutine was created here
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE+13]]:13: note: the channel was made here
  // CHECK: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-4]]:5: error: goroutine leak: goroutine 6 is blocked in chan receive at exit [goro-leak]
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE+14]]:5: note: the goroutine was created here
}

int main() {
  auto ch = goro::make_chan<int>();
  keep->push_back(ch);
  leak(ch);

  for (int i = 0; i < 3; ++i)
    (void)leaky();

  auto in = goro::make_chan<int>();
  keep->push_back(in);
  for (bool first : {true, false})
    goro::go(worker, in, first);

  // A sleeping goroutine is alive too; it was created and sleeps on one line.
  goro::go([] { goro::sleep(std::chrono::hours(1)); });
  // CHECK: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-1]]:17: error: goroutine leak: goroutine 7 is sleeping in sleep at exit [goro-leak]
  // CHECK-NEXT: {{^/.*}}/leak-at-exit.cpp:[[#@LINE-2]]:3: note: the goroutine was created here
  while (goro::debug::goroutines().back().st != goro::debug::state::sleeping)
    goro::yield();
  return 0;
}
