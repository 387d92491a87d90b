// Pipeline with cancellation: an endless generator feeds a doubling stage; the
// consumer takes the first five values, then stops. Every stage selects between
// its send and ctx.done(), so canceling the context ends them all.
//
// Seeds: 004 "Pipeline", 004 "Goroutine Leak — Blocked Channel Send",
// 002 "Avoid Goroutine Leaks".
//
// Notice: the consumer leaves its loop early, so it must cancel the context
// (goro::defer runs cancel() on every path). Without that, both stages would
// stay blocked on a send that nobody will ever receive: two leaked goroutines.
#include <goro/goro.hpp>

#include <cstdio>
#include <vector>

namespace {

// Sends v on out unless ctx is done first; false when ctx is done.
bool send(const goro::context& ctx, const goro::send_chan<int>& out, int v) {
  bool sent = false;
  goro::select(goro::on_send(out, v, [&] { sent = true; }), goro::on_recv(ctx.done(), [](auto) {}));
  return sent;
}

// 1, 2, 3, ... until ctx is done.
goro::recv_chan<int> count_up(const goro::context& ctx, goro::wait_group& stages) {
  auto out = goro::make_chan<int>();
  stages.add(1);
  goro::go([ctx, out, &stages] {
    goro::defer done([&] {
      out.close(); // the producer closes its output, on every path out
      stages.done();
    });
    int n = 1;
    while (send(ctx, out, n))
      ++n;
  });
  return out;
}

goro::recv_chan<int> double_each(const goro::context& ctx, const goro::recv_chan<int>& in,
                                 goro::wait_group& stages) {
  auto out = goro::make_chan<int>();
  stages.add(1);
  goro::go([ctx, in, out, &stages] {
    goro::defer done([&] {
      out.close();
      stages.done();
    });
    for (int n : in)
      if (!send(ctx, out, n * 2))
        return;
  });
  return out;
}

} // namespace

int main() {
  std::vector<int> got;
  {
    // Destroyed in reverse order: first cancel() (the stages see ctx.done()),
    // then wait() (every stage has returned before `stages` goes away).
    goro::wait_group stages;
    goro::defer join([&] { stages.wait(); });
    auto [ctx, cancel] = goro::with_cancel(goro::background());
    goro::defer stop([&] { cancel(); });

    for (int v : double_each(ctx, count_up(ctx, stages), stages)) {
      got.push_back(v);
      if (got.size() == 5)
        break; // we have what we need; the stages would run forever
    }
  }
  std::printf("first five:");
  for (int v : got)
    std::printf(" %d", v);
  std::printf("\nevery stage returned after cancel\n");
  return got == std::vector<int>{2, 4, 6, 8, 10} ? 0 : 1;
}
