// Negatives. ledger_mu before audit_mu here and in order2.cpp: one order, no
// cycle. And a mutex with internal linkage named like order2.cpp's, taken in
// the opposite order there: two different mutexes, no cycle.
#include <mutex>

std::mutex ledger_mu;
std::mutex audit_mu;
static std::mutex local_mu;

void post();

void settle() {
  std::lock_guard<std::mutex> l(ledger_mu);
  std::lock_guard<std::mutex> a(audit_mu);
}

void batch() {
  std::lock_guard<std::mutex> l(ledger_mu);
  std::lock_guard<std::mutex> m(local_mu);
}

void postUnderLedger() {
  std::lock_guard<std::mutex> l(ledger_mu);
  post(); // order2.cpp: audit_mu
}
