// goro-deadlock through a wait_group and a channel: main waits for a worker
// that waits for a value main was going to send after the wait. The note for
// a channel wait says who holds the channel (who could still send): here only
// sleepers.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <goro/goro.hpp>

int main() {
  auto jobs = goro::make_chan<int>();
  goro::wait_group wg;
  wg.add(1);
  goro::go([jobs, &wg] {
    jobs.recv();
    wg.done();
  });
  wg.wait(); // waits for the worker before giving it its job
  jobs.send(1);
  return 0;
}
// CHECK: {{^/.*}}/deadlock-wait-group.cpp:[[#@LINE-4]]:3: error: deadlock: all goroutines are asleep (1 goroutine, 1 thread blocked in goro calls) [goro-deadlock]
// CHECK-NEXT: {{^/.*}}/deadlock-wait-group.cpp:[[#@LINE-5]]:3: note: the main thread is blocked in wait_group wait on wait_group 0x{{[0-9a-f]+}}
// CHECK-NEXT: {{^/.*}}/deadlock-wait-group.cpp:[[#@LINE-9]]:5: note: goroutine 1 is blocked in chan receive on channel made at deadlock-wait-group.cpp:[[#@LINE-13]] (held by the main thread, goroutine 1)
