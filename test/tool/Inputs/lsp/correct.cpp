// The same worker pool, correct: each goroutine gets its own copy of `w`.
// `jobs` and `results` are captured by reference and outlive the loop.
#include <goro/goro.hpp>
#include <stddef.h>

void worker(size_t id, goro::chan<int> jobs, goro::chan<int> results) {
  while (auto job = jobs.recv())
    results.send(*job * static_cast<int>(id));
}

void worker_pool(goro::chan<int> jobs, goro::chan<int> results) {
  for (size_t w = 1; w <= 3; ++w)
    goro::go([&, w] { worker(w, jobs, results); });
}
