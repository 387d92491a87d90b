//===--- LockOrderMerge.cpp - whole-program lock order --------------------===//
//
// See LockOrderMerge.h for the algorithm and its cost. Strings are interned
// (TUs, function keys, mutex ids) so that the joins are hash lookups on
// integers.
//
//===----------------------------------------------------------------------===//

#include "LockOrderMerge.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include <algorithm>
#include <tuple>

namespace goro::tidy {

namespace lo = goro::lockorder;

namespace {

/// Dense ids for strings.
class Interner {
public:
  unsigned id(llvm::StringRef S) {
    return Ids.try_emplace(S, static_cast<unsigned>(Ids.size())).first->second;
  }
  size_t size() const { return Ids.size(); }

private:
  llvm::StringMap<unsigned> Ids;
};

/// "Calling Function (key Key) acquires Mutex at At, through the calls Via."
struct Acquisition {
  unsigned Key;
  unsigned Mutex;
  const lo::Acquisition *Base; ///< the record it ends in: mutex, mode, site
  std::vector<lo::Hop> Via;
  std::vector<unsigned> TUs; ///< sorted
  unsigned Depth;            ///< calls across TUs
};

std::vector<unsigned> unite(const std::vector<unsigned> &A, unsigned B) {
  std::vector<unsigned> R = A;
  auto It = std::lower_bound(R.begin(), R.end(), B);
  if (It == R.end() || *It != B)
    R.insert(It, B);
  return R;
}

/// The chain of a call: the caller's own calls, the call itself, then the
/// callee's chain.
std::vector<lo::Hop> chain(const lo::Call &C, const std::vector<lo::Hop> &Then) {
  std::vector<lo::Hop> Via = C.Via;
  Via.push_back({C.Callee, C.At});
  Via.insert(Via.end(), Then.begin(), Then.end());
  return Via;
}

auto edgeOrder(const lo::Edge &E) {
  return std::tie(E.reportSite(), E.From, E.To, E.FirstSite, E.AcquireSite, E.Via, E.Function,
                  E.ToMode);
}

} // namespace

MergeResult mergeLockOrder(const lo::Facts &All) {
  MergeResult Result;
  MergeStats &Stats = Result.Stats;
  Stats.EdgeRecords = All.Edges.size();
  Stats.CallRecords = All.Calls.size();
  Stats.AcquiresRecords = All.Acquisitions.size();

  Interner TUs, Keys, Mutexes;
  std::vector<std::string> TUNames;
  auto TUId = [&](llvm::StringRef TU) {
    unsigned Id = TUs.id(TU);
    if (Id == TUNames.size())
      TUNames.push_back(TU.str());
    return Id;
  };
  for (const lo::Edge &E : All.Edges)
    TUId(E.TU);
  for (const lo::Call &C : All.Calls)
    TUId(C.TU);
  for (const lo::Acquisition &A : All.Acquisitions)
    TUId(A.TU);
  Stats.TUs = TUNames.size();

  // 1. Acquisitions, closed over calls across TUs, breadth first.
  std::vector<Acquisition> Acqs;
  llvm::DenseMap<std::pair<unsigned, unsigned>, unsigned> Known; // (key, mutex) -> index
  for (const lo::Acquisition &A : All.Acquisitions) {
    if (A.FunctionKey.empty())
      continue;
    unsigned Key = Keys.id(A.FunctionKey), Mutex = Mutexes.id(A.Mutex);
    if (Known.try_emplace({Key, Mutex}, Acqs.size()).second)
      Acqs.push_back({Key, Mutex, &A, A.Via, {TUId(A.TU)}, 0});
  }
  // Calls by callee key: only calls made by a function other TUs can call
  // propagate acquisitions.
  llvm::DenseMap<unsigned, std::vector<const lo::Call *>> CallsByCallee;
  for (const lo::Call &C : All.Calls)
    if (!C.CalleeKey.empty() && !C.FunctionKey.empty())
      CallsByCallee[Keys.id(C.CalleeKey)].push_back(&C);
  for (size_t I = 0; I < Acqs.size(); ++I) {
    if (Acqs[I].Depth >= MaxCrossTUCalls)
      continue;
    auto Callers = CallsByCallee.find(Acqs[I].Key);
    if (Callers == CallsByCallee.end())
      continue;
    for (const lo::Call *C : Callers->second) {
      unsigned Caller = Keys.id(C->FunctionKey);
      const Acquisition &X = Acqs[I]; // re-read: push_back may move Acqs
      if (!Known.try_emplace({Caller, X.Mutex}, Acqs.size()).second)
        continue;
      Acquisition Derived{Caller,     X.Mutex, X.Base, chain(*C, X.Via), unite(X.TUs, TUId(C->TU)),
                          X.Depth + 1};
      Acqs.push_back(std::move(Derived));
      ++Stats.DerivedAcquisitions;
    }
  }
  llvm::DenseMap<unsigned, std::vector<unsigned>> AcqsByKey;
  for (unsigned I = 0; I < Acqs.size(); ++I)
    AcqsByKey[Acqs[I].Key].push_back(I);

  // 2. Edges: the records, plus held mutexes at calls to what the callee acquires.
  std::vector<MergedEdge> Edges;
  std::vector<std::vector<unsigned>> EdgeTUs;
  std::vector<bool> IsRecord;
  for (const lo::Edge &E : All.Edges) {
    if (E.From == E.To)
      continue; // two objects of one class: the check's to judge
    Edges.push_back({E, {}});
    EdgeTUs.push_back({TUId(E.TU)});
    IsRecord.push_back(true);
  }
  for (const lo::Call &C : All.Calls) {
    if (C.Held.empty() || C.CalleeKey.empty())
      continue;
    auto Callee = AcqsByKey.find(Keys.id(C.CalleeKey));
    if (Callee == AcqsByKey.end())
      continue;
    for (unsigned I : Callee->second) {
      const Acquisition &X = Acqs[I];
      for (const lo::HeldMutex &H : C.Held) {
        if (H.Mutex == X.Base->Mutex)
          continue; // across TUs nothing tells two objects apart
        lo::Edge E;
        E.From = H.Mutex;
        E.To = X.Base->Mutex;
        E.ToMode = X.Base->M;
        E.Function = C.Function;
        E.FirstSite = H.At;
        E.AcquireSite = X.Base->At;
        E.Via = chain(C, X.Via);
        E.TU = C.TU;
        Edges.push_back({std::move(E), {}});
        EdgeTUs.push_back(unite(X.TUs, TUId(C.TU)));
        IsRecord.push_back(false);
        ++Stats.DerivedEdges;
      }
    }
  }

  // Sort by report site (the closing edge of a cycle is its latest) and
  // merge duplicates: a function in a header is seen by every TU including it.
  std::vector<unsigned> Order(Edges.size());
  for (unsigned I = 0; I < Order.size(); ++I)
    Order[I] = I;
  llvm::sort(Order, [&](unsigned A, unsigned B) {
    auto KA = edgeOrder(Edges[A].E), KB = edgeOrder(Edges[B].E);
    return KA != KB ? KA < KB : A < B;
  });
  std::vector<MergedEdge> Graph;
  std::vector<std::vector<unsigned>> GraphTUs;
  // (From, To) -> the TUs that have it as an edge record, for step 3.
  llvm::DenseMap<std::pair<unsigned, unsigned>, std::vector<unsigned>> RecordTUs;
  // The TU lists are appended to here and sorted once below: an edge of an
  // inline function in a header that every TU includes is met once per TU,
  // and inserting into a sorted list each time would be quadratic in them.
  for (unsigned I : Order) {
    MergedEdge &M = Edges[I];
    if (IsRecord[I])
      RecordTUs[{Mutexes.id(M.E.From), Mutexes.id(M.E.To)}].push_back(EdgeTUs[I].front());
    if (!Graph.empty() && edgeOrder(Graph.back().E) == edgeOrder(M.E)) {
      llvm::append_range(GraphTUs.back(), EdgeTUs[I]);
      continue;
    }
    Graph.push_back(std::move(M));
    GraphTUs.push_back(std::move(EdgeTUs[I]));
  }
  auto SortUnique = [](std::vector<unsigned> &TUList) {
    llvm::sort(TUList);
    TUList.erase(std::unique(TUList.begin(), TUList.end()), TUList.end());
  };
  for (std::vector<unsigned> &TUList : GraphTUs)
    SortUnique(TUList);
  for (auto &Entry : RecordTUs)
    SortUnique(Entry.second);
  Stats.GraphEdges = Graph.size();

  // 3. Cycles; drop those the check reported within one TU.
  std::vector<std::pair<llvm::StringRef, llvm::StringRef>> Pairs;
  Pairs.reserve(Graph.size());
  for (const MergedEdge &M : Graph)
    Pairs.push_back({M.E.From, M.E.To});
  for (const lo::Cycle &C : lo::findCycles(Pairs)) {
    std::vector<unsigned> Common;
    bool First = true;
    for (size_t I : C) {
      auto It = RecordTUs.find({Mutexes.id(Graph[I].E.From), Mutexes.id(Graph[I].E.To)});
      if (It == RecordTUs.end()) {
        Common.clear();
        break;
      }
      const std::vector<unsigned> &Here = It->second;
      if (First) {
        Common = Here;
        First = false;
        continue;
      }
      std::vector<unsigned> Both;
      std::set_intersection(Common.begin(), Common.end(), Here.begin(), Here.end(),
                            std::back_inserter(Both));
      Common = std::move(Both);
    }
    if (!Common.empty()) {
      ++Stats.CyclesWithinOneTU;
      continue;
    }
    LockCycle Cycle;
    for (size_t I : C) {
      MergedEdge M = Graph[I];
      for (unsigned T : GraphTUs[I])
        M.TUs.push_back(TUNames[T]);
      llvm::sort(M.TUs);
      Cycle.Edges.push_back(std::move(M));
    }
    Result.Cycles.push_back(std::move(Cycle));
  }
  return Result;
}

//===--- Wording ----------------------------------------------------------===//

namespace {

/// A name as a person reads it: no "@TU", no "(anonymous namespace)::".
std::string readable(llvm::StringRef Name) {
  std::string R;
  for (llvm::StringRef Rest = lo::displayName(Name); !Rest.empty();) {
    auto [Head, Tail] = Rest.split("(anonymous namespace)::");
    R += Head;
    Rest = Tail;
  }
  return R;
}

/// A function as the check names it in notes ("Bank::audit", "(lambda in
/// f)"), from the signature the facts carry ("Bank::audit(int) const",
/// "f(int)::(lambda at 12:3)").
std::string functionName(llvm::StringRef Signature) {
  size_t Lambda = Signature.rfind("::(lambda");
  if (Lambda != llvm::StringRef::npos)
    return "(lambda in " + functionName(Signature.take_front(Lambda)) + ")";
  if (Signature.starts_with("(lambda"))
    return "(lambda)";
  llvm::StringRef S = Signature;
  S.consume_back(" const");
  if (!S.ends_with(")"))
    return readable(S);
  // Drop the parameter list: the last balanced parenthesized group.
  int Depth = 0;
  for (size_t I = S.size(); I-- > 0;) {
    if (S[I] == ')')
      ++Depth;
    else if (S[I] == '(' && --Depth == 0)
      return readable(S.take_front(I));
  }
  return readable(S);
}

Location at(const lo::Site &S) {
  Location L;
  L.File = S.File;
  L.Line = S.Line;
  L.Col = S.Col;
  return L;
}

std::string through(const lo::Edge &E) {
  return E.Via.empty() ? std::string()
                       : " through the call to '" + functionName(E.Via.front().Function) + "'";
}

/// The calls after the first, then the acquisition in the last callee.
void addChain(const lo::Edge &E, std::vector<Note> &Notes) {
  for (size_t I = 1; I < E.Via.size(); ++I)
    Notes.push_back({at(E.Via[I].At), "'" + functionName(E.Via[I - 1].Function) + "' calls '" +
                                          functionName(E.Via[I].Function) + "' here"});
  if (!E.Via.empty())
    Notes.push_back({at(E.AcquireSite), "'" + readable(E.To) + "' acquired here in '" +
                                            functionName(E.Via.back().Function) + "'"});
}

} // namespace

Finding cycleFinding(const LockCycle &C) {
  Finding F;
  F.Check = "goro-lock-order-inversion";
  const lo::Edge &Closing = C.Edges.front().E;
  std::string Ring = "'" + readable(Closing.From) + "'";
  for (const MergedEdge &M : C.Edges)
    Ring += " -> '" + readable(M.E.To) + "'";
  F.Message = "'" + readable(Closing.To) + "' acquired" + through(Closing) + " while holding '" +
              readable(Closing.From) + "' closes the lock-order cycle " + Ring +
              " across translation units; threads taking these locks in these orders can "
              "deadlock";
  F.Where = at(Closing.reportSite());
  F.Notes.push_back({at(Closing.FirstSite), "'" + readable(Closing.From) + "' acquired here"});
  addChain(Closing, F.Notes);
  for (size_t K = 1; K < C.Edges.size(); ++K) {
    const lo::Edge &E = C.Edges[K].E;
    F.Notes.push_back({at(E.reportSite()), "'" + readable(E.To) + "' acquired" + through(E) +
                                               " here while holding '" + readable(E.From) + "'"});
    addChain(E, F.Notes);
  }
  return F;
}

} // namespace goro::tidy
