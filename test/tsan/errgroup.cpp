// The seeds' errgroup pattern: fetch an order, then its customer and product
// in parallel. Built with -DSYNC the order is fetched first, as the seed's fix
// does, and go -> wait orders the siblings' results before main reads them.
// The racy version is the seed's bug: a sibling reads the order before it is
// written.
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>
#include <string>

struct order {
  std::string customer_id = "c-17";
  std::string product_id = "p-42";
};

order* fetch_order() {
  goro::sleep(std::chrono::milliseconds(2));
  return new order;
}
std::string fetch(const std::string& id) {
  return id.empty() ? "?" : "name of " + id;
}

int main() {
  auto [g, ctx] = goro::errgroup::with_context(goro::background());
  order* o = nullptr;
  std::string customer, product;
#ifdef SYNC
  o = fetch_order();
#else
  g.go([&]() -> goro::error {
    o = fetch_order();
    return {};
  });
#endif
  g.go([&]() -> goro::error {
    customer = fetch(o != nullptr ? o->customer_id : "");
    return {};
  });
  g.go([&]() -> goro::error {
    product = fetch(o != nullptr ? o->product_id : "");
    return {};
  });
  goro::error err = g.wait();
  std::printf("%s, %s\n", customer.c_str(), product.c_str());
  // SYNC: name of c-17, name of p-42
  delete o;
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 .*}}errgroup.cpp:37
// CHECK-DAG: {{#0 .*}}errgroup.cpp:{{42|46}}
// CHECK: Location is stack of main thread
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at errgroup.cpp:{{36|41|45}})'
