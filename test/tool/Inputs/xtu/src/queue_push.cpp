// A cycle across two files whose every site says NOLINT: not reported.
#include <mutex>

std::mutex queue_mu;
std::mutex space_mu;

void push() {
  std::lock_guard<std::mutex> q(queue_mu);
  std::lock_guard<std::mutex> s(space_mu); // NOLINT(goro-lock-order-inversion): see pop()
}
