// A cycle within this file: the check reports it while analysing this TU;
// the merge finds it again and leaves it alone (no second report).
#include <mutex>

std::mutex left_mu;
std::mutex right_mu;

void leftFirst() {
  std::lock_guard<std::mutex> l(left_mu);
  std::lock_guard<std::mutex> r(right_mu);
}

void rightFirst() {
  std::lock_guard<std::mutex> r(right_mu);
  std::lock_guard<std::mutex> l(left_mu);
}
