//===--- ResponseAfterReturnCheck.h - goro-response-after-return ----------===//
//
// Finds work that can outlive an HTTP handler (a goroutine, a detached or
// escaping thread, an un-waited errgroup goroutine, a std::async task whose
// future escapes) and uses the handler's response writer: the writer is
// retired when the handler returns, so a late write is lost (goro) or worse
// (other frameworks).
//
// A handler is any function or lambda with a parameter whose type is one of
// ResponseTypes, or a reference or pointer to one. The writer reaches the
// spawned work through a capture (by reference, by copy, [&], [=]), a spawn
// argument (&w, std::ref(w), w), a local that holds it (pointer, reference,
// struct field, lambda), or a member of *this used from a [this] lambda or a
// member function it calls. Waits that count are the ones visible in the
// function that spawns (or an enclosing one, up to the handler), on every
// CFG path from the spawn to the function's exit. See
// docs/checks/goro-response-after-return.md for the exact rules and limits.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_RESPONSEAFTERRETURNCHECK_H
#define GORO_CHECKERS_RESPONSEAFTERRETURNCHECK_H

#include "ClangTidyCheck.h"
#include "llvm/ADT/StringSet.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::goro {

class ResponseAfterReturnAnalysis;

class ResponseAfterReturnCheck : public ClangTidyCheck {
public:
  ResponseAfterReturnCheck(StringRef Name, ClangTidyContext *Context);
  ~ResponseAfterReturnCheck() override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }

private:
  // The raw option strings own the characters the parsed lists point into.
  const std::string RawResponseTypes;
  const std::string RawSpawnFunctions;
  const std::vector<StringRef> ResponseTypes;
  const std::vector<StringRef> SpawnFunctions;
  // ResponseTypes without leading "::", and each one's last component as
  // "::name" (a cheap first test), for the handler matcher.
  llvm::StringSet<> ResponseNames;
  // Per-translation-unit caches (handlers' carriers, CFGs, spawn verdicts).
  std::unique_ptr<ResponseAfterReturnAnalysis> Analysis;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_RESPONSEAFTERRETURNCHECK_H
