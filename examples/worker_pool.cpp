// Worker pool: a fixed number of workers take jobs from one channel and send
// results on another, so nine jobs never need more than three goroutines.
//
// Seeds: 002 "Worker Pool", 001 "Worker Pool Pattern", 002 "Don't Create Too
// Many Goroutines".
//
// Notice: the producer closes `jobs` once every job is sent. That close is what
// ends each worker's range-for loop; without it the workers wait forever.
#include <goro/goro.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct result {
  int job;
  int value;
};

// Receives until `jobs` is closed and drained. go() copies its arguments, as
// Go's go statement does, so the caller passes the wait_group with std::ref.
void worker(const goro::recv_chan<int>& jobs, const goro::send_chan<result>& results,
            goro::wait_group& wg) {
  goro::defer done([&] { wg.done(); });
  for (int job : jobs) {
    goro::sleep(1ms); // simulated work
    results.send({job, job * 2});
  }
}

} // namespace

int main() {
  constexpr int num_jobs = 9;
  constexpr int num_workers = 3;

  // Both buffered to num_jobs, as in the seed: the producer never waits for a
  // worker and a worker never waits for the collector.
  auto jobs = goro::make_chan<int>(num_jobs);
  auto results = goro::make_chan<result>(num_jobs);

  goro::wait_group wg;
  for (int w = 0; w < num_workers; ++w) {
    wg.add(1);
    goro::go(worker, jobs, results, std::ref(wg));
  }

  for (int j = 1; j <= num_jobs; ++j)
    jobs.send(j);
  jobs.close(); // the producer closes: no more jobs

  // Exactly one result per job. Results arrive in completion order; sort them
  // so the output is the same on every run.
  std::vector<result> collected;
  collected.reserve(num_jobs);
  for (int i = 0; i < num_jobs; ++i)
    if (auto r = results.recv()) // nobody closes results: always a value
      collected.push_back(*r);
  wg.wait(); // every worker has left its loop and returned

  std::ranges::sort(collected, {}, &result::job);
  int sum = 0;
  for (const result& r : collected) {
    std::printf("job %d -> %d\n", r.job, r.value);
    sum += r.value;
  }
  std::printf("%d jobs, %d workers, sum %d\n", num_jobs, num_workers, sum);
  return collected.size() == num_jobs && sum == 90 ? 0 : 1;
}
