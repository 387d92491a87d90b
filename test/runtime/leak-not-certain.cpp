// No early goro-leak report for a goroutine that merely waits on a channel
// someone else can still reach. Each negative sits next to what makes it
// reachable; a positive control (a real leak, started once every negative is
// parked) proves a sweep looked at all of them: main waits for that report,
// then releases the negatives, which all finish. Only the control is reported.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>
#include <memory>
#include <mutex>

goro::chan<int> in_global; // a handle in global data

std::size_t blocked_goroutines() {
  std::size_t n = 0;
  for (const auto& g : goro::debug::goroutines())
    n += g.st == goro::debug::state::blocked;
  return n;
}

int main() {
  goro::wait_group done;

  // 1. main holds the channel (a handle on a running thread's stack).
  auto held_by_main = goro::make_chan<int>();
  done.add();
  goro::go([held_by_main, &done] {
    held_by_main.recv();
    done.done();
  });

  // 2. The goroutine's own local channel, shared with a child by reference:
  //    the only handle is on the parent's stack, the child holds a pointer to
  //    it (in its closure) and is itself waiting on a channel main holds.
  auto release = goro::make_chan<int>();
  done.add();
  goro::go([release, &done] {
    auto local = goro::make_chan<int>();
    goro::go([&local, release] {
      release.recv();
      local.send(1);
    });
    local.recv();
    done.done();
  });

  // 3. A handle in global data.
  in_global = goro::make_chan<int>();
  done.add();
  goro::go([&done] {
    in_global.recv();
    done.done();
  });

  // 4. A handle on the heap (in a shared_ptr main also holds).
  auto boxed = std::make_shared<goro::chan<int>>(goro::make_chan<int>());
  done.add();
  goro::go([boxed, &done] {
    boxed->recv();
    done.done();
  });

  // 5. The other holder is a goroutine blocked on a mutex (not a channel).
  goro::mutex mu;
  mu.lock();
  auto via_mutex = goro::make_chan<int>();
  done.add(2);
  goro::go([via_mutex, &done] {
    via_mutex.recv();
    done.done();
  });
  goro::go([via_mutex, &mu, &done] {
    std::lock_guard<goro::mutex> lock(mu);
    via_mutex.send(1);
    done.done();
  });

  while (blocked_goroutines() < 7)
    goro::yield();

  // The positive control: a receive on a channel only its goroutine holds.
  {
    auto lost = goro::make_chan<int>();
    goro::go([lost] { lost.recv(); });
    // CHECK: {{^/.*}}/leak-not-certain.cpp:[[#@LINE-1]]:23: error: goroutine leak: goroutine 8 is blocked in chan receive forever: no other goroutine or thread can reach the channel [goro-leak]
  }
  while (goro::debug::findings_reported() == 0)
    goro::yield();

  held_by_main.send(1);
  release.send(1);
  in_global.send(1);
  boxed->send(1);
  mu.unlock();
  done.wait();
  std::printf("all released; findings: %zu\n", goro::debug::findings_reported());
  // OUT: all released; findings: 1
  return 0;
}
