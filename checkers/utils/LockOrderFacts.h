//===--- LockOrderFacts.h - lock-order facts and cycle search -------------===//
//
// The lock-order facts one translation unit writes (goro-lock-order-inversion
// with its FactsFile option) and the cycle search over them. Used by the
// check for the cycles within one TU, and by goro-tidy to merge the facts of
// every TU and find the cycles that span TUs. Depends on LLVM Support only
// (no clang, no clang-tidy), so a plain tool can link it.
//
// The format (documented for users in docs/checks/goro-lock-order-inversion.md)
// is JSON lines, one record per line, each an object whose "kind" says what
// it is:
//
//   {"kind":"tu","version":1,"tu":T}                      first line, always
//   {"kind":"edge","from":M,"to":M,"mode":..,"function":F,"first_site":S,
//    "site":S,"via":[{"function":F,"site":S}...],"tu":T}
//   {"kind":"call","function":F,"function_key":K,"callee":F,"callee_key":K,
//    "site":S,"via":[...],"held":[{"mutex":M,"site":S}...],"tu":T}
//   {"kind":"acquires","function":F,"function_key":K,"mutex":M,"mode":..,
//    "site":S,"via":[...],"tu":T}
//
// F is a function as a person reads it ("Bank::audit(int)"), K its key.
//
// Invariants the writer keeps, so that a build system can cache the output
// and a merge is linear:
//   - the output is a pure function of the TU and its flags: no timestamps,
//     no temporary paths, records in a deterministic order (sorted, see
//     writeFacts), no duplicates;
//   - a mutex id M names one mutex object (or one member of every object of
//     a class) the same way in every TU: its qualified name; ids of things
//     with internal linkage or automatic storage end in "@" + the TU, so two
//     TUs' `static std::mutex mu;` never collide;
//   - a function key K is the function's mangled name, the same in every TU
//     that declares it; empty for a function with internal linkage (no other
//     TU can call it).
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UTILS_LOCKORDERFACTS_H
#define GORO_CHECKERS_UTILS_LOCKORDERFACTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace goro::lockorder {

/// The version written in the "tu" record; bumped on incompatible changes.
inline constexpr int FactsVersion = 1;

/// A source position: the file as the compiler named it, 1-based line and
/// column (of the expansion, for code written in macros).
struct Site {
  std::string File;
  unsigned Line = 0;
  unsigned Col = 0;

  friend bool operator<(const Site &A, const Site &B) {
    return std::tie(A.File, A.Line, A.Col) < std::tie(B.File, B.Line, B.Col);
  }
  friend bool operator==(const Site &A, const Site &B) {
    return std::tie(A.File, A.Line, A.Col) == std::tie(B.File, B.Line, B.Col);
  }
};

/// One step of a call chain: \c Function is called at \c At.
struct Hop {
  std::string Function;
  Site At;

  friend bool operator<(const Hop &A, const Hop &B) {
    return std::tie(A.At, A.Function) < std::tie(B.At, B.Function);
  }
  friend bool operator==(const Hop &A, const Hop &B) {
    return A.At == B.At && A.Function == B.Function;
  }
};

enum class Mode : std::uint8_t { Exclusive, Shared };

/// "To is acquired while From is held": the mutex From, acquired at
/// FirstSite in Function, is still held when To is acquired, either at
/// AcquireSite in Function itself (Via empty) or inside the calls Via, made
/// from Function at Via[0].At, down to AcquireSite in the last callee.
/// From == To is a nested acquisition of the same member in two different
/// objects (the transfer(a, b) shape).
struct Edge {
  std::string From;
  std::string To;
  Mode ToMode = Mode::Exclusive;
  std::string Function;
  Site FirstSite;
  Site AcquireSite;
  std::vector<Hop> Via;
  std::string TU;

  /// Where the acquisition happens from Function's point of view: the
  /// acquisition itself or the first call of the chain.
  const Site &reportSite() const { return Via.empty() ? AcquireSite : Via.front().At; }
};

/// A mutex held at a call.
struct HeldMutex {
  std::string Mutex;
  Site At;
};

/// A call, from a function defined in this TU, of a function defined in no
/// part of this TU (so its locks are known only to the TU that defines it).
/// The call is made at At: in Function itself (Via empty) or inside the calls
/// Via (made from Function at Via[0].At) to functions of this TU. Written
/// when something is held, or when Function has external linkage (so that a
/// merge can follow calls from TU to TU).
struct Call {
  std::string Function;    ///< the caller, as a person reads it
  std::string FunctionKey; ///< the caller's key; empty: internal linkage
  std::string Callee;      ///< the callee, as a person reads it
  std::string CalleeKey;
  Site At;
  std::vector<Hop> Via;
  std::vector<HeldMutex> Held; ///< mutexes held at the call, oldest first; may be empty
  std::string TU;
};

/// A function with external linkage defined in this TU acquires Mutex when
/// called (directly at At, or through the calls Via made inside it).
struct Acquisition {
  std::string Function; ///< as a person reads it
  std::string FunctionKey;
  std::string Mutex;
  Mode M = Mode::Exclusive;
  Site At;
  std::vector<Hop> Via;
  std::string TU;
};

/// Everything known about the lock order of one TU (or, after merging, of
/// several: then TU is empty and each record names its own).
struct Facts {
  std::string TU;
  std::vector<Edge> Edges;
  std::vector<Call> Calls;
  std::vector<Acquisition> Acquisitions;
};

/// The part of a mutex id a person reads: the id without its "@TU" suffix.
llvm::StringRef displayName(llvm::StringRef MutexId);

/// Sorts and deduplicates every list of \p F, so that writing is deterministic.
void canonicalize(Facts &F);

/// Writes \p F as JSON lines: the "tu" record, then the edges, calls and
/// acquisitions, each list in canonical order. Call canonicalize() first.
void writeFacts(const Facts &F, llvm::raw_ostream &OS);

/// Parses JSON lines written by writeFacts() (possibly the concatenation of
/// several TUs' files) and appends their records to \p Into. Unknown kinds
/// and unknown fields are skipped (forward compatibility); a malformed line
/// or an unsupported version is an error naming the line.
llvm::Error readFacts(llvm::StringRef Text, Facts &Into);

/// The file name a TU's facts get in a FactsFile directory:
/// "<main file's stem>-<16 hex digits of xxh3_64 of its path>.lockorder.jsonl".
std::string factsFileName(llvm::StringRef MainFile);

/// One lock-order cycle: indices into the edge list given to findCycles, in
/// cycle order (the To of each is the From of the next, the last's To is the
/// first's From), starting with the closing edge: the one with the greatest
/// index among them.
using Cycle = std::vector<size_t>;

/// Finds the lock-order cycles (any length, self-edges included) among
/// \p Edges, given as (From, To) pairs in the order that defines "closing"
/// (callers sort by site: the closing edge is the latest). Parallel edges
/// (same From and To) are represented by the first of them. Every edge that
/// lies on some cycle is covered by at least one reported cycle: for each
/// such edge not yet covered, latest first, the shortest cycle through it
/// (breadth-first within its strongly connected component, neighbours in
/// index order) is reported, and its edges are marked covered. So a cycle is
/// reported at most once and the output is deterministic. Cycles come sorted
/// by their closing edge. Cost: O(V + E) for the components, plus one
/// breadth-first search per reported cycle within its component.
std::vector<Cycle> findCycles(llvm::ArrayRef<std::pair<llvm::StringRef, llvm::StringRef>> Edges);

} // namespace goro::lockorder

#endif // GORO_CHECKERS_UTILS_LOCKORDERFACTS_H
