// A bounded blocking queue built on goro::cond (sync.Cond): producers wait
// while it is full, consumers wait while it is empty, and close() wakes every
// waiting consumer. In Go you would usually reach for a buffered channel;
// this is what such a channel does inside, and what a cond is for.
//
// Seeds: 001 "Synchronization and WaitGroups", 004 "Sync Primitives", and the
// rule that "only the sender closes" (004 "Closing Channels").
//
// Notice: every wait() is in a while loop that re-checks its condition. A
// waiter can wake to find the condition false again (another consumer took the
// item first), so `if (empty) wait();` would pop from an empty queue.
#include <goro/goro.hpp>

#include <cstddef>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>

namespace {

template <class T>
class bounded_queue {
public:
  explicit bounded_queue(std::size_t capacity) : capacity_(capacity) {}

  // Blocks while the queue is full. Pushing to a closed queue is a bug, as a
  // send on a closed channel is.
  void push(T value) {
    std::unique_lock lock(mu_);
    while (items_.size() == capacity_ && !closed_)
      not_full_.wait(); // unlocks mu_, parks, locks mu_ again
    if (closed_)
      throw goro::panic("push on closed queue");
    items_.push_back(std::move(value));
    not_empty_.signal(); // one item: one consumer needs waking
  }

  // Blocks while the queue is empty and open; nullopt once closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    while (items_.empty() && !closed_)
      not_empty_.wait();
    if (items_.empty())
      return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    not_full_.signal();
    return value;
  }

  void close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    not_empty_.broadcast(); // every waiting consumer must see it
    not_full_.broadcast();
  }

private:
  goro::mutex mu_;
  goro::cond not_empty_{mu_};
  goro::cond not_full_{mu_};
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

} // namespace

int main() {
  bounded_queue<int> queue(4);
  constexpr int producers = 3;
  constexpr int per_producer = 100;
  constexpr int consumers = 2;

  goro::wait_group producing;
  for (int p = 0; p < producers; ++p) {
    producing.add(1);
    goro::go([&, p] {
      goro::defer done([&] { producing.done(); });
      for (int i = 1; i <= per_producer; ++i)
        queue.push(p * per_producer + i);
    });
  }

  long sums[consumers] = {};
  int counts[consumers] = {};
  goro::wait_group consuming;
  for (int c = 0; c < consumers; ++c) {
    consuming.add(1);
    goro::go([&, c] {
      goro::defer done([&] { consuming.done(); });
      while (auto v = queue.pop()) {
        sums[c] += *v; // each consumer its own slot: no lock needed
        ++counts[c];
      }
    });
  }

  // The producers' side closes, once every producer is done.
  producing.wait();
  queue.close();
  consuming.wait();

  long sum = 0;
  int count = 0;
  for (int c = 0; c < consumers; ++c) {
    sum += sums[c];
    count += counts[c];
  }
  std::printf("%d items consumed, sum %ld\n", count, sum);
  return count == producers * per_producer && sum == 45150 ? 0 : 1;
}
