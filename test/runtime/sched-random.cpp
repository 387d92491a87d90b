// GORO_OPTIONS=sched=random:SEED perturbs the interleaving (which goroutine
// runs next, select's choices) deterministically from SEED: the same seed
// replays the same interleaving, so a bug found once can be replayed. Every
// report names the seed, in the text and in SARIF.
//
// The program's output depends on the interleaving: four goroutines append
// to a shared trace under a mutex, yielding between steps, while two
// channels race in a select.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: env GORO_OPTIONS=sched=random:12345,sarif_path=%t.sarif %expect_exit 66 %t > %t.first 2> %t.err
// RUN: env GORO_OPTIONS=sched=random:12345 %expect_exit 66 %t > %t.second 2> /dev/null
// RUN: diff %t.first %t.second
// RUN: env GORO_OPTIONS=sched=random:777 %expect_exit 66 %t > %t.third 2> /dev/null
// RUN: env GORO_OPTIONS=sched=random:777 %expect_exit 66 %t > %t.fourth 2> /dev/null
// RUN: diff %t.third %t.fourth
// RUN: FileCheck %s --input-file %t.err
// RUN: %validate_sarif %t.sarif | FileCheck %s --check-prefix=SARIF
#include <cstdio>
#include <goro/goro.hpp>
#include <string>

int main() {
  std::string trace;
  goro::wait_group all;
  all.add(1);
  goro::go([&] {
    goro::mutex mu;
    goro::wait_group wg;
    for (int w = 0; w < 4; ++w) {
      wg.add(1);
      goro::go([&, w] {
        for (int i = 0; i < 8; ++i) {
          mu.lock();
          trace += static_cast<char>('A' + w);
          mu.unlock();
          goro::yield();
        }
        wg.done();
      });
    }
    auto a = goro::make_chan<int>(), b = goro::make_chan<int>();
    wg.add(1);
    goro::go([&, a, b] {
      for (int i = 0; i < 16; ++i)
        goro::select(goro::on_send(a, i, [] {}), goro::on_send(b, i, [] {}));
      wg.done();
    });
    for (int i = 0; i < 16; ++i)
      goro::select(goro::on_recv(a, [&](auto) { trace += 'a'; }),
                   goro::on_recv(b, [&](auto) { trace += 'b'; }));
    wg.wait();
    all.done();
  });
  all.wait();
  std::printf("%s\n", trace.c_str());

  goro::wait_group wg;
  try {
    wg.done();
    // CHECK: {{^/.*}}/sched-random.cpp:[[#@LINE-1]]:5: error: negative wait_group counter
    // CHECK-NEXT: goro: note: scheduled with sched=random:12345 (set GORO_OPTIONS=sched=random:12345 to replay)
  } catch (const goro::panic&) {
  }
  return 0;
}
// SARIF: result 0: ruleId=goro-negative-wait-group
// SARIF: properties: sched=random:12345
