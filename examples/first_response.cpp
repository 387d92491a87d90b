// First response wins: ask three replicas the same question, use the first
// answer, and cancel the others (Go's select over several results, like
// JavaScript's Promise.race).
//
// Seeds: 001 "Select Statement" (selectExample) and its Promise.race
// comparison, 000 "Pattern 2: Parallel Database Queries".
//
// Notice: the results channel has room for every replica, and the losers are
// canceled. A loser that answers after the winner can still send and return;
// with an unbuffered channel and no cancel it would block forever.
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct answer {
  std::string replica;
  int value;
};

struct replica {
  std::string name;
  goro::duration latency;
};

// Answers after `latency` unless ctx is done first.
goro::error query(const goro::context& ctx, const replica& r,
                  const goro::send_chan<answer>& results) {
  goro::timer t(r.latency);
  goro::error err;
  goro::select(goro::on_recv(t.c(), [](auto) {}),
               goro::on_recv(ctx.done(), [&](auto) { err = ctx.err(); }));
  if (!err)
    results.send({r.name, 42}); // never blocks: one slot per replica
  return err;
}

} // namespace

int main() {
  // replica-b is healthy; the other two are overloaded and would take 10 s.
  std::vector<replica> replicas = {{"replica-a", 10s}, {"replica-b", 1ms}, {"replica-c", 10s}};
  auto results = goro::make_chan<answer>(replicas.size());
  std::vector<goro::error> outcome(replicas.size()); // each goroutine writes its own

  auto [ctx, cancel] = goro::with_cancel(goro::background());
  goro::defer release([&] { cancel(); });
  goro::wait_group wg;
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    wg.add(1);
    goro::go([&, i, ctx] {
      goro::defer done([&] { wg.done(); });
      outcome[i] = query(ctx, replicas[i], results);
    });
  }

  std::optional<answer> first = results.recv(); // never closed: always an answer
  cancel();                                     // the others can stop now
  wg.wait();
  if (!first)
    return 1;

  std::printf("first answer: %d from %s\n", first->value, first->replica.c_str());
  for (std::size_t i = 0; i < replicas.size(); ++i)
    std::printf("  %s: %s\n", replicas[i].name.c_str(),
                outcome[i] ? outcome[i].message().c_str() : "answered");
  return first->replica == "replica-b" ? 0 : 1;
}
