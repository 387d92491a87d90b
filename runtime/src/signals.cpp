// signals.cpp — signal.Notify.
//
// The handler only writes the signal number to a pipe (async-signal-safe). A
// watcher thread reads it and try_sends it to every channel registered for
// that signal; a full channel drops it, as in Go.
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "goro/error.hpp"
#include "goro/os.hpp"
#include "hooks.hpp"
#include "sched.hpp"

namespace goro::detail {
namespace {

constexpr std::size_t signal_buffer = 16;

struct notifier {
  std::mutex mu;
  std::map<int, std::vector<chan<int>>> subscribers;
  int pipe_read = -1;
  int pipe_write = -1;
};

notifier& the_notifier() {
  static auto* n = new notifier; // never destroyed: the handler may run during exit
  return *n;
}

int signal_pipe_write = -1;

void on_signal(int sig) {
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(sig);
  ssize_t n = write(signal_pipe_write, &byte, 1);
  (void)n;
  errno = saved;
}

void watch(notifier* n) {
  register_runtime_thread();
  for (;;) {
    unsigned char byte;
    ssize_t r = read(n->pipe_read, &byte, 1);
    if (r <= 0) {
      if (r < 0 && errno == EINTR)
        continue;
      return;
    }
    std::vector<chan<int>> targets;
    {
      std::lock_guard<std::mutex> lock(n->mu);
      auto it = n->subscribers.find(byte);
      if (it != n->subscribers.end())
        targets = it->second;
    }
    for (const chan<int>& ch : targets)
      (void)ch.try_send(static_cast<int>(byte));
  }
}

} // namespace

} // namespace goro::detail

namespace goro {

recv_chan<int> notify_signals(std::vector<int> signals) { // NOLINT(performance-unnecessary-value-param):
                                                          // the contract's signature
  using namespace detail;
  for (int sig : signals)
    if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP)
      throw goro::panic("notify_signals: signal " + std::to_string(sig) + " cannot be caught");
  notifier& n = the_notifier();
  on_signals_used_hook();
  chan<int> ch = make_chan<int>(signal_buffer);
  std::lock_guard<std::mutex> lock(n.mu);
  if (n.pipe_read < 0) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
      throw goro::panic(std::string("notify_signals: pipe: ") + std::strerror(errno));
    n.pipe_read = fds[0];
    n.pipe_write = fds[1];
    signal_pipe_write = fds[1];
    std::thread(watch, &n).detach();
  }
  for (int sig : signals) {
    auto& subs = n.subscribers[sig];
    if (subs.empty()) {
      struct sigaction sa{};
      sa.sa_handler = &on_signal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESTART;
      sigaction(sig, &sa, nullptr);
    }
    subs.push_back(ch);
  }
  return ch;
}

} // namespace goro
