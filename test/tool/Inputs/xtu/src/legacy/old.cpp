// Would close a cycle with order.cpp (audit_mu, then ledger_mu), but the
// lock-order check is disabled here. The stock check still runs.
#include <mutex>

extern std::mutex ledger_mu;
extern std::mutex audit_mu;

void reconcile() {
  std::lock_guard<std::mutex> a(audit_mu);
  std::lock_guard<std::mutex> l(ledger_mu);
}

int* cursor = 0;
int* /* café */ other = 0;
