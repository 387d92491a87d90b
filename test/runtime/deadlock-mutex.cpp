// goro-deadlock with a wait-for cycle through two mutexes: a goroutine holds
// mu_a and waits for mu_b, main holds mu_b and waits for mu_a. The report
// gives each waiter, the mutex it wants, who holds it and where it was locked;
// with dot_path the wait-for graph is also written as Graphviz.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: rm -f %t.dot
// RUN: env GORO_OPTIONS=dot_path=%t.dot %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=DOT --input-file %t.dot
#include <goro/goro.hpp>
#include <mutex>

goro::mutex mu_a, mu_b;

int main() {
  auto a_taken = goro::make_chan<int>();
  goro::go([a_taken] {
    std::lock_guard<goro::mutex> a(mu_a);
    a_taken.send(1);
    std::lock_guard<goro::mutex> b(mu_b);
  });
  std::lock_guard<goro::mutex> b(mu_b);
  a_taken.recv();
  std::lock_guard<goro::mutex> a(mu_a);
  return 0;
}
// CHECK: {{^/.*}}/deadlock-mutex.cpp:[[#@LINE-3]]:32: error: deadlock: all goroutines are asleep (1 goroutine, 1 thread blocked in goro calls); goroutines wait for mutexes held by each other [goro-deadlock]
// CHECK-NEXT: {{^/.*}}/deadlock-mutex.cpp:[[#@LINE-4]]:32: note: the main thread is blocked in mutex lock on mutex 'mu_a', held by goroutine 1
// CHECK-NEXT: {{^/.*}}/deadlock-mutex.cpp:[[#@LINE-11]]:34: note: mutex 'mu_a' was locked here by goroutine 1
// CHECK-NEXT: {{^/.*}}/deadlock-mutex.cpp:[[#@LINE-10]]:34: note: goroutine 1 is blocked in mutex lock on mutex 'mu_b', held by the main thread
// CHECK-NEXT: {{^/.*}}/deadlock-mutex.cpp:[[#@LINE-9]]:32: note: mutex 'mu_b' was locked here by the main thread
// CHECK-NEXT: the main thread [mutex lock]:
// CHECK-NEXT: #0 main {{/.*}}/deadlock-mutex.cpp:[[#@LINE-9]]:32
// CHECK-NEXT: goroutine 1 [mutex lock]:
// CHECK-NEXT: #0 main::$_0::operator()() const {{/.*}}/deadlock-mutex.cpp:[[#@LINE-15]]:34

// DOT: digraph goro {
// DOT: subgraph cluster_0 {
// DOT-NEXT: label="[goro-deadlock] deadlock: all goroutines are asleep
// DOT-DAG: "c0:the main thread" -> "c0:mutex 'mu_a'" [label="waits: mutex lock"];
// DOT-DAG: "c0:mutex 'mu_a'" -> "c0:goroutine 1" [label="held by"];
// DOT-DAG: "c0:goroutine 1" -> "c0:mutex 'mu_b'" [label="waits: mutex lock"];
// DOT-DAG: "c0:mutex 'mu_b'" -> "c0:the main thread" [label="held by"];
// DOT: }
// DOT-NEXT: }
