// blocking.cpp — the pool of threads for blocking calls (goro::blocking).
//
// A goroutine hands its job to the pool through park()'s deferred callback
// (so the pool cannot finish the job and ready the goroutine before it is
// parked) and sleeps; a pool thread runs the job and readies it. The pool
// starts threads on demand, up to GORO_BLOCKING_THREADS, so that every queued
// job has a thread while the limit allows; idle threads wait on a condition
// variable and live as long as the program.
//
// ThreadSanitizer (tsan.hpp): the goroutine's work before blocking() happens
// before the job (the pool thread acquires the parked g), and the job before
// the goroutine resumes (it releases the g before ready()). The pool's own
// bookkeeping (its std::mutex, condition variable and deque) runs with TSan
// ignoring it: it would order unrelated jobs and the contexts that happen to
// run submit().
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "env.hpp"
#include "goro/os.hpp"
#include "hooks.hpp"
#include "sched.hpp"
#include "tsan.hpp"

namespace goro::detail {
namespace {

struct job {
  function_ref<void()> fn;
  g* gp;
};

struct pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<job*> jobs;
  int threads = 0;
  int idle = 0;
};

pool& the_pool() {
  static auto* p = new pool; // never destroyed: threads outlive static destructors
  return *p;
}

void pool_thread(pool* p) {
  register_runtime_thread();
  tsan_ignore_begin();
  std::unique_lock<std::mutex> lock(p->mu);
  for (;;) {
    ++p->idle;
    p->cv.wait(lock, [&] { return !p->jobs.empty(); });
    --p->idle;
    job* j = p->jobs.front();
    p->jobs.pop_front();
    lock.unlock();
    g* gp = j->gp; // j lives on the parked goroutine's stack until ready()
    tsan_ignore_end();
    tsan_acquire(gp);
    j->fn();
    tsan_release(gp);
    tsan_ignore_begin();
    ready(gp);
    on_blocking_job_hook(-1);
    lock.lock();
  }
}

void submit(void* arg) noexcept {
  auto* j = static_cast<job*>(arg);
  tsan_ignore_scope runtime_only;
  on_blocking_job_hook(+1);
  pool& p = the_pool();
  std::lock_guard<std::mutex> lock(p.mu);
  p.jobs.push_back(j);
  // Each queued job needs a thread of its own. An idle thread that has been
  // notified but has not woken up yet still counts in `idle`, so "idle == 0"
  // would let one idle thread stand for several jobs, which then run one
  // after the other (and deadlock if they wait for each other).
  if (p.jobs.size() > static_cast<std::size_t>(p.idle) && p.threads < env().blocking_threads) {
    try {
      std::thread(pool_thread, &p).detach();
      ++p.threads;
    } catch (...) {
      // No new thread: an existing one takes the job when it is free.
      if (p.threads == 0)
        std::abort();
    }
  }
  p.cv.notify_one();
}

} // namespace

void run_blocking(function_ref<void()> f) {
  if (!on_goroutine()) {
    f();
    return;
  }
  job j{f, current_g()};
  park(wait_site{"blocking call", nullptr, __builtin_return_address(0), wait_kind::blocking_call},
       &submit, &j);
}

} // namespace goro::detail
