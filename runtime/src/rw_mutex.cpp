// rw_mutex.cpp — sync.RWMutex (Go's sync/rwmutex.go).
//
// reader_count counts active and waiting readers; a writer subtracts
// max_readers from it, so a negative count tells arriving readers that a
// writer is pending and they must wait (writer preference). reader_wait is
// the number of readers the pending writer still waits for; the last of them
// releases writer_sem. When the writer unlocks it adds max_readers back and
// releases one reader_sem token per reader that queued up meanwhile, so those
// readers all get in before the next writer.
//
// Writers exclude each other with the `writer` mutex. Misuse (unlocking what
// is not locked) is detected from the counts, undone, and thrown as a panic.
//
// ThreadSanitizer (tsan.hpp), as Go's race annotations: unlock releases
// reader_sem's address, which every lock acquires; unlock_shared releases
// writer_sem's, which only lock acquires. Readers are not ordered among
// themselves.
#include "goro/error.hpp"
#include "goro/sync.hpp"
#include "hooks.hpp"
#include "sync_impl.hpp"
#include "tsan.hpp"

namespace goro::detail {

struct rw_mutex_core {
  static constexpr std::int32_t max_readers = 1 << 30;
  mutex_core writer;
  std::atomic<std::int32_t> reader_count{0};
  std::atomic<std::int32_t> reader_wait{0};
  sema writer_sem;
  sema reader_sem;
};

} // namespace goro::detail

namespace goro {

using detail::rw_mutex_core;

rw_mutex::rw_mutex() : core_(new rw_mutex_core) {}
rw_mutex::~rw_mutex() {
  detail::on_lock_destroy_hook(this);
  delete core_;
}

void rw_mutex::lock_shared() {
  void* pc = __builtin_return_address(0);
  if (core_->reader_count.fetch_add(1, std::memory_order_acquire) + 1 < 0)
    core_->reader_sem.acquire(
        detail::wait_site{"rw_mutex read lock", nullptr, pc, detail::wait_kind::rw_read, this});
  detail::tsan_acquire(&core_->reader_sem);
  detail::on_lock_hook(this, true, pc);
}

bool rw_mutex::try_lock_shared() {
  std::int32_t c = core_->reader_count.load(std::memory_order_relaxed);
  for (;;) {
    if (c < 0)
      return false;
    if (core_->reader_count.compare_exchange_weak(c, c + 1, std::memory_order_acquire)) {
      detail::tsan_acquire(&core_->reader_sem);
      detail::on_try_lock_hook(this, true);
      return true;
    }
  }
}

void rw_mutex::unlock_shared() {
  detail::on_unlock_hook(this, true);
  detail::tsan_release(&core_->writer_sem);
  std::int32_t r = core_->reader_count.fetch_sub(1, std::memory_order_release) - 1;
  if (r >= 0)
    return;
  if (r + 1 == 0 || r + 1 == -rw_mutex_core::max_readers) {
    core_->reader_count.fetch_add(1, std::memory_order_relaxed);
    detail::on_misuse_hook(detail::misuse::unlock_of_unlocked, this, nullptr,
                           __builtin_return_address(0));
    throw goro::panic("sync: unlock_shared of unlocked rw_mutex");
  }
  // A writer is pending: the last departing reader lets it in.
  if (core_->reader_wait.fetch_sub(1, std::memory_order_acq_rel) - 1 == 0)
    core_->writer_sem.release();
}

void rw_mutex::lock() {
  void* pc = __builtin_return_address(0);
  detail::mutex_lock(&core_->writer, pc, this);
  std::int32_t active =
      core_->reader_count.fetch_add(-rw_mutex_core::max_readers, std::memory_order_acq_rel);
  if (active != 0 && core_->reader_wait.fetch_add(active, std::memory_order_acq_rel) + active != 0)
    core_->writer_sem.acquire(
        detail::wait_site{"rw_mutex lock", nullptr, pc, detail::wait_kind::rw_write, this});
  detail::tsan_acquire(&core_->reader_sem);
  detail::tsan_acquire(&core_->writer_sem);
  detail::on_lock_hook(this, false, pc);
}

bool rw_mutex::try_lock() {
  if (!detail::mutex_try_lock(&core_->writer))
    return false;
  std::int32_t expected = 0;
  if (!core_->reader_count.compare_exchange_strong(expected, -rw_mutex_core::max_readers,
                                                   std::memory_order_acquire)) {
    (void)detail::mutex_unlock(&core_->writer);
    return false;
  }
  detail::tsan_acquire(&core_->reader_sem);
  detail::tsan_acquire(&core_->writer_sem);
  detail::on_try_lock_hook(this, false);
  return true;
}

void rw_mutex::unlock() {
  detail::on_unlock_hook(this, false);
  detail::tsan_release(&core_->reader_sem);
  std::int32_t r =
      core_->reader_count.fetch_add(rw_mutex_core::max_readers, std::memory_order_release) +
      rw_mutex_core::max_readers;
  if (r >= rw_mutex_core::max_readers) {
    core_->reader_count.fetch_sub(rw_mutex_core::max_readers, std::memory_order_relaxed);
    detail::on_misuse_hook(detail::misuse::unlock_of_unlocked, this, nullptr,
                           __builtin_return_address(0));
    throw goro::panic("sync: unlock of unlocked rw_mutex");
  }
  for (std::int32_t i = 0; i < r; ++i)
    core_->reader_sem.release();
  (void)detail::mutex_unlock(&core_->writer);
}

} // namespace goro
