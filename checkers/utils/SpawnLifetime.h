//===--- SpawnLifetime.h - can spawned work outlive a scope? --------------===//
//
// Shared knowledge for the checks about how long the work a spawn starts can
// run: whether it provably ends before control leaves a given statement
// (a loop iteration, a handler body), so that the objects of that statement
// are still alive for all of it.
//
// Recognised ways the work ends in time (everything else may outlive):
//   - a std::jthread that is a local of the region (or a temporary): its
//     destructor joins;
//   - a std::thread that is a local of the region (or a temporary) and is not
//     detached: it is joined before it dies, or its destructor calls
//     std::terminate; either way nothing runs after the region;
//   - a std::future returned by std::async that is a local of the region (or a
//     temporary): its destructor waits;
//   - a std container of those, local to the region (`threads.emplace_back`);
//   - a wait reached on every path from the spawn before control leaves the
//     region: on the spawner (`g.go(f)` ... `g.wait()`: errgroup, user
//     pools), on a wait_group/latch the spawned lambda counts down
//     (`wg.done()` / `count_down()` ... `wg.wait()`), on the handle the work
//     went into (`t.join()`, `f.get()`, `f.wait()`, wherever `t` lives), or
//     on every element of the container it went into
//     (`for (auto& t : threads) t.join();`, `threads[i].join()`).
// A local handle counts only if it does not escape: not moved, swapped,
// detached, shared, returned, bound to a non-const reference or used inside a
// lambda. Explicit jumps (return, break, continue, goto, throw) that skip a
// wait are paths; exceptions thrown by calls are not considered.
//
// All questions are answered within one function body, with a parent map of
// that body only (BodyParents): the whole-TU parent map is never built.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UTILS_SPAWNLIFETIME_H
#define GORO_CHECKERS_UTILS_SPAWNLIFETIME_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>

namespace clang::tidy::goro::utils {

/// Parent links, declaring statements and references for the statements of
/// one function body (nested lambdas included). Built in one walk.
class BodyParents {
public:
  explicit BodyParents(const Stmt *Body);

  const Stmt *root() const { return Root; }
  /// The statement directly containing \p S; nullptr for the root and for
  /// statements outside the body.
  const Stmt *parent(const Stmt *S) const { return Parents.lookup(S); }
  /// Whether \p S is \p Ancestor or lies below it.
  bool isWithin(const Stmt *S, const Stmt *Ancestor) const;
  /// The DeclStmt declaring \p D (a variable, also a range-for or condition
  /// variable), or nullptr.
  const DeclStmt *declaringStmt(const Decl *D) const { return DeclStmts.lookup(D); }
  /// Every DeclRefExpr naming \p D in the body.
  llvm::ArrayRef<const DeclRefExpr *> references(const Decl *D) const;

private:
  const Stmt *Root;
  llvm::DenseMap<const Stmt *, const Stmt *> Parents;
  llvm::DenseMap<const Decl *, const DeclStmt *> DeclStmts;
  llvm::DenseMap<const Decl *, llvm::SmallVector<const DeclRefExpr *, 4>> Refs;
};

/// BodyParents per function body, built on first use and kept until clear()
/// (at the end of a TU): the spawns, sleeps or calls a check looks at in one
/// body share one walk of it.
class BodyParentsCache {
public:
  const BodyParents &of(const Stmt *Body);
  void clear() { Cache.clear(); }

private:
  llvm::DenseMap<const Stmt *, std::unique_ptr<BodyParents>> Cache;
};

/// Whether the work \p Spawn starts provably ends before control leaves
/// \p Region (a statement of \p Parents' body containing \p Spawn), on every
/// path. \p Object is the object that must outlive the work: a local handle
/// must be declared after it. \p Lambda is the callable the spawn runs (its
/// body is searched for wait_group/latch count-downs); may be nullptr.
bool spawnedWorkEndsWithin(const Expr *Spawn, const Stmt *Region, const Decl *Object,
                           const LambdaExpr *Lambda, const BodyParents &Parents,
                           const SourceManager &SM);

/// Whether \p Context is, or is nested in, a template instantiation (a
/// function or class): the checks report the template's own code once, not
/// each instantiation of it.
bool isInTemplateInstantiation(const DeclContext *Context);

} // namespace clang::tidy::goro::utils

#endif // GORO_CHECKERS_UTILS_SPAWNLIFETIME_H
