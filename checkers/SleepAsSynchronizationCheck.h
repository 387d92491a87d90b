//===--- SleepAsSynchronizationCheck.h - goro-sleep-as-synchronization -*- C++ -*-===//
//
// The seeds' "time.Sleep(...) // give goroutine time to run": a function
// starts a goroutine or thread, then sleeps, and nothing else waits for the
// work (no join, wait, receive or select before the function ends), or it
// reads after the sleep what the goroutine writes. A sleep orders nothing: on
// a loaded machine the goroutine has not run yet, and the program reads a
// half-written result, exits under the goroutine, or passes its tests by
// luck.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_SLEEPASSYNCHRONIZATIONCHECK_H
#define GORO_CHECKERS_SLEEPASSYNCHRONIZATIONCHECK_H

#include "ClangTidyCheck.h"
#include "utils/SpawnCalls.h"
#include "utils/SpawnLifetime.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::goro {

/// Warns when a sleep is the only wait for goroutines or threads that the
/// function started.
///
/// For the user-facing documentation see docs/checks/goro-sleep-as-synchronization.md.
class SleepAsSynchronizationCheck : public ClangTidyCheck {
public:
  SleepAsSynchronizationCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  bool isSpawn(const Stmt *S, ASTContext &Context);
  bool isSleep(const Stmt *S) const;

  const std::string RawSpawnFunctions;
  const std::vector<StringRef> SpawnFunctions; // refers into RawSpawnFunctions
  const std::string RawSleepFunctions;
  const std::vector<StringRef> SleepFunctions; // refers into RawSleepFunctions
  // Last components of SpawnFunctions (`go`, `thread`, ...): a cheap filter
  // before the spawn matcher runs on a node.
  llvm::StringSet<> SpawnNames;
  utils::SpawnClassifier Spawns{SpawnFunctions, /*WithEmplace=*/true};
  llvm::StringSet<> SleepNames; // qualified, without the leading "::"
  utils::BodyParentsCache ParentsCache;
  llvm::DenseSet<const Stmt *> Analysed;           // sleeps, each analysed once
  llvm::DenseSet<SourceLocation::UIntTy> Reported; // sleeps reported, by location
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_SLEEPASSYNCHRONIZATIONCHECK_H
