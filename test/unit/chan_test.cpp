// Channels: Go's semantics, from goroutines and from plain threads.
#include <gtest/gtest.h>

#include <goro/goro.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(Chan, UnbufferedHandsValueToReceiver) {
  auto ch = goro::make_chan<int>();
  goro::go([ch] { ch.send(42); });
  EXPECT_EQ(ch.recv(), 42);
}

TEST(Chan, BufferedKeepsFifoOrder) {
  auto ch = goro::make_chan<int>(3);
  ch.send(1);
  ch.send(2);
  ch.send(3);
  EXPECT_EQ(ch.size(), 3u);
  EXPECT_EQ(ch.capacity(), 3u);
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(ch.recv(), 2);
  EXPECT_EQ(ch.recv(), 3);
}

TEST(Chan, CloseDrainsBufferThenReportsClosed) {
  auto ch = goro::make_chan<std::string>(2);
  ch.send("a");
  ch.send("b");
  ch.close();
  EXPECT_EQ(ch.recv(), "a");
  EXPECT_EQ(ch.recv(), "b");
  EXPECT_EQ(ch.recv(), std::nullopt);
}

TEST(Chan, RangeForReceivesUntilClosed) {
  auto ch = goro::make_chan<int>();
  goro::go([ch] {
    for (int i = 1; i <= 100; ++i)
      ch.send(i);
    ch.close();
  });
  int sum = 0;
  for (int v : ch)
    sum += v;
  EXPECT_EQ(sum, 5050);
}

TEST(Chan, MoveOnlyValues) {
  auto ch = goro::make_chan<std::unique_ptr<int>>(1);
  ch.send(std::make_unique<int>(7));
  auto v = ch.recv();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(**v, 7);
}

TEST(Chan, PlainThreadsRendezvous) {
  auto ch = goro::make_chan<int>();
  std::thread t([ch] { ch.send(5); });
  EXPECT_EQ(ch.recv(), 5);
  t.join();
}

TEST(Chan, MisusePanicsAndLeavesRuntimeUsable) {
  auto ch = goro::make_chan<int>(1);
  ch.close();
  EXPECT_THROW(ch.send(1), goro::panic);
  EXPECT_THROW(ch.close(), goro::panic);
  goro::chan<int> nil;
  EXPECT_THROW(nil.close(), goro::panic);
  auto ok = goro::make_chan<int>();
  goro::go([ok] { ok.send(1); });
  EXPECT_EQ(ok.recv(), 1);
}

} // namespace
