//===--- GoroutineWithoutExitCheck.cpp - goro-goroutine-without-exit ------===//
//
// For each spawn in user code, the function it runs is searched for infinite
// loops (utils::isInfiniteLoop), statement by statement, not into lambdas
// (they run when called, elsewhere), and into the functions it calls that
// have a body in the TU (not virtual, not in a system header), at most
// MaxCallDepth deep. A loop is a finding when its body
//  - waits on a channel: a goro::select (any), a recv() or try_recv() of a
//    channel handle (written in the loop, or in a select case's function);
//  - has no way out: no return, co_return or goto written in the loop itself
//    (a return in a select case's function only leaves that function), no
//    break that leaves this loop, no throw that no try block of the loop
//    catches, no call of a [[noreturn]] function;
//  - has no case on, or receive from, a channel whose name says it asks to
//    stop (QuitChannelPattern: `ctx.done()`, `quit`, `stop_`, ...).
// The search is syntactic and bounded by the code the spawned function
// reaches; nothing is built for the whole TU.
//
//===----------------------------------------------------------------------===//

#include "GoroutineWithoutExitCheck.h"
#include "utils/ChannelFlow.h"
#include "utils/SelectCalls.h"
#include "utils/SpawnCalls.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

// clang-tidy's own utils (OptionsUtils.h); ours are clang::tidy::goro::utils.
#include "utils/OptionsUtils.h"

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

namespace {

/// Most statements being walked at once (a stack guard, as in
/// LockOrderInversionCheck.cpp).
constexpr unsigned MaxNesting = 1000;

constexpr llvm::StringLiteral DefaultQuitChannelPattern =
    "done|quit|stop|cancel|shutdown|exit|clos|terminat|abort|kill|finish";

/// What the body of one infinite loop does.
struct LoopFacts {
  const Stmt *Wait = nullptr; ///< the first channel wait in it
  llvm::StringRef WaitName;   ///< "select", "recv", "try_recv"
  bool HasExit = false;
  bool HasQuitCase = false;
};

bool isNoReturnCall(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  return Callee != nullptr && Callee->isNoReturn();
}

} // namespace

/// The search from one spawn.
struct GoroutineWithoutExitCheck::Search {
  GoroutineWithoutExitCheck &Check;
  ASTContext &Context;
  const SourceManager &SM;
  const Expr *Spawn;
  StringRef Noun;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Visited;
  llvm::SmallVector<const CallExpr *, 4> Calls; // the calls from the spawned function down
  unsigned Nesting = 0;
  unsigned TooDeepSeen = 0;

  /// Counts the recursion, so that a huge generated expression cannot exhaust
  /// the stack: deeper than MaxNesting nothing is seen, and a loop whose body
  /// was not seen whole is not judged (an exit may hide in the unseen part).
  struct Nest {
    explicit Nest(unsigned &N) : N(N) { ++N; }
    ~Nest() { --N; }
    bool tooDeep() const { return N > MaxNesting; }
    unsigned &N;
  };

  bool isQuitChannel(const Expr *Channel) {
    StringRef Name = utils::channelExprName(Channel);
    return !Name.empty() && Check.QuitChannel.isValid() && Check.QuitChannel.match(Name);
  }

  // --- Finding loops ----------------------------------------------------

  void function(const FunctionDecl *FD, unsigned Depth) {
    if (FD == nullptr)
      return;
    const FunctionDecl *Def = nullptr;
    if (!FD->hasBody(Def) || Def == nullptr || Def->isInvalidDecl() || !Visited.insert(Def).second)
      return;
    if (Def->getLocation().isValid() && SM.isInSystemHeader(Def->getLocation()))
      return;
    walk(Def->getBody(), Depth);
  }

  void walk(const Stmt *S, unsigned Depth) {
    Nest Guard(Nesting);
    if (S == nullptr || Guard.tooDeep())
      return;
    if (isa<LambdaExpr>(S))
      return; // runs when called, not here
    if (utils::isInfiniteLoop(S, Context))
      loop(S);
    if (const auto *Call = dyn_cast<CallExpr>(S); Call != nullptr && Depth < Check.MaxCallDepth)
      callee(Call, Depth);
    for (const Stmt *Child : S->children())
      walk(Child, Depth);
  }

  void callee(const CallExpr *Call, unsigned Depth) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (FD == nullptr || FD->isInStdNamespace() || utils::isInGoroNamespace(FD))
      return;
    if (const auto *Method = dyn_cast<CXXMethodDecl>(FD); Method != nullptr && Method->isVirtual())
      return; // which body runs is not known
    Calls.push_back(Call);
    function(FD, Depth + 1);
    Calls.pop_back();
  }

  // --- One infinite loop --------------------------------------------------

  void loop(const Stmt *Loop) {
    LoopFacts Facts;
    bool Truncated = false;
    {
      unsigned Before = TooDeepSeen;
      scan(utils::loopBodyOf(Loop), Facts, /*BreakLeaves=*/true, /*InCase=*/false, /*InTry=*/0);
      Truncated = TooDeepSeen != Before;
    }
    if (Truncated || Facts.Wait == nullptr || Facts.HasExit || Facts.HasQuitCase)
      return;
    SourceLocation Loc = SM.getExpansionLoc(Loop->getBeginLoc());
    if (Loc.isInvalid() || SM.isInSystemHeader(Loc) ||
        !Check.Reported.insert(Loc.getRawEncoding()).second)
      return;
    Check.diag(Loc, "%0 never exits: this loop around '%1' has no return, break or throw and no "
                    "case on a 'done' channel, so the %0 runs until the program ends and leaks")
        << Noun << Facts.WaitName;
    Check.diag(cast<Expr>(Facts.Wait)->getExprLoc(), "it waits on a channel here",
               DiagnosticIDs::Note);
    for (auto It = Calls.rbegin(); It != Calls.rend(); ++It)
      if (const FunctionDecl *FD = (*It)->getDirectCallee())
        Check.diag((*It)->getBeginLoc(), "the loop runs in %0, called here", DiagnosticIDs::Note)
            << FD;
    Check.diag(Spawn->getBeginLoc(), "the %0 starts here", DiagnosticIDs::Note) << Noun;
  }

  void noteWait(const Stmt *S, StringRef Name, LoopFacts &Facts) {
    if (Facts.Wait == nullptr) {
      Facts.Wait = S;
      Facts.WaitName = Name;
    }
  }

  // BreakLeaves: a break here leaves the loop being analysed. InCase: inside
  // a select case's function (a return there only leaves the case). InTry:
  // inside that many try blocks of the loop (a throw there may be caught).
  void scan(const Stmt *S, LoopFacts &Facts, bool BreakLeaves, bool InCase, unsigned InTry) {
    Nest Guard(Nesting);
    if (Guard.tooDeep()) {
      ++TooDeepSeen; // an exit may hide down there: the loop is not judged
      return;
    }
    if (S == nullptr || Facts.HasExit)
      return;
    if (isa<LambdaExpr>(S))
      return;
    if (isa<ReturnStmt, CoreturnStmt, GotoStmt, IndirectGotoStmt>(S)) {
      if (!InCase)
        Facts.HasExit = true;
      return;
    }
    if (isa<BreakStmt>(S)) {
      if (BreakLeaves && !InCase)
        Facts.HasExit = true;
      return;
    }
    if (const auto *Throw = dyn_cast<CXXThrowExpr>(S)) {
      if (InTry == 0)
        Facts.HasExit = true;
      scan(Throw->getSubExpr(), Facts, BreakLeaves, InCase, InTry);
      return;
    }
    if (const auto *Try = dyn_cast<CXXTryStmt>(S)) {
      scan(Try->getTryBlock(), Facts, BreakLeaves, InCase, InTry + 1);
      for (unsigned I = 0; I < Try->getNumHandlers(); ++I)
        scan(Try->getHandler(I)->getHandlerBlock(), Facts, BreakLeaves, InCase, InTry);
      return;
    }
    if (isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt>(S)) {
      // A break in there leaves that statement, not this loop.
      for (const Stmt *Child : S->children())
        scan(Child, Facts, /*BreakLeaves=*/false, InCase, InTry);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      if (isNoReturnCall(Call) && InTry == 0) {
        Facts.HasExit = true;
        return;
      }
      if (utils::isSelectCall(Call)) {
        noteWait(Call, "select", Facts);
        for (const utils::SelectCase &Case : utils::selectCases(Call)) {
          if (Case.Kind == utils::CaseKind::Recv && isQuitChannel(Case.Channel))
            Facts.HasQuitCase = true;
          if (const LambdaExpr *Lambda = utils::callableLambda(Case.Function))
            scan(Lambda->getBody(), Facts, /*BreakLeaves=*/false, /*InCase=*/true, InTry);
        }
        return;
      }
      auto [Object, Op] = utils::channelCall(Call);
      if (Object != nullptr && (Op == utils::ChannelOp::Recv || Op == utils::ChannelOp::TryRecv)) {
        noteWait(Call, Op == utils::ChannelOp::Recv ? "recv" : "try_recv", Facts);
        if (isQuitChannel(Object))
          Facts.HasQuitCase = true;
      }
    }
    for (const Stmt *Child : S->children())
      scan(Child, Facts, BreakLeaves, InCase, InTry);
  }
};

GoroutineWithoutExitCheck::GoroutineWithoutExitCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawSpawnFunctions(Options.get("SpawnFunctions", utils::DefaultSpawnFunctions)),
      SpawnFunctions(::clang::tidy::utils::options::parseStringList(RawSpawnFunctions)),
      QuitChannelPattern(Options.get("QuitChannelPattern", DefaultQuitChannelPattern).str()),
      MaxCallDepth(Options.get("MaxCallDepth", 2U)),
      QuitChannel(QuitChannelPattern, llvm::Regex::IgnoreCase) {
  std::string Error;
  if (!QuitChannel.isValid(Error))
    configurationDiag("invalid regular expression in option QuitChannelPattern ('%0'): %1")
        << QuitChannelPattern << Error;
}

void GoroutineWithoutExitCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "SpawnFunctions", RawSpawnFunctions);
  Options.store(Opts, "QuitChannelPattern", QuitChannelPattern);
  Options.store(Opts, "MaxCallDepth", MaxCallDepth);
}

void GoroutineWithoutExitCheck::registerMatchers(MatchFinder *Finder) {
  utils::registerSpawnMatchers(Finder, SpawnFunctions, this);
}

void GoroutineWithoutExitCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Spawn = Result.Nodes.getNodeAs<Expr>("spawn");
  if (Spawn == nullptr || Spawn->containsErrors())
    return;
  // The function the spawn runs: a lambda or a named function, also through
  // a std::function or a local variable holding the lambda.
  const FunctionDecl *Fn = utils::spawnedFunction(Spawn);
  if (Fn == nullptr) {
    std::optional<unsigned> Index = utils::spawnCallableIndex(Spawn);
    llvm::ArrayRef<const Expr *> Args = utils::spawnArguments(Spawn);
    if (Index && *Index < Args.size())
      if (const LambdaExpr *Lambda = utils::callableLambda(Args[*Index]))
        Fn = Lambda->getCallOperator();
  }
  if (Fn == nullptr)
    return;
  Search S{*this, *Result.Context, *Result.SourceManager, Spawn, utils::spawnedWorkNoun(Spawn), {},
           {}};
  S.function(Fn, 0);
}

void GoroutineWithoutExitCheck::onEndOfTranslationUnit() { Reported.clear(); }

} // namespace clang::tidy::goro
