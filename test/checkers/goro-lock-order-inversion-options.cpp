// MutexTypes replaces the list of mutex types: here only my::spin_lock (and
// classes derived from it) counts; std::mutex is not tracked any more.
// RUN: %check_goro_tidy --config="{CheckOptions: {goro-lock-order-inversion.MutexTypes: '::my::spin_lock'}}" %s goro-lock-order-inversion %t

#include <mutex>

namespace my {
struct spin_lock {
  void lock() {}
  void unlock() {}
  bool try_lock() { return true; }
};
struct counted_lock : spin_lock {};
} // namespace my

my::spin_lock registry_lock;
my::counted_lock queue_lock;

void enqueue() {
  std::lock_guard<my::spin_lock> r(registry_lock);
  queue_lock.lock();
  queue_lock.unlock();
}
void drain() {
  std::lock_guard<my::counted_lock> q(queue_lock);
  registry_lock.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'registry_lock' acquired while holding 'queue_lock' closes the lock-order cycle 'queue_lock' -> 'registry_lock' -> 'queue_lock'; threads taking these locks in these orders can deadlock [goro-lock-order-inversion]
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'queue_lock' acquired here
  // CHECK-MESSAGES: :[[@LINE-8]]:3: note: 'queue_lock' acquired here while holding 'registry_lock'
  registry_lock.unlock();
}

// std::mutex is not in the list: no edges.
std::mutex a, b;
void ab() {
  std::lock_guard<std::mutex> ga(a);
  std::lock_guard<std::mutex> gb(b);
}
void ba() {
  std::lock_guard<std::mutex> gb(b);
  std::lock_guard<std::mutex> ga(a);
}
