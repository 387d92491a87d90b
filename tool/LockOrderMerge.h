//===--- LockOrderMerge.h - whole-program lock order ------------*- C++ -*-===//
//
// Merges the lock-order facts of many translation units (written by
// goro-lock-order-inversion with its FactsFile option; format in
// docs/checks/goro-lock-order-inversion.md) and finds the lock-order cycles
// that no single TU can see:
//
//  1. Acquisitions through calls across TUs. An `acquires` record says that
//     calling a function (by its key, the mangled name) acquires a mutex; a
//     `call` record of a function F with key K to a callee with key C means
//     that calling K acquires whatever calling C acquires. This join is
//     repeated, breadth first, so the shortest chain is kept, up to
//     MaxCrossTUCalls calls deep (as the check follows calls up to 8 deep
//     within a TU). One acquisition is kept per (function, mutex).
//  2. Edges: every `edge` record, plus, for every `call` made with mutexes
//     held, an edge from each held mutex to each mutex the callee acquires,
//     with the whole chain of calls. An edge from a mutex to itself is the
//     "same member of two objects" shape, which only the TU that sees both
//     objects can judge: those are left to the check.
//  3. Cycles: lockorder::findCycles over the edges sorted by where they are
//     reported, so the closing edge of a cycle is its latest. A cycle whose
//     every edge is an `edge` record of one and the same TU was reported by
//     the check in that TU already and is dropped.
//
// Cost: linear in the records read plus the acquisitions and edges derived
// (each (function, mutex) pair is derived once and joined with the calls of
// that function once), plus a sort of the edges and findCycles, which is
// linear plus one breadth-first search per reported cycle. LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_LOCKORDERMERGE_H
#define GORO_TOOL_LOCKORDERMERGE_H

#include "Finding.h"
#include "utils/LockOrderFacts.h"
#include <cstddef>
#include <string>
#include <vector>

namespace goro::tidy {

/// How many calls from TU to TU an acquisition is followed.
inline constexpr unsigned MaxCrossTUCalls = 8;

/// An edge of the whole program's lock-order graph.
struct MergedEdge {
  lockorder::Edge E;            ///< E.TU: the TU of the function holding E.From
  std::vector<std::string> TUs; ///< every TU whose facts it rests on, sorted
};

/// A cycle spanning TUs: its edges in cycle order, the closing one first.
struct LockCycle {
  std::vector<MergedEdge> Edges;
};

struct MergeStats {
  size_t TUs = 0;
  size_t EdgeRecords = 0;
  size_t CallRecords = 0;
  size_t AcquiresRecords = 0;
  size_t DerivedAcquisitions = 0; ///< through calls across TUs
  size_t DerivedEdges = 0;
  size_t GraphEdges = 0;        ///< after removing duplicates
  size_t CyclesWithinOneTU = 0; ///< found again, left to the check
};

struct MergeResult {
  std::vector<LockCycle> Cycles;
  MergeStats Stats;
};

/// Merges \p All (the records of every TU, in any order).
MergeResult mergeLockOrder(const lockorder::Facts &All);

/// The goro-lock-order-inversion finding for \p C, worded as the check words
/// a cycle within one TU. Locations carry file, line and column as the facts
/// give them (offsets are left 0).
Finding cycleFinding(const LockCycle &C);

} // namespace goro::tidy

#endif // GORO_TOOL_LOCKORDERMERGE_H
