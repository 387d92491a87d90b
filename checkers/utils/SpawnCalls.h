//===--- SpawnCalls.h - what starts concurrent work -----------------------===//
//
// Shared knowledge for the checks about "spawns": calls and constructions
// that run a callable on another goroutine or thread (goro::go,
// goro::errgroup::go, std::thread, std::jthread, std::async, and whatever a
// user lists in a check's SpawnFunctions option).
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UTILS_SPAWNCALLS_H
#define GORO_CHECKERS_UTILS_SPAWNCALLS_H

#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <vector>

namespace clang::tidy::goro::utils {

/// The default value of the SpawnFunctions option: fully qualified names of
/// functions, methods and classes (constructing one spawns) that start their
/// callable argument concurrently.
inline constexpr llvm::StringLiteral DefaultSpawnFunctions =
    "::goro::go;::goro::errgroup::go;::goro::errgroup::try_go;"
    "::std::thread;::std::jthread;::std::async";

/// Matches an expression that spawns: a call to one of \p Names (a function
/// or method), or a construction of an object of one of the classes in
/// \p Names. Template instantiations match by their template's name.
ast_matchers::internal::Matcher<Stmt> spawnExpr(const std::vector<llvm::StringRef> &Names);

/// The arguments of a spawn expression (a CallExpr or CXXConstructExpr).
llvm::ArrayRef<const Expr *> spawnArguments(const Expr *Spawn);

/// The lambda a spawn runs, if its callable argument is a lambda written in
/// place or a local variable initialized with one; nullptr otherwise.
const LambdaExpr *spawnedLambda(const Expr *Spawn);

/// The lambda a callable expression evaluates to, looking further than
/// spawnedLambda: through parentheses, temporaries, std::move/std::forward,
/// single-argument wrappers (std::function, a copy of the closure) and local
/// variables initialized with any of these. nullptr when it is not one.
const LambdaExpr *callableLambda(const Expr *Callable);
/// The position in spawnArguments(Spawn) of the callable the spawn runs: the
/// first argument that is a function, a pointer or reference to one, or an
/// object with an operator() (so std::async's launch policy is skipped).
/// std::nullopt when there is none.
std::optional<unsigned> spawnCallableIndex(const Expr *Spawn);

/// The function the spawn runs with the arguments that follow the callable:
/// the named function for `go(f, args...)` / `std::thread(&f, args...)`, the
/// call operator for a lambda (written in place or held in a local variable,
/// as spawnedLambda finds it). nullptr when the callable is anything else.
const FunctionDecl *spawnedFunction(const Expr *Spawn);

/// Matches `c.emplace_back(args...)` (also emplace_front, emplace) on a
/// container whose element type is one of the classes in \p Names: it
/// constructs one in place, so it spawns (`threads.emplace_back([&] {...})`
/// on a std::vector<std::thread>). The arguments are the spawn's arguments.
ast_matchers::internal::Matcher<Stmt> emplaceSpawnExpr(const std::vector<llvm::StringRef> &Names);

/// Registers, for \p Callback, the matchers of a check that looks at every
/// spawn of user code (not in a system header): a call to one of \p Names, a
/// construction of one of them, an emplace into a container of one of them
/// (one matcher per node kind, so that only calls and constructions are
/// tried). Each binds the spawn expression to "spawn". Nothing when \p Names
/// is empty.
void registerSpawnMatchers(ast_matchers::MatchFinder *Finder,
                           const std::vector<llvm::StringRef> &Names,
                           ast_matchers::MatchFinder::MatchCallback *Callback);

/// Tells whether a statement spawns (spawnExpr; with \p WithEmplace also
/// emplaceSpawnExpr), for checks that meet statements on demand (following a
/// channel, scanning one body) rather than matching every statement of the
/// TU. Answers are cached per statement until clear() (at the end of a TU).
class SpawnClassifier {
public:
  /// \p Names must outlive the classifier (a check's parsed option).
  explicit SpawnClassifier(const std::vector<llvm::StringRef> &Names, bool WithEmplace = false)
      : Names(Names), WithEmplace(WithEmplace) {}

  bool isSpawn(const Stmt *S, ASTContext &Context);
  void clear() { Cache.clear(); }

private:
  const std::vector<llvm::StringRef> &Names;
  const bool WithEmplace;
  std::optional<ast_matchers::internal::Matcher<Stmt>> Matcher;
  llvm::DenseMap<const Stmt *, bool> Cache;
};

/// What a spawn expression starts, for diagnostics: "goroutine" (goro::go,
/// goro::errgroup::go/try_go), "thread" (std::thread, std::jthread, also
/// emplaced into a container), "async task" (std::async) or "task" (anything
/// a user listed).
llvm::StringRef spawnedWorkNoun(const Expr *Spawn);

} // namespace clang::tidy::goro::utils

#endif // GORO_CHECKERS_UTILS_SPAWNCALLS_H
