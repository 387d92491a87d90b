#include <mutex>

extern std::mutex ledger_mu;
extern std::mutex audit_mu;
static std::mutex local_mu;

void post() {
  std::lock_guard<std::mutex> a(audit_mu);
}

void audit() {
  std::lock_guard<std::mutex> m(local_mu);
  std::lock_guard<std::mutex> l(ledger_mu);
}
