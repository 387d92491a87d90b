// A semaphore made of a buffered channel: its capacity is the number of
// permits; sending takes one (blocking while all are taken), receiving gives
// one back. Twelve downloads, at most three at once.
//
// Seeds: 002 "Don't Create Too Many Goroutines", 001 "Goroutine Pool vs
// Unlimited Goroutines", 001 "Database Connection Pool" (a channel as a pool).
//
// Notice: the permit is taken in the loop, *before* go(). Taking it inside
// the goroutine would still limit the work, but not the goroutines: all
// twelve would be started at once, eleven of them parked on the semaphore.
#include <goro/goro.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace std::chrono_literals;

int main() {
  constexpr int max_parallel = 3;
  auto sem = goro::make_chan<goro::unit>(max_parallel);

  std::vector<std::string> files;
  for (int i = 1; i <= 12; ++i)
    files.push_back("part-" + std::to_string(i) + ".dat");
  std::vector<std::size_t> sizes(files.size()); // sized before any goroutine starts

  std::atomic<int> alive{0};
  std::atomic<int> peak{0};
  goro::wait_group wg;
  for (std::size_t i = 0; i < files.size(); ++i) {
    sem.send(goro::unit{}); // acquire: blocks while max_parallel downloads run
    wg.add(1);
    int now = alive.fetch_add(1) + 1;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    goro::go([&, i] { // `i` by value: the loop changes it
      goro::defer release([&] {
        alive.fetch_sub(1);
        sem.recv(); // release the permit last, once this goroutine is done
        wg.done();
      });
      goro::sleep(2ms); // simulated download
      sizes[i] = files[i].size() * 100;
    });
  }
  wg.wait();

  std::size_t total = 0;
  for (std::size_t s : sizes)
    total += s;
  std::printf("downloaded %zu files, %zu bytes\n", files.size(), total);
  std::printf("never more than %d downloads at once: %s\n", max_parallel,
              peak.load() <= max_parallel ? "yes" : "NO");
  return peak.load() <= max_parallel && total == 12300 ? 0 : 1;
}
