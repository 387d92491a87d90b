// sched.cpp — the M:N work-stealing scheduler (Go's runtime/proc.go, smaller).
//
// Workers. GOMAXPROCS worker threads each run a scheduling loop on their own
// thread stack ("g0") and switch into goroutines. A worker owns a local run
// queue (runq.hpp); goroutines readied by a worker go to its queue (into
// runnext), goroutines readied elsewhere go to the global queue.
//
// Switching. A goroutine that parks, yields or exits leaves a deferred action
// in its worker (unlock the object it waits on, requeue it, free it) and
// switches directly to the next runnable goroutine of that worker, or to g0
// when there is none. The context switched to runs the deferred action first
// (after_switch), so the object is unlocked only once the parked goroutine's
// context is saved: a waker can never resume a goroutine that is still running.
//
// Idle workers and wakeups (Go's spinning protocol). A worker that finds no
// work becomes "spinning" and tries to steal; at most about half the busy
// workers spin. Whoever makes work available calls wakep(), which wakes one
// idle worker only if nobody is spinning. A worker going idle first stops
// spinning, then registers as idle, and after each step looks for work once
// more; wakep() does the mirror image (publish work, then look for idle
// workers), so with sequentially consistent fences one of the two always
// sees the other and no wakeup is lost.
//
// The poller. One idle worker at a time sleeps in netpoll() until the earliest
// timer, an I/O event or a break; the others sleep on their parker. A new
// earliest timer breaks the poller out (wake_poller).
//
// Stack overflow. The canary at the bottom of each stack is checked at every
// switch, which catches a goroutine that overflowed a little and then
// parked. Runaway recursion faults before it ever switches (below the slab's
// lowest stack, or in a guard page), so workers run with an alternate signal
// stack and a SIGSEGV handler that reports a fault whose stack pointer or
// address lies below the running goroutine's stack the same way. Every
// other fault goes to the handler installed before ours (the default one, a
// sanitizer's, the program's).
//
// Exit. An on_exit handler stops scheduling: workers stop at their next
// scheduling point and the handler waits until none runs a goroutine, so no
// goroutine runs while static destructors do. A thread_local sentinel
// registers the handler again when exit() starts, so that it also runs
// before the destructors of statics constructed after the scheduler started.
//
// Lock order: idle_lock, free_lock, registry shard locks and the global queue
// lock are leaves; none is held while switching or calling out.
#include "sched.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <thread>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include <csignal>
#include <cxxabi.h>
#include <sched.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "env.hpp"
#include "fiber.hpp"
#include "goro/error.hpp"
#include "goro/go.hpp"
#include "hooks.hpp"
#include "introspect.hpp"
#include "netpoll.hpp"
#include "runq.hpp"
#include "stack.hpp"
#include "symbolize.hpp"
#include "timer.hpp"
#include "tsan.hpp"

namespace goro::detail {
namespace {

constexpr int max_workers = 1024;
constexpr std::uint32_t global_fairness_tick = 61;
constexpr std::uint32_t timer_check_tick = 16;
constexpr std::uint32_t max_runnext_streak = 64;
constexpr int steal_rounds = 4;
[[maybe_unused]] constexpr std::size_t local_free_cache = 64; // unused under TSan
[[maybe_unused]] constexpr std::size_t global_free_untrimmed = 1024;
constexpr std::size_t registry_shards = 16;

struct deferred_action {
  enum kind : std::uint8_t { none, unlock, requeue, exit } what = none;
  void (*fn)(void*) noexcept = nullptr;
  void* arg = nullptr;
  g* gp = nullptr;
};

struct worker {
  int index = 0;
  g g0;                             // this worker's thread stack: the scheduling loop
  std::atomic<g*> current{nullptr}; // the context running on this worker
  local_runq runq;
  deferred_action deferred;
  parker sleeper;
  bool spinning = false;
  std::atomic<bool> polling{false};
  std::atomic<bool> retired{false}; // parked in retire(); set_max_procs claims it to wake it
  bool in_idle_list = false;        // guarded by scheduler::idle_lock
  std::uint32_t tick = 0;
  std::uint32_t next_streak = 0;
  std::uint64_t rng = 0;
  std::vector<g*> free_gs;         // owner only
  eh_globals* eh_thread = nullptr; // this worker thread's C++ exception state
};

struct registry_shard {
  spin_lock lock;
  g* head = nullptr;
};

struct scheduler {
  std::atomic<int> nprocs{0};
  std::atomic<int> nstarted{0};
  worker* workers[max_workers] = {};
  spin_lock procs_lock; // set_max_procs

  global_runq global;

  spin_lock idle_lock;
  std::vector<worker*> idle;
  std::atomic<int> nidle{0};
  std::atomic<int> nspinning{0};
  std::atomic<bool> poller_active{false};

  std::atomic<bool> stopping{false};

  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::int64_t> ngoroutines{0};

  spin_lock free_lock;
  g* free_head = nullptr;
  std::size_t nfree = 0;

  registry_shard registry[registry_shards];
};

std::atomic<scheduler*> the_scheduler{nullptr};
thread_local worker* t_worker = nullptr;
thread_local g* t_thread_g = nullptr;

// Accessors for thread-local state. A goroutine may resume on another thread
// after any switch, and compilers cache TLS addresses within a function, so
// runtime code reads TLS only through these opaque calls.
[[gnu::noinline]] worker* this_worker() noexcept {
  asm volatile("");
  return t_worker;
}

struct thread_g_owner {
  g* gp = nullptr;
  ~thread_g_owner() {
    if (gp != nullptr) {
      on_thread_g_hook(*gp, false);
      delete gp;
    }
  }
};
thread_local thread_g_owner t_thread_g_owner;

[[gnu::noinline]] g* this_thread_g() noexcept {
  asm volatile("");
  if (t_thread_g == nullptr) {
    t_thread_g = new g;
    t_thread_g->is_fiber = false;
    t_thread_g->state.store(g_state::running, std::memory_order_relaxed);
    t_thread_g_owner.gp = t_thread_g;
    on_thread_g_hook(*t_thread_g, true);
  }
  return t_thread_g;
}

[[noreturn]] void fatal(const char* message) noexcept {
  std::fprintf(stderr, "goro: fatal error: %s\n", message);
  std::fflush(stderr);
  std::abort();
}

scheduler& sched() noexcept {
  scheduler* s = the_scheduler.load(std::memory_order_acquire);
  if (s != nullptr)
    return *s;
  ensure_started();
  return *the_scheduler.load(std::memory_order_acquire);
}

std::uint64_t next_random(worker* w) noexcept {
  // wyrand: fast, and good enough for choosing victims.
  w->rng += 0xa0761d6478bd642fULL;
  __uint128_t m = static_cast<__uint128_t>(w->rng) * (w->rng ^ 0xe7037ed1a0b428dbULL);
  return static_cast<std::uint64_t>(m >> 64) ^ static_cast<std::uint64_t>(m);
}

// ---------------------------------------------------------------- registry

void registry_add(scheduler& s, g* gp) noexcept {
  gp->shard = static_cast<std::uint32_t>(gp->id % registry_shards);
  registry_shard& r = s.registry[gp->shard];
  r.lock.lock();
  gp->all_prev = nullptr;
  gp->all_next = r.head;
  if (r.head != nullptr)
    r.head->all_prev = gp;
  r.head = gp;
  r.lock.unlock();
}

void registry_remove(scheduler& s, g* gp) noexcept {
  registry_shard& r = s.registry[gp->shard];
  r.lock.lock();
  if (gp->all_prev != nullptr)
    gp->all_prev->all_next = gp->all_next;
  else
    r.head = gp->all_next;
  if (gp->all_next != nullptr)
    gp->all_next->all_prev = gp->all_prev;
  r.lock.unlock();
}

// ---------------------------------------------------------------- g allocation

g* alloc_g(scheduler& s, worker* w) {
  g* gp = nullptr;
  if (w != nullptr && !w->free_gs.empty()) {
    gp = w->free_gs.back();
    w->free_gs.pop_back();
  } else if (s.nfree > 0) {
    s.free_lock.lock();
    gp = s.free_head;
    if (gp != nullptr) {
      s.free_head = gp->sched_next;
      --s.nfree;
    }
    s.free_lock.unlock();
  }
  stack_region st;
  if (gp != nullptr) {
    st.lo = gp->stack_lo;
    st.size = gp->stack_size;
    gp->~g();
  } else {
    st = stack_alloc();
  }
  // The g lives at the top of its stack; the first frame starts right below.
  auto top = reinterpret_cast<std::uintptr_t>(st.lo + st.size);
  auto* mem = reinterpret_cast<void*>((top - sizeof(g)) & ~std::uintptr_t{63});
  gp = new (mem) g;
  gp->stack_lo = st.lo;
  gp->stack_size = st.size;
  gp->is_fiber = true;
  return gp;
}

// Runs on the context that took over from the exited goroutine, so its stack
// is no longer in use.
void free_g(scheduler& s, worker* w, g* gp) noexcept {
#ifdef GORO_TSAN
  // Under TSan a stack is never reused: unmapping it makes TSan forget what
  // the dead goroutine did there (shadow memory and sync objects, including
  // the ones on its g), so the next goroutine on that memory starts clean
  // instead of racing with, or inheriting the history of, a dead one.
  (void)s;
  (void)w;
  tsan_destroy_fiber(gp->tsan_fiber);
  stack_region st{gp->stack_lo, gp->stack_size};
  gp->~g();
  stack_release(st);
#else
  w->free_gs.push_back(gp);
  if (w->free_gs.size() <= local_free_cache)
    return;
  std::size_t move = w->free_gs.size() / 2;
  g* first = nullptr;
  for (std::size_t i = 0; i < move; ++i) {
    g* x = w->free_gs.back();
    w->free_gs.pop_back();
    x->sched_next = first;
    first = x;
  }
  s.free_lock.lock();
  bool trim = s.nfree > global_free_untrimmed;
  g* last = first;
  while (last->sched_next != nullptr)
    last = last->sched_next;
  last->sched_next = s.free_head;
  s.free_head = first;
  s.nfree += move;
  s.free_lock.unlock();
  if (trim) {
    // Plenty of spare stacks: give their memory back, except the top page
    // that holds the g.
    for (g* x = first; x != nullptr && move-- > 0; x = x->sched_next)
      stack_trim(stack_region{x->stack_lo, x->stack_size}, 4096);
  }
#endif
}

// ---------------------------------------------------------------- wakeups

bool wake_idle_worker(scheduler& s) noexcept {
  worker* w = nullptr;
  s.idle_lock.lock();
  for (std::size_t i = s.idle.size(); i-- > 0;) {
    if (!s.idle[i]->polling.load(std::memory_order_relaxed)) {
      w = s.idle[i];
      s.idle[i] = s.idle.back();
      s.idle.pop_back();
      break;
    }
  }
  if (w == nullptr && !s.idle.empty()) {
    w = s.idle.back();
    s.idle.pop_back();
  }
  if (w != nullptr) {
    w->in_idle_list = false;
    s.nidle.fetch_sub(1, std::memory_order_seq_cst);
  }
  s.idle_lock.unlock();
  if (w == nullptr)
    return false;
  w->sleeper.unpark();
  if (w->polling.load(std::memory_order_seq_cst))
    netpoll_break();
  return true;
}

// Called after making work available: wakes an idle worker unless one is
// already spinning (it will find the work).
void wakep(scheduler& s) noexcept {
  full_fence();
  if (s.nidle.load(std::memory_order_seq_cst) == 0)
    return;
  if (s.nspinning.load(std::memory_order_seq_cst) != 0)
    return;
  int expected = 0;
  if (!s.nspinning.compare_exchange_strong(expected, 1, std::memory_order_seq_cst))
    return;
  if (!wake_idle_worker(s))
    s.nspinning.fetch_sub(1, std::memory_order_seq_cst);
}

void reset_spinning(scheduler& s, worker* w) noexcept {
  w->spinning = false;
  if (s.nspinning.fetch_sub(1, std::memory_order_seq_cst) == 1)
    wakep(s); // we were the last spinner and found work: there may be more
}

// ---------------------------------------------------------------- switching

void run_deferred(scheduler& s, worker* w) noexcept {
  deferred_action d = w->deferred;
  w->deferred.what = deferred_action::none;
  switch (d.what) {
  case deferred_action::none:
    break;
  case deferred_action::unlock:
    if (d.fn != nullptr)
      d.fn(d.arg);
    after_park_hook();
    break;
  case deferred_action::requeue:
    s.global.push(d.gp);
    wakep(s);
    break;
  case deferred_action::exit:
    free_g(s, w, d.gp);
    break;
  }
}

void after_switch() noexcept {
  worker* w = this_worker();
#ifdef GORO_TSAN
  // The worker thread's TLS (std::call_once's, errno, the user's
  // thread_locals) was set up when the thread started; a goroutine that runs
  // on it uses that memory after the setup. worker_main released its start.
  tsan_acquire(&w->g0);
#endif
  run_deferred(*the_scheduler.load(std::memory_order_relaxed), w);
}

[[noreturn]] void stack_overflow(g* gp) noexcept {
  char where[512];
  describe_spawn_site(*gp, where, sizeof where);
  std::fprintf(stderr,
               "goro: fatal error: stack overflow in goroutine %llu (created at %s)\n"
               "goro: the stack is %zu bytes; raise GORO_STACK_SIZE (e.g. GORO_STACK_SIZE=256k)\n",
               static_cast<unsigned long long>(gp->id), where, gp->stack_size);
  std::fflush(stderr);
  std::abort();
}

// ---------------------------------------------------------------- overflow faults

struct sigaction previous_segv_action;
constexpr std::size_t fault_stack_size = 256 * 1024; // room to symbolize the report

// Gives the calling worker thread an alternate signal stack: the fault
// handler cannot run on the goroutine stack that just overflowed.
void install_fault_stack() noexcept {
  void* mem = mmap(nullptr, fault_stack_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED)
    return; // an overflow on this worker then crashes without a report
  stack_t ss{};
  ss.ss_sp = mem;
  ss.ss_size = fault_stack_size;
  sigaltstack(&ss, nullptr);
}

std::uintptr_t fault_stack_pointer(const void* context) noexcept {
  const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
#elif defined(__aarch64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.sp);
#else
  (void)uc;
  return 0;
#endif
}

// The goroutine ran off the bottom of its stack: its stack pointer is at or
// below the canary word, or the fault is just below the stack (a guard page,
// or a large frame that skipped past the bottom).
bool is_stack_overflow(const g& gp, const void* address, const void* context) noexcept {
  const auto lo = reinterpret_cast<std::uintptr_t>(gp.stack_lo);
  const auto top = lo + gp.stack_size;
  const std::uintptr_t sp = fault_stack_pointer(context);
  if (sp != 0 && sp < lo + sizeof(stack_canary))
    return true;
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  return sp >= lo && sp < top && a < lo + sizeof(stack_canary) && lo - a <= 64 * 1024;
}

void on_segv(int sig, siginfo_t* info, void* context) {
  worker* w = t_worker; // only workers run goroutines (plain threads: nullptr)
  if (w != nullptr) {
    g* gp = w->current.load(std::memory_order_relaxed);
    if (gp != nullptr && gp != &w->g0 && gp->is_fiber &&
        is_stack_overflow(*gp, info->si_addr, context)) {
      // The report symbolizes the spawn site, which is not async-signal-safe
      // (the fault may even be inside malloc): should it ever deadlock, the
      // alarm ends the process anyway.
      signal(SIGALRM, SIG_DFL);
      alarm(10);
      stack_overflow(gp);
    }
  }
  const struct sigaction& prev = previous_segv_action;
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, context);
    return;
  }
  if ((prev.sa_flags & SA_SIGINFO) == 0 && prev.sa_handler != SIG_DFL &&
      prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  // The default action: returning re-executes the faulting instruction,
  // which now kills the process as if we had never been installed.
  signal(sig, SIG_DFL);
}

void install_fault_handler() noexcept {
  struct sigaction sa{};
  sa.sa_sigaction = &on_segv;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, &previous_segv_action);
}

void switch_context(worker* w, g* from, g* to) noexcept {
  if (from->is_fiber && !stack_canary_ok(from->stack_lo))
    stack_overflow(from);
  swap_eh_globals(w->eh_thread, &from->eh, &to->eh);
  if (to->is_fiber)
    to->state.store(g_state::running, std::memory_order_relaxed);
#ifdef GORO_TSAN
  // Last thing before the switch: TSan charges everything after it to `to`.
  tsan_switch_to(to->tsan_fiber);
#endif
  goro_fiber_switch(&from->sp, to->sp);
  after_switch();
}

// Publishes `next` as the running context, unless the program is exiting.
bool claim_for_running(scheduler& s, worker* w, g* next) noexcept {
  w->current.store(next, std::memory_order_seq_cst);
  if (!s.stopping.load(std::memory_order_seq_cst))
    return true;
  w->current.store(&w->g0, std::memory_order_seq_cst);
  s.global.push(next);
  return false;
}

g* pop_local(worker* w) noexcept {
  bool use_next = w->next_streak < max_runnext_streak;
  bool had_next = use_next && w->runq.has_next();
  g* gp = w->runq.pop(use_next);
  if (gp != nullptr && had_next)
    ++w->next_streak;
  else
    w->next_streak = 0;
  return gp;
}

// The current goroutine `me` stops running (its deferred action is set): run
// the worker's next goroutine, or its scheduling loop.
void schedule_from(worker* w, g* me) noexcept {
  scheduler& s = *the_scheduler.load(std::memory_order_relaxed);
  ++w->tick;
  g* next = nullptr;
  bool slow = w->tick % global_fairness_tick == 0 ||
              (w->tick % timer_check_tick == 0 && timers_next() <= now_ns()) || sched_coin(8);
  if (!slow)
    next = pop_local(w);
  if (next == nullptr || !claim_for_running(s, w, next)) {
    next = &w->g0;
    w->current.store(next, std::memory_order_seq_cst);
  }
  switch_context(w, me, next);
}

[[noreturn]] void report_escaped_exception(g* gp) noexcept {
  char where[512];
  describe_spawn_site(*gp, where, sizeof where);
  std::string what = "an exception of unknown type";
  try {
    throw;
  } catch (const std::exception& e) {
    int status = 0;
    const char* mangled = typeid(e).name();
    char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    what = std::string(status == 0 && demangled ? demangled : mangled) + ": " + e.what();
    std::free(demangled);
  } catch (...) {
    if (const std::type_info* t = abi::__cxa_current_exception_type()) {
      int status = 0;
      char* demangled = abi::__cxa_demangle(t->name(), nullptr, nullptr, &status);
      what =
          std::string("an exception of type ") + (status == 0 && demangled ? demangled : t->name());
      std::free(demangled);
    }
  }
  std::fprintf(stderr,
               "goro: goroutine %llu terminated the program: %s\n"
               "goro: goroutine %llu was created at %s\n",
               static_cast<unsigned long long>(gp->id), what.c_str(),
               static_cast<unsigned long long>(gp->id), where);
  std::fflush(stderr);
  std::abort();
}

[[noreturn]] void goexit(g* me) noexcept {
  scheduler& s = *the_scheduler.load(std::memory_order_relaxed);
  on_exit_hook(*me);
  // The goroutine's whole life happens before whoever sees it gone
  // (num_goroutines, debug::goroutines: for_each_goroutine).
  tsan_release(&s.ngoroutines);
  registry_remove(s, me);
  s.ngoroutines.fetch_sub(1, std::memory_order_relaxed);
  me->state.store(g_state::dead, std::memory_order_relaxed);
  worker* w = this_worker();
  w->deferred = {deferred_action::exit, nullptr, nullptr, me};
  schedule_from(w, me);
  __builtin_unreachable();
}

void fiber_entry(void* arg) noexcept {
  g* me = static_cast<g*>(arg);
  after_switch();
  try {
    me->body->run(me->body);
  } catch (...) {
    report_escaped_exception(me);
  }
  task* body = me->body;
  me->body = nullptr;
  body->destroy(body); // the captured values die on the goroutine, as in Go
  goexit(me);
}

// ---------------------------------------------------------------- finding work

g* take_global(scheduler& s, worker* w) noexcept {
  if (s.global.empty())
    return nullptr;
  int procs = std::max(1, s.nprocs.load(std::memory_order_relaxed));
  std::uint32_t want =
      std::min<std::uint32_t>(s.global.size() / procs + 1, local_runq::capacity / 2);
  std::uint32_t taken = 0;
  g* first = s.global.pop_batch(want, &taken);
  if (first == nullptr)
    return nullptr;
  for (g* rest = first->sched_next; rest != nullptr;) {
    g* next = rest->sched_next;
    w->runq.push(rest, false, s.global);
    rest = next;
  }
  first->sched_next = nullptr;
  return first;
}

g* steal(scheduler& s, worker* w) noexcept {
  int n = s.nprocs.load(std::memory_order_acquire);
  for (int round = 0; round < steal_rounds; ++round) {
    bool last_round = round == steal_rounds - 1;
    auto start = static_cast<int>(next_random(w) % static_cast<std::uint64_t>(n));
    for (int i = 0; i < n; ++i) {
      worker* v = s.workers[(start + i) % n];
      if (v == nullptr || v == w)
        continue;
      if (last_round && v->runq.queue_empty() && v->runq.has_next()) {
        // The victim readied that goroutine last and usually runs it next
        // itself; steal it only if it is not picked up within a moment. Sleep
        // that moment still counted as spinning, as Go's runqgrab does: the
        // ready()s meanwhile then wake nobody. A busy-wait here let this
        // worker find nothing, sleep, and be woken again by the next ready()
        // (12,485 sleeps and wakes per 1,000,000 ping-pong round trips at
        // P=2; 2,348 with the sleep, docs/performance.md).
        std::uint32_t before = v->tick;
        usleep(3);
        if (v->tick != before)
          continue;
      }
      if (g* gp = w->runq.steal_from(v->runq, last_round))
        return gp;
    }
    if (g* gp = take_global(s, w))
      return gp;
  }
  return nullptr;
}

bool work_visible(scheduler& s, worker* self) noexcept {
  full_fence();
  if (!s.global.empty() || !self->runq.empty())
    return true;
  int n = s.nprocs.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    worker* v = s.workers[i];
    if (v != nullptr && v != self && !v->runq.queue_empty())
      return true;
  }
  return timers_next() <= now_ns();
}

// Removes w from the idle list; false if a waker already took it out (and is
// about to unpark it, counting it as spinning).
bool leave_idle_list(scheduler& s, worker* w) noexcept {
  s.idle_lock.lock();
  bool listed = w->in_idle_list;
  if (listed) {
    auto it = std::find(s.idle.begin(), s.idle.end(), w);
    *it = s.idle.back();
    s.idle.pop_back();
    w->in_idle_list = false;
    s.nidle.fetch_sub(1, std::memory_order_seq_cst);
  }
  s.idle_lock.unlock();
  return listed;
}

void go_idle(scheduler& s, worker* w) noexcept {
  if (w->spinning) {
    w->spinning = false;
    s.nspinning.fetch_sub(1, std::memory_order_seq_cst);
    if (work_visible(s, w)) {
      w->spinning = true;
      s.nspinning.fetch_add(1, std::memory_order_seq_cst);
      return;
    }
  }
  // Choose the role before becoming visible as idle: wakers read `polling`.
  bool poller = !s.poller_active.exchange(true, std::memory_order_seq_cst);
  w->polling.store(poller, std::memory_order_seq_cst);
  s.idle_lock.lock();
  s.idle.push_back(w);
  w->in_idle_list = true;
  s.nidle.fetch_add(1, std::memory_order_seq_cst);
  s.idle_lock.unlock();

  auto stop_polling = [&] {
    if (poller) {
      w->polling.store(false, std::memory_order_seq_cst);
      s.poller_active.store(false, std::memory_order_seq_cst);
    }
  };
  if (work_visible(s, w) || s.stopping.load(std::memory_order_seq_cst)) {
    stop_polling();
    if (!leave_idle_list(s, w)) {
      w->sleeper.park(); // consume the waker's token
      w->spinning = true;
    }
    return;
  }
  if (poller) {
    netpoll(timers_next());
    stop_polling();
    if (!leave_idle_list(s, w)) {
      w->sleeper.park();
      w->spinning = true;
    } else if (timers_pending() > 0 && s.nidle.load(std::memory_order_seq_cst) > 0) {
      // We leave the poller role to run work while timers are pending: let
      // another idle worker take it over.
      s.nspinning.fetch_add(1, std::memory_order_seq_cst);
      if (!wake_idle_worker(s))
        s.nspinning.fetch_sub(1, std::memory_order_seq_cst);
    }
    return;
  }
  w->sleeper.park();
  w->spinning = true; // the waker counted us as spinning
}

void retire(scheduler& s, worker* w) noexcept {
  if (w->spinning) {
    w->spinning = false;
    s.nspinning.fetch_sub(1, std::memory_order_seq_cst);
  }
  w->runq.drain_to(s.global);
  wakep(s);
  // Sleep until set_max_procs grows the count again. It wakes a worker only
  // after claiming it (clearing `retired`), so every token it leaves in the
  // parker is consumed here: a stale token would later make go_idle's park()
  // return at once, and the worker would run "spinning" without being counted
  // in nspinning (see set_max_procs). The flag and nprocs are a Dekker pair
  // (seq_cst): either we see the new count or set_max_procs sees the flag.
  w->retired.store(true, std::memory_order_seq_cst);
  for (;;) {
    if (w->index < s.nprocs.load(std::memory_order_seq_cst) ||
        s.stopping.load(std::memory_order_seq_cst)) {
      if (!w->retired.exchange(false, std::memory_order_seq_cst))
        w->sleeper.park(); // set_max_procs claimed us: take its token
      return;
    }
    w->sleeper.park();
    if (!w->retired.load(std::memory_order_seq_cst))
      return; // claimed by set_max_procs; its token is the one we just took
  }
}

// The scheduling loop's search for work; nullptr when the program is exiting.
g* find_runnable(scheduler& s, worker* w) noexcept {
  for (;;) {
    if (s.stopping.load(std::memory_order_acquire))
      return nullptr;
    if (w->index >= s.nprocs.load(std::memory_order_acquire)) {
      retire(s, w);
      continue;
    }
    // The tick counts goroutines found, not rounds: how often an idle worker
    // goes around this loop depends on timing, and sched=random must replay
    // the same choices (which depend on the tick) from the same seed.
    auto found = [w](g* gp) {
      ++w->tick;
      return gp;
    };
    if (timers_next() <= now_ns())
      timers_run(now_ns());
    if ((w->tick + 1) % global_fairness_tick == 0)
      if (g* gp = take_global(s, w))
        return found(gp);
    if (g* gp = pop_local(w))
      return found(gp);
    if (g* gp = take_global(s, w))
      return found(gp);
    // Goroutines wait for I/O and no idle worker is polling: look without blocking.
    if (netpoll_waiting() > 0 && !s.poller_active.load(std::memory_order_relaxed) && netpoll(0) > 0)
      if (g* gp = pop_local(w))
        return found(gp);
    int busy = s.nprocs.load(std::memory_order_relaxed) - s.nidle.load(std::memory_order_relaxed);
    if (w->spinning || 2 * s.nspinning.load(std::memory_order_relaxed) < busy) {
      if (!w->spinning) {
        w->spinning = true;
        s.nspinning.fetch_add(1, std::memory_order_seq_cst);
      }
      if (g* gp = steal(s, w))
        return found(gp);
    }
    go_idle(s, w);
  }
}

void arm_exit_sentinel() noexcept;

void worker_main(scheduler* s, worker* w) noexcept {
  register_runtime_thread();
  arm_exit_sentinel();
  w->eh_thread = this_thread_eh_globals();
  t_worker = w;
#ifdef GORO_TSAN
  w->g0.tsan_fiber = tsan_current_fiber();
  char name[64];
  std::snprintf(name, sizeof name, "goro worker %d (scheduler)", w->index);
  tsan_set_fiber_name(w->g0.tsan_fiber, name);
  tsan_release(&w->g0); // the thread's start, TLS included (after_switch)
#endif
  install_fault_stack();
  w->current.store(&w->g0, std::memory_order_seq_cst);
  for (;;) {
    g* gp = find_runnable(*s, w);
    if (gp != nullptr && w->spinning)
      reset_spinning(*s, w);
    if (gp == nullptr || !claim_for_running(*s, w, gp)) {
      // Exiting: this worker never runs a goroutine again.
      for (;;)
        pause();
    }
    switch_context(w, &w->g0, gp);
  }
}

void start_worker(scheduler& s, int index) {
  auto* w = new worker;
  w->index = index;
  w->g0.is_fiber = false;
  w->rng = static_cast<std::uint64_t>(index + 1) * 0x9E3779B97F4A7C15ULL ^
           static_cast<std::uint64_t>(now_ns());
  s.workers[index] = w;
  std::thread(worker_main, &s, w).detach();
  s.nstarted.fetch_add(1, std::memory_order_release);
}

// Waits (up to a grace period) until no worker runs a goroutine, then lets
// the process exit. Runs before the static destructors of objects that
// existed when the scheduler started.
void stop_at_exit(int status, void*) {
  static std::atomic<bool> stopped{false};
  if (stopped.exchange(true)) // registered twice: see exit_sentinel
    return;
  scheduler& s = *the_scheduler.load(std::memory_order_acquire);
  s.stopping.store(true, std::memory_order_seq_cst);
  worker* self = this_worker();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    g* busy = nullptr;
    int started = s.nstarted.load(std::memory_order_acquire);
    for (int i = 0; i < started && busy == nullptr; ++i) {
      worker* w = s.workers[i];
      if (w == self)
        continue;
      g* cur = w->current.load(std::memory_order_seq_cst);
      if (cur != &w->g0)
        busy = cur;
    }
    if (busy == nullptr)
      break;
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr,
                   "goro: goroutine %llu is still running at exit without reaching a scheduling "
                   "point; exiting without running static destructors\n",
                   static_cast<unsigned long long>(busy->id));
      std::fflush(nullptr);
      std::_Exit(status);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  at_exit_hook(status);
}

// exit() runs the calling thread's thread_local destructors before any
// atexit/on_exit handler, and runs a handler registered meanwhile before the
// older ones (glibc's __run_exit_handlers). So this sentinel's destructor
// registers stop_at_exit again at the very start of exit(): scheduling then
// stops before the destructors of statics constructed after the scheduler
// started (a function-local static first used in main), not only before
// the older ones. It is armed on the main thread before main and on every
// worker (a goroutine may call exit()). A thread that merely ends (main's
// pthread_exit) registers it too: harmless, it runs at the process's exit.
struct exit_sentinel {
  exit_sentinel() = default;
  exit_sentinel(const exit_sentinel&) = delete;
  exit_sentinel& operator=(const exit_sentinel&) = delete;
  ~exit_sentinel() {
    if (the_scheduler.load(std::memory_order_acquire) != nullptr)
      on_exit(stop_at_exit, nullptr);
  }
};
thread_local exit_sentinel t_exit_sentinel;

// The first use of a thread_local with a destructor registers that destructor.
void arm_exit_sentinel() noexcept {
  [[maybe_unused]] const exit_sentinel& armed = t_exit_sentinel;
}

struct arm_main_thread {
  arm_main_thread() noexcept { arm_exit_sentinel(); }
} const arm_main_thread_before_main;

int default_procs() noexcept {
  if (env().max_procs > 0)
    return env().max_procs;
  unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hw, 1u, static_cast<unsigned>(max_workers)));
}

#ifdef GORO_TSAN
// "file:line" of the user's go() call at pc, symbolized once per call site
// (through the llvm-symbolizer pipe: milliseconds) and then cached.
std::string spawn_site_of_pc(const g& gp) {
  static spin_lock lock;
  static auto* cache = new std::unordered_map<void*, std::string>; // never destroyed
  tsan_ignore_scope runtime_only; // the cache and the symbolizer (a std::mutex) are the runtime's
  lock.lock();
  auto it = cache->find(gp.spawn_pc);
  if (it != cache->end()) {
    std::string site = it->second;
    lock.unlock();
    return site;
  }
  lock.unlock();
  debug::site where = user_site(gp.spawn_pc);
  std::string site =
      where.file.empty() ? format_site(where) : where.file + ":" + std::to_string(where.line);
  lock.lock();
  cache->emplace(gp.spawn_pc, site);
  lock.unlock();
  return site;
}

// "goroutine N (spawned at file:line)": the name TSan prints for the fiber.
void name_tsan_fiber(const g& gp) noexcept {
  std::string site;
  try {
    if (gp.has_spawn_loc)
      site = std::string(gp.spawn_loc.file_name()) + ":" + std::to_string(gp.spawn_loc.line());
    else
      site = spawn_site_of_pc(gp);
  } catch (...) {
    site = "an unknown site";
  }
  if (auto slash = site.rfind('/', site.rfind(':')); slash != std::string::npos)
    site.erase(0, slash + 1);
  char name[256];
  std::snprintf(name, sizeof name, "goroutine %llu (spawned at %s)",
                static_cast<unsigned long long>(gp.id), site.c_str());
  tsan_set_fiber_name(gp.tsan_fiber, name);
}
#endif

void spawn_g(task* t, void* pc, const std::source_location* where) {
  scheduler& s = sched();
  worker* w = this_worker();
  bool on_fiber = w != nullptr && w->current.load(std::memory_order_relaxed) != &w->g0;
  g* gp;
  try {
    gp = alloc_g(s, on_fiber ? w : nullptr);
  } catch (...) {
    t->destroy(t);
    throw;
  }
  gp->body = t;
  gp->id = s.next_id.fetch_add(1, std::memory_order_relaxed);
  gp->spawn_pc = pc;
  if (where != nullptr) {
    gp->spawn_loc = *where;
    gp->has_spawn_loc = true;
  }
  gp->sp = fiber_make_context(gp, &fiber_entry, gp);
#ifdef GORO_TSAN
  // Created here, in the spawner's context: TSan orders everything the
  // spawner did so far before the goroutine's first instruction.
  gp->tsan_fiber = tsan_create_fiber();
  name_tsan_fiber(*gp);
#endif
  registry_add(s, gp);
  s.ngoroutines.fetch_add(1, std::memory_order_relaxed);
  on_spawn_hook(*gp);
  gp->state.store(g_state::runnable, std::memory_order_relaxed);
  if (on_fiber)
    w->runq.push(gp, true, s.global);
  else
    s.global.push(gp);
  wakep(s);
}

} // namespace

// ---------------------------------------------------------------- runtime API

void ensure_started() noexcept {
  if (the_scheduler.load(std::memory_order_acquire) != nullptr)
    return;
  static spin_lock start_lock;
  start_lock.lock();
  if (the_scheduler.load(std::memory_order_acquire) == nullptr) {
    auto* s = new scheduler; // never destroyed: workers run until the process ends
    s->idle.reserve(max_workers);
    netpoll_init();
    int procs = env().max_procs > 0 ? env().max_procs : default_procs_hook(default_procs());
    s->nprocs.store(procs, std::memory_order_release);
    the_scheduler.store(s, std::memory_order_release);
    on_exit(stop_at_exit, nullptr);
    install_fault_handler();
    for (int i = 0; i < procs; ++i)
      start_worker(*s, i);
  }
  start_lock.unlock();
}

g* current_g() noexcept {
  worker* w = this_worker();
  if (w != nullptr) {
    g* cur = w->current.load(std::memory_order_relaxed);
    if (cur == &w->g0)
      fatal("a blocking goro call ran on the scheduler's own stack (e.g. in a timer callback)");
    return cur;
  }
  return this_thread_g();
}

bool on_goroutine() noexcept {
  worker* w = this_worker();
  return w != nullptr && w->current.load(std::memory_order_relaxed) != &w->g0;
}

void park(const wait_site& site, void (*unlock)(void*) noexcept, void* arg) noexcept {
  g* me = current_g();
  me->wait_reason = site.reason;
  me->has_blocked_at = site.where != nullptr;
  if (site.where != nullptr)
    me->blocked_at = *site.where;
  me->blocked_pc = site.pc;
  me->state.store(site.kind == wait_kind::sleep ? g_state::sleeping : g_state::waiting,
                  std::memory_order_relaxed);
  on_park_hook(*me, site.kind, site.object, site.count);
  // What the g did before parking happens before the work a waker does for
  // it (when the waker acquires the g), and that work before its resumption.
  tsan_release(me);
  if (!me->is_fiber) {
    if (unlock != nullptr)
      unlock(arg);
    after_park_hook();
    me->thread_parker.park();
    me->state.store(g_state::running, std::memory_order_relaxed);
    tsan_acquire(me);
    return;
  }
  worker* w = this_worker();
  w->deferred = {deferred_action::unlock, unlock, arg, nullptr};
  schedule_from(w, me);
  tsan_acquire(me);
}

void ready(g* gp) noexcept {
  on_ready_hook(*gp);
  if (!gp->is_fiber) {
    gp->state.store(g_state::running, std::memory_order_relaxed);
    gp->thread_parker.unpark();
    return;
  }
  scheduler& s = *the_scheduler.load(std::memory_order_acquire);
  gp->state.store(g_state::runnable, std::memory_order_relaxed);
  worker* w = this_worker();
  if (w != nullptr)
    w->runq.push(gp, !sched_coin(2), s.global);
  else
    s.global.push(gp);
  wakep(s);
}

std::uint32_t fast_rand() noexcept {
  if (std::uint32_t r = 0; sched_rand_hook(&r))
    return r;
  worker* w = this_worker();
  if (w != nullptr)
    return static_cast<std::uint32_t>(next_random(w));
  thread_local std::uint64_t state =
      reinterpret_cast<std::uintptr_t>(&state) ^ static_cast<std::uint64_t>(now_ns());
  state += 0xa0761d6478bd642fULL;
  __uint128_t m = static_cast<__uint128_t>(state) * (state ^ 0xe7037ed1a0b428dbULL);
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(m >> 64) ^
                                    static_cast<std::uint64_t>(m));
}

std::int64_t now_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void wake_poller() noexcept {
  scheduler* s = the_scheduler.load(std::memory_order_acquire);
  if (s == nullptr)
    return;
  if (s->poller_active.load(std::memory_order_seq_cst)) {
    netpoll_break();
    return;
  }
  if (s->nidle.load(std::memory_order_seq_cst) > 0) {
    s->nspinning.fetch_add(1, std::memory_order_seq_cst);
    if (!wake_idle_worker(*s))
      s->nspinning.fetch_sub(1, std::memory_order_seq_cst);
  }
}

namespace {
struct runtime_threads {
  spin_lock lock;
  std::vector<int> tids;
};
runtime_threads& the_runtime_threads() noexcept {
  static auto* t = new runtime_threads; // never destroyed
  return *t;
}
} // namespace

void register_runtime_thread() noexcept {
  runtime_threads& t = the_runtime_threads();
  int tid = static_cast<int>(gettid());
  tsan_ignore_scope runtime_only; // the vector's growth, under t.lock
  t.lock.lock();
  t.tids.push_back(tid);
  t.lock.unlock();
}

std::vector<int> runtime_thread_ids() {
  runtime_threads& t = the_runtime_threads();
  tsan_ignore_scope runtime_only;
  t.lock.lock();
  std::vector<int> out = t.tids;
  t.lock.unlock();
  return out;
}

void for_each_goroutine(function_ref<void(const g&)> f) {
  scheduler* s = the_scheduler.load(std::memory_order_acquire);
  if (s == nullptr)
    return;
  // Observing goroutines: the exited ones' lives, and what each listed one
  // did before it last parked (park() releases its g), happen before.
  tsan_acquire(&s->ngoroutines);
  for (registry_shard& r : s->registry) {
    r.lock.lock();
    for (g* gp = r.head; gp != nullptr; gp = gp->all_next) {
      tsan_acquire(gp);
      f(*gp);
    }
    r.lock.unlock();
  }
  // Again after the scan: a goroutine that released and left the registry
  // while we scanned is seen gone, so its release must be acquired after the
  // scan (TSan does not see the runtime's own locks).
  tsan_acquire(&s->ngoroutines);
}

void for_each_goroutine_unordered(function_ref<void(const g&)> f) {
  scheduler* s = the_scheduler.load(std::memory_order_acquire);
  if (s == nullptr)
    return;
  tsan_acquire(&s->ngoroutines);
  g* cursor[registry_shards];
  for (std::size_t i = 0; i < registry_shards; ++i) {
    s->registry[i].lock.lock(); // in index order, as nobody takes two otherwise
    cursor[i] = s->registry[i].head;
  }
  for (bool any = true; any;) {
    any = false;
    for (g*& gp : cursor) {
      if (gp == nullptr)
        continue;
      any = true;
      g* cur = gp;
      gp = cur->all_next;
      if (gp != nullptr) // needed when this shard's turn comes again: all of it
        for (std::size_t off = 0; off < sizeof(g); off += 64)
          __builtin_prefetch(reinterpret_cast<const char*>(gp) + off);
      tsan_acquire(cur);
      f(*cur);
    }
  }
  for (registry_shard& r : s->registry)
    r.lock.unlock();
  tsan_acquire(&s->ngoroutines);
}

[[gnu::noinline]] void spawn(task* t) {
  spawn_g(t, __builtin_return_address(0), nullptr);
}

void spawn_at(task* t, const std::source_location& where) {
  spawn_g(t, __builtin_return_address(0), &where);
}

} // namespace goro::detail

namespace goro {

void yield() {
  using namespace detail;
  worker* w = this_worker();
  if (w == nullptr || w->current.load(std::memory_order_relaxed) == &w->g0) {
    sched_yield();
    return;
  }
  g* me = w->current.load(std::memory_order_relaxed);
  me->state.store(g_state::runnable, std::memory_order_relaxed);
  w->deferred = {deferred_action::requeue, nullptr, nullptr, me};
  schedule_from(w, me);
}

std::size_t num_goroutines() {
  detail::scheduler* s = detail::the_scheduler.load(std::memory_order_acquire);
  if (s == nullptr)
    return 0;
  auto n = static_cast<std::size_t>(s->ngoroutines.load(std::memory_order_relaxed));
  // Exited goroutines happen before (goexit releases before it decrements):
  // acquired after the load that may have seen the decrement.
  detail::tsan_acquire(&s->ngoroutines);
  return n;
}

void set_max_procs(int n) {
  using namespace detail;
  if (n < 1)
    throw goro::panic("set_max_procs: n must be at least 1, got " + std::to_string(n));
  if (n > max_workers)
    throw goro::panic("set_max_procs: n must be at most " + std::to_string(max_workers) + ", got " +
                      std::to_string(n));
  scheduler& s = sched();
  s.procs_lock.lock();
  int old = s.nprocs.load(std::memory_order_acquire);
  s.nprocs.store(n, std::memory_order_seq_cst);
  int started = s.nstarted.load(std::memory_order_acquire);
  for (int i = started; i < n; ++i)
    start_worker(s, i);
  // Wake the workers that retired when the count shrank. Only those parked in
  // retire() (claimed through `retired`) get a token: a worker that has not
  // noticed the shrink yet simply keeps going, and an unconditional unpark
  // would leave it a stale token (see retire()).
  for (int i = 0; i < std::min(n, started); ++i)
    if (s.workers[i]->retired.exchange(false, std::memory_order_seq_cst))
      s.workers[i]->sleeper.unpark();
  s.procs_lock.unlock();
  if (n < old) {
    // Idle workers above the new count must notice and retire.
    for (int i = n; i < old; ++i) {
      worker* w = s.workers[i];
      if (w != nullptr && leave_idle_list(s, w)) {
        s.nspinning.fetch_add(1, std::memory_order_seq_cst);
        w->sleeper.unpark();
        if (w->polling.load(std::memory_order_seq_cst))
          netpoll_break();
      }
    }
  }
}

int max_procs() {
  return detail::sched().nprocs.load(std::memory_order_acquire);
}

} // namespace goro
