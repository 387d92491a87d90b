// No goro-deadlock while something can still wake the sleepers, even though
// every goroutine and goro-aware thread is asleep for a while:
//   - a goroutine sleeping on a timer,
//   - a goroutine waiting for a goro::blocking call (running on the pool),
//   - a plain thread goro knows (it used a goro primitive) that is running
//     outside goro (in a syscall, a computation),
//   - a thread goro knows nothing about (it might call in at any moment).
// Each step below has main wait in a goro call while the waker is in one of
// those states; every step completes, nothing is reported, exit status 0.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %t > %t.out 2> %t.err
// RUN: count 0 < %t.err
// RUN: FileCheck %s --input-file %t.out
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>
#include <thread>

using namespace std::chrono_literals;

int main() {
  auto ch = goro::make_chan<int>();

  goro::go([ch] {
    goro::sleep(50ms);
    ch.send(1);
  });
  std::printf("timer: %d\n", *ch.recv());
  // CHECK: timer: 1

  goro::go([ch] {
    int v = goro::blocking([] {
      std::this_thread::sleep_for(50ms);
      return 2;
    });
    ch.send(v);
  });
  std::printf("blocking call: %d\n", *ch.recv());
  // CHECK: blocking call: 2

  std::thread known([ch] {
    goro::mutex m; // registers this thread with goro
    m.lock();
    m.unlock();
    std::this_thread::sleep_for(50ms); // running, outside goro
    ch.send(3);
  });
  std::printf("known thread: %d\n", *ch.recv());
  // CHECK: known thread: 3
  known.join();

  std::thread unknown([ch] {
    std::this_thread::sleep_for(50ms); // never called goro yet
    ch.send(4);
  });
  std::printf("unknown thread: %d\n", *ch.recv());
  // CHECK: unknown thread: 4
  unknown.join();
  return 0;
}
