// goro-deadlock among plain threads: std::threads and main may call every
// goro primitive; when all of them are asleep in goro calls and no goroutine
// runs, nothing can wake them.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <goro/goro.hpp>
#include <thread>

int main() {
  auto requests = goro::make_chan<int>();
  auto replies = goro::make_chan<int>();
  std::thread server([&] {
    int r = *requests.recv(); // waits for a request...
    replies.send(r + 1);
  });
  int answer = *replies.recv(); // ...that main never sends
  server.join();
  return answer;
}
// CHECK: {{^/.*}}/deadlock-threads.cpp:[[#@LINE-4]]:17: error: deadlock: all goroutines are asleep (0 goroutines, 2 threads blocked in goro calls) [goro-deadlock]
// CHECK-NEXT: {{^/.*}}/deadlock-threads.cpp:[[#@LINE-5]]:17: note: the main thread is blocked in chan receive on channel made at deadlock-threads.cpp:[[#@LINE-10]] (held by the main thread)
// CHECK-NEXT: {{^/.*}}/deadlock-threads.cpp:[[#@LINE-9]]:14: note: thread {{[0-9]+}} is blocked in chan receive on channel made at deadlock-threads.cpp:[[#@LINE-12]] (held by the main thread)
