//===--- BlockingUnderLockCheck.h - goro-blocking-under-lock --------------===//
//
// Finds a call that can block indefinitely — a channel send or receive, a
// range-for over a channel, a select without a default case, a wait
// (wait_group, errgroup, join, future), a sleep, or a call of a function
// that does one of these — made while a mutex is held (lock()/unlock(),
// std::lock_guard, std::unique_lock, std::scoped_lock, std::shared_lock).
// Every other goroutine that needs the mutex waits as long as it blocks, and
// if the goroutine it waits for needs the mutex, both wait forever.
// cond::wait / condition_variable::wait release the mutex while they wait:
// never a finding. Each function body is walked once in evaluation order with
// the set of held mutexes, as goro-lock-order-inversion walks it (scoped
// guards until their scope ends, intersection at joins, so a conditional
// unlock forgets the mutex). See docs/checks/goro-blocking-under-lock.md.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_BLOCKINGUNDERLOCKCHECK_H
#define GORO_CHECKERS_BLOCKINGUNDERLOCKCHECK_H

#include "ClangTidyCheck.h"
#include "utils/LockGuards.h"
#include "utils/SpawnCalls.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::goro {

class BlockingUnderLockCheck : public ClangTidyCheck {
public:
  BlockingUnderLockCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

  /// Where a function blocks (for calls of it made under a lock).
  struct Blocking {
    const Stmt *Site = nullptr;
    std::string What; ///< "channel send", "select without a default case", ...
  };

private:
  friend class BlockingWalker;
  friend struct BlockFinder;
  bool isBlockingFunction(const CallExpr *Call);
  /// The first place the body of FD blocks (directly, or through the
  /// functions it calls, at most MaxCallDepth deep); nullopt if none.
  std::optional<Blocking> calleeBlocks(const FunctionDecl *FD, unsigned Depth);
  /// Whether a send on the channel Object names can never block: a local
  /// channel made with a constant capacity at least the number of sends it
  /// ever gets (none repeated, the channel not escaping; utils/ChannelFlow.h).
  bool sendFitsBuffer(const Expr *Object);

  const std::string RawMutexTypes;
  const StringRef RawBlockingFunctions;
  const std::vector<StringRef> BlockingFunctions;
  const unsigned MaxCallDepth;
  utils::MutexClasses Mutexes;

  ASTContext *Context = nullptr;
  std::optional<ast_matchers::internal::Matcher<Stmt>> BlockingMatcher;
  llvm::DenseMap<const Stmt *, bool> BlockingCache;
  llvm::DenseMap<const FunctionDecl *, std::optional<Blocking>> CalleeCache;
  llvm::DenseSet<const FunctionDecl *> InProgress;
  llvm::DenseMap<const VarDecl *, bool> FitsCache;
  // Spawns, for following buffered channels (the default SpawnFunctions).
  const std::vector<StringRef> SpawnFunctions;
  utils::SpawnClassifier Spawns{SpawnFunctions};
  // One report per blocking site, however many instantiations share it.
  llvm::DenseSet<unsigned> Reported;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_BLOCKINGUNDERLOCKCHECK_H
