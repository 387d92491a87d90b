// goro::mutex may be unlocked by a goroutine other than the one that locked
// it (as in Go). The debug runtime must then forget the first holder:
// goroutine 1 locks mu and main unlocks it. Goroutine 1 then nests nothing
// under mu (taking `other` afterwards adds no mu -> other edge, so main's
// other -> mu below is no lock-order inversion), and when goroutine 2 locks
// mu and main blocks on it, the deadlock report names goroutine 2 as the
// holder, never goroutine 1, which still lives.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <goro/goro.hpp>
#include <mutex>

goro::mutex mu, other;

int main() {
  auto step = goro::make_chan<int>();
  auto never = goro::make_chan<int>();
  goro::go([step, never] {
    mu.lock();
    step.send(1);
    step.recv(); // main unlocked mu
    {
      std::lock_guard<goro::mutex> lock(other);
    }
    step.send(1);
    never.recv();
  });
  step.recv();
  mu.unlock(); // goroutine 1's lock, released by main
  step.send(0);
  step.recv();
  goro::go([step, never] {
    mu.lock();
    step.send(2);
    never.recv();
  });
  step.recv();
  std::lock_guard<goro::mutex> lock(other);
  mu.lock();
  return 0;
}
// CHECK: {{^/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-3]]:6: error: deadlock: all goroutines are asleep (2 goroutines, 1 thread blocked in goro calls); goroutines wait for mutexes held by each other [goro-deadlock]
// CHECK-NEXT: {{^/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-4]]:6: note: the main thread is blocked in mutex lock on mutex 'mu', held by goroutine 2
// CHECK-NEXT: {{^/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-11]]:8: note: mutex 'mu' was locked here by goroutine 2
// CHECK-NEXT: {{^/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-19]]:5: note: goroutine 1 is blocked in chan receive on channel made at deadlock-mutex-unlocked-elsewhere.cpp:20
// CHECK-NEXT: {{^/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-11]]:5: note: goroutine 2 is blocked in chan receive on channel made at deadlock-mutex-unlocked-elsewhere.cpp:20
// CHECK-NEXT: the main thread [mutex lock]:
// CHECK-NEXT: #0 main {{/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-9]]:6
// CHECK-NEXT: goroutine 1 [chan receive]:
// CHECK-NEXT: #0 main::$_0::operator()() const {{/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-24]]:11
// CHECK-NEXT: goroutine 2 [chan receive]:
// CHECK-NEXT: #0 main::$_1::operator()() const {{/.*}}/deadlock-mutex-unlocked-elsewhere.cpp:[[#@LINE-17]]:11
// CHECK-NOT: lock-order
