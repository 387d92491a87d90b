//===--- LockOrderFacts.cpp - lock-order facts and cycle search -----------===//
//
// JSON-lines reading and writing of lock-order facts, and the cycle search
// (Tarjan's strongly connected components, then one shortest cycle per
// uncovered edge). See LockOrderFacts.h for the format and the invariants.
//
//===----------------------------------------------------------------------===//

#include "LockOrderFacts.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"
#include <algorithm>
#include <deque>

namespace goro::lockorder {

namespace json = llvm::json;

llvm::StringRef displayName(llvm::StringRef MutexId) { return MutexId.split('@').first; }

//===--- Canonical order --------------------------------------------------===//

static auto edgeKey(const Edge &E) {
  return std::tie(E.reportSite(), E.From, E.To, E.FirstSite, E.AcquireSite, E.Via, E.Function,
                  E.ToMode, E.TU);
}

static bool heldLess(const std::vector<HeldMutex> &A, const std::vector<HeldMutex> &B) {
  return std::lexicographical_compare(A.begin(), A.end(), B.begin(), B.end(),
                                      [](const HeldMutex &X, const HeldMutex &Y) {
                                        return std::tie(X.Mutex, X.At) < std::tie(Y.Mutex, Y.At);
                                      });
}

static bool heldEqual(const std::vector<HeldMutex> &A, const std::vector<HeldMutex> &B) {
  return std::equal(
      A.begin(), A.end(), B.begin(), B.end(),
      [](const HeldMutex &X, const HeldMutex &Y) { return X.Mutex == Y.Mutex && X.At == Y.At; });
}

void canonicalize(Facts &F) {
  llvm::sort(F.Edges, [](const Edge &A, const Edge &B) { return edgeKey(A) < edgeKey(B); });
  F.Edges.erase(std::unique(F.Edges.begin(), F.Edges.end(),
                            [](const Edge &A, const Edge &B) { return edgeKey(A) == edgeKey(B); }),
                F.Edges.end());

  auto CallLess = [](const Call &A, const Call &B) {
    auto KeyA = std::tie(A.Via, A.At, A.CalleeKey, A.Callee, A.Function, A.FunctionKey, A.TU);
    auto KeyB = std::tie(B.Via, B.At, B.CalleeKey, B.Callee, B.Function, B.FunctionKey, B.TU);
    if (KeyA != KeyB)
      return KeyA < KeyB;
    return heldLess(A.Held, B.Held);
  };
  llvm::sort(F.Calls, CallLess);
  F.Calls.erase(std::unique(F.Calls.begin(), F.Calls.end(),
                            [](const Call &A, const Call &B) {
                              return A.At == B.At && A.Via == B.Via && A.Callee == B.Callee &&
                                     A.CalleeKey == B.CalleeKey && A.Function == B.Function &&
                                     A.FunctionKey == B.FunctionKey && A.TU == B.TU &&
                                     heldEqual(A.Held, B.Held);
                            }),
                F.Calls.end());

  auto AcqKey = [](const Acquisition &A) {
    return std::tie(A.FunctionKey, A.Function, A.Mutex, A.At, A.Via, A.M, A.TU);
  };
  llvm::sort(F.Acquisitions,
             [&](const Acquisition &A, const Acquisition &B) { return AcqKey(A) < AcqKey(B); });
  F.Acquisitions.erase(std::unique(F.Acquisitions.begin(), F.Acquisitions.end(),
                                   [&](const Acquisition &A, const Acquisition &B) {
                                     return AcqKey(A) == AcqKey(B);
                                   }),
                       F.Acquisitions.end());
}

//===--- Writing ----------------------------------------------------------===//

static llvm::StringRef modeName(Mode M) { return M == Mode::Shared ? "shared" : "exclusive"; }

static void writeSite(json::OStream &J, llvm::StringRef Key, const Site &S) {
  J.attributeObject(Key, [&] {
    J.attribute("file", S.File);
    J.attribute("line", S.Line);
    J.attribute("col", S.Col);
  });
}

static void writeVia(json::OStream &J, const std::vector<Hop> &Via) {
  J.attributeArray("via", [&] {
    for (const Hop &H : Via)
      J.object([&] {
        J.attribute("function", H.Function);
        writeSite(J, "site", H.At);
      });
  });
}

void writeFacts(const Facts &F, llvm::raw_ostream &OS) {
  // One object per line: an OStream without indentation writes no newline.
  {
    json::OStream J(OS);
    J.object([&] {
      J.attribute("kind", "tu");
      J.attribute("version", FactsVersion);
      J.attribute("tu", F.TU);
    });
    OS << '\n';
  }
  for (const Edge &E : F.Edges) {
    json::OStream J(OS);
    J.object([&] {
      J.attribute("kind", "edge");
      J.attribute("from", E.From);
      J.attribute("to", E.To);
      J.attribute("mode", modeName(E.ToMode));
      J.attribute("function", E.Function);
      writeSite(J, "first_site", E.FirstSite);
      writeSite(J, "site", E.AcquireSite);
      writeVia(J, E.Via);
      J.attribute("tu", E.TU);
    });
    OS << '\n';
  }
  for (const Call &C : F.Calls) {
    json::OStream J(OS);
    J.object([&] {
      J.attribute("kind", "call");
      J.attribute("function", C.Function);
      J.attribute("function_key", C.FunctionKey);
      J.attribute("callee", C.Callee);
      J.attribute("callee_key", C.CalleeKey);
      writeSite(J, "site", C.At);
      writeVia(J, C.Via);
      J.attributeArray("held", [&] {
        for (const HeldMutex &H : C.Held)
          J.object([&] {
            J.attribute("mutex", H.Mutex);
            writeSite(J, "site", H.At);
          });
      });
      J.attribute("tu", C.TU);
    });
    OS << '\n';
  }
  for (const Acquisition &A : F.Acquisitions) {
    json::OStream J(OS);
    J.object([&] {
      J.attribute("kind", "acquires");
      J.attribute("function", A.Function);
      J.attribute("function_key", A.FunctionKey);
      J.attribute("mutex", A.Mutex);
      J.attribute("mode", modeName(A.M));
      writeSite(J, "site", A.At);
      writeVia(J, A.Via);
      J.attribute("tu", A.TU);
    });
    OS << '\n';
  }
}

//===--- Reading ----------------------------------------------------------===//

namespace {
/// Reads the fields of one record, remembering the first problem.
class RecordReader {
public:
  explicit RecordReader(const json::Object &O) : O(O) {}

  std::string str(llvm::StringRef Key) {
    if (std::optional<llvm::StringRef> S = O.getString(Key))
      return S->str();
    fail(Key);
    return {};
  }

  Mode mode(llvm::StringRef Key) {
    std::string M = str(Key);
    if (M == "shared")
      return Mode::Shared;
    if (M != "exclusive")
      fail(Key);
    return Mode::Exclusive;
  }

  Site site(const json::Object *S, llvm::StringRef Key) {
    Site Result;
    if (S == nullptr) {
      fail(Key);
      return Result;
    }
    std::optional<llvm::StringRef> File = S->getString("file");
    std::optional<int64_t> Line = S->getInteger("line");
    std::optional<int64_t> Col = S->getInteger("col");
    if (!File || !Line || !Col || *Line < 0 || *Col < 0) {
      fail(Key);
      return Result;
    }
    Result.File = File->str();
    Result.Line = static_cast<unsigned>(*Line);
    Result.Col = static_cast<unsigned>(*Col);
    return Result;
  }

  Site site(llvm::StringRef Key) { return site(O.getObject(Key), Key); }

  std::vector<Hop> via() {
    std::vector<Hop> Result;
    const json::Array *A = O.getArray("via");
    if (A == nullptr) {
      fail("via");
      return Result;
    }
    for (const json::Value &V : *A) {
      const json::Object *H = V.getAsObject();
      std::optional<llvm::StringRef> Fn = H ? H->getString("function") : std::nullopt;
      if (!Fn) {
        fail("via");
        continue;
      }
      Result.push_back({Fn->str(), site(H->getObject("site"), "via")});
    }
    return Result;
  }

  std::vector<HeldMutex> held() {
    std::vector<HeldMutex> Result;
    const json::Array *A = O.getArray("held");
    if (A == nullptr) {
      fail("held");
      return Result;
    }
    for (const json::Value &V : *A) {
      const json::Object *H = V.getAsObject();
      std::optional<llvm::StringRef> M = H ? H->getString("mutex") : std::nullopt;
      if (!M) {
        fail("held");
        continue;
      }
      Result.push_back({M->str(), site(H->getObject("site"), "held")});
    }
    return Result;
  }

  /// The first missing or malformed field, empty if none.
  llvm::StringRef problem() const { return Problem; }

private:
  void fail(llvm::StringRef Key) {
    if (Problem.empty())
      Problem = Key;
  }

  const json::Object &O;
  llvm::StringRef Problem;
};
} // namespace

llvm::Error readFacts(llvm::StringRef Text, Facts &Into) {
  unsigned LineNo = 0;
  while (!Text.empty()) {
    llvm::StringRef Line;
    std::tie(Line, Text) = Text.split('\n');
    ++LineNo;
    Line = Line.trim();
    if (Line.empty())
      continue;
    auto Bad = [&](const llvm::Twine &Why) {
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "lock-order facts, line " + llvm::Twine(LineNo) + ": " + Why);
    };
    llvm::Expected<json::Value> V = json::parse(Line);
    if (!V)
      return Bad(llvm::toString(V.takeError()));
    const json::Object *O = V->getAsObject();
    if (O == nullptr)
      return Bad("not a JSON object");
    std::optional<llvm::StringRef> Kind = O->getString("kind");
    if (!Kind)
      return Bad("no \"kind\"");
    RecordReader R(*O);
    if (*Kind == "tu") {
      std::optional<int64_t> Version = O->getInteger("version");
      if (!Version || *Version != FactsVersion)
        return Bad("unsupported version (this reader knows version " + llvm::Twine(FactsVersion) +
                   ")");
      continue;
    }
    if (*Kind == "edge") {
      Edge E;
      E.From = R.str("from");
      E.To = R.str("to");
      E.ToMode = R.mode("mode");
      E.Function = R.str("function");
      E.FirstSite = R.site("first_site");
      E.AcquireSite = R.site("site");
      E.Via = R.via();
      E.TU = R.str("tu");
      if (!R.problem().empty())
        return Bad("edge record: missing or malformed \"" + R.problem() + "\"");
      Into.Edges.push_back(std::move(E));
    } else if (*Kind == "call") {
      Call C;
      C.Function = R.str("function");
      C.FunctionKey = R.str("function_key");
      C.Callee = R.str("callee");
      C.CalleeKey = R.str("callee_key");
      C.At = R.site("site");
      C.Via = R.via();
      C.Held = R.held();
      C.TU = R.str("tu");
      if (!R.problem().empty())
        return Bad("call record: missing or malformed \"" + R.problem() + "\"");
      Into.Calls.push_back(std::move(C));
    } else if (*Kind == "acquires") {
      Acquisition A;
      A.Function = R.str("function");
      A.FunctionKey = R.str("function_key");
      A.Mutex = R.str("mutex");
      A.M = R.mode("mode");
      A.At = R.site("site");
      A.Via = R.via();
      A.TU = R.str("tu");
      if (!R.problem().empty())
        return Bad("acquires record: missing or malformed \"" + R.problem() + "\"");
      Into.Acquisitions.push_back(std::move(A));
    }
    // Other kinds: written by a newer writer of the same version; skipped.
  }
  return llvm::Error::success();
}

std::string factsFileName(llvm::StringRef MainFile) {
  llvm::StringRef Stem = llvm::sys::path::stem(MainFile);
  std::string Safe;
  for (char C : Stem)
    Safe += (llvm::isAlnum(C) || C == '_' || C == '-' || C == '.') ? C : '_';
  return llvm::formatv("{0}-{1:x-16}.lockorder.jsonl", Safe, llvm::xxh3_64bits(MainFile)).str();
}

//===--- Cycle search -----------------------------------------------------===//

std::vector<Cycle> findCycles(llvm::ArrayRef<std::pair<llvm::StringRef, llvm::StringRef>> Edges) {
  // Intern the mutex ids; keep one representative (the first) per (From, To).
  llvm::StringMap<unsigned> NodeIds;
  auto Node = [&](llvm::StringRef Id) {
    return NodeIds.try_emplace(Id, static_cast<unsigned>(NodeIds.size())).first->second;
  };
  struct Arc {
    unsigned From, To;
    size_t Index; // into Edges
  };
  std::vector<Arc> Arcs;
  llvm::DenseMap<std::pair<unsigned, unsigned>, size_t> Seen;
  for (size_t I = 0; I < Edges.size(); ++I) {
    unsigned From = Node(Edges[I].first), To = Node(Edges[I].second);
    if (Seen.try_emplace({From, To}, Arcs.size()).second)
      Arcs.push_back({From, To, I});
  }
  const unsigned N = NodeIds.size();
  std::vector<std::vector<unsigned>> Out(N); // arc numbers, in index order
  for (unsigned A = 0; A < Arcs.size(); ++A)
    Out[Arcs[A].From].push_back(A);

  // Tarjan's strongly connected components, iteratively (no recursion, so
  // a long chain of mutexes cannot overflow the stack).
  constexpr unsigned Unvisited = ~0U;
  std::vector<unsigned> Index(N, Unvisited), Low(N, 0), Component(N, Unvisited);
  std::vector<bool> OnStack(N, false);
  std::vector<unsigned> Stack;
  std::vector<std::pair<unsigned, size_t>> Work; // (node, next out-arc)
  unsigned NextIndex = 0, NextComponent = 0;
  for (unsigned Root = 0; Root < N; ++Root) {
    if (Index[Root] != Unvisited)
      continue;
    Work.push_back({Root, 0});
    while (!Work.empty()) {
      auto &[V, Next] = Work.back();
      if (Next == 0 && Index[V] == Unvisited) {
        Index[V] = Low[V] = NextIndex++;
        Stack.push_back(V);
        OnStack[V] = true;
      }
      if (Next < Out[V].size()) {
        unsigned W = Arcs[Out[V][Next++]].To;
        if (Index[W] == Unvisited)
          Work.push_back({W, 0});
        else if (OnStack[W])
          Low[V] = std::min(Low[V], Index[W]);
        continue;
      }
      if (Low[V] == Index[V]) {
        unsigned W;
        do {
          W = Stack.back();
          Stack.pop_back();
          OnStack[W] = false;
          Component[W] = NextComponent;
        } while (W != V);
        ++NextComponent;
      }
      unsigned Done = V;
      Work.pop_back();
      if (!Work.empty())
        Low[Work.back().first] = std::min(Low[Work.back().first], Low[Done]);
    }
  }

  // Cover every arc inside a component with the shortest cycle through it,
  // latest arc first.
  std::vector<bool> Covered(Arcs.size(), false);
  std::vector<Cycle> Cycles;
  std::vector<unsigned> Parent(N);             // arc that reached a node in the search
  std::vector<unsigned> Visited(N, Unvisited); // search generation
  unsigned Generation = 0;
  for (size_t K = Arcs.size(); K-- > 0;) {
    const Arc &Start = Arcs[K];
    if (Covered[K] || Component[Start.From] != Component[Start.To])
      continue;
    std::vector<unsigned> Path; // arcs from Start.To back to Start.From
    if (Start.From != Start.To) {
      ++Generation;
      std::deque<unsigned> Queue{Start.To};
      Visited[Start.To] = Generation;
      while (!Queue.empty() && Visited[Start.From] != Generation) {
        unsigned V = Queue.front();
        Queue.pop_front();
        for (unsigned A : Out[V]) {
          unsigned W = Arcs[A].To;
          if (Visited[W] == Generation || Component[W] != Component[Start.From])
            continue;
          Visited[W] = Generation;
          Parent[W] = A;
          Queue.push_back(W);
        }
      }
      for (unsigned V = Start.From; V != Start.To; V = Arcs[Parent[V]].From)
        Path.push_back(Parent[V]);
      std::reverse(Path.begin(), Path.end());
    }
    std::vector<unsigned> Ring{static_cast<unsigned>(K)};
    Ring.insert(Ring.end(), Path.begin(), Path.end());
    // Rotate so that the closing arc (greatest edge index) comes first.
    auto Closing = std::max_element(Ring.begin(), Ring.end(), [&](unsigned A, unsigned B) {
      return Arcs[A].Index < Arcs[B].Index;
    });
    std::rotate(Ring.begin(), Closing, Ring.end());
    Cycle C;
    for (unsigned A : Ring) {
      Covered[A] = true;
      C.push_back(Arcs[A].Index);
    }
    Cycles.push_back(std::move(C));
  }
  llvm::sort(Cycles, [](const Cycle &A, const Cycle &B) { return A < B; });
  return Cycles;
}

} // namespace goro::lockorder
