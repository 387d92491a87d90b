// The lock-order facts library (checkers/utils/LockOrderFacts): the JSON-lines
// format round-trips byte for byte, bad input is a clear error, and the cycle
// search finds every cycle-covering set it promises, deterministically.
#include "utils/LockOrderFacts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace lo = goro::lockorder;

namespace {

lo::Site site(unsigned Line, unsigned Col = 3) {
  return {"/src/a.cpp", Line, Col};
}

lo::Facts sample() {
  lo::Facts F;
  F.TU = "/src/a.cpp";
  lo::Edge Direct{"b", "a", lo::Mode::Shared, "g()", site(20), site(21), {}, F.TU};
  lo::Edge Through{"a",
                   "b@/src/a.cpp",
                   lo::Mode::Exclusive,
                   "f(int)",
                   site(10),
                   site(30, 5),
                   {{"h()", site(11)}, {"k()", site(29)}},
                   F.TU};
  F.Edges = {Direct, Through, Direct}; // a duplicate, removed by canonicalize
  lo::Call C;
  C.Function = "f(int)";
  C.FunctionKey = "_Z1fi";
  C.Callee = "ext()";
  C.CalleeKey = "_Z3extv";
  C.At = site(12);
  C.Held = {{"a", site(10)}};
  C.TU = F.TU;
  F.Calls = {C};
  lo::Acquisition A;
  A.Function = "f(int)";
  A.FunctionKey = "_Z1fi";
  A.Mutex = "a";
  A.At = site(10);
  A.TU = F.TU;
  F.Acquisitions = {A};
  return F;
}

std::string write(const lo::Facts& F) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  lo::writeFacts(F, OS);
  return OS.str();
}

std::vector<lo::Cycle> cycles(const std::vector<std::pair<std::string, std::string>>& Edges) {
  std::vector<std::pair<llvm::StringRef, llvm::StringRef>> Refs;
  for (const auto& [From, To] : Edges)
    Refs.push_back({From, To});
  return lo::findCycles(Refs);
}

TEST(LockOrderFacts, CanonicalOrderRemovesDuplicatesAndSortsByReportSite) {
  lo::Facts F = sample();
  lo::canonicalize(F);
  ASSERT_EQ(F.Edges.size(), 2U);
  // "Through" is reported at its first call (line 11), before line 21.
  EXPECT_EQ(F.Edges[0].From, "a");
  EXPECT_EQ(F.Edges[0].reportSite().Line, 11U);
  EXPECT_EQ(F.Edges[1].From, "b");
}

TEST(LockOrderFacts, WritesOneObjectPerLineTuRecordFirst) {
  lo::Facts F = sample();
  lo::canonicalize(F);
  std::string Text = write(F);
  EXPECT_EQ(Text.rfind("{\"kind\":\"tu\",\"version\":1,\"tu\":\"/src/a.cpp\"}\n", 0), 0U);
  EXPECT_NE(Text.find("{\"kind\":\"edge\",\"from\":\"b\",\"to\":\"a\",\"mode\":\"shared\","
                      "\"function\":\"g()\",\"first_site\":{\"file\":\"/src/a.cpp\",\"line\":20,"
                      "\"col\":3},\"site\":{\"file\":\"/src/a.cpp\",\"line\":21,\"col\":3},"
                      "\"via\":[],\"tu\":\"/src/a.cpp\"}\n"),
            std::string::npos);
  EXPECT_EQ(std::count(Text.begin(), Text.end(), '\n'), 5); // tu, 2 edges, call, acquires
}

TEST(LockOrderFacts, RoundTripsByteForByte) {
  lo::Facts F = sample();
  lo::canonicalize(F);
  std::string First = write(F);
  lo::Facts Back;
  ASSERT_FALSE(static_cast<bool>(lo::readFacts(First, Back)));
  Back.TU = F.TU;
  lo::canonicalize(Back);
  EXPECT_EQ(write(Back), First);
  ASSERT_EQ(Back.Edges.size(), 2U);
  EXPECT_EQ(Back.Edges[0].Via.size(), 2U);
  EXPECT_EQ(Back.Edges[0].Via[1].Function, "k()");
  EXPECT_EQ(Back.Edges[1].ToMode, lo::Mode::Shared);
  ASSERT_EQ(Back.Calls.size(), 1U);
  EXPECT_EQ(Back.Calls[0].Held[0].Mutex, "a");
  EXPECT_EQ(Back.Calls[0].CalleeKey, "_Z3extv");
}

TEST(LockOrderFacts, ReadingConcatenatedFilesAppends) {
  lo::Facts F = sample();
  lo::canonicalize(F);
  std::string Two = write(F) + "\n" + write(F);
  lo::Facts Back;
  ASSERT_FALSE(static_cast<bool>(lo::readFacts(Two, Back)));
  EXPECT_EQ(Back.Edges.size(), 4U);
  lo::canonicalize(Back);
  EXPECT_EQ(Back.Edges.size(), 2U);
}

TEST(LockOrderFacts, UnknownKindsAndKeysAreSkipped) {
  lo::Facts Back;
  llvm::Error E = lo::readFacts("{\"kind\":\"tu\",\"version\":1,\"tu\":\"x\",\"extra\":1}\n"
                                "{\"kind\":\"future-thing\",\"x\":[1,2]}\n",
                                Back);
  EXPECT_FALSE(static_cast<bool>(E));
  EXPECT_TRUE(Back.Edges.empty());
}

TEST(LockOrderFacts, MalformedInputIsAnErrorNamingTheLine) {
  lo::Facts Back;
  llvm::Error E = lo::readFacts("{\"kind\":\"tu\",\"version\":1,\"tu\":\"x\"}\n"
                                "{\"kind\":\"edge\",\"from\":\"a\"}\n",
                                Back);
  ASSERT_TRUE(static_cast<bool>(E));
  std::string Message = llvm::toString(std::move(E));
  EXPECT_NE(Message.find("line 2"), std::string::npos) << Message;
  EXPECT_NE(Message.find("\"to\""), std::string::npos) << Message;

  E = lo::readFacts("not json\n", Back);
  ASSERT_TRUE(static_cast<bool>(E));
  EXPECT_NE(llvm::toString(std::move(E)).find("line 1"), std::string::npos);

  E = lo::readFacts("{\"kind\":\"tu\",\"version\":99,\"tu\":\"x\"}\n", Back);
  ASSERT_TRUE(static_cast<bool>(E));
  EXPECT_NE(llvm::toString(std::move(E)).find("unsupported version"), std::string::npos);
}

TEST(LockOrderFacts, FileNameIsStemPlusStableHash) {
  std::string Name = lo::factsFileName("/src/dir/bank transfer.cpp");
  EXPECT_EQ(Name.rfind("bank_transfer-", 0), 0U) << Name;
  EXPECT_EQ(Name.size(),
            std::string("bank_transfer-").size() + 16 + std::string(".lockorder.jsonl").size());
  EXPECT_EQ(Name, lo::factsFileName("/src/dir/bank transfer.cpp"));
  EXPECT_NE(Name, lo::factsFileName("/other/dir/bank transfer.cpp"));
}

TEST(LockOrderFacts, DisplayNameDropsTheTuSuffix) {
  EXPECT_EQ(lo::displayName("(anonymous namespace)::mu@/src/a.cpp"), "(anonymous namespace)::mu");
  EXPECT_EQ(lo::displayName("Account::mu_"), "Account::mu_");
}

TEST(LockOrderCycles, NoCycleInAChainOrADiamond) {
  EXPECT_TRUE(cycles({{"a", "b"}, {"b", "c"}, {"a", "c"}, {"c", "d"}}).empty());
}

TEST(LockOrderCycles, TwoLocksStartAtTheClosingEdge) {
  auto C = cycles({{"a", "b"}, {"x", "y"}, {"b", "a"}});
  ASSERT_EQ(C.size(), 1U);
  EXPECT_EQ(C[0], (lo::Cycle{2, 0}));
}

TEST(LockOrderCycles, FourLocksInCycleOrder) {
  // a -> b -> c -> d -> a, closed by the latest edge (c -> d).
  auto C = cycles({{"b", "c"}, {"d", "a"}, {"a", "b"}, {"c", "d"}});
  ASSERT_EQ(C.size(), 1U);
  EXPECT_EQ(C[0], (lo::Cycle{3, 1, 2, 0}));
}

TEST(LockOrderCycles, SelfEdgeIsACycleOfOne) {
  auto C = cycles({{"a", "b"}, {"m", "m"}});
  ASSERT_EQ(C.size(), 1U);
  EXPECT_EQ(C[0], (lo::Cycle{1}));
}

TEST(LockOrderCycles, ParallelEdgesAreOneEdgeRepresentedByTheFirst) {
  auto C = cycles({{"a", "b"}, {"a", "b"}, {"b", "a"}, {"b", "a"}});
  ASSERT_EQ(C.size(), 1U);
  EXPECT_EQ(C[0], (lo::Cycle{2, 0}));
}

TEST(LockOrderCycles, EveryEdgeOnACycleIsCoveredEachCycleOnce) {
  // A figure eight: a <-> b and b <-> c share b; plus a separate x <-> y.
  auto C = cycles({{"a", "b"}, {"b", "a"}, {"b", "c"}, {"c", "b"}, {"x", "y"}, {"y", "x"}});
  ASSERT_EQ(C.size(), 3U);
  std::vector<bool> Covered(6, false);
  for (const lo::Cycle& Cy : C)
    for (size_t I : Cy)
      Covered[I] = true;
  for (bool B : Covered)
    EXPECT_TRUE(B);
  // Sorted by closing edge; each starts with its greatest index.
  EXPECT_EQ(C[0], (lo::Cycle{1, 0}));
  EXPECT_EQ(C[1], (lo::Cycle{3, 2}));
  EXPECT_EQ(C[2], (lo::Cycle{5, 4}));
}

TEST(LockOrderCycles, ShortestCycleThroughTheEdge) {
  // a -> b -> c -> a and the chord b -> a: the edge b -> a closes a 2-cycle.
  auto C = cycles({{"a", "b"}, {"b", "c"}, {"c", "a"}, {"b", "a"}});
  ASSERT_EQ(C.size(), 2U);
  EXPECT_EQ(C[0], (lo::Cycle{2, 0, 1}));
  EXPECT_EQ(C[1], (lo::Cycle{3, 0}));
}

TEST(LockOrderCycles, LongChainDoesNotRecurse) {
  // 100000 mutexes in one ring: the search is iterative (no stack overflow).
  std::vector<std::pair<std::string, std::string>> Ring;
  for (int I = 0; I < 100000; ++I)
    Ring.push_back({"m" + std::to_string(I), "m" + std::to_string((I + 1) % 100000)});
  auto C = cycles(Ring);
  ASSERT_EQ(C.size(), 1U);
  EXPECT_EQ(C[0].size(), 100000U);
  EXPECT_EQ(C[0].front(), 99999U);
}

} // namespace
