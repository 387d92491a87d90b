//===--- LoopVariableCaptureCheck.h - goro-loop-variable-capture -*- C++ -*-===//
//
// Go's loopclosure, which C++ never outgrows: a lambda handed to a spawn
// function inside a loop captures by reference an object that lives for one
// iteration or for the loop (the for-init variable, a by-value range-for
// variable, a local of the loop body), so the goroutine or thread reads an
// object that the loop changes or destroys.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_LOOPVARIABLECAPTURECHECK_H
#define GORO_CHECKERS_LOOPVARIABLECAPTURECHECK_H

#include "ClangTidyCheck.h"
#include "utils/SpawnLifetime.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::goro {

/// Warns when a spawned lambda captures by reference an object that lives for
/// one loop iteration or for the loop, and the spawned work may outlive it.
///
/// For the user-facing documentation see docs/checks/goro-loop-variable-capture.md.
class LoopVariableCaptureCheck : public ClangTidyCheck {
public:
  LoopVariableCaptureCheck(StringRef Name, ClangTidyContext *Context);
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
  // Parent maps of the function bodies asked about, built on demand.
  utils::BodyParentsCache ParentsCache;
  // (warning location, object location) already reported: a template
  // instantiated many times, or one lambda spawned twice, warns once.
  llvm::DenseSet<std::pair<SourceLocation::UIntTy, SourceLocation::UIntTy>> Reported;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_LOOPVARIABLECAPTURECHECK_H
