// GORO_OPTIONS=sarif_path=FILE writes every finding as SARIF 2.1.0 (for the
// VS Code SARIF viewer, GitHub code scanning): validated against the official
// schema, then its fields checked: ruleId (and the rule's index), level,
// message, the location (absolute file URI, start line and column), related
// locations with their messages, stacks, and properties (count, certain).
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: rm -f %t.sarif
// RUN: env GORO_OPTIONS=sarif_path=%t.sarif %expect_exit 66 %t 2> %t.err
// RUN: %validate_sarif %t.sarif | FileCheck %s
// RUN: FileCheck %s --check-prefix=RAW --input-file %t.sarif
// A run without findings writes a valid log with no results.
// RUN: env GORO_OPTIONS=sarif_path=%t.clean.sarif %t clean
// RUN: %validate_sarif %t.clean.sarif | FileCheck %s --check-prefix=CLEAN
// CLEAN: tool: goro-debug-runtime, 9 rules
// CLEAN-NEXT: results: 0
// A panic nobody catches ends the program in std::terminate, before any exit
// handler: the file is already written.
// RUN: env GORO_OPTIONS=sarif_path=%t.abort.sarif not --crash %t uncaught 2> /dev/null
// RUN: %validate_sarif %t.abort.sarif | FileCheck %s --check-prefix=ABORT
// ABORT: result 0: ruleId=goro-close-of-nil ruleIndex=5 level=error
// ABORT: results: 1
#include <cstring>
#include <goro/goro.hpp>
#include <mutex>
#include <vector>

goro::mutex mu_a, mu_b;
auto* keep = new std::vector<goro::chan<int>>;

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "clean") == 0)
    return 0;
  if (argc > 1 && std::strcmp(argv[1], "uncaught") == 0)
    goro::chan<int>().close();
  auto ch = goro::make_chan<int>();
  ch.close();
  try {
    ch.close();
  } catch (const goro::panic&) {
  }
  // CHECK: tool: goro-debug-runtime, 9 rules
  // CHECK-NEXT: result 0: ruleId=goro-close-of-closed ruleIndex=4 level=error
  // CHECK-NEXT: message: close of closed channel: the second close panics (goro::panic)
  // CHECK-NEXT: location: file://{{/.*}}/sarif.cpp:[[#@LINE-6]]:5
  // CHECK-NEXT: related 1: file://{{/.*}}/sarif.cpp:[[#@LINE-9]]:3: the channel was closed here
  // CHECK-NEXT: related 2: file://{{/.*}}/sarif.cpp:[[#@LINE-11]]:13: the channel was made here
  // CHECK-NEXT: stack 0: the main thread: file://{{/.*}}/sarif.cpp:[[#@LINE-9]]:{{[0-9]+}} in main

  goro::wait_group wg;
  wg.add(1);
  goro::go([&wg] {
    std::lock_guard<goro::mutex> a(mu_a);
    std::lock_guard<goro::mutex> b(mu_b);
    wg.done();
  });
  wg.wait();
  {
    std::lock_guard<goro::mutex> b(mu_b);
    std::lock_guard<goro::mutex> a(mu_a);
  }
  // CHECK-NEXT: result 1: ruleId=goro-lock-order-inversion ruleIndex=2 level=error
  // CHECK-NEXT: message: lock-order inversion: 'mu_a' is locked here while holding 'mu_b', and elsewhere 'mu_b' is locked while holding 'mu_a'; goroutines doing both at once deadlock
  // CHECK-NEXT: location: file://{{/.*}}/sarif.cpp:[[#@LINE-4]]:34
  // CHECK-NEXT: related 1: file://{{/.*}}/sarif.cpp:[[#@LINE-11]]:34: 'mu_b' acquired here while holding 'mu_a' (goroutine 1)
  // CHECK-NEXT: related 2: file://{{/.*}}/sarif.cpp:[[#@LINE-13]]:34: 'mu_a' acquired here (goroutine 1)
  // CHECK-NEXT: related 3: file://{{/.*}}/sarif.cpp:[[#@LINE-7]]:34: 'mu_a' acquired here while holding 'mu_b' (the main thread)
  // CHECK-NEXT: related 4: file://{{/.*}}/sarif.cpp:[[#@LINE-9]]:34: 'mu_b' acquired here (the main thread)
  // CHECK-NEXT: stack 0: 'mu_b' acquired while holding 'mu_a' (goroutine 1): file://{{/.*}}/sarif.cpp:[[#@LINE-15]]:{{[0-9]+}} in main::$_0::operator()() const
  // CHECK-NEXT: stack 1: 'mu_a' acquired while holding 'mu_b' (the main thread): file://{{/.*}}/sarif.cpp:[[#@LINE-10]]:{{[0-9]+}} in main
  // CHECK-NEXT: properties: mutexes=2

  for (int i = 0; i < 2; ++i) {
    auto results = goro::make_chan<int>();
    keep->push_back(results);
    goro::go([results] { results.send(1); });
  }
  for (std::size_t blocked = 0; blocked < 2; goro::yield()) {
    blocked = 0;
    for (const auto& g : goro::debug::goroutines())
      blocked += g.st == goro::debug::state::blocked;
  }
  return 0;
  // CHECK-NEXT: result 2: ruleId=goro-leak ruleIndex=0 level=error
  // CHECK-NEXT: message: goroutine leak: 2 goroutines are blocked in chan send at exit
  // CHECK-NEXT: location: file://{{/.*}}/sarif.cpp:[[#@LINE-10]]:26
  // CHECK-NEXT: related 1: file://{{/.*}}/sarif.cpp:[[#@LINE-11]]:5: the goroutines were created here
  // CHECK-NEXT: related 2: file://{{/.*}}/sarif.cpp:[[#@LINE-14]]:20: the channel was made here
  // CHECK-NEXT: stack 0: goroutine 2 [chan send]: file://{{/.*}}/sarif.cpp:[[#@LINE-13]]:{{[0-9]+}} in main::$_1::operator()() const
  // CHECK-NEXT: stack 1: goroutine 2 was created by: file://{{/.*}}/sarif.cpp:[[#@LINE-14]]:5 in main
  // CHECK-NEXT: properties: certain=false count=2
  // CHECK-NEXT: results: 3
}
// RAW: "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
// RAW: "version": "2.1.0",
// RAW: "ruleId": "goro-close-of-closed", "ruleIndex": 4, "level": "error"
