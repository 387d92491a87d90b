//===--- BlockingUnderLockCheck.cpp - goro-blocking-under-lock ------------===//
//
// How the analysis works:
//
// - Every function definition outside system headers (lambda bodies and
//   template instantiations included; uninstantiated templates not) is walked
//   once, statement by statement in evaluation order, with a State: the
//   mutexes held, each with where it was locked and its owner (a guard
//   variable, or none for lock()/std::lock). This is the walk
//   goro-lock-order-inversion makes too (utils/HeldLockWalker.h), here one
//   function at a time: scope-accurate (a guard's mutex is released where its scope
//   ends), path-insensitive, the state after a join is the intersection of
//   the incoming reachable states, and return/throw/break/continue/goto end a
//   path. An intersection can only forget a held mutex: a branch that unlocks
//   on one path never leaves the mutex "held" after the join.
// - A lambda body runs when the lambda is called, usually elsewhere (a spawn,
//   a callback): it is walked as a function of its own, starting with nothing
//   held. The exception is a select case's function: it runs inside the
//   select, in the same goroutine, with the same mutexes held.
// - At each operation that can block while something is held, a warning.
//   Blocking: send()/recv() of a channel handle, a range-for over a channel,
//   goro::select without a default case, a call of BlockingFunctions, and a
//   call of a function (with a body in the TU, not virtual) that does one of
//   these at most MaxCallDepth calls deep. Never blocking: the try_ variants,
//   a select with a default, and any member of goro::cond and
//   std::condition_variable(_any) (their wait releases the mutex).
// - A mutex is identified within the function by the path of the expression
//   naming it (`this.mu_`, a variable, `a.mu`); an unlock of a mutex whose
//   identity is not known releases the latest lock() hold, so an unknown
//   identity can only hide a finding.
//
//===----------------------------------------------------------------------===//

#include "BlockingUnderLockCheck.h"
#include "utils/ChannelFlow.h"
#include "utils/HeldLockWalker.h"
#include "utils/SelectCalls.h"
#include "utils/SpawnCalls.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

// clang-tidy's own utils (OptionsUtils.h); ours are clang::tidy::goro::utils.
#include "utils/OptionsUtils.h"

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

namespace {

constexpr llvm::StringLiteral DefaultBlockingFunctions =
    "::goro::wait_group::wait;::goro::errgroup::wait;::goro::sleep;"
    "::std::this_thread::sleep_for;::std::this_thread::sleep_until;"
    "::std::thread::join;::std::jthread::join;::std::future::get;::std::future::wait;"
    "::std::shared_future::get;::std::shared_future::wait;::std::__basic_future::wait;"
    "::std::latch::wait;::std::latch::arrive_and_wait;::std::barrier::arrive_and_wait";

/// Most statements being walked at once by a callee's BlockFinder (the stack
/// guard of utils/HeldLockWalker.h).
constexpr unsigned MaxNesting = utils::MaxWalkNesting;

/// A mutex as the walk knows it.
struct MutexId {
  std::string Key;  ///< identity within the function; empty: unknown
  std::string Name; ///< as written, for the message
};

using HeldMutex = utils::HeldLock<MutexId>;

struct State {
  bool Reachable = true;
  llvm::SmallVector<HeldMutex, 2> Held;
  /// Channels closed on every path here (by access path): receiving from
  /// them drains the buffer and never blocks.
  llvm::SmallVector<std::string, 1> Closed;
};

State meet(const State &X, const State &Y) {
  if (!X.Reachable)
    return Y;
  if (!Y.Reachable)
    return X;
  State R;
  for (const HeldMutex &H : X.Held)
    if (llvm::any_of(Y.Held, [&](const HeldMutex &O) {
          return O.M.Key == H.M.Key && O.Guard == H.Guard && O.Site == H.Site;
        }))
      R.Held.push_back(H);
  for (const std::string &C : X.Closed)
    if (llvm::is_contained(Y.Closed, C))
      R.Closed.push_back(C);
  return R;
}

/// Members of these classes never block while holding the mutex: their
/// waits release it.
bool isConditionVariableMember(const FunctionDecl *FD) {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(FD);
  if (Method == nullptr || Method->getParent() == nullptr ||
      Method->getParent()->getIdentifier() == nullptr)
    return false;
  const CXXRecordDecl *RD = Method->getParent();
  StringRef Name = RD->getName();
  if (RD->isInStdNamespace())
    return Name == "condition_variable" || Name == "condition_variable_any";
  return Name == "cond" && utils::isInGoroNamespace(RD);
}

} // namespace

/// Walks one function body (utils/HeldLockWalker.h) and reports what blocks
/// while something is held. See the file comment.
class BlockingWalker : public utils::HeldLockWalker<BlockingWalker, State, MutexId> {
public:
  BlockingWalker(BlockingUnderLockCheck &Check, ASTContext &Ctx, const FunctionDecl *Fn)
      : HeldLockWalker(Ctx, Nesting), Check(Check), Fn(Fn) {}

  void run() {
    State S;
    pushScope();
    stmt(Fn->getBody(), S);
    popScope(S);
  }

private:
  friend HeldLockWalker;
  static constexpr bool FollowsConstexprIf = true;

  BlockingUnderLockCheck &Check;
  const FunctionDecl *Fn;
  unsigned Nesting = 0;

  // --- What the shared walk asks ------------------------------------------

  static State meet(const State &X, const State &Y) { return goro::meet(X, Y); }
  bool isMutexType(QualType T) { return Check.Mutexes.isMutexType(T); }
  bool isMutexClass(const CXXRecordDecl *RD) { return Check.Mutexes.isMutexClass(RD); }
  std::optional<MutexId> mutexOf(const Expr *E, bool /*Shared*/) const {
    return MutexId{mutexKey(E), mutexName(E)};
  }

  void acquire(State &S, llvm::ArrayRef<MutexId> Ms, SourceLocation Site, const VarDecl *Owner,
               bool Keep) {
    if (!Keep)
      return; // a temporary guard releases at once
    for (const MutexId &M : Ms)
      if (S.Reachable)
        S.Held.push_back({M, SM.getExpansionLoc(Site), Owner});
  }

  /// A guard adopts mutexes held already (lock() or std::lock).
  void adopt(State &S, llvm::ArrayRef<MutexId> Ms, SourceLocation Site, const VarDecl *Owner) {
    if (Owner == nullptr)
      return;
    for (const MutexId &M : Ms) {
      bool Adopted = false;
      for (HeldMutex &H : S.Held)
        if (H.Guard == nullptr && (H.M.Key == M.Key || M.Key.empty())) {
          H.Guard = Owner;
          Adopted = true;
          break;
        }
      if (!Adopted)
        acquire(S, {M}, Site, Owner, /*Keep=*/true);
    }
  }

  /// unlock() of the mutex M: the latest hold of it; if it is not known,
  /// the latest lock() hold (an unknown identity may only hide findings).
  static void release(State &S, const MutexId &M) {
    const std::string &Key = M.Key;
    for (size_t I = S.Held.size(); I-- > 0;)
      if (!Key.empty() && S.Held[I].M.Key == Key) {
        S.Held.erase(S.Held.begin() + I);
        return;
      }
    for (size_t I = S.Held.size(); I-- > 0;)
      if (S.Held[I].Guard == nullptr) {
        S.Held.erase(S.Held.begin() + I);
        return;
      }
  }

  void rangeFor(const CXXForRangeStmt *F, State &S) {
    if (F->getRangeInit() != nullptr &&
        utils::channelView(F->getRangeInit()->getType()) != utils::ChannelView::None &&
        !isClosed(F->getRangeInit(), S))
      blocked(F, "range-for over a channel", S);
  }

  void onLambda(const LambdaExpr *L, State &S) {
    // The body runs when the lambda is called, elsewhere: walked on its own.
    // A lambda that unlocks a held mutex (the hand-off of Go's "unlock in
    // another goroutine") may release it at any time from now on.
    if (!S.Held.empty())
      releasedByLambda(L->getBody(), S, 0);
  }

  bool interceptCall(const CallExpr *Call, State &S) {
    if (!utils::isSelectCall(Call))
      return false;
    select(Call, S);
    return true;
  }

  // --- Mutex identity -----------------------------------------------------

  /// The identity of the mutex E names: an access path, empty if unknown.
  std::string mutexKey(const Expr *E, unsigned Depth = 0) const {
    if (E == nullptr || Depth > 8)
      return {};
    E = E->IgnoreParenImpCasts();
    if (const auto *U = dyn_cast<UnaryOperator>(E);
        U && (U->getOpcode() == UO_Deref || U->getOpcode() == UO_AddrOf))
      return mutexKey(U->getSubExpr(), Depth + 1);
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && (Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow) &&
        Op->getNumArgs() == 1)
      return mutexKey(Op->getArg(0), Depth + 1);
    if (isa<CXXThisExpr>(E))
      return "this";
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
      if (V == nullptr)
        return {};
      // A local reference to a mutex: the mutex it was bound to.
      if (V->hasLocalStorage() && V->getType()->isReferenceType() && V->getInit() != nullptr &&
          !isa<ParmVarDecl>(V))
        return mutexKey(V->getInit(), Depth + 1);
      return "v" + std::to_string(reinterpret_cast<uintptr_t>(V->getCanonicalDecl()));
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      std::string Base = mutexKey(ME->getBase(), Depth + 1);
      if (Base.empty() || ME->getMemberDecl()->getIdentifier() == nullptr)
        return {};
      return Base + "." + ME->getMemberDecl()->getName().str();
    }
    return {};
  }

  std::string mutexName(const Expr *E) const {
    E = E->IgnoreParenImpCasts();
    // The text as written; inside a macro, only if it is one macro argument.
    CharSourceRange Range = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(E->getSourceRange()), SM, Ctx.getLangOpts());
    StringRef Text =
        Range.isValid() ? Lexer::getSourceText(Range, SM, Ctx.getLangOpts()) : StringRef();
    if (!Text.empty() && Text.size() <= 60 && !Text.contains('\n'))
      return Text.str();
    if (const auto *ME = dyn_cast<MemberExpr>(E); ME && ME->getMemberDecl()->getIdentifier())
      return ME->getMemberDecl()->getName().str();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E); Ref && Ref->getDecl()->getIdentifier())
      return Ref->getDecl()->getName().str();
    return "the mutex";
  }

  /// A select: blocks unless it has a default; its case functions run in
  /// this goroutine with what is held.
  void select(const CallExpr *Call, State &S) {
    llvm::SmallVector<utils::SelectCase, 4> Cases = utils::selectCases(Call);
    for (const utils::SelectCase &Case : Cases)
      if (Case.Channel != nullptr)
        expr(Case.Channel, S);
    if (!utils::selectMayNotBlock(Call))
      blocked(Call, "select without a default case", S);
    State After = S;
    bool First = true;
    for (const utils::SelectCase &Case : Cases) {
      const LambdaExpr *Lambda = utils::callableLambda(Case.Function);
      if (Lambda == nullptr || Lambda->getBody() == nullptr)
        continue;
      State InCase = S;
      pushScope();
      stmt(Lambda->getBody(), InCase);
      popScope(InCase);
      // A return in the case's function leaves the function only.
      InCase.Reachable = S.Reachable;
      After = First ? InCase : meet(After, InCase);
      First = false;
    }
    S = After;
  }

  // --- Calls --------------------------------------------------------------

  void call(const CallExpr *Call, State &S) {
    if (lockCall(Call, S))
      return;
    const FunctionDecl *FD = Call->getDirectCallee();
    if (auto [Object, Op] = utils::channelCall(Call);
        Object != nullptr && Op == utils::ChannelOp::Close && S.Reachable) {
      if (std::string Key = mutexKey(Object); !Key.empty())
        S.Closed.push_back(std::move(Key));
      return;
    }
    if (!S.Held.empty() && S.Reachable)
      blockingCall(Call, FD, S);
    if (FD != nullptr && FD->isNoReturn())
      S.Reachable = false;
  }

  void blockingCall(const CallExpr *Call, const FunctionDecl *FD, State &S) {
    auto [Object, Op] = utils::channelCall(Call);
    if (Object != nullptr) {
      if (Op == utils::ChannelOp::Send && !Check.sendFitsBuffer(Object))
        blocked(Call, "channel send", S);
      else if (Op == utils::ChannelOp::Recv && !isClosed(Object, S))
        blocked(Call, "channel receive", S);
      return;
    }
    if (FD == nullptr || isConditionVariableMember(FD))
      return;
    if (Check.isBlockingFunction(Call)) {
      blocked(Call, "call to '" + FD->getQualifiedNameAsString() + "'", S);
      return;
    }
    if (std::optional<BlockingUnderLockCheck::Blocking> Inner = Check.calleeBlocks(FD, 1))
      blockedInCallee(Call, FD, *Inner, S);
  }

  void releasedByLambda(const Stmt *Body, State &S, unsigned Depth) {
    if (Body == nullptr || Depth > 64 || S.Held.empty())
      return;
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Body)) {
      const CXXMethodDecl *MD = Call->getMethodDecl();
      if (MD != nullptr && MD->getIdentifier() != nullptr &&
          (MD->getName() == "unlock" || MD->getName() == "unlock_shared") &&
          Check.Mutexes.isMutexClass(MD->getParent()))
        if (std::string Key = mutexKey(Call->getImplicitObjectArgument()); !Key.empty())
          llvm::erase_if(S.Held, [&](const HeldMutex &H) { return H.M.Key == Key; });
    }
    for (const Stmt *Child : Body->children())
      releasedByLambda(Child, S, Depth + 1);
  }

  /// Whether the channel E names was closed on every path to here.
  bool isClosed(const Expr *E, const State &S) const {
    if (S.Closed.empty())
      return false;
    const Expr *Channel = utils::stripWrappers(E);
    std::string Key = mutexKey(Channel);
    return !Key.empty() && llvm::is_contained(S.Closed, Key);
  }

  // --- Reports ------------------------------------------------------------

  /// The blocking operation At while S holds something.
  void blocked(const Stmt *At, const std::string &What, const State &S) {
    if (!S.Reachable || S.Held.empty())
      return;
    SourceLocation Loc = SM.getExpansionLoc(At->getBeginLoc());
    if (const auto *E = dyn_cast<Expr>(At))
      Loc = SM.getExpansionLoc(E->getExprLoc());
    if (Loc.isInvalid() || !Check.Reported.insert(Loc.getRawEncoding()).second)
      return;
    const HeldMutex &H = S.Held.back();
    Check.diag(Loc, "%0 while holding '%1': it can block indefinitely, and every goroutine that "
                    "locks '%1' waits as long (a deadlock if the one it waits for needs '%1')")
        << What << H.M.Name;
    Check.diag(H.Site, "'%0' is locked here", DiagnosticIDs::Note) << H.M.Name;
  }

  void blockedInCallee(const CallExpr *Call, const FunctionDecl *FD,
                       const BlockingUnderLockCheck::Blocking &Inner, const State &S) {
    SourceLocation Loc = SM.getExpansionLoc(Call->getExprLoc());
    if (Loc.isInvalid() || !Check.Reported.insert(Loc.getRawEncoding()).second)
      return;
    const HeldMutex &H = S.Held.back();
    Check.diag(Loc, "call to %0 while holding '%1': it can block indefinitely (%2), and every "
                    "goroutine that locks '%1' waits as long")
        << FD << H.M.Name << Inner.What;
    Check.diag(H.Site, "'%0' is locked here", DiagnosticIDs::Note) << H.M.Name;
    if (Inner.Site != nullptr)
      Check.diag(Inner.Site->getBeginLoc(), "%0 blocks here", DiagnosticIDs::Note) << FD;
  }
};

// --- Callee summaries -------------------------------------------------------

/// Finds the first blocking operation in a body (lock-insensitive).
struct BlockFinder {
  BlockingUnderLockCheck &Check;
  unsigned Depth;
  std::optional<BlockingUnderLockCheck::Blocking> Found;
  unsigned Nesting = 0;

  void visit(const Stmt *S) {
    if (S == nullptr || Found || Nesting > MaxNesting)
      return;
    ++Nesting;
    check(S);
    if (!Found && !isa<LambdaExpr>(S))
      for (const Stmt *Child : S->children())
        visit(Child);
    --Nesting;
  }

  void check(const Stmt *S);
};

std::optional<BlockingUnderLockCheck::Blocking>
BlockingUnderLockCheck::calleeBlocks(const FunctionDecl *FD, unsigned Depth) {
  if (FD == nullptr || Depth > MaxCallDepth || FD->isInStdNamespace() ||
      utils::isInGoroNamespace(FD) || isConditionVariableMember(FD))
    return std::nullopt;
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD);
      MD && MD->isVirtual() && !MD->hasAttr<FinalAttr>() && !MD->getParent()->hasAttr<FinalAttr>())
    return std::nullopt; // which body runs is not known
  const FunctionDecl *Def = nullptr;
  if (!FD->hasBody(Def) || Def == nullptr || Def->isInvalidDecl() || Def->isDependentContext())
    return std::nullopt;
  if (Context == nullptr || (Def->getLocation().isValid() &&
                             Context->getSourceManager().isInSystemHeader(Def->getLocation())))
    return std::nullopt;
  if (auto It = CalleeCache.find(Def); It != CalleeCache.end())
    return It->second;
  if (!InProgress.insert(Def).second)
    return std::nullopt; // recursion: what is found so far is in the caller
  BlockFinder Finder{*this, Depth, std::nullopt, 0};
  Finder.visit(Def->getBody());
  InProgress.erase(Def);
  // Only a complete answer is cached (a depth-limited "no" is not).
  if (Finder.Found || Depth == 1)
    CalleeCache[Def] = Finder.Found;
  return Finder.Found;
}

void BlockFinder::check(const Stmt *S) {
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(S)) {
    if (Range->getRangeInit() != nullptr &&
        utils::channelView(Range->getRangeInit()->getType()) != utils::ChannelView::None)
      Found = BlockingUnderLockCheck::Blocking{S, "a range-for over a channel"};
    return;
  }
  const auto *Call = dyn_cast<CallExpr>(S);
  if (Call == nullptr)
    return;
  if (utils::isSelectCall(Call)) {
    if (!utils::selectMayNotBlock(Call)) {
      Found = BlockingUnderLockCheck::Blocking{S, "a select without a default case"};
      return;
    }
    // Its case functions run here.
    for (const utils::SelectCase &Case : utils::selectCases(Call))
      if (const LambdaExpr *Lambda = utils::callableLambda(Case.Function))
        visit(Lambda->getBody());
    return;
  }
  auto [Object, Op] = utils::channelCall(Call);
  if (Object != nullptr) {
    if (Op == utils::ChannelOp::Send)
      Found = BlockingUnderLockCheck::Blocking{S, "a channel send"};
    else if (Op == utils::ChannelOp::Recv)
      Found = BlockingUnderLockCheck::Blocking{S, "a channel receive"};
    return;
  }
  const FunctionDecl *FD = Call->getDirectCallee();
  if (FD == nullptr || isConditionVariableMember(FD))
    return;
  if (Check.isBlockingFunction(Call)) {
    Found =
        BlockingUnderLockCheck::Blocking{S, "a call to '" + FD->getQualifiedNameAsString() + "'"};
    return;
  }
  if (std::optional<BlockingUnderLockCheck::Blocking> Inner = Check.calleeBlocks(FD, Depth + 1))
    Found = BlockingUnderLockCheck::Blocking{S, Inner->What};
}

// --- Buffered channels ------------------------------------------------------

bool BlockingUnderLockCheck::sendFitsBuffer(const Expr *Object) {
  const VarDecl *Chan = utils::channelVarOf(Object);
  if (Chan == nullptr || Context == nullptr || !Chan->hasLocalStorage() || isa<ParmVarDecl>(Chan) ||
      !utils::isMakeChanCall(Chan->getInit()))
    return false;
  if (auto It = FitsCache.find(Chan); It != FitsCache.end())
    return It->second;
  FitsCache[Chan] = false;
  const auto *Make = dyn_cast<CallExpr>(utils::stripWrappers(Chan->getInit()));
  const auto *Owner = dyn_cast_or_null<FunctionDecl>(Chan->getParentFunctionOrMethod());
  if (Make == nullptr || Make->getNumArgs() == 0 || Owner == nullptr ||
      Owner->isDependentContext() || Owner->getBody() == nullptr)
    return false;
  const Expr *CapacityArg = Make->getArg(0);
  Expr::EvalResult Value;
  if (isa<CXXDefaultArgExpr>(CapacityArg) || CapacityArg->isValueDependent() ||
      !CapacityArg->EvaluateAsInt(Value, *Context) || !Value.Val.isInt())
    return false;
  const llvm::APSInt &Capacity = Value.Val.getInt();
  // Every send of the channel's life, in sight: the channel must not escape,
  // and no send may repeat (a loop, a goroutine started in a loop).
  utils::TraceOptions Trace;
  auto IsSpawn = [this](const Stmt *S) { return Spawns.isSpawn(S, *Context); };
  auto IsWait = [](const Stmt *) { return false; };
  Trace.IsSpawn = IsSpawn;
  Trace.IsWait = IsWait;
  utils::ChannelFlow Flow = utils::traceChannel(Chan, Owner, *Context, Trace);
  if (Flow.escapesWithSendSide())
    return false;
  uint64_t Sends = 0;
  for (const utils::ChannelSite &Site : Flow.Sites) {
    if (Site.Kind != utils::SiteKind::Send && Site.Kind != utils::SiteKind::TrySend &&
        Site.Kind != utils::SiteKind::SelectSend)
      continue;
    if (Site.InLoop || Site.Context >= Flow.Contexts.size() || Flow.Contexts[Site.Context].Repeated)
      return false;
    ++Sends;
  }
  bool Fits = Capacity.isNonNegative() && Capacity.getZExtValue() >= Sends;
  FitsCache[Chan] = Fits;
  return Fits;
}

// --- The check ----------------------------------------------------------------

BlockingUnderLockCheck::BlockingUnderLockCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawMutexTypes(Options.get("MutexTypes", utils::DefaultMutexTypes).str()),
      RawBlockingFunctions(Options.get("BlockingFunctions", DefaultBlockingFunctions)),
      BlockingFunctions(::clang::tidy::utils::options::parseStringList(RawBlockingFunctions)),
      MaxCallDepth(Options.get("MaxCallDepth", 2U)), Mutexes(RawMutexTypes),
      SpawnFunctions(::clang::tidy::utils::options::parseStringList(utils::DefaultSpawnFunctions)) {
}

void BlockingUnderLockCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "MutexTypes", RawMutexTypes);
  Options.store(Opts, "BlockingFunctions", RawBlockingFunctions);
  Options.store(Opts, "MaxCallDepth", MaxCallDepth);
}

void BlockingUnderLockCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(functionDecl(isDefinition(), unless(isExpansionInSystemHeader())).bind("fn"),
                     this);
}

void BlockingUnderLockCheck::check(const MatchFinder::MatchResult &Result) {
  Context = Result.Context;
  const auto *Fn = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  if (Fn == nullptr || Fn->isInvalidDecl() || Fn->isDependentContext() || Fn->getBody() == nullptr)
    return;
  BlockingWalker(*this, *Result.Context, Fn).run();
}

bool BlockingUnderLockCheck::isBlockingFunction(const CallExpr *Call) {
  if (BlockingFunctions.empty() || Context == nullptr)
    return false;
  if (auto It = BlockingCache.find(Call); It != BlockingCache.end())
    return It->second;
  if (!BlockingMatcher)
    BlockingMatcher = callExpr(callee(functionDecl(hasAnyName(BlockingFunctions))));
  bool Result = !match(*BlockingMatcher, *Call, *Context).empty();
  BlockingCache[Call] = Result;
  return Result;
}

void BlockingUnderLockCheck::onEndOfTranslationUnit() {
  BlockingCache.clear();
  CalleeCache.clear();
  FitsCache.clear();
  Spawns.clear();
  InProgress.clear();
  Reported.clear();
  Context = nullptr;
}

} // namespace clang::tidy::goro
