//===--- UnclosedChannelCheck.h - goro-unclosed-channel -------------------===//
//
// Finds the three ways closing a goro channel goes wrong:
//  1. a loop that ends only when a channel is closed (range-for, a loop that
//     stops only when recv() returns nullopt, a select loop whose exit follows
//     the nullopt of its on_recv case) while no path of the channel's
//     producers closes it: the loop blocks forever after the last value;
//  2. the receiver closes a channel that another goroutine still sends on:
//     that send panics;
//  3. a channel closed twice on one path: the second close panics.
// Findings 1 and 2 concern channels a function makes with goro::make_chan and
// whose sending side does not escape (utils/ChannelFlow.h); finding 3
// concerns any local channel variable or parameter. See
// docs/checks/goro-unclosed-channel.md for the exact rules.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UNCLOSEDCHANNELCHECK_H
#define GORO_CHECKERS_UNCLOSEDCHANNELCHECK_H

#include "ClangTidyCheck.h"
#include "utils/ChannelFlow.h"
#include "utils/SpawnCalls.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include <optional>
#include <vector>

namespace clang::tidy::goro {

class UnclosedChannelCheck : public ClangTidyCheck {
public:
  UnclosedChannelCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  struct Analysis;
  void analyzeChannel(const VarDecl *Channel, const FunctionDecl *Owner);
  void analyzeDoubleClose(const VarDecl *Var, llvm::ArrayRef<const CXXMemberCallExpr *> Closes);
  // Reports each finding once, however many template instantiations share it.
  bool firstReport(SourceLocation Loc, unsigned Kind);

  const StringRef RawSpawnFunctions;
  const std::vector<StringRef> SpawnFunctions;
  const StringRef RawWaitFunctions;
  const std::vector<StringRef> WaitFunctions;

  // Collected while matching, analyzed at the end of the TU (so that every
  // spawn and wait of the TU is known).
  ASTContext *Context = nullptr;
  llvm::MapVector<const VarDecl *, const FunctionDecl *> Channels;
  llvm::MapVector<const VarDecl *, llvm::SmallVector<const CXXMemberCallExpr *, 2>> Closes;
  // Spawns and waits are recognized only in the code a channel reaches, on
  // demand: a TU-wide matcher on every statement would cost more than the
  // whole analysis.
  utils::SpawnClassifier Spawns{SpawnFunctions};
  bool isWait(const Stmt *S);
  std::optional<ast_matchers::internal::Matcher<Stmt>> WaitMatcher;
  llvm::DenseMap<const Stmt *, bool> WaitCache;
  llvm::DenseSet<std::pair<unsigned, unsigned>> Reported;
};

} // namespace clang::tidy::goro

#endif // GORO_CHECKERS_UNCLOSEDCHANNELCHECK_H
