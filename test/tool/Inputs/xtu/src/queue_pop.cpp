#include <mutex>

extern std::mutex queue_mu;
extern std::mutex space_mu;

void pop() {
  std::lock_guard<std::mutex> s(space_mu);
  // NOLINTNEXTLINE(goro-lock-order-inversion): a try_lock in the real code
  std::lock_guard<std::mutex> q(queue_mu);
}
