//===--- LostCancelCheck.h - goro-lost-cancel -------------------*- C++ -*-===//
//
// go vet's lostcancel: the cancel function that goro::with_cancel /
// with_timeout / with_deadline return is discarded, or is not called on some
// path out of the function that made it. The child context then stays
// registered with its parent (and its timer stays armed) until the parent is
// canceled: for a long-lived parent, a leak per call.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_LOSTCANCELCHECK_H
#define GORO_CHECKERS_LOSTCANCELCHECK_H

#include "ClangTidyCheck.h"
#include "utils/SpawnLifetime.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::goro {

/// Warns when the cancel function of a derived context is discarded, never
/// called, or not called on every path out of the function, unless it
/// escapes.
///
/// For the user-facing documentation see docs/checks/goro-lost-cancel.md.
class LostCancelCheck : public ClangTidyCheck {
public:
  LostCancelCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus17; // structured bindings, std::pair of handles
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  // Whether Loc is inside an expansion of an IgnoredReturnMacros macro.
  bool inIgnoredMacro(SourceLocation Loc, const ASTContext &Context) const;

  const std::string RawCancelFunctions;
  const std::vector<StringRef> CancelFunctions; // refers into RawCancelFunctions
  const std::string RawIgnoredReturnMacros;
  const std::vector<StringRef> IgnoredReturnMacros; // refers into RawIgnoredReturnMacros
  utils::BodyParentsCache ParentsCache;
  llvm::DenseMap<const Stmt *, std::unique_ptr<CFG>> CFGCache;
  // Calls already reported (templates instantiated many times): once each.
  llvm::DenseSet<SourceLocation::UIntTy> Reported;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_LOSTCANCELCHECK_H
