//===--- GoroutineWithoutExitCheck.h - goro-goroutine-without-exit --------===//
//
// Finds spawned work (goro::go, errgroup::go, std::thread, ...) that loops
// forever around a channel wait: an infinite loop (`for (;;)`,
// `while (true)`) around goro::select, recv() or try_recv() with no way out
// (no return, no break out of the loop, no throw, no noreturn call, no goto)
// and no case on a "done" channel (`ctx.done()`, a `quit` channel). Such a
// goroutine runs until the program ends: the seeds' "memory leak: goroutine
// never exits". The loop is looked for in the spawned function and in the
// functions it calls (up to MaxCallDepth calls deep). See
// docs/checks/goro-goroutine-without-exit.md.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_GOROUTINEWITHOUTEXITCHECK_H
#define GORO_CHECKERS_GOROUTINEWITHOUTEXITCHECK_H

#include "ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Regex.h"
#include <string>
#include <vector>

namespace clang::tidy::goro {

class GoroutineWithoutExitCheck : public ClangTidyCheck {
public:
  GoroutineWithoutExitCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  struct Search;

  const StringRef RawSpawnFunctions;
  const std::vector<StringRef> SpawnFunctions;
  const std::string QuitChannelPattern;
  const unsigned MaxCallDepth;
  llvm::Regex QuitChannel;
  // Each loop is reported once, however many spawns (or template
  // instantiations) reach it.
  llvm::DenseSet<unsigned> Reported;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_GOROUTINEWITHOUTEXITCHECK_H
