// Graceful shutdown: a background service does periodic work on a ticker until
// its context is canceled; main waits for SIGINT or SIGTERM, then cancels the
// service and waits until its goroutine has returned.
//
// Seeds: 003 "Graceful Shutdown" (Worker with ctx, cancel and wg; its usage
// with signal.Notify), 002 "Periodic Task", 001 "Graceful Shutdown Pattern".
//
// Notice: stop() is cancel() *then* wait(). Canceling alone would let main
// exit while the service is mid-tick; seed 002's time.Sleep "to wait for
// cleanup" is a guess, wait() is a guarantee.
//
// So that the program runs alone, the service raises SIGTERM itself once its
// backlog is done, as `kill -TERM <pid>` or Ctrl-C would in production.
#include <goro/goro.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

using namespace std::chrono_literals;

namespace {

class service {
public:
  service(const goro::context& parent, std::deque<std::string> backlog)
      : backlog_(std::move(backlog)) {
    std::tie(ctx_, cancel_) = goro::with_cancel(parent);
  }
  service(const service&) = delete;
  service& operator=(const service&) = delete;
  ~service() { stop(); } // never let the goroutine outlive the object it uses

  void start() {
    wg_.add(1);
    goro::go([this] {
      goro::defer done([&] { wg_.done(); });
      run();
    });
  }

  // Idempotent: cancel() may be called any number of times, and wait() returns
  // at once when nothing is left to wait for.
  void stop() {
    cancel_();
    wg_.wait();
  }

private:
  void run() {
    goro::ticker tick(5ms); // stopped by its destructor: Go's `defer ticker.Stop()`
    for (;;) {
      bool canceled = false;
      goro::select(goro::on_recv(ctx_.done(), [&](auto) { canceled = true; }),
                   goro::on_recv(tick.c(), [&](auto) { on_tick(); }));
      if (canceled) {
        std::printf("service: %s, stopping\n", ctx_.err().message().c_str());
        return;
      }
    }
  }

  // One backlog job per tick; idle ticks do nothing. Only this goroutine
  // touches backlog_, so it needs no lock.
  void on_tick() {
    if (backlog_.empty())
      return;
    std::printf("service: %s\n", backlog_.front().c_str());
    backlog_.pop_front();
    if (backlog_.empty()) {
      std::printf("service: backlog done; simulating `kill -TERM <pid>`\n");
      std::raise(SIGTERM);
    }
  }

  goro::context ctx_;
  goro::cancel_func cancel_;
  goro::wait_group wg_;
  std::deque<std::string> backlog_;
};

const char* signal_name(int sig) {
  switch (sig) {
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  default:
    return "an unexpected signal";
  }
}

} // namespace

int main() {
  // Subscribe before anything can raise a signal: until notify_signals()
  // installs its handler, SIGTERM would kill the process on the spot.
  auto signals = goro::notify_signals({SIGINT, SIGTERM});

  service svc(goro::background(), {"rotate logs", "compact database", "send daily report"});
  std::printf("main: starting the service; SIGINT or SIGTERM stops it\n");
  svc.start();

  std::optional<int> sig = signals.recv(); // the signal channel is never closed
  std::printf("main: received %s, shutting down\n", signal_name(sig.value_or(0)));
  svc.stop();
  std::printf("main: shutdown complete\n");
  return sig ? 0 : 1;
}
