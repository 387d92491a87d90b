// goro::debug with the debug runtime: verify_none (goleak's VerifyNone) used
// from a GoogleTest test, goroutines(), dump(), findings_reported().
//
// Linked against goro_debug (test/unit/CMakeLists.txt). Some tests leak on
// purpose so that verify_none has something to find; they release their
// goroutines before they end. ctest runs this binary with
// GORO_OPTIONS=exitcode=0, so the findings these tests provoke do not turn a
// passing run into exit status 66 (a failing run keeps its own status).
#include <gtest/gtest.h>

#include <goro/goro.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Blocks until `n` goroutines other than the caller are parked (liveness:
// no sleeping for a guessed time).
void wait_until_blocked(std::size_t n) {
  for (;;) {
    std::size_t blocked = 0;
    for (const auto& g : goro::debug::goroutines())
      blocked += g.st == goro::debug::state::blocked || g.st == goro::debug::state::sleeping;
    if (blocked >= n)
      return;
    goro::yield();
  }
}

void stuck_worker(goro::chan<int> release) {
  release.recv();
}

TEST(VerifyNone, ReturnsZeroWhenEveryGoroutineFinished) {
  goro::wait_group wg;
  for (int i = 0; i < 4; ++i) {
    wg.add();
    goro::go([&wg] { wg.done(); });
  }
  wg.wait();
  // Goroutines that called done() may still be on their way out: verify_none
  // waits for them (settle is only an upper bound).
  EXPECT_EQ(goro::debug::verify_none({.ignore = {}, .settle = 60s}), 0u);
}

TEST(VerifyNone, ReportsEveryBlockedGoroutineGroupedAndCountsThem) {
  auto release = goro::make_chan<int>();
  std::size_t before = goro::debug::findings_reported();
  for (int i = 0; i < 3; ++i)
    goro::go(stuck_worker, release);
  wait_until_blocked(3);
  EXPECT_EQ(goro::debug::verify_none({.ignore = {}, .settle = 10ms}), 3u);
  // One finding for the three: same spawn site, same blocking site.
  EXPECT_EQ(goro::debug::findings_reported(), before + 1);
  // Reported goroutines are not reported again.
  EXPECT_EQ(goro::debug::verify_none({.ignore = {}, .settle = 10ms}), 0u);
  release.close();
  // Once released they finish: nothing left for the next test.
  while (goro::num_goroutines() != 0)
    goro::yield();
}

TEST(VerifyNone, WaitsForGoroutinesThatAreFinishing) {
  auto release = goro::make_chan<int>();
  goro::go(stuck_worker, release);
  wait_until_blocked(1);
  release.close(); // the worker wakes and returns; verify_none must wait for it
  EXPECT_EQ(goro::debug::verify_none({.ignore = {}, .settle = 60s}), 0u);
}

TEST(VerifyNone, IgnoresGoroutinesWhoseSitesMatch) {
  auto release = goro::make_chan<int>();
  goro::go(stuck_worker, release);
  wait_until_blocked(1);
  std::size_t before = goro::debug::findings_reported();
  // By function name (the blocking site's) and by file name (the spawn site's).
  EXPECT_EQ(goro::debug::verify_none({.ignore = {"stuck_worker"}, .settle = 10ms}), 0u);
  EXPECT_EQ(goro::debug::verify_none({.ignore = {"debug_test.cpp"}, .settle = 10ms}), 0u);
  EXPECT_EQ(goro::debug::findings_reported(), before);
  release.close();
  EXPECT_EQ(goro::debug::verify_none({.ignore = {}, .settle = 60s}), 0u);
}

TEST(VerifyNone, CalledFromAGoroutineSkipsTheCaller) {
  auto result = goro::make_chan<std::size_t>(1);
  goro::go([result] { result.send(goro::debug::verify_none({.ignore = {}, .settle = 60s})); });
  EXPECT_EQ(result.recv(), 0u);
}

TEST(Goroutines, ListsStateReasonAndSites) {
  auto release = goro::make_chan<int>();
  const int spawn_line = __LINE__ + 1;
  goro::go(stuck_worker, release);
  wait_until_blocked(1);
  std::vector<goro::debug::goroutine_info> all = goro::debug::goroutines();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].st, goro::debug::state::blocked);
  EXPECT_EQ(all[0].wait_reason, "chan receive");
  EXPECT_NE(all[0].created_at.file.find("debug_test.cpp"), std::string::npos);
  EXPECT_EQ(all[0].created_at.line, static_cast<std::uint32_t>(spawn_line));
  EXPECT_NE(all[0].blocked_at.file.find("debug_test.cpp"), std::string::npos);
  EXPECT_NE(all[0].blocked_at.function.find("stuck_worker"), std::string::npos);
  release.close();
  EXPECT_EQ(goro::debug::verify_none({.ignore = {}, .settle = 60s}), 0u);
}

TEST(Dump, PrintsEveryGoroutineWithItsSites) {
  auto release = goro::make_chan<int>();
  goro::go(stuck_worker, release);
  goro::go([release] { goro::select(goro::on_recv(release, [](auto) {})); });
  wait_until_blocked(2);
  std::ostringstream out;
  goro::debug::dump(out);
  std::string text = out.str();
  EXPECT_NE(text.find("goro: 2 goroutines"), std::string::npos) << text;
  EXPECT_NE(text.find("[blocked, chan receive]"), std::string::npos) << text;
  EXPECT_NE(text.find("[blocked, select]"), std::string::npos) << text;
  EXPECT_NE(text.find("blocked at "), std::string::npos) << text;
  EXPECT_NE(text.find("created at "), std::string::npos) << text;
  EXPECT_NE(text.find("debug_test.cpp"), std::string::npos) << text;
  release.close();
  EXPECT_EQ(goro::debug::verify_none({.ignore = {}, .settle = 60s}), 0u);
}

TEST(FindingsReported, CountsMisuseReports) {
  std::size_t before = goro::debug::findings_reported();
  goro::wait_group wg;
  EXPECT_THROW(wg.done(), goro::panic); // still panics under the debug runtime
  EXPECT_EQ(goro::debug::findings_reported(), before + 1);
}

} // namespace
