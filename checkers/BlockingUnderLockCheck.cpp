//===--- BlockingUnderLockCheck.cpp - goro-blocking-under-lock ------------===//
//
// How the analysis works:
//
// - Every function definition outside system headers (lambda bodies and
//   template instantiations included; uninstantiated templates not) is walked
//   once, statement by statement in evaluation order, with a State: the
//   mutexes held, each with where it was locked and its owner (a guard
//   variable, or none for lock()/std::lock). This is the walk of
//   goro-lock-order-inversion (LockOrderInversionCheck.cpp), reduced to one
//   function: scope-accurate (a guard's mutex is released where its scope
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

/// Most statements being walked at once: a stack guard for huge generated
/// expressions (see LockOrderInversionCheck.cpp's MaxNesting).
constexpr unsigned MaxNesting = 1000;

struct HeldMutex {
  std::string Key;  ///< identity within the function; empty: unknown
  std::string Name; ///< as written, for the message
  SourceLocation Site;
  const VarDecl *Guard = nullptr; ///< the owning guard; null: lock()/std::lock
};

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
          return O.Key == H.Key && O.Guard == H.Guard && O.Site == H.Site;
        }))
      R.Held.push_back(H);
  for (const std::string &C : X.Closed)
    if (llvm::is_contained(Y.Closed, C))
      R.Closed.push_back(C);
  return R;
}

/// Strips parentheses, implicit casts and temporaries (the object named).
const Expr *stripTemporaries(const Expr *E) { return utils::stripWrappers(E); }

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

/// Walks one function body. See the file comment.
class BlockingWalker {
public:
  BlockingWalker(BlockingUnderLockCheck &Check, ASTContext &Ctx, const FunctionDecl *Fn)
      : Check(Check), Ctx(Ctx), SM(Ctx.getSourceManager()), Fn(Fn) {}

  void run() {
    State S;
    pushScope();
    stmt(Fn->getBody(), S);
    popScope(S);
  }

private:
  struct LoopFrame {
    bool IsLoop;
    std::vector<State> Breaks, Continues;
  };

  BlockingUnderLockCheck &Check;
  ASTContext &Ctx;
  const SourceManager &SM;
  const FunctionDecl *Fn;
  std::vector<llvm::SmallVector<const VarDecl *, 2>> Scopes;
  std::vector<LoopFrame> Loops;
  std::vector<State> SwitchEntries;
  llvm::DenseMap<const LabelDecl *, std::vector<State>> Gotos;
  /// What each guard variable would lock (for defer_lock and lk.lock()).
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<HeldMutex, 2>> GuardMutexes;
  unsigned Nesting = 0;

  struct Nest {
    explicit Nest(unsigned &N) : N(N) { ++N; }
    ~Nest() { --N; }
    bool tooDeep() const { return N > MaxNesting; }
    unsigned &N;
  };

  // --- Scopes and holds ---------------------------------------------------

  void pushScope() { Scopes.emplace_back(); }
  void popScope(State &S) {
    for (const VarDecl *V : Scopes.back()) {
      releaseGuard(S, V);
      GuardMutexes.erase(V);
    }
    Scopes.pop_back();
  }
  static void releaseGuard(State &S, const VarDecl *V) {
    llvm::erase_if(S.Held, [&](const HeldMutex &H) { return H.Guard == V; });
  }

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

  HeldMutex describe(const Expr *Mutex, SourceLocation Site, const VarDecl *Guard) const {
    return {mutexKey(Mutex), mutexName(Mutex), SM.getExpansionLoc(Site), Guard};
  }

  void acquire(State &S, HeldMutex H) {
    if (S.Reachable)
      S.Held.push_back(std::move(H));
  }

  /// unlock() of the mutex Key: the latest hold of it; if it is not known,
  /// the latest lock() hold (an unknown identity may only hide findings).
  static void release(State &S, const std::string &Key) {
    for (size_t I = S.Held.size(); I-- > 0;)
      if (!Key.empty() && S.Held[I].Key == Key) {
        S.Held.erase(S.Held.begin() + I);
        return;
      }
    for (size_t I = S.Held.size(); I-- > 0;)
      if (S.Held[I].Guard == nullptr) {
        S.Held.erase(S.Held.begin() + I);
        return;
      }
  }

  // --- Statements ---------------------------------------------------------

  void stmt(const Stmt *St, State &S) {
    Nest Guard(Nesting);
    if (St == nullptr || Guard.tooDeep())
      return;
    if (const auto *C = dyn_cast<CompoundStmt>(St)) {
      pushScope();
      for (const Stmt *Child : C->body())
        stmt(Child, S);
      popScope(S);
      return;
    }
    if (const auto *D = dyn_cast<DeclStmt>(St)) {
      for (const Decl *X : D->decls())
        if (const auto *V = dyn_cast<VarDecl>(X))
          varDecl(V, S);
      return;
    }
    if (const auto *If = dyn_cast<IfStmt>(St)) {
      pushScope();
      stmt(If->getInit(), S);
      if (If->getConditionVariableDeclStmt() != nullptr)
        stmt(If->getConditionVariableDeclStmt(), S);
      else
        stmt(If->getCond(), S);
      State Then = S, Else = S;
      if (std::optional<const Stmt *> Taken = If->getNondiscardedCase(Ctx);
          If->isConstexpr() && Taken) {
        stmt(*Taken, S);
      } else {
        stmt(If->getThen(), Then);
        stmt(If->getElse(), Else);
        S = meet(Then, Else);
      }
      popScope(S);
      return;
    }
    if (const auto *W = dyn_cast<WhileStmt>(St)) {
      pushScope();
      if (W->getConditionVariableDeclStmt() != nullptr)
        stmt(W->getConditionVariableDeclStmt(), S);
      else
        stmt(W->getCond(), S);
      loop(W->getBody(), nullptr, S, false);
      popScope(S);
      return;
    }
    if (const auto *F = dyn_cast<ForStmt>(St)) {
      pushScope();
      stmt(F->getInit(), S);
      stmt(F->getConditionVariableDeclStmt(), S);
      stmt(F->getCond(), S);
      loop(F->getBody(), F->getInc(), S, false);
      popScope(S);
      return;
    }
    if (const auto *F = dyn_cast<CXXForRangeStmt>(St)) {
      pushScope();
      stmt(F->getInit(), S);
      stmt(F->getRangeStmt(), S);
      if (F->getRangeInit() != nullptr &&
          utils::channelView(F->getRangeInit()->getType()) != utils::ChannelView::None &&
          !isClosed(F->getRangeInit(), S))
        blocked(F, "range-for over a channel", S);
      loop(F->getBody(), nullptr, S, false, F->getLoopVarStmt());
      popScope(S);
      return;
    }
    if (const auto *D = dyn_cast<DoStmt>(St)) {
      loop(D->getBody(), D->getCond(), S, true);
      return;
    }
    if (const auto *Sw = dyn_cast<SwitchStmt>(St)) {
      pushScope();
      stmt(Sw->getInit(), S);
      if (Sw->getConditionVariableDeclStmt() != nullptr)
        stmt(Sw->getConditionVariableDeclStmt(), S);
      else
        stmt(Sw->getCond(), S);
      bool HasDefault = false;
      for (const SwitchCase *C = Sw->getSwitchCaseList(); C; C = C->getNextSwitchCase())
        HasDefault |= isa<DefaultStmt>(C);
      SwitchEntries.push_back(S);
      Loops.push_back({false, {}, {}});
      State Body = S;
      Body.Reachable = false; // only the case labels enter the body
      stmt(Sw->getBody(), Body);
      LoopFrame Frame = std::move(Loops.back());
      Loops.pop_back();
      State Entry = std::move(SwitchEntries.back());
      SwitchEntries.pop_back();
      State Out = Body;
      for (const State &B : Frame.Breaks)
        Out = meet(Out, B);
      if (!HasDefault)
        Out = meet(Out, Entry);
      if (!Loops.empty())
        for (State &C : Frame.Continues)
          Loops.back().Continues.push_back(std::move(C));
      S = Out;
      popScope(S);
      return;
    }
    if (const auto *C = dyn_cast<SwitchCase>(St)) {
      if (!SwitchEntries.empty())
        S = meet(S, SwitchEntries.back());
      stmt(C->getSubStmt(), S);
      return;
    }
    if (const auto *R = dyn_cast<ReturnStmt>(St)) {
      stmt(R->getRetValue(), S);
      S.Reachable = false;
      return;
    }
    if (isa<BreakStmt>(St)) {
      if (!Loops.empty() && S.Reachable)
        Loops.back().Breaks.push_back(S);
      S.Reachable = false;
      return;
    }
    if (isa<ContinueStmt>(St)) {
      for (size_t I = Loops.size(); I-- > 0;)
        if (Loops[I].IsLoop) {
          if (S.Reachable)
            Loops[I].Continues.push_back(S);
          break;
        }
      S.Reachable = false;
      return;
    }
    if (const auto *G = dyn_cast<GotoStmt>(St)) {
      if (S.Reachable)
        Gotos[G->getLabel()].push_back(S);
      S.Reachable = false;
      return;
    }
    if (isa<IndirectGotoStmt, CoreturnStmt>(St)) {
      S.Reachable = false;
      return;
    }
    if (const auto *L = dyn_cast<LabelStmt>(St)) {
      auto It = Gotos.find(L->getDecl());
      if (It != Gotos.end())
        for (const State &G : It->second)
          S = meet(S, G);
      else if (!S.Reachable)
        S = State(); // reached by a later (backward) goto: assume nothing held
      stmt(L->getSubStmt(), S);
      return;
    }
    if (const auto *T = dyn_cast<CXXTryStmt>(St)) {
      State Before = S;
      stmt(T->getTryBlock(), S);
      for (unsigned I = 0; I < T->getNumHandlers(); ++I) {
        // A handler starts with what was held before the try (guards of
        // the try block were released by unwinding).
        State H = Before;
        stmt(T->getHandler(I)->getHandlerBlock(), H);
        S = meet(S, H);
      }
      return;
    }
    if (const auto *E = dyn_cast<Expr>(St)) {
      expr(E, S);
      return;
    }
    for (const Stmt *Child : St->children())
      stmt(Child, S);
  }

  void loop(const Stmt *Body, const Stmt *After, State &S, bool AtLeastOnce,
            const Stmt *LoopVar = nullptr) {
    State Before = S;
    Loops.push_back({true, {}, {}});
    pushScope();
    stmt(LoopVar, S);
    stmt(Body, S);
    popScope(S);
    LoopFrame Frame = std::move(Loops.back());
    Loops.pop_back();
    for (const State &C : Frame.Continues)
      S = meet(S, C);
    stmt(After, S);
    if (!AtLeastOnce)
      S = meet(S, Before);
    for (const State &B : Frame.Breaks)
      S = meet(S, B);
  }

  void varDecl(const VarDecl *V, State &S) {
    const Expr *Init = V->getInit();
    if (Init == nullptr)
      return;
    const auto *CE = dyn_cast_or_null<CXXConstructExpr>(stripTemporaries(Init));
    if (!V->getType()->isReferenceType() && CE != nullptr &&
        utils::guardKind(V->getType()) != utils::GuardKind::None) {
      Scopes.back().push_back(V);
      for (const Expr *Arg : CE->arguments())
        expr(Arg, S);
      construct(CE, V, V->getBeginLoc(), S);
      return;
    }
    stmt(Init, S);
  }

  // --- Expressions --------------------------------------------------------

  void expr(const Expr *E, State &S) {
    Nest Guard(Nesting);
    if (E == nullptr || Guard.tooDeep())
      return;
    if (const auto *L = dyn_cast<LambdaExpr>(E)) {
      // The body runs when the lambda is called, elsewhere: walked on its own.
      for (const Expr *Init : L->capture_inits())
        expr(Init, S);
      // A lambda that unlocks a held mutex (the hand-off of Go's "unlock in
      // another goroutine") may release it at any time from now on.
      if (!S.Held.empty())
        releasedByLambda(L->getBody(), S, 0);
      return;
    }
    if (isa<CXXDefaultArgExpr, CXXDefaultInitExpr, OpaqueValueExpr, UnaryExprOrTypeTraitExpr,
            CXXNoexceptExpr, TypeTraitExpr>(E))
      return;
    if (const auto *T = dyn_cast<CXXTypeidExpr>(E); T && !T->isPotentiallyEvaluated())
      return;
    if (const auto *C = dyn_cast<AbstractConditionalOperator>(E)) {
      if (const auto *B = dyn_cast<BinaryConditionalOperator>(C))
        expr(B->getCommon(), S);
      else
        expr(C->getCond(), S);
      State T = S, F = S;
      expr(C->getTrueExpr(), T);
      expr(C->getFalseExpr(), F);
      S = meet(T, F);
      return;
    }
    if (const auto *B = dyn_cast<BinaryOperator>(E); B && B->isLogicalOp()) {
      expr(B->getLHS(), S);
      State R = S;
      expr(B->getRHS(), R);
      S = meet(S, R);
      return;
    }
    if (const auto *T = dyn_cast<CXXThrowExpr>(E)) {
      expr(T->getSubExpr(), S);
      S.Reachable = false;
      return;
    }
    if (const auto *SE = dyn_cast<StmtExpr>(E)) {
      stmt(SE->getSubStmt(), S);
      return;
    }
    if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
      for (const Expr *Arg : CE->arguments())
        expr(Arg, S);
      if (utils::guardKind(CE->getType()) != utils::GuardKind::None)
        construct(CE, nullptr, CE->getBeginLoc(), S);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      if (utils::isSelectCall(Call)) {
        select(Call, S);
        return;
      }
      for (const Stmt *Child : Call->children())
        stmt(Child, S);
      call(Call, S);
      return;
    }
    for (const Stmt *Child : E->children())
      stmt(Child, S);
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

  // --- Guards -------------------------------------------------------------

  const VarDecl *guardVar(const Expr *E) const {
    E = stripTemporaries(E);
    if (const auto *Call = dyn_cast_or_null<CallExpr>(E))
      if (const FunctionDecl *FD = Call->getDirectCallee();
          FD && FD->isInStdNamespace() && FD->getIdentifier() && FD->getName() == "move" &&
          Call->getNumArgs() == 1)
        E = Call->getArg(0)->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
      return dyn_cast<VarDecl>(Ref->getDecl());
    return nullptr;
  }

  /// The construction of a guard, owned by Owner (a variable) or a temporary.
  void construct(const CXXConstructExpr *CE, const VarDecl *Owner, SourceLocation Site, State &S) {
    const CXXConstructorDecl *Ctor = CE->getConstructor();
    if (Ctor == nullptr)
      return;
    utils::GuardKind Kind = utils::guardKind(CE->getType());
    if (Ctor->isCopyOrMoveConstructor()) {
      // unique_lock lk2(std::move(lk1)): lk2 now owns what lk1 did; into a
      // temporary or a parameter: where it ends is not tracked, forget it.
      const VarDecl *From = CE->getNumArgs() == 1 ? guardVar(CE->getArg(0)) : nullptr;
      if (From == nullptr)
        return;
      if (Owner == nullptr)
        releaseGuard(S, From);
      for (HeldMutex &H : S.Held)
        if (H.Guard == From)
          H.Guard = Owner;
      if (auto It = GuardMutexes.find(From); It != GuardMutexes.end()) {
        if (Owner != nullptr)
          GuardMutexes[Owner] = It->second;
        GuardMutexes.erase(From);
      }
      return;
    }
    if (CE->getNumArgs() == 0)
      return;
    llvm::SmallVector<HeldMutex, 2> Ms;
    StringRef Tag;
    unsigned First = 0;
    if (Kind == utils::GuardKind::ScopedLock &&
        utils::guardTagName(CE->getArg(0)) == "adopt_lock_t") {
      Tag = "adopt_lock_t";
      First = 1;
    }
    unsigned Last = Kind == utils::GuardKind::ScopedLock ? CE->getNumArgs() : First + 1;
    for (unsigned I = First; I < Last && I < CE->getNumArgs(); ++I)
      if (Check.Mutexes.isMutexType(CE->getArg(I)->getType()))
        Ms.push_back(describe(CE->getArg(I), Site, Owner));
    if (Kind != utils::GuardKind::ScopedLock && CE->getNumArgs() > 1) {
      Tag = utils::guardTagName(CE->getArg(1));
      if (Tag != "defer_lock_t" && Tag != "adopt_lock_t")
        Tag = "try"; // try_to_lock_t, or a timeout: may not hold it
    }
    if (Owner != nullptr)
      GuardMutexes[Owner] = Ms;
    if (Owner == nullptr || Tag == "defer_lock_t" || Tag == "try")
      return; // a temporary guard releases at once
    if (Tag == "adopt_lock_t") {
      // Held already (lock() or std::lock): the guard now owns the hold.
      for (const HeldMutex &M : Ms) {
        bool Adopted = false;
        for (HeldMutex &H : S.Held)
          if (H.Guard == nullptr && (H.Key == M.Key || M.Key.empty())) {
            H.Guard = Owner;
            Adopted = true;
            break;
          }
        if (!Adopted)
          acquire(S, M);
      }
      return;
    }
    for (const HeldMutex &M : Ms)
      acquire(S, M);
  }

  void guardMethod(const CXXMethodDecl *MD, const Expr *Object, const CallExpr *Call, State &S) {
    const VarDecl *G = guardVar(Object);
    if (G == nullptr || MD->getIdentifier() == nullptr)
      return;
    StringRef Name = MD->getName();
    if (Name == "lock") {
      if (auto It = GuardMutexes.find(G); It != GuardMutexes.end())
        for (HeldMutex M : It->second) {
          M.Site = SM.getExpansionLoc(Call->getBeginLoc());
          M.Guard = G;
          acquire(S, M);
        }
    } else if (Name == "unlock") {
      releaseGuard(S, G);
    } else if (Name == "release") {
      for (HeldMutex &H : S.Held)
        if (H.Guard == G)
          H.Guard = nullptr;
      GuardMutexes.erase(G);
    } else if (Name == "swap") {
      releaseGuard(S, G);
      GuardMutexes.erase(G);
      if (Call->getNumArgs() == 1)
        if (const VarDecl *Other = guardVar(Call->getArg(0))) {
          releaseGuard(S, Other);
          GuardMutexes.erase(Other);
        }
    }
  }

  // --- Calls --------------------------------------------------------------

  void call(const CallExpr *Call, State &S) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      const Expr *Object = MC->getImplicitObjectArgument();
      if (MD != nullptr && Object != nullptr) {
        if (Check.Mutexes.isMutexClass(MD->getParent())) {
          mutexMethod(MD, Object, Call, S);
          return;
        }
        if (utils::guardKind(Ctx.getRecordType(MD->getParent())) != utils::GuardKind::None) {
          guardMethod(MD, Object, Call, S);
          return;
        }
      }
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
               Op != nullptr && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      // lk = std::unique_lock(m) / lk = std::move(other): forget what lk held
      // (its new hold, if any, is not tracked: it can only hide findings).
      if (const VarDecl *Target = guardVar(Op->getArg(0));
          Target != nullptr && utils::guardKind(Target->getType()) != utils::GuardKind::None) {
        releaseGuard(S, Target);
        GuardMutexes.erase(Target);
        if (const VarDecl *From = guardVar(Op->getArg(1))) {
          releaseGuard(S, From);
          GuardMutexes.erase(From);
        }
        return;
      }
    } else if (FD != nullptr && FD->isInStdNamespace() && FD->getIdentifier() &&
               FD->getName() == "lock") {
      // std::lock(a, b, ...): all held, owned by nobody until adopted.
      for (const Expr *Arg : Call->arguments())
        if (Check.Mutexes.isMutexType(Arg->getType()))
          acquire(S, describe(Arg, Call->getBeginLoc(), nullptr));
      return;
    }
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

  void mutexMethod(const CXXMethodDecl *MD, const Expr *Object, const CallExpr *Call, State &S) {
    if (MD->getIdentifier() == nullptr)
      return;
    StringRef Name = MD->getName();
    if (Name == "lock" || Name == "lock_shared")
      acquire(S, describe(Object, Call->getBeginLoc(), nullptr));
    else if (Name == "unlock" || Name == "unlock_shared")
      release(S, mutexKey(Object));
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
          llvm::erase_if(S.Held, [&](const HeldMutex &H) { return H.Key == Key; });
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
        << What << H.Name;
    Check.diag(H.Site, "'%0' is locked here", DiagnosticIDs::Note) << H.Name;
  }

  void blockedInCallee(const CallExpr *Call, const FunctionDecl *FD,
                       const BlockingUnderLockCheck::Blocking &Inner, const State &S) {
    SourceLocation Loc = SM.getExpansionLoc(Call->getExprLoc());
    if (Loc.isInvalid() || !Check.Reported.insert(Loc.getRawEncoding()).second)
      return;
    const HeldMutex &H = S.Held.back();
    Check.diag(Loc, "call to %0 while holding '%1': it can block indefinitely (%2), and every "
                    "goroutine that locks '%1' waits as long")
        << FD << H.Name << Inner.What;
    Check.diag(H.Site, "'%0' is locked here", DiagnosticIDs::Note) << H.Name;
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
  auto IsSpawn = [this](const Stmt *S) {
    if (!isa<CallExpr, CXXConstructExpr>(S))
      return false;
    if (!SpawnMatcher)
      SpawnMatcher = stmt(utils::spawnExpr(SpawnFunctions));
    return !match(*SpawnMatcher, *S, *Context).empty();
  };
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
  InProgress.clear();
  Reported.clear();
  Context = nullptr;
}

} // namespace clang::tidy::goro
