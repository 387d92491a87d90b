// goro-unlock-of-unlocked: unlocking a mutex (or rw_mutex, exclusively or
// shared) that is not locked; also a std::unique_lock whose mutex was
// already unlocked by hand. The unlock panics.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %expect_exit 66 %t > %t.out 2> %t.err
// RUN: FileCheck %s --input-file %t.err --implicit-check-not=error:
// RUN: FileCheck %s --check-prefix=OUT --input-file %t.out
#include <cstdio>
#include <goro/goro.hpp>
#include <mutex>

goro::mutex cache_mu;
goro::rw_mutex table_mu;

template <class F>
void expect_panic(F f) {
  try {
    f();
    std::printf("no panic\n");
  } catch (const goro::panic& p) {
    std::printf("panic: %s\n", p.what());
  }
}

int main() {
  expect_panic([] { cache_mu.unlock(); });
  // CHECK: {{^/.*}}/misuse-unlock-of-unlocked.cpp:[[#@LINE-1]]:30: error: unlock of unlocked mutex 'cache_mu' (goro::panic) [goro-unlock-of-unlocked]
  // CHECK-NEXT: the main thread:
  // OUT: panic: sync: unlock of unlocked mutex

  expect_panic([] { table_mu.unlock(); });
  // CHECK: {{^/.*}}/misuse-unlock-of-unlocked.cpp:[[#@LINE-1]]:30: error: unlock of unlocked mutex 'table_mu' (goro::panic) [goro-unlock-of-unlocked]
  // OUT: panic: sync: unlock of unlocked rw_mutex

  expect_panic([] { table_mu.unlock_shared(); });
  // CHECK: {{^/.*}}/misuse-unlock-of-unlocked.cpp:[[#@LINE-1]]:30: error: unlock of unlocked mutex 'table_mu' (goro::panic) [goro-unlock-of-unlocked]
  // OUT: panic: sync: unlock_shared of unlocked rw_mutex

  expect_panic([] {
    std::unique_lock<goro::mutex> lock(cache_mu);
    cache_mu.unlock(); // by hand: the unique_lock does not know
    try {
      lock.unlock();
      // CHECK: {{^/.*}}/misuse-unlock-of-unlocked.cpp:[[#@LINE-1]]:12: error: unlock of unlocked mutex 'cache_mu'
    } catch (...) {
      lock.release(); // it still thinks it owns the mutex
      throw;
    }
  });
  // OUT: panic: sync: unlock of unlocked mutex
  return 0;
}
