// A done channel (the pattern before context existed): workers select between
// their jobs and `done`, and closing `done` stops all of them at once, even
// though the jobs channel is never closed.
//
// Seeds: 004 "Done Channel (Pre-Context Pattern)", 001 "Memory Management"
// (properCleanup), 002 "Avoid Goroutine Leaks".
//
// Notice: `done` is closed, not sent to. A close is seen by every receiver,
// now and later; a send would stop exactly one worker and leave the rest
// blocked forever.
#include <goro/goro.hpp>

#include <atomic>
#include <cstdio>
#include <optional>

namespace {

struct job {
  int id;
};

std::atomic<int> processed_sum{0};

void process(const job& j) {
  processed_sum.fetch_add(j.id);
}

// As in the seed: returns on done, or when jobs is closed.
void worker(const goro::recv_chan<goro::unit>& done, const goro::recv_chan<job>& jobs) {
  for (;;) {
    bool stop = false;
    goro::select(goro::on_recv(done, [&](auto) { stop = true; }),
                 goro::on_recv(jobs, [&](std::optional<job> j) {
                   if (!j) {
                     stop = true; // jobs closed
                     return;
                   }
                   process(*j);
                 }));
    if (stop)
      return;
  }
}

} // namespace

int main() {
  auto done = goro::make_chan<goro::unit>();
  auto jobs = goro::make_chan<job>(); // shared with producers that never close it
  goro::wait_group wg;
  for (int i = 0; i < 4; ++i) {
    wg.add(1);
    goro::go([&wg, done, jobs] {
      goro::defer finished([&] { wg.done(); });
      worker(done, jobs);
    });
  }

  // Unbuffered: each send returns once a worker has taken the job.
  for (int id = 1; id <= 10; ++id)
    jobs.send({id});

  done.close(); // every worker, idle or busy, returns at its next select
  wg.wait();
  std::printf("10 jobs sent, sum of processed ids %d\n", processed_sum.load());
  std::printf("all 4 workers stopped by one close(done)\n");
  return processed_sum.load() == 55 ? 0 : 1;
}
