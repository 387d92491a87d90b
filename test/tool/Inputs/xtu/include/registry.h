// An inline function that takes two locks; every TU including this header
// sees the same edge, which the merge must count once.
#pragma once
#include <mutex>

extern std::mutex registry_mu;
extern std::mutex config_mu;

inline void syncRegistry() {
  std::lock_guard<std::mutex> r(registry_mu);
  std::lock_guard<std::mutex> c(config_mu);
}
