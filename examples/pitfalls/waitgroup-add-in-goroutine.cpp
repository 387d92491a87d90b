// Pitfall: wait_group::add() called inside the goroutine it counts
// (goro-waitgroup-add-in-goroutine; staticcheck SA2000).
//
// The seeds' "fetch all users concurrently", with the add() moved into the
// goroutines. main() may reach wg.wait() before any goroutine has run its
// add(): the counter is still zero, wait() returns at once, and main prints
// an empty or partial list (and destroys `users` under the goroutines).
//
// Not built by CMake. See the findings with:
//   clang-tidy-19 --load build/default/checkers/goro-tidy.so \
//     --checks='-*,goro-waitgroup-add-in-goroutine' \
//     examples/pitfalls/waitgroup-add-in-goroutine.cpp -- -std=c++20 -Iruntime/include
// The fix (offered as a fix-it for the first goroutine): `wg.add(1);` before
// each goro::go, as in examples/wait_group.cpp.
#include <goro/goro.hpp>

#include <cstdio>
#include <string>
#include <vector>

std::vector<std::string> fetch_active();
std::vector<std::string> fetch_admins();

int main() {
  goro::wait_group wg;
  goro::mutex mu;
  std::vector<std::string> users;

  goro::go([&] {
    wg.add(1); // BUG: races with wg.wait() below
    goro::defer done([&] { wg.done(); });
    std::vector<std::string> active = fetch_active();
    std::lock_guard lock(mu);
    users.insert(users.end(), active.begin(), active.end());
  });
  goro::go([&] {
    std::vector<std::string> admins = fetch_admins();
    wg.add(1); // BUG: later still
    std::lock_guard lock(mu);
    users.insert(users.end(), admins.begin(), admins.end());
    wg.done();
  });

  wg.wait();
  std::printf("%zu users\n", users.size());
}
