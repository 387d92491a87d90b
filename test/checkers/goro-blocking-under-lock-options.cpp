// BlockingFunctions replaces the list of blocking calls: here only
// rpc::call blocks (goro::sleep is no longer listed); MutexTypes: only
// my::spin_lock is a mutex.
// RUN: %check_goro_tidy --config="{CheckOptions: {goro-blocking-under-lock.BlockingFunctions: '::rpc::call', goro-blocking-under-lock.MutexTypes: 'my::spin_lock'}}" %s goro-blocking-under-lock %t

#include <goro/goro.hpp>

#include <chrono>
#include <mutex>

namespace rpc {
int call(int request);
} // namespace rpc

namespace my {
struct spin_lock {
  void lock() {}
  void unlock() {}
};
} // namespace my

my::spin_lock table_lock;
std::mutex other;

int lookup(int key) {
  std::lock_guard<my::spin_lock> lock(table_lock);
  goro::sleep(std::chrono::milliseconds(1)); // not listed any more
  return rpc::call(key);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: call to 'rpc::call' while holding 'table_lock': it can block indefinitely, and every goroutine that locks 'table_lock' waits as long (a deadlock if the one it waits for needs 'table_lock') [goro-blocking-under-lock]
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'table_lock' is locked here
}

// std::mutex is not listed: not tracked.
int lookup_std(int key) {
  std::lock_guard<std::mutex> lock(other);
  return rpc::call(key);
}
