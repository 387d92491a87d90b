// errgroup, independent calls: fetch an order, its customer and its product at
// the same time, and fail as a whole as soon as one of the three fails.
//
// Seed: 003 "Parallel API Calls (Independent)" (and its anti-pattern
// "Fire-and-forget parallel requests": no wait, no error handling).
//
// Notice: each goroutine writes only its own variable, and main reads them
// only after wait() has returned: wait() is what makes those writes visible.
// The first error cancels ctx, so the calls still in flight stop early.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <string>

using namespace std::chrono_literals;

namespace {

struct order {
  std::string id;
  double total = 0;
};
struct customer {
  std::string id;
  std::string name;
};
struct product {
  std::string id;
  std::string name;
};
struct order_details {
  order o;
  customer c;
  product p;
};

// A remote call: takes `latency` unless ctx is done first. A timer (stopped by
// its destructor) rather than goro::after, so an abandoned call leaves no
// pending timer behind.
goro::error call(const goro::context& ctx, goro::duration latency) {
  goro::timer t(latency);
  goro::error err;
  goro::select(goro::on_recv(t.c(), [](auto) {}),
               goro::on_recv(ctx.done(), [&](auto) { err = ctx.err(); }));
  return err;
}

goro::error get_order(const goro::context& ctx, const std::string& id, order& out) {
  if (auto err = call(ctx, 3ms))
    return err;
  out = {id, 99.5};
  return {};
}
// "c-slow" lives on an overloaded shard: its lookup would take ten seconds.
goro::error get_customer(const goro::context& ctx, const std::string& id, customer& out) {
  if (auto err = call(ctx, id == "c-slow" ? goro::duration(10s) : goro::duration(2ms)))
    return err;
  out = {id, "Ada"};
  return {};
}
// The product service knows no "p-404", and says so at once.
goro::error get_product(const goro::context& ctx, const std::string& id, product& out) {
  if (id == "p-404")
    return goro::error("product " + id + ": not found");
  if (auto err = call(ctx, 4ms))
    return err;
  out = {id, "Widget"};
  return {};
}

// Each call's own outcome, so the demo can show what the group did to it.
struct call_errors {
  goro::error order, customer, product;
};

goro::error get_order_details(const goro::context& parent, const std::string& order_id,
                              const std::string& customer_id, const std::string& product_id,
                              order_details& out, call_errors& each) {
  auto [g, ctx] = goro::errgroup::with_context(parent);
  order o;
  customer c;
  product p;

  g.go([&, ctx] { return each.order = get_order(ctx, order_id, o); });
  g.go([&, ctx] { return each.customer = get_customer(ctx, customer_id, c); });
  g.go([&, ctx] { return each.product = get_product(ctx, product_id, p); });

  if (auto err = g.wait())
    return goro::error("get order details: " + err.message());
  out = {o, c, p};
  return {};
}

} // namespace

int main() {
  order_details d;
  call_errors each;
  if (auto err = get_order_details(goro::background(), "o-1", "c-7", "p-3", d, each)) {
    std::printf("unexpected error: %s\n", err.message().c_str());
    return 1;
  }
  std::printf("order %s (%.2f) for %s: %s\n", d.o.id.c_str(), d.o.total, d.c.name.c_str(),
              d.p.name.c_str());

  // The product call fails at once; the group cancels ctx, so the customer
  // call returns "context canceled" right away instead of after ten seconds.
  // (The order call may finish or be canceled, depending on timing.)
  auto err = get_order_details(goro::background(), "o-2", "c-slow", "p-404", d, each);
  std::printf("error: %s\n", err ? err.message().c_str() : "none");
  std::printf("  product call: %s\n", each.product.message().c_str());
  std::printf("  customer call: %s\n", each.customer.message().c_str());
  return err == goro::error("get order details: product p-404: not found") &&
                 each.customer == goro::errc::canceled
             ? 0
             : 1;
}
