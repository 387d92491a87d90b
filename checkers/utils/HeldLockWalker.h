//===--- HeldLockWalker.h - a function body in order, with the locks held -===//
//
// The walk shared by goro-lock-order-inversion and goro-blocking-under-lock:
// one function body, statement by statement in evaluation order, with a
// State holding the mutexes held at that point.
//
// Invariants of the walk (both checks rely on them):
// - Scope-accurate: a guard variable (std::lock_guard, std::unique_lock,
//   std::shared_lock, std::scoped_lock) holds its mutexes until its scope
//   ends; unique_lock's defer_lock/adopt_lock/try_to_lock, lock(), unlock(),
//   release(), swap() and moves between guards are followed. A temporary
//   guard releases at once.
// - Path-insensitive: at a join (if/else, loops, switch, &&, ||, ?:,
//   try/catch, labels reached by goto) the state is the intersection
//   (Derived::meet) of the incoming reachable states; return, throw, break,
//   continue, goto and calls of noreturn functions end a path. An
//   intersection can only forget a held mutex: a branch that unlocks on one
//   path never leaves the mutex "held" after the join.
// - A lambda's body is not walked where the lambda is written (it runs when
//   it is called); the derived walker decides what to do with it (onLambda).
// - Recursion is bounded by a nesting counter the caller owns (MaxWalkNesting
//   statements at a time, over all nested walks sharing the counter): deeper,
//   the walk sees nothing, which can only hide findings.
//
// The walker is a CRTP base: it knows the control flow and the guards; the
// derived walker knows what a mutex is and what holding one means. Derived
// declares `friend HeldLockWalker` and provides:
//   static State meet(const State &, const State &);
//   bool isMutexType(QualType);               // a mutex, or a pointer/reference to one
//   bool isMutexClass(const CXXRecordDecl *);
//   std::optional<Mutex> mutexOf(const Expr *E, bool Shared); // nullopt: not identified
//   void acquire(State &, ArrayRef<Mutex>, SourceLocation Site, const VarDecl *Owner,
//                bool Keep);                  // Keep false: a temporary guard
//   void adopt(State &, ArrayRef<Mutex>, SourceLocation Site, const VarDecl *Owner);
//   void release(State &, const Mutex &);      // unlock() of the mutex
//   void call(const CallExpr *, State &);      // after the call's children; lockCall()
//                                              // handles the lock operations
// and may hide the hooks below (onLambda, onConstruct, onReturn, enterIf,
// leaveIf, rangeFor, interceptCall) and set two policies:
//   FollowsConstexprIf: an `if constexpr` walks only its taken branch;
//   TracksGuardAssignment: `lk = std::unique_lock(m)` / `lk = std::move(o)`
//     hand the right-hand side's holds to lk; otherwise both guards' holds
//     are forgotten (which can only hide findings).
// State must have `bool Reachable` and `Held` (a vector of HeldLock<Mutex>),
// and a default-constructed State is reachable with nothing held.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UTILS_HELDLOCKWALKER_H
#define GORO_CHECKERS_UTILS_HELDLOCKWALKER_H

#include "ChannelFlow.h"
#include "LockGuards.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ExprConcepts.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <vector>

namespace clang::tidy::goro::utils {

/// Most statements and expressions being walked at once: a stack guard for
/// huge generated expressions (a level of expr() + stmt() takes ~3 KiB of
/// stack, so 1000 stay under 1.5 MiB; real code nests a few dozen deep).
inline constexpr unsigned MaxWalkNesting = 1000;

/// A mutex held at a point of the walk.
template <typename MutexT> struct HeldLock {
  MutexT M;
  SourceLocation Site;            ///< where the walked function acquired it
  const VarDecl *Guard = nullptr; ///< the owning guard; null: lock()/std::lock
};

template <typename Derived, typename StateT, typename MutexT> class HeldLockWalker {
  friend Derived;

  /// \p Nesting counts the statements being walked; walks nested in one
  /// another (a callee's summary built on demand) share one counter.
  HeldLockWalker(ASTContext &Ctx, unsigned &Nesting)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), Nesting(Nesting) {}

protected:
  using State = StateT;
  using Mutex = MutexT;

  static constexpr bool FollowsConstexprIf = false;
  static constexpr bool TracksGuardAssignment = false;

  // --- Hooks (hidden by Derived as needed) -----------------------------------

  /// A lambda expression, after its captures' initializers.
  void onLambda(const LambdaExpr *, State &) {}
  /// A construction of anything but a guard, after its arguments.
  void onConstruct(const CXXConstructExpr *, State &) {}
  /// A return, after its value, while S is still the state before it.
  void onReturn(State &) {}
  /// Around the branches of an if (after its condition).
  void enterIf(const IfStmt *) {}
  void leaveIf(const IfStmt *) {}
  /// A range-for after its init-statement and range, before its body.
  void rangeFor(const CXXForRangeStmt *, State &) {}
  /// A call about to be walked; true if the hook walked it (children included).
  bool interceptCall(const CallExpr *, State &) { return false; }

  // --- Scopes -----------------------------------------------------------------

  void pushScope() { Scopes.emplace_back(); }

  void popScope(State &S) {
    for (const VarDecl *V : Scopes.back()) {
      releaseGuard(S, V);
      GuardMutexes.erase(V);
    }
    Scopes.pop_back();
  }

  static void releaseGuard(State &S, const VarDecl *V) {
    llvm::erase_if(S.Held, [&](const HeldLock<Mutex> &H) { return H.Guard == V; });
  }

  // --- Statements -------------------------------------------------------------

  struct Nest {
    explicit Nest(unsigned &N) : N(N) { ++N; }
    ~Nest() { --N; }
    Nest(const Nest &) = delete;
    Nest &operator=(const Nest &) = delete;
    bool tooDeep() const { return N > MaxWalkNesting; }
    unsigned &N;
  };

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
      ifStmt(If, S);
      return;
    }
    if (const auto *W = dyn_cast<WhileStmt>(St)) {
      pushScope();
      if (W->getConditionVariableDeclStmt() != nullptr)
        stmt(W->getConditionVariableDeclStmt(), S);
      else
        stmt(W->getCond(), S);
      loop(W->getBody(), nullptr, S, /*AtLeastOnce=*/false);
      popScope(S);
      return;
    }
    if (const auto *F = dyn_cast<ForStmt>(St)) {
      pushScope();
      stmt(F->getInit(), S);
      stmt(F->getConditionVariableDeclStmt(), S);
      stmt(F->getCond(), S);
      loop(F->getBody(), F->getInc(), S, /*AtLeastOnce=*/false);
      popScope(S);
      return;
    }
    if (const auto *F = dyn_cast<CXXForRangeStmt>(St)) {
      pushScope();
      stmt(F->getInit(), S);
      stmt(F->getRangeStmt(), S);
      derived().rangeFor(F, S);
      loop(F->getBody(), nullptr, S, /*AtLeastOnce=*/false, F->getLoopVarStmt());
      popScope(S);
      return;
    }
    if (const auto *D = dyn_cast<DoStmt>(St)) {
      loop(D->getBody(), D->getCond(), S, /*AtLeastOnce=*/true);
      return;
    }
    if (const auto *Sw = dyn_cast<SwitchStmt>(St)) {
      switchStmt(Sw, S);
      return;
    }
    if (const auto *C = dyn_cast<SwitchCase>(St)) {
      if (!Switches.empty())
        S = Derived::meet(S, Switches.back().Entry);
      stmt(C->getSubStmt(), S);
      return;
    }
    if (const auto *R = dyn_cast<ReturnStmt>(St)) {
      stmt(R->getRetValue(), S);
      derived().onReturn(S);
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
        Gotos.try_emplace(G->getLabel()).first->second.push_back(S);
      S.Reachable = false;
      return;
    }
    if (isa<IndirectGotoStmt, CoreturnStmt>(St)) {
      S.Reachable = false;
      return;
    }
    if (const auto *L = dyn_cast<LabelStmt>(St)) {
      auto It = Gotos.find(L->getDecl());
      if (It != Gotos.end()) {
        for (const State &G : It->second)
          S = Derived::meet(S, G);
      } else if (!S.Reachable) {
        S = State(); // reached by a later (backward) goto: assume nothing held
      }
      stmt(L->getSubStmt(), S);
      return;
    }
    if (const auto *T = dyn_cast<CXXTryStmt>(St)) {
      State Before = S;
      stmt(T->getTryBlock(), S);
      for (unsigned I = 0; I < T->getNumHandlers(); ++I) {
        // A handler starts with what was held before the try (the try
        // block's guards were released by unwinding).
        State H = Before;
        stmt(T->getHandler(I)->getHandlerBlock(), H);
        S = Derived::meet(S, H);
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

  /// A loop body runs zero or more times (once or more for do-while); the
  /// state after the loop is what is held on every way out.
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
      S = Derived::meet(S, C);
    stmt(After, S);
    if (!AtLeastOnce)
      S = Derived::meet(S, Before);
    for (const State &B : Frame.Breaks)
      S = Derived::meet(S, B);
  }

  void varDecl(const VarDecl *V, State &S) {
    const Expr *Init = V->getInit();
    if (Init == nullptr)
      return;
    const CXXConstructExpr *SavedInit = PendingGuardInit;
    const VarDecl *SavedVar = PendingGuardVar;
    SourceLocation SavedSite = PendingGuardSite;
    if (!V->getType()->isReferenceType() && guardKind(V->getType()) != GuardKind::None) {
      Scopes.back().push_back(V);
      if (const auto *CE = dyn_cast_or_null<CXXConstructExpr>(stripWrappers(Init))) {
        PendingGuardInit = CE;
        PendingGuardVar = V;
        PendingGuardSite = V->getBeginLoc();
      }
    }
    stmt(Init, S);
    PendingGuardInit = SavedInit;
    PendingGuardVar = SavedVar;
    PendingGuardSite = SavedSite;
  }

  // --- Expressions ------------------------------------------------------------

  void expr(const Expr *E, State &S) {
    Nest Guard(Nesting);
    if (E == nullptr || Guard.tooDeep())
      return;
    if (const auto *L = dyn_cast<LambdaExpr>(E)) {
      // The body runs when the lambda is called, not here.
      for (const Expr *Init : L->capture_inits())
        expr(Init, S);
      derived().onLambda(L, S);
      return;
    }
    if (isa<BlockExpr, CXXDefaultArgExpr, CXXDefaultInitExpr, OpaqueValueExpr,
            UnaryExprOrTypeTraitExpr, CXXNoexceptExpr, RequiresExpr, TypeTraitExpr>(E))
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
      S = Derived::meet(T, F);
      return;
    }
    if (const auto *B = dyn_cast<BinaryOperator>(E); B && B->isLogicalOp()) {
      expr(B->getLHS(), S);
      State R = S;
      expr(B->getRHS(), R);
      S = Derived::meet(S, R);
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
    if constexpr (Derived::TracksGuardAssignment) {
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
          Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
        if (const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
            MD && guardKind(Ctx.getRecordType(MD->getParent())) != GuardKind::None) {
          guardAssign(Op, S);
          return;
        }
    }
    if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
      for (const Expr *Arg : CE->arguments())
        expr(Arg, S);
      if (guardKind(CE->getType()) == GuardKind::None) {
        derived().onConstruct(CE, S);
        return;
      }
      if (CE == PendingGuardInit)
        guardConstruct(CE, PendingGuardVar, PendingGuardSite, S);
      else
        guardConstruct(CE, nullptr, CE->getBeginLoc(), S);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      if (derived().interceptCall(Call, S))
        return;
      for (const Stmt *Child : Call->children())
        stmt(Child, S);
      derived().call(Call, S);
      return;
    }
    for (const Stmt *Child : E->children())
      stmt(Child, S);
  }

  // --- Guards and lock operations ---------------------------------------------

  /// The guard variable an expression names (lk, std::move(lk)), if any.
  static const VarDecl *guardVar(const Expr *E) {
    E = stripWrappers(E);
    if (const auto *Call = dyn_cast_or_null<CallExpr>(E))
      if (const FunctionDecl *FD = Call->getDirectCallee();
          FD && FD->isInStdNamespace() && FD->getIdentifier() && FD->getName() == "move" &&
          Call->getNumArgs() == 1)
        E = Call->getArg(0)->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
      return dyn_cast<VarDecl>(Ref->getDecl());
    return nullptr;
  }

  /// The lock operations of a call: lock()/unlock() of a mutex, the methods
  /// of a guard, std::lock, and (without TracksGuardAssignment) an assignment
  /// to a guard. True if \p Call was one of them (and is done with).
  bool lockCall(const CallExpr *Call, State &S) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      const Expr *Object = MC->getImplicitObjectArgument();
      if (MD == nullptr || Object == nullptr)
        return false;
      if (derived().isMutexClass(MD->getParent())) {
        mutexMethod(MD, Object, Call, S);
        return true;
      }
      if (guardKind(Ctx.getRecordType(MD->getParent())) != GuardKind::None) {
        guardMethod(MD, Object, Call, S);
        return true;
      }
      return false;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
      if (Derived::TracksGuardAssignment || Op->getOperator() != OO_Equal || Op->getNumArgs() != 2)
        return false;
      // lk = std::unique_lock(m) / lk = std::move(other): forget what both
      // held (the new hold is not tracked: it can only hide findings).
      const VarDecl *Target = guardVar(Op->getArg(0));
      if (Target == nullptr || guardKind(Target->getType()) == GuardKind::None)
        return false;
      releaseGuard(S, Target);
      GuardMutexes.erase(Target);
      if (const VarDecl *From = guardVar(Op->getArg(1))) {
        releaseGuard(S, From);
        GuardMutexes.erase(From);
      }
      return true;
    }
    if (FD != nullptr && FD->isInStdNamespace() && FD->getIdentifier() && FD->getName() == "lock") {
      // std::lock(a, b, ...): all held together, owned by nobody until adopted.
      llvm::SmallVector<Mutex, 2> Ms;
      for (const Expr *Arg : Call->arguments())
        if (derived().isMutexType(Arg->getType()))
          if (std::optional<Mutex> M = derived().mutexOf(Arg, /*Shared=*/false))
            Ms.push_back(std::move(*M));
      derived().acquire(S, Ms, Call->getBeginLoc(), nullptr, /*Keep=*/true);
      return true;
    }
    return false;
  }

  void mutexMethod(const CXXMethodDecl *MD, const Expr *Object, const CallExpr *Call, State &S) {
    if (MD->getIdentifier() == nullptr)
      return;
    StringRef Name = MD->getName();
    bool Lock = Name == "lock" || Name == "lock_shared";
    bool Unlock = Name == "unlock" || Name == "unlock_shared";
    if (!Lock && !Unlock)
      return; // try_lock*, native_handle, ...
    std::optional<Mutex> M = derived().mutexOf(Object, /*Shared=*/Name == "lock_shared");
    if (!M)
      return;
    if (Lock)
      derived().acquire(S, {*M}, Call->getBeginLoc(), nullptr, /*Keep=*/true);
    else
      derived().release(S, *M);
  }

  /// The construction of a guard, owned by \p Owner (a variable) or by a
  /// temporary (null), at \p Site.
  void guardConstruct(const CXXConstructExpr *CE, const VarDecl *Owner, SourceLocation Site,
                      State &S) {
    const CXXConstructorDecl *Ctor = CE->getConstructor();
    if (Ctor == nullptr)
      return;
    GuardKind Kind = guardKind(CE->getType());
    if (Ctor->isCopyOrMoveConstructor()) {
      // unique_lock lk2(std::move(lk1)): lk2 now owns what lk1 did; into a
      // temporary or a by-value parameter: where it ends is not tracked, so
      // forget the locks (it can only hide findings).
      const VarDecl *From = CE->getNumArgs() == 1 ? guardVar(CE->getArg(0)) : nullptr;
      if (From == nullptr)
        return;
      if (Owner == nullptr)
        releaseGuard(S, From);
      for (HeldLock<Mutex> &H : S.Held)
        if (H.Guard == From)
          H.Guard = Owner;
      moveGuardMutexes(From, Owner);
      return;
    }
    if (CE->getNumArgs() == 0)
      return;
    bool Shared = Kind == GuardKind::SharedLock;
    llvm::SmallVector<Mutex, 2> Ms;
    StringRef Tag;
    unsigned First = 0;
    if (Kind == GuardKind::ScopedLock && guardTagName(CE->getArg(0)) == "adopt_lock_t") {
      Tag = "adopt_lock_t";
      First = 1;
    }
    unsigned Last = Kind == GuardKind::ScopedLock ? CE->getNumArgs() : First + 1;
    for (unsigned I = First; I < Last && I < CE->getNumArgs(); ++I)
      if (derived().isMutexType(CE->getArg(I)->getType()))
        if (std::optional<Mutex> M = derived().mutexOf(CE->getArg(I), Shared))
          Ms.push_back(std::move(*M));
    if (Kind != GuardKind::ScopedLock && CE->getNumArgs() > 1) {
      Tag = guardTagName(CE->getArg(1));
      if (Tag != "defer_lock_t" && Tag != "adopt_lock_t")
        Tag = "try"; // try_to_lock_t, or a timeout: may not hold it
    }
    if (Owner != nullptr)
      GuardMutexes.insert_or_assign(Owner, Ms);
    if (Tag == "defer_lock_t" || Tag == "try")
      return;
    if (Tag == "adopt_lock_t") {
      derived().adopt(S, Ms, Site, Owner);
      return;
    }
    // A temporary guard (std::lock_guard{m};) releases at once.
    derived().acquire(S, Ms, Site, Owner, /*Keep=*/Owner != nullptr);
  }

  /// lk = std::unique_lock(m) / lk = std::move(other): lk drops what it
  /// owned and takes the right-hand side's (TracksGuardAssignment).
  void guardAssign(const CXXOperatorCallExpr *Op, State &S) {
    const VarDecl *Target = guardVar(Op->getArg(0));
    if (Target != nullptr) {
      releaseGuard(S, Target);
      GuardMutexes.erase(Target);
    }
    const Expr *RHS = stripWrappers(Op->getArg(1));
    if (const auto *CE = dyn_cast_or_null<CXXConstructExpr>(RHS);
        CE && Target != nullptr && !CE->getConstructor()->isCopyOrMoveConstructor()) {
      for (const Expr *Arg : CE->arguments())
        expr(Arg, S);
      guardConstruct(CE, Target, Op->getBeginLoc(), S);
      return;
    }
    if (const VarDecl *From = guardVar(Op->getArg(1)); From && Target) {
      for (HeldLock<Mutex> &H : S.Held)
        if (H.Guard == From)
          H.Guard = Target;
      moveGuardMutexes(From, Target);
      return;
    }
    expr(Op->getArg(1), S);
  }

  /// What guard \p From would lock now belongs to \p To (null: nobody).
  void moveGuardMutexes(const VarDecl *From, const VarDecl *To) {
    auto It = GuardMutexes.find(From);
    if (It == GuardMutexes.end())
      return;
    // Taken out first: inserting To may grow the map and move From's entry.
    llvm::SmallVector<Mutex, 2> Ms = std::move(It->second);
    GuardMutexes.erase(It);
    if (To != nullptr)
      GuardMutexes.insert_or_assign(To, std::move(Ms));
  }

  void guardMethod(const CXXMethodDecl *MD, const Expr *Object, const CallExpr *Call, State &S) {
    const VarDecl *G = guardVar(Object);
    if (G == nullptr || MD->getIdentifier() == nullptr)
      return;
    StringRef Name = MD->getName();
    if (Name == "lock") {
      if (auto It = GuardMutexes.find(G); It != GuardMutexes.end()) {
        llvm::SmallVector<Mutex, 2> Ms = It->second;
        derived().acquire(S, Ms, Call->getBeginLoc(), G, /*Keep=*/true);
      }
    } else if (Name == "unlock") {
      releaseGuard(S, G);
    } else if (Name == "release") {
      for (HeldLock<Mutex> &H : S.Held)
        if (H.Guard == G)
          H.Guard = nullptr;
      GuardMutexes.erase(G);
    } else if (Name == "swap") {
      // Rare: forget both rather than guess.
      releaseGuard(S, G);
      GuardMutexes.erase(G);
      if (Call->getNumArgs() == 1)
        if (const VarDecl *Other = guardVar(Call->getArg(0))) {
          releaseGuard(S, Other);
          GuardMutexes.erase(Other);
        }
    }
  }

  ASTContext &Ctx;
  const SourceManager &SM;

private:
  struct LoopFrame {
    bool IsLoop; ///< false: a switch (break leaves it, continue does not)
    std::vector<State> Breaks, Continues;
  };
  struct SwitchFrame {
    State Entry;
  };

  Derived &derived() { return static_cast<Derived &>(*this); }

  void ifStmt(const IfStmt *If, State &S) {
    pushScope();
    stmt(If->getInit(), S);
    if (If->getConditionVariableDeclStmt() != nullptr)
      stmt(If->getConditionVariableDeclStmt(), S);
    else
      stmt(If->getCond(), S);
    derived().enterIf(If);
    std::optional<const Stmt *> Taken;
    if constexpr (Derived::FollowsConstexprIf)
      if (If->isConstexpr())
        Taken = If->getNondiscardedCase(Ctx);
    if (Taken) {
      stmt(*Taken, S);
    } else {
      State Then = S, Else = S;
      stmt(If->getThen(), Then);
      stmt(If->getElse(), Else);
      S = Derived::meet(Then, Else);
    }
    derived().leaveIf(If);
    popScope(S);
  }

  void switchStmt(const SwitchStmt *Sw, State &S) {
    pushScope();
    stmt(Sw->getInit(), S);
    if (Sw->getConditionVariableDeclStmt() != nullptr)
      stmt(Sw->getConditionVariableDeclStmt(), S);
    else
      stmt(Sw->getCond(), S);
    bool HasDefault = false;
    for (const SwitchCase *C = Sw->getSwitchCaseList(); C; C = C->getNextSwitchCase())
      HasDefault |= isa<DefaultStmt>(C);
    Switches.push_back({S});
    Loops.push_back({false, {}, {}});
    State Body = S;
    Body.Reachable = false; // only the case labels enter the body
    stmt(Sw->getBody(), Body);
    LoopFrame Frame = std::move(Loops.back());
    Loops.pop_back();
    SwitchFrame SwF = std::move(Switches.back());
    Switches.pop_back();
    State Out = Body;
    for (const State &B : Frame.Breaks)
      Out = Derived::meet(Out, B);
    if (!HasDefault)
      Out = Derived::meet(Out, SwF.Entry);
    // continue inside a switch belongs to the enclosing loop.
    if (!Loops.empty())
      for (State &C : Frame.Continues)
        Loops.back().Continues.push_back(std::move(C));
    S = Out;
    popScope(S);
  }

  unsigned &Nesting;
  std::vector<llvm::SmallVector<const VarDecl *, 2>> Scopes;
  std::vector<LoopFrame> Loops;
  std::vector<SwitchFrame> Switches;
  llvm::DenseMap<const LabelDecl *, std::vector<State>> Gotos;
  /// What each guard variable would lock (for defer_lock and lk.lock()).
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<Mutex, 2>> GuardMutexes;
  // The guard construction being walked as a variable's initializer, its
  // variable and its site.
  const CXXConstructExpr *PendingGuardInit = nullptr;
  const VarDecl *PendingGuardVar = nullptr;
  SourceLocation PendingGuardSite;
};

} // namespace clang::tidy::goro::utils

#endif // GORO_CHECKERS_UTILS_HELDLOCKWALKER_H
