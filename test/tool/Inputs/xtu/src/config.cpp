// Takes config_mu, then registry_mu: the opposite of syncRegistry() in
// registry.h, which this file does not include.
#include <mutex>

std::mutex registry_mu;
std::mutex config_mu;

void reload() {
  std::lock_guard<std::mutex> c(config_mu);
  std::lock_guard<std::mutex> r(registry_mu);
}
