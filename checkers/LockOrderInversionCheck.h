//===--- LockOrderInversionCheck.h - goro-lock-order-inversion -*- C++ -*-===//
//
// Finds cycles in the order in which a translation unit acquires mutexes:
// thread 1 holds A and waits for B while thread 2 holds B and waits for A.
// Every function body is walked once, in order, tracking which mutexes are
// held (scoped guards until their scope ends, lock()/unlock(), unique_lock
// with defer_lock/unlock()/release(), std::lock, calls to functions defined
// in the TU through cached summaries); "B acquired while A is held" is an
// edge A -> B; the cycles of that graph are reported at the acquisition that
// closes them, with a note for every other edge. With FactsFile, the edges
// (and the calls that leave the TU) are written as JSON lines for
// goro-tidy's cross-TU step. See docs/checks/goro-lock-order-inversion.md.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_LOCKORDERINVERSIONCHECK_H
#define GORO_CHECKERS_LOCKORDERINVERSIONCHECK_H

#include "ClangTidyCheck.h"
#include "utils/LockOrderFacts.h"
#include <string>
#include <vector>

namespace clang::tidy::goro {

class LockOrderInversionCheck : public ClangTidyCheck {
public:
  LockOrderInversionCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  void writeFactsFile(const ::goro::lockorder::Facts &F, StringRef TU);

  ClangTidyContext *const TidyContext; ///< for --enable-check-profile

  const std::string MutexTypesOption;
  const std::string FactsFile;
  std::vector<std::string> MutexTypes;

  // Collected by check(), analysed at the end of the TU.
  ASTContext *Context = nullptr;
  std::vector<const FunctionDecl *> Functions;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_LOCKORDERINVERSIONCHECK_H
