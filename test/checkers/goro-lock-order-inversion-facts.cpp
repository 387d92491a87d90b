// The lock-order facts (FactsFile): JSON lines for goro-tidy's cross-TU step.
//
// A file: written whole, deterministic (a second run gives the same bytes).
// RUN: rm -rf %t.jsonl %t.dir %t.first
// RUN: %check_goro_tidy --config="{CheckOptions: {goro-lock-order-inversion.FactsFile: '%t.jsonl'}}" %s goro-lock-order-inversion %t
// RUN: FileCheck --input-file=%t.jsonl %s --check-prefix=FACTS --match-full-lines --strict-whitespace
// RUN: cp %t.jsonl %t.first
// RUN: %check_goro_tidy --config="{CheckOptions: {goro-lock-order-inversion.FactsFile: '%t.jsonl'}}" %s goro-lock-order-inversion %t
// RUN: cmp %t.jsonl %t.first
//
// A directory (named with a trailing slash, created if missing): one file per
// TU, named by the main file's stem and a hash of its path; same content.
// RUN: %check_goro_tidy --config="{CheckOptions: {goro-lock-order-inversion.FactsFile: '%t.dir/'}}" %s goro-lock-order-inversion %t
// RUN: ls %t.dir | FileCheck %s --check-prefix=DIR
// RUN: cmp %t.dir/goro-lock-order-inversion-facts.cpp.tmp-*.lockorder.jsonl %t.first
// DIR: goro-lock-order-inversion-facts.cpp.tmp-{{[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]}}.lockorder.jsonl
// DIR-NOT: tmp-
//
// An existing directory works without the slash, and keeps other TUs' files.
// RUN: touch %t.dir/other-tu.lockorder.jsonl
// RUN: %check_goro_tidy --config="{CheckOptions: {goro-lock-order-inversion.FactsFile: '%t.dir'}}" %s goro-lock-order-inversion %t
// RUN: ls %t.dir | FileCheck %s --check-prefix=DIR2
// DIR2: goro-lock-order-inversion-facts.cpp.tmp-{{[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]}}.lockorder.jsonl
// DIR2-NEXT: other-tu.lockorder.jsonl

#include <mutex>

struct Account {
  std::mutex mu_;
  void deposit(int n); // defined in another TU
};
std::mutex ledger_mu;
namespace {
std::mutex cache_mu; // internal linkage: its id names this TU
} // namespace
void audit(); // defined in another TU

void post(Account& a) {
  std::lock_guard<std::mutex> g(ledger_mu);
  std::lock_guard<std::mutex> h(a.mu_);
  a.deposit(1);
}

static void touchCache() {
  std::lock_guard<std::mutex> g(cache_mu);
  audit();
}

void refresh() {
  std::lock_guard<std::mutex> g(ledger_mu);
  touchCache();
}

int nextId() {
  static std::mutex id_mu;
  std::lock_guard<std::mutex> g(id_mu);
  static int id = 0;
  return ++id;
}

void rebalance(Account& a) {
  a.mu_.lock();
  ledger_mu.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'ledger_mu' acquired while holding 'Account::mu_' closes the lock-order cycle 'Account::mu_' -> 'ledger_mu' -> 'Account::mu_'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'Account::mu_' acquired here
  // CHECK-MESSAGES: :[[@LINE-26]]:3: note: 'Account::mu_' acquired here while holding 'ledger_mu'
  ledger_mu.unlock();
  a.mu_.unlock();
}

// FACTS:{"kind":"tu","version":1,"tu":"[[TU:[^"]+\.tmp\.cpp]]"}
// FACTS-NEXT:{"kind":"edge","from":"ledger_mu","to":"Account::mu_","mode":"exclusive","function":"post(Account &)","first_site":{"file":"[[TU]]","line":39,"col":3},"site":{"file":"[[TU]]","line":40,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"edge","from":"ledger_mu","to":"(anonymous namespace)::cache_mu@[[TU]]","mode":"exclusive","function":"refresh()","first_site":{"file":"[[TU]]","line":50,"col":3},"site":{"file":"[[TU]]","line":45,"col":3},"via":[{"function":"touchCache()","site":{"file":"[[TU]]","line":51,"col":3}}],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"edge","from":"Account::mu_","to":"ledger_mu","mode":"exclusive","function":"rebalance(Account &)","first_site":{"file":"[[TU]]","line":62,"col":3},"site":{"file":"[[TU]]","line":63,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"call","function":"post(Account &)","function_key":"_Z4postR7Account","callee":"Account::deposit(int)","callee_key":"_ZN7Account7depositEi","site":{"file":"[[TU]]","line":41,"col":3},"via":[],"held":[{"mutex":"ledger_mu","site":{"file":"[[TU]]","line":39,"col":3}},{"mutex":"Account::mu_","site":{"file":"[[TU]]","line":40,"col":3}}],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"call","function":"touchCache()","function_key":"","callee":"audit()","callee_key":"_Z5auditv","site":{"file":"[[TU]]","line":46,"col":3},"via":[],"held":[{"mutex":"(anonymous namespace)::cache_mu@[[TU]]","site":{"file":"[[TU]]","line":45,"col":3}}],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"call","function":"refresh()","function_key":"_Z7refreshv","callee":"audit()","callee_key":"_Z5auditv","site":{"file":"[[TU]]","line":46,"col":3},"via":[{"function":"touchCache()","site":{"file":"[[TU]]","line":51,"col":3}}],"held":[{"mutex":"ledger_mu","site":{"file":"[[TU]]","line":50,"col":3}}],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"acquires","function":"post(Account &)","function_key":"_Z4postR7Account","mutex":"Account::mu_","mode":"exclusive","site":{"file":"[[TU]]","line":40,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"acquires","function":"post(Account &)","function_key":"_Z4postR7Account","mutex":"ledger_mu","mode":"exclusive","site":{"file":"[[TU]]","line":39,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"acquires","function":"nextId()","function_key":"_Z6nextIdv","mutex":"nextId()::id_mu","mode":"exclusive","site":{"file":"[[TU]]","line":56,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"acquires","function":"refresh()","function_key":"_Z7refreshv","mutex":"(anonymous namespace)::cache_mu@[[TU]]","mode":"exclusive","site":{"file":"[[TU]]","line":45,"col":3},"via":[{"function":"touchCache()","site":{"file":"[[TU]]","line":51,"col":3}}],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"acquires","function":"refresh()","function_key":"_Z7refreshv","mutex":"ledger_mu","mode":"exclusive","site":{"file":"[[TU]]","line":50,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"acquires","function":"rebalance(Account &)","function_key":"_Z9rebalanceR7Account","mutex":"Account::mu_","mode":"exclusive","site":{"file":"[[TU]]","line":62,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-NEXT:{"kind":"acquires","function":"rebalance(Account &)","function_key":"_Z9rebalanceR7Account","mutex":"ledger_mu","mode":"exclusive","site":{"file":"[[TU]]","line":63,"col":3},"via":[],"tu":"[[TU]]"}
// FACTS-EMPTY:
