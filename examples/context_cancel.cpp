// Cancellation through a context tree: canceling a parent cancels every
// context derived from it, however deep, while canceling a child leaves its
// parent alone. Workers watching a context stop when it is canceled, and the
// program waits for them instead of sleeping "long enough".
//
// Seeds: 001 "Context Cancellation Propagation", 002 "Graceful Shutdown"
// (workers on ctx.Done(), then `cancel(); time.Sleep(time.Second)`),
// 003 "WaitGroup with Context", 003 "Context Propagation".
//
// Notice: after cancel(), wait for the workers (wg.wait()). Seed 002 sleeps a
// second and hopes they are done; a busy machine makes that a lie, and a
// goroutine still running when main returns is cut off mid-work.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {

const char* describe(const goro::context& ctx) {
  if (ctx.err() == goro::errc::canceled)
    return "canceled";
  if (ctx.err() == goro::errc::deadline_exceeded)
    return "deadline exceeded";
  return "active";
}

} // namespace

int main() {
  auto [parent, cancel_parent] = goro::with_cancel(goro::background());
  goro::defer release_parent([&] { cancel_parent(); });
  auto [child, cancel_child] = goro::with_timeout(parent, 1h);
  goro::defer release_child([&] { cancel_child(); });
  auto [sibling, cancel_sibling] = goro::with_cancel(parent);
  goro::defer release_sibling([&] { cancel_sibling(); });
  auto grandchild = goro::with_value(child, "request_id", 42);

  // Canceling a child does not reach its parent or its siblings.
  cancel_sibling();
  std::printf("after cancel_sibling: parent %s, child %s, sibling %s\n", describe(parent),
              describe(child), describe(sibling));

  // Three workers, each doing steps until the grandchild context is done.
  std::vector<goro::error> why(3); // why each worker stopped; each writes its own
  goro::wait_group wg;
  auto started = goro::make_chan<goro::unit>(3);
  for (int id = 0; id < 3; ++id) {
    wg.add(1);
    goro::go([&, id, ctx = grandchild] {
      goro::defer done([&] { wg.done(); });
      goro::ticker work(1ms);
      bool first = true;
      for (;;) {
        bool stop = false;
        goro::select(goro::on_recv(ctx.done(), [&](auto) { stop = true; }),
                     goro::on_recv(work.c(), [&](auto) {
                       if (std::exchange(first, false)) // one step of work done
                         started.send(goro::unit{});
                     }));
        if (stop) {
          why[id] = ctx.err();
          return;
        }
      }
    });
  }
  for (int i = 0; i < 3; ++i)
    started.recv(); // every worker has done a step

  cancel_parent(); // reaches child and grandchild
  wg.wait();       // not a sleep: every worker has returned
  std::printf("after cancel_parent: parent %s, child %s, grandchild %s\n", describe(parent),
              describe(child), describe(grandchild));
  for (int id = 0; id < 3; ++id)
    std::printf("worker %d stopped: %s\n", id, why[id].message().c_str());
  return why == std::vector<goro::error>(3, goro::errc::canceled) ? 0 : 1;
}
