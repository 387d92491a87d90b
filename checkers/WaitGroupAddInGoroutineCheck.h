//===--- WaitGroupAddInGoroutineCheck.h - goro-waitgroup-add-in-goroutine -*- C++ -*-===//
//
// staticcheck's SA2000: `wg.add()` called inside the goroutine (or thread)
// that the wait_group counts, instead of before the spawn. The spawning side
// may reach `wg.wait()` before the goroutine has run its add(): wait() sees a
// zero counter and returns while the work is still to come.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_WAITGROUPADDINGOROUTINECHECK_H
#define GORO_CHECKERS_WAITGROUPADDINGOROUTINECHECK_H

#include "ClangTidyCheck.h"
#include "utils/SpawnLifetime.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::goro {

/// Warns when a spawned function calls add() on a wait_group that lives
/// outside it (captured, a parameter reference, a member, a global).
///
/// For the user-facing documentation see docs/checks/goro-waitgroup-add-in-goroutine.md.
class WaitGroupAddInGoroutineCheck : public ClangTidyCheck {
public:
  WaitGroupAddInGoroutineCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  const std::string RawSpawnFunctions;
  const std::vector<StringRef> SpawnFunctions; // refers into RawSpawnFunctions
  const std::string RawWaitGroupTypes;
  const std::vector<StringRef> WaitGroupTypes; // refers into RawWaitGroupTypes
  utils::BodyParentsCache ParentsCache;
  // add() calls already reported (a template instantiated many times, a
  // function spawned twice): one warning each.
  llvm::DenseSet<SourceLocation::UIntTy> Reported;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_WAITGROUPADDINGOROUTINECHECK_H
