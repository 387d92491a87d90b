// goro-lock-order-inversion, two mutexes: a goroutine takes mu_accounts then
// mu_audit (std::lock_guard), later main takes mu_audit then mu_accounts
// (std::unique_lock). The run never deadlocks (the goroutine finished first),
// but the orders form a cycle: reported with all four acquisition sites, at
// the line that closed the cycle. The sites of locks taken through
// lock_guard / unique_lock come from the captured stacks.
// Negative: mu_x and mu_y are always taken in the same order; no report.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
// detect_lock_order=0: not looked for; the program is otherwise clean.
// RUN: env GORO_OPTIONS=detect_lock_order=0 %t 2> %t.err
// RUN: count 0 < %t.err
#include <cstdio>
#include <goro/goro.hpp>
#include <mutex>

goro::mutex mu_accounts, mu_audit;
goro::mutex mu_x, mu_y;

void transfer() {
  std::lock_guard<goro::mutex> accounts(mu_accounts);
  std::lock_guard<goro::mutex> audit(mu_audit);
}

void write_audit_log() {
  std::unique_lock<goro::mutex> audit(mu_audit);
  std::unique_lock<goro::mutex> accounts(mu_accounts);
}
// CHECK: {{^/.*}}/lock-order-two.cpp:[[#@LINE-2]]:33: error: lock-order inversion: 'mu_accounts' is locked here while holding 'mu_audit', and elsewhere 'mu_audit' is locked while holding 'mu_accounts'; goroutines doing both at once deadlock [goro-lock-order-inversion]
// CHECK-NEXT: {{^/.*}}/lock-order-two.cpp:[[#@LINE-8]]:32: note: 'mu_audit' acquired here while holding 'mu_accounts' (goroutine 1)
// CHECK-NEXT: {{^/.*}}/lock-order-two.cpp:[[#@LINE-10]]:32: note: 'mu_accounts' acquired here (goroutine 1)
// CHECK-NEXT: {{^/.*}}/lock-order-two.cpp:[[#@LINE-5]]:33: note: 'mu_accounts' acquired here while holding 'mu_audit' (the main thread)
// CHECK-NEXT: {{^/.*}}/lock-order-two.cpp:[[#@LINE-7]]:33: note: 'mu_audit' acquired here (the main thread)
// CHECK-NEXT: 'mu_audit' acquired while holding 'mu_accounts' (goroutine 1):
// CHECK-NEXT: #0 transfer() {{/.*}}/lock-order-two.cpp:[[#@LINE-13]]
// CHECK: 'mu_accounts' acquired while holding 'mu_audit' (the main thread):
// CHECK-NEXT: #0 write_audit_log() {{/.*}}/lock-order-two.cpp:[[#@LINE-10]]
// CHECK-NEXT: #1 main {{/.*}}/lock-order-two.cpp:[[#@LINE+20]]

void consistent() {
  std::lock_guard<goro::mutex> x(mu_x);
  std::lock_guard<goro::mutex> y(mu_y);
}

int main() {
  goro::wait_group wg;
  wg.add(2);
  goro::go([&wg] {
    transfer();
    wg.done();
  });
  goro::go([&wg] {
    consistent();
    wg.done();
  });
  wg.wait();
  consistent();
  write_audit_log();
  std::printf("no deadlock in this run\n");
  // OUT: no deadlock in this run
  return 0;
}
