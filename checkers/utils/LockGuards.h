//===--- LockGuards.h - mutexes and the std guards that hold them ---------===//
//
// Shared knowledge about locks for the checks that track what is held
// (goro-lock-order-inversion, goro-blocking-under-lock): which classes are
// mutexes (a configurable list of qualified names, and classes derived from
// them), and which std class templates are scoped guards (lock_guard,
// unique_lock, shared_lock, scoped_lock) and what their tag arguments say.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UTILS_LOCKGUARDS_H
#define GORO_CHECKERS_UTILS_LOCKGUARDS_H

#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <string>
#include <vector>

namespace clang::tidy::goro::utils {

/// The default list of mutex classes (qualified names, `;`-separated).
inline constexpr llvm::StringLiteral DefaultMutexTypes =
    "goro::mutex;goro::rw_mutex;std::mutex;std::timed_mutex;std::recursive_mutex;"
    "std::recursive_timed_mutex;std::shared_mutex;std::shared_timed_mutex";

enum class GuardKind : std::uint8_t { None, LockGuard, UniqueLock, SharedLock, ScopedLock };

/// The std guard template T is a specialization of (through references);
/// None for anything else, including dependent types.
GuardKind guardKind(QualType T);

/// The name of the std tag type of a guard argument (`std::defer_lock` ->
/// "defer_lock_t", also "adopt_lock_t", "try_to_lock_t"); empty otherwise.
llvm::StringRef guardTagName(const Expr *Arg);

/// Which classes are mutexes: those named in a list (qualified names,
/// without a leading "::") and classes derived from them. Answers are cached.
class MutexClasses {
public:
  /// Parses a `;`-separated option value (leading "::" optional).
  explicit MutexClasses(llvm::StringRef Option);
  /// From qualified names already parsed (no leading "::").
  explicit MutexClasses(std::vector<std::string> Names) : Names(std::move(Names)) {}

  bool isMutexClass(const CXXRecordDecl *RD);
  /// A mutex, a reference to one, or a pointer to one.
  bool isMutexType(QualType T);

private:
  std::vector<std::string> Names;
  llvm::DenseMap<const CXXRecordDecl *, bool> Cache;
};

} // namespace clang::tidy::goro::utils

#endif // GORO_CHECKERS_UTILS_LOCKGUARDS_H
