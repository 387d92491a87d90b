// goro-lock-order-inversion, a cycle of three: each of three goroutines takes
// two of the mutexes in an order that is fine on its own (a->b, b->c, c->a);
// together they can deadlock, though they never overlap in this run. The
// finding lists every edge with both acquisition sites.
// Negative: std::scoped_lock takes the same mutexes in both orders, but it
// cannot deadlock (std::lock backs off with try_lock): not reported.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <goro/goro.hpp>
#include <mutex>

goro::mutex a, b, c;

void step(goro::mutex& first, goro::mutex& second) {
  first.lock();
  second.lock();
  second.unlock();
  first.unlock();
}

int main() {
  goro::mutex* order[3][2] = {{&a, &b}, {&b, &c}, {&c, &a}};
  for (auto& pair : order) {
    goro::wait_group wg;
    wg.add(1);
    goro::go([&wg, &pair] {
      step(*pair[0], *pair[1]);
      wg.done();
    });
    wg.wait(); // one after the other: no deadlock in this run
  }
  // CHECK: {{^/.*}}/lock-order-three.cpp:[[#@LINE-16]]:10: error: lock-order inversion: a cycle of 3 mutexes ('a' -> 'b' -> 'c' -> 'a'); goroutines taking them concurrently can deadlock [goro-lock-order-inversion]
  // CHECK-NEXT: {{^/.*}}/lock-order-three.cpp:[[#@LINE-17]]:10: note: 'b' acquired here while holding 'a' (goroutine 1)
  // CHECK-NEXT: {{^/.*}}/lock-order-three.cpp:[[#@LINE-19]]:9: note: 'a' acquired here (goroutine 1)
  // CHECK-NEXT: {{^/.*}}/lock-order-three.cpp:[[#@LINE-19]]:10: note: 'c' acquired here while holding 'b' (goroutine 2)
  // CHECK-NEXT: {{^/.*}}/lock-order-three.cpp:[[#@LINE-21]]:9: note: 'b' acquired here (goroutine 2)
  // CHECK-NEXT: {{^/.*}}/lock-order-three.cpp:[[#@LINE-21]]:10: note: 'a' acquired here while holding 'c' (goroutine 3)
  // CHECK-NEXT: {{^/.*}}/lock-order-three.cpp:[[#@LINE-23]]:9: note: 'c' acquired here (goroutine 3)

  goro::wait_group wg;
  wg.add(2);
  goro::go([&wg] {
    std::scoped_lock both(a, b);
    wg.done();
  });
  goro::go([&wg] {
    std::scoped_lock both(b, a);
    wg.done();
  });
  wg.wait();
  return 0;
}
