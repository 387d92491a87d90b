// leaky.cpp — a small order service with the goroutine mistakes the seed
// documents make (wrong on purpose). Built as leaky-debug against the debug
// runtime (goro::goro_debug), which reports each mistake with its line:
//
//   - price lookups whose result nobody reads (the seeds' leaky(): an
//     unbuffered send after the caller returned), started for every order
//     that fails validation: one report with a count;
//   - a query with a timeout whose worker is left sending forever when the
//     timer wins (the fix: make the result channel buffered);
//   - an audit consumer ranging over a channel its producer never closes;
//   - a lock-order inversion between reserving and cancelling an order,
//     which does not deadlock in this run but can in the next.
//
// scripts/run-main-job runs it to show what the reports look like.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct order {
  int id;
  std::string item;
  int quantity;
};

goro::mutex inventory_mu; // guards stock
goro::mutex orders_mu;    // guards open_orders
int stock = 100;
std::vector<int> open_orders;

// Starts looking up the item's price; the caller receives the result later.
goro::recv_chan<int> lookup_price(const std::string& item) {
  auto price = goro::make_chan<int>();
  goro::go([price, item] {
    price.send(static_cast<int>(item.size()) * 100); // blocks until someone receives
  });
  return price;
}

// Validation fails before the price is read: the lookup goroutine leaks.
bool place(const order& o) {
  auto price = lookup_price(o.item);
  if (o.quantity <= 0)
    return false; // early return: nobody will ever receive the price
  return price.recv().value_or(0) > 0;
}

// A query with a timeout: when the timer wins, the worker's send blocks forever.
int stock_level_with_timeout(goro::chan<int> slow_backend) {
  auto result = goro::make_chan<int>(); // unbuffered: the leak
  goro::go([result, slow_backend] {
    slow_backend.recv(); // the slow query
    result.send(stock);
  });
  int level = -1;
  goro::select(goro::on_recv(result, [&](std::optional<int> v) { level = *v; }),
               goro::on_recv(goro::after(5ms), [&](auto) { level = -1; }));
  return level;
}

// Takes inventory, then orders.
void reserve(const order& o) {
  std::lock_guard<goro::mutex> inventory(inventory_mu);
  stock -= o.quantity;
  std::lock_guard<goro::mutex> orders(orders_mu);
  open_orders.push_back(o.id);
}

// Takes orders, then inventory: the opposite order.
void cancel(const order& o) {
  std::lock_guard<goro::mutex> orders(orders_mu);
  std::erase(open_orders, o.id);
  std::lock_guard<goro::mutex> inventory(inventory_mu);
  stock += o.quantity;
}

// Writes audit lines until the channel is closed — which never happens.
void audit_writer(goro::recv_chan<std::string> lines) {
  for (const std::string& line : lines)
    std::printf("audit: %s\n", line.c_str());
}

} // namespace

int main() {
  auto audit = goro::make_chan<std::string>(16);
  goro::go(audit_writer, audit);

  std::vector<order> orders = {{1, "lamp", 2}, {2, "desk", 0}, {3, "chair", -1}, {4, "rug", 0}};
  for (const order& o : orders) {
    bool ok = place(o);
    audit.send("order " + std::to_string(o.id) + (ok ? " placed" : " rejected"));
  }

  goro::wait_group wg;
  wg.add(1);
  goro::go([&wg, first = orders[0]] {
    reserve(first);
    wg.done();
  });
  wg.wait();
  cancel(orders[0]);

  auto slow_backend = goro::make_chan<int>();
  std::printf("stock level: %d\n", stock_level_with_timeout(slow_backend));
  slow_backend.close(); // the backend answers, too late

  audit.send("shutting down");
  // Forgot: audit.close(), and waiting for the writer to finish.
  goro::sleep(20ms);
  return 0;
}
