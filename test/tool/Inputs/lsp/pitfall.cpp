// A worker pool as an editor shows it: the goroutines capture the loop
// variable `w` by reference (goro-loop-variable-capture). <stddef.h> is one
// of clang's builtin headers, found only through the right resource dir.
#include <goro/goro.hpp>
#include <stddef.h>

void worker(size_t id, goro::chan<int> jobs, goro::chan<int> results) {
  while (auto job = jobs.recv())
    results.send(*job * static_cast<int>(id));
}

void worker_pool(goro::chan<int> jobs, goro::chan<int> results) {
  for (size_t w = 1; w <= 3; ++w)
    goro::go([&] { worker(w, jobs, results); });
}
