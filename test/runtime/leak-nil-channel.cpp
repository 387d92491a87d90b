// goro-leak, certain at once: a goroutine blocked on the nil channel (a
// default-constructed handle, never made) or in a select with no cases can
// never wake, whoever holds what.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
#include <goro/goro.hpp>

struct service {
  goro::chan<int> jobs; // forgot: jobs = goro::make_chan<int>();
};

int main() {
  service s;
  goro::go([&s] { s.jobs.recv(); });
  // CHECK: {{^/.*}}/leak-nil-channel.cpp:[[#@LINE-1]]:19: error: goroutine leak: goroutine 1 is blocked in chan receive (nil chan) forever: the nil channel is never ready [goro-leak]
  // CHECK-NEXT: {{^/.*}}/leak-nil-channel.cpp:[[#@LINE-2]]:3: note: the goroutine was created here
  while (goro::debug::findings_reported() < 1)
    goro::yield();

  goro::go([] { goro::select(); });
  // CHECK: {{^/.*}}/leak-nil-channel.cpp:[[#@LINE-1]]:17: error: goroutine leak: goroutine 2 is blocked in select (no cases) forever: a select with no cases never proceeds [goro-leak]
  while (goro::debug::findings_reported() < 2)
    goro::yield();
  return 0;
}
