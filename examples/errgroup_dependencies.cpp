// errgroup, calls with dependencies: the order must be fetched first (it holds
// the customer and product ids); only then are the customer and the product
// fetched in parallel. Two stages: a plain call, then an errgroup.
//
// Seed: 003 "Parallel API Calls (With Dependencies)" (and its anti-patterns:
// "all sequential" and "accessing order before it's fetched").
//
// Notice: the calls that need `o` start only after get_order() has returned.
// Putting get_order() in the same group as the calls that read o.customer_id
// would race with its write (seed 003's last anti-pattern).
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

namespace {

struct order {
  std::string id;
  std::string customer_id;
  std::string product_id;
};
struct customer {
  std::string name;
};
struct product {
  std::string name;
};
struct order_details {
  order o;
  customer c;
  product p;
};

std::atomic<int> calls{0}; // remote calls made, to show what stage 2 skipped

goro::error call(const goro::context& ctx, goro::duration latency) {
  calls.fetch_add(1, std::memory_order_relaxed);
  goro::timer t(latency);
  goro::error err;
  goro::select(goro::on_recv(t.c(), [](auto) {}),
               goro::on_recv(ctx.done(), [&](auto) { err = ctx.err(); }));
  return err;
}

goro::error get_order(const goro::context& ctx, const std::string& id, order& out) {
  if (auto err = call(ctx, 2ms))
    return err;
  if (id == "o-404")
    return goro::error("order " + id + " not found");
  out = {id, "c-" + id.substr(2), "p-" + id.substr(2)};
  return {};
}
goro::error get_customer(const goro::context& ctx, const std::string& id, customer& out) {
  if (auto err = call(ctx, 2ms))
    return err;
  out = {"customer " + id};
  return {};
}
goro::error get_product(const goro::context& ctx, const std::string& id, product& out) {
  if (auto err = call(ctx, 3ms))
    return err;
  out = {"product " + id};
  return {};
}

goro::error get_order_details(const goro::context& parent, const std::string& order_id,
                              order_details& out) {
  // Stage 1: the order, which has the ids stage 2 needs.
  order o;
  if (auto err = get_order(parent, order_id, o))
    return goro::error("get order: " + err.message());

  // Stage 2: everything that depends only on the order, in parallel.
  auto [g, ctx] = goro::errgroup::with_context(parent);
  customer c;
  product p;
  g.go([&, ctx] { return get_customer(ctx, o.customer_id, c); });
  g.go([&, ctx] { return get_product(ctx, o.product_id, p); });
  if (auto err = g.wait())
    return goro::error("get order details: " + err.message());

  out = {o, c, p};
  return {};
}

} // namespace

int main() {
  order_details d;
  if (auto err = get_order_details(goro::background(), "o-42", d)) {
    std::printf("unexpected error: %s\n", err.message().c_str());
    return 1;
  }
  std::printf("%s: %s, %s (%d calls)\n", d.o.id.c_str(), d.c.name.c_str(), d.p.name.c_str(),
              calls.exchange(0));

  // Stage 1 fails: stage 2 never starts.
  auto err = get_order_details(goro::background(), "o-404", d);
  std::printf("error: %s (%d call)\n", err ? err.message().c_str() : "none", calls.load());
  return err == goro::error("get order: order o-404 not found") ? 0 : 1;
}
