//===--- BlockingSendLeakCheck.h - goro-blocking-send-leak ----------------===//
//
// Finds a goroutine that sends on an unbuffered channel its spawner made,
// while the spawner receives from that channel only in a select that can
// give up (another case: a timeout from goro::after, ctx.done(), a default).
// When the other case wins, nothing ever receives, and the sender blocks
// forever: the seeds' timeout and `leaky()` examples. Fix-it: make the
// channel buffered with capacity 1 when a single send is all the goroutine
// does. Channels are followed with utils/ChannelFlow.h; any escape of the
// channel silences the check. See docs/checks/goro-blocking-send-leak.md.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_BLOCKINGSENDLEAKCHECK_H
#define GORO_CHECKERS_BLOCKINGSENDLEAKCHECK_H

#include "ClangTidyCheck.h"
#include "utils/SpawnCalls.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include <optional>
#include <vector>

namespace clang::tidy::goro {

class BlockingSendLeakCheck : public ClangTidyCheck {
public:
  BlockingSendLeakCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  void analyzeChannel(const VarDecl *Channel, const FunctionDecl *Owner);

  const StringRef RawSpawnFunctions;
  const std::vector<StringRef> SpawnFunctions;

  // Collected while matching, analyzed at the end of the TU.
  ASTContext *Context = nullptr;
  llvm::MapVector<const VarDecl *, const FunctionDecl *> Channels;
  // Spawns are recognized only in the code a channel reaches, on demand.
  utils::SpawnClassifier Spawns{SpawnFunctions};
  // Each send is reported once, however many template instantiations share it.
  llvm::DenseSet<unsigned> Reported;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_BLOCKINGSENDLEAKCHECK_H
