#include "store.h"
#include "registry.h"

Cache cache;

void Cache::put(int key) {
  std::lock_guard<std::mutex> lock(mu_);
  stats.record(key);
}

void Cache::evict(int key) {
  std::lock_guard<std::mutex> lock(mu_);
  (void)key;
}

void warmUp() { syncRegistry(); }
