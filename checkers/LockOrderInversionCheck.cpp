//===--- LockOrderInversionCheck.cpp - goro-lock-order-inversion ----------===//
//
// How the analysis works (the doc page says what it means for users):
//
// - Each function body (and each lambda body) of the TU outside system
//   headers is walked once, statement by statement in evaluation order, with a
//   State: the mutexes held, each with its acquisition site and its owner (a
//   guard variable, or none for lock()/std::lock). The walk
//   (utils/HeldLockWalker.h, shared with goro-blocking-under-lock) is
//   path-insensitive but scope-accurate: a guard's mutex is released where
//   the guard's scope ends; at a join (if/else, loops, switch, &&, ?:,
//   try/catch) the state is the intersection of the incoming reachable states,
//   and return/throw/break/continue/goto make the rest of a branch
//   unreachable. An intersection can only forget a held mutex, so a branch
//   that unlocks on one path never produces an edge (no false edges).
// - Acquiring B while holding A records an edge A -> B at B's acquisition.
//   Mutexes acquired together (std::lock, std::scoped_lock with several) get
//   no edges among themselves. try_lock and friends acquire nothing.
// - A call of a function defined in the TU applies that function's Summary:
//   every mutex it acquires (transitively, at most MaxViaDepth calls deep)
//   gives an edge from each held mutex, with the call chain; the mutexes it
//   leaves locked or unlocks change the caller's state. Summaries are built
//   on demand, once per function, and cached; a recursive call sees the
//   summary as far as it is built (recursion guard), and the walk does not
//   descend more than MaxAnalysisDepth functions at a time.
// - A mutex is identified by its declaration (MutexRef::Id): Class::field
//   for a member of any object, the qualified name for globals and statics,
//   function::name@TU for locals. Two different objects' instances of one
//   member give a self-edge only in the transfer(a, b) shape (both objects
//   are `this` or parameters and are named differently), and not under an if
//   whose condition orders them (a < b).
// - At the end of the TU, the edges' cycles (LockOrderFacts' findCycles) are
//   reported, and the facts are written if FactsFile asks.
//
//===----------------------------------------------------------------------===//

#include "LockOrderInversionCheck.h"
#include "utils/HeldLockWalker.h"
#include "utils/LockGuards.h"
#include "utils/LockOrderFacts.h"

#include "utils/OptionsUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ASTLambda.h"
#include "clang/AST/ExprConcepts.h"
#include "clang/AST/Mangle.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Timer.h"
#include <memory>
#include <optional>
#include <set>

using namespace clang::ast_matchers;
namespace lo = goro::lockorder;

namespace clang::tidy::goro {

namespace {

/// Longest call chain reported for one acquisition (through calls).
constexpr size_t MaxViaDepth = 8;
/// Most function bodies being walked at once (nested on-demand summaries).
constexpr unsigned MaxAnalysisDepth = 32;
/// Most statements being visited at once by the FunctionCollector (the
/// walk's own stack guard: utils::MaxWalkNesting).
constexpr unsigned MaxNesting = utils::MaxWalkNesting;

/// A mutex named by an expression.
struct MutexRef {
  /// Stable identity (see LockOrderFacts.h): "Account::mu_", "g_mu",
  /// "(anonymous namespace)::mu@a.cpp", "f(int)::mu@a.cpp".
  std::string Id;
  /// For members: which object, as an access path within the current
  /// function ("this", "p#1" for parameter 1, "v#<decl>" for other
  /// variables, then ".field"...); empty when unknown or not a member.
  std::string Key;
  bool Member = false;
  lo::Mode M = lo::Mode::Exclusive;
};

/// A held mutex in a State: where this function acquired it and its owner
/// (a guard variable, or none for lock()/std::lock).
using HeldLock = utils::HeldLock<MutexRef>;

/// The walk's state at one program point.
struct State {
  bool Reachable = true;
  llvm::SmallVector<HeldLock, 4> Held;
};

struct CallHop {
  const FunctionDecl *Callee;
  SourceLocation At;
};

/// An acquisition inside a function: at Site, after the calls Via.
struct Acquired {
  MutexRef M;
  SourceLocation Site;
  std::vector<CallHop> Via;
  /// Caller's mutexes the function had unlocked before this acquisition
  /// (the "drop the lock, call out, lock again" helper): no edges from them.
  std::vector<MutexRef> ReleasedBefore;
};

/// A call leaving the TU (the callee has no body here).
struct ExternalCall {
  const FunctionDecl *Callee;
  SourceLocation Site;
  std::vector<CallHop> Via;
};

/// What a caller needs to know about a function.
struct Summary {
  std::vector<Acquired> Acquisitions;   ///< everything it acquires, one per mutex+object
  std::vector<Acquired> HeldAtExit;     ///< acquired, not released when it returns
  std::vector<MutexRef> ReleasedAtExit; ///< unlocked without having been locked in it
  std::vector<ExternalCall> ExternalCalls;
};

/// An edge found by the walk.
struct FoundEdge {
  MutexRef From, To;
  const FunctionDecl *Function;
  SourceLocation FirstSite; ///< where Function acquired From
  SourceLocation AcqSite;   ///< where To is acquired (in the last callee of Via)
  std::vector<CallHop> Via;

  SourceLocation reportSite() const { return Via.empty() ? AcqSite : Via.front().At; }
};

/// A call fact (see lo::Call), before conversion.
struct FoundCall {
  const FunctionDecl *Function;
  ExternalCall Call;
  llvm::SmallVector<HeldLock, 4> Held;
};

/// True if \p E is an object or part of one: `this`, a variable of class
/// (or pointer to class) type, and addresses, dereferences and members of
/// those (`&a`, `*p`, `a.id`, `p->id`).
bool objectRooted(const Expr *E, unsigned Depth = 0) {
  if (E == nullptr || Depth > 8)
    return false;
  E = E->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(E))
    return true;
  if (const auto *U = dyn_cast<UnaryOperator>(E))
    return (U->getOpcode() == UO_AddrOf || U->getOpcode() == UO_Deref) &&
           objectRooted(U->getSubExpr(), Depth + 1);
  if (const auto *M = dyn_cast<MemberExpr>(E))
    return objectRooted(M->getBase(), Depth + 1);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) // a.id()
    return objectRooted(Call->getImplicitObjectArgument(), Depth + 1);
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    QualType T = Ref->getType().getNonReferenceType();
    if (T->isPointerType())
      T = T->getPointeeType();
    return isa<VarDecl>(Ref->getDecl()) && T->isRecordType();
  }
  return false;
}

/// True if \p E (a condition or an initializer) orders two objects: a
/// relational or three-way comparison of two objects (`&a < &b`,
/// `a.id < b.id`), std::min/max/minmax, std::less/greater. Used to recognise
/// address- or id-ordered locking; `if (a.balance > n)` orders nothing.
bool ordersObjects(const Stmt *S, unsigned Depth = 0) {
  if (S == nullptr || Depth > 16)
    return false;
  if (const auto *B = dyn_cast<BinaryOperator>(S);
      B != nullptr && (B->isRelationalOp() || B->getOpcode() == BO_Cmp) &&
      objectRooted(B->getLHS()) && objectRooted(B->getRHS()))
    return true;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S); Op != nullptr && Op->getNumArgs() == 2) {
    switch (Op->getOperator()) {
    case OO_Less:
    case OO_Greater:
    case OO_LessEqual:
    case OO_GreaterEqual:
    case OO_Spaceship:
      if (objectRooted(Op->getArg(0)) && objectRooted(Op->getArg(1)))
        return true;
      break;
    default:
      break;
    }
  }
  if (const auto *Call = dyn_cast<CallExpr>(S))
    if (const FunctionDecl *FD = Call->getDirectCallee(); FD != nullptr && FD->getIdentifier())
      if (FD->isInStdNamespace() &&
          llvm::is_contained(std::initializer_list<StringRef>{"min", "max", "minmax"},
                             FD->getName()))
        return true;
  if (const auto *Ctor = dyn_cast<CXXConstructExpr>(S))
    if (const CXXRecordDecl *RD = Ctor->getConstructor()->getParent();
        RD && RD->isInStdNamespace() && RD->getIdentifier() &&
        (RD->getName() == "less" || RD->getName() == "greater"))
      return true;
  if (isa<LambdaExpr>(S))
    return false;
  for (const Stmt *Child : S->children())
    if (ordersObjects(Child, Depth + 1))
      return true;
  return false;
}

/// The whole-TU analysis: summaries, edges, calls.
class Analysis {
public:
  Analysis(ASTContext &Ctx, const std::vector<std::string> &MutexTypes, std::string TU)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), MutexTypes(MutexTypes), TU(std::move(TU)),
        Policy(Ctx.getPrintingPolicy()), Mutexes(MutexTypes) {
    Policy.SuppressInlineNamespace = true;
    Policy.AnonymousTagLocations = false;
    Policy.SuppressUnwrittenScope = false;
  }

  /// Walks \p FD (once) and returns its summary; null when it cannot be
  /// analysed now (too deep, or no body).
  const Summary *summary(const FunctionDecl *FD);

  /// Walks every function not walked yet, including lambdas found on the way.
  void analyzeAll(llvm::ArrayRef<const FunctionDecl *> Roots) {
    for (const FunctionDecl *FD : Roots)
      summary(FD);
    while (!PendingLambdas.empty()) {
      const FunctionDecl *FD = PendingLambdas.back();
      PendingLambdas.pop_back();
      summary(FD);
    }
  }

  bool isMutexType(QualType T);
  bool isMutexClass(const CXXRecordDecl *RD);
  std::optional<MutexRef> identify(const Expr *E, const FunctionDecl *Fn, unsigned Depth = 0);
  std::string instanceKey(const Expr *E, const FunctionDecl *Fn, unsigned Depth = 0);

  std::string functionName(const FunctionDecl *FD);      ///< for notes: "Bank::audit"
  std::string functionSignature(const FunctionDecl *FD); ///< for ids: "Bank::audit(int)"
  std::string functionKey(const FunctionDecl *FD);       ///< mangled; "" for internal linkage
  bool analyzable(const FunctionDecl *Def) const;

  ASTContext &Ctx;
  const SourceManager &SM;
  const std::vector<std::string> &MutexTypes;
  const std::string TU;
  PrintingPolicy Policy;

  std::vector<FoundEdge> Edges;
  std::vector<FoundCall> Calls;
  /// Functions walked, in the order they were finished (deterministic).
  std::vector<const FunctionDecl *> Walked;
  std::vector<const FunctionDecl *> PendingLambdas;

private:
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<Summary>> Summaries;
  utils::MutexClasses Mutexes;
  llvm::DenseMap<const FunctionDecl *, std::string> SignatureCache;
  std::unique_ptr<ASTNameGenerator> Mangler;
  unsigned Depth = 0;

public:
  unsigned Nesting = 0; ///< statements being walked, over all nested walks
};

/// Walks one function body (utils/HeldLockWalker.h) and builds its summary.
/// See the file comment.
class Walker : public utils::HeldLockWalker<Walker, State, MutexRef> {
public:
  Walker(Analysis &A, const FunctionDecl *Fn, Summary &Sum)
      : HeldLockWalker(A.Ctx, A.Nesting), A(A), Fn(Fn), Sum(Sum) {}

  void run() {
    State S;
    pushScope();
    // Constructors: member initializers run before the body.
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Fn))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->isWritten())
          stmt(Init->getInit(), S);
    stmt(Fn->getBody(), S);
    popScope(S);
    if (S.Reachable)
      ExitStates.push_back(S);
    finishSummary();
  }

private:
  friend HeldLockWalker;
  static constexpr bool TracksGuardAssignment = true;

  Analysis &A;
  const FunctionDecl *Fn;
  Summary &Sum;
  std::vector<State> ExitStates;
  std::vector<MutexRef> Released; ///< unlocked without a matching lock here
  unsigned Ordered = 0;           ///< inside an if whose condition orders objects
  std::vector<bool> IfOrders;     ///< per enclosing if: whether its condition orders

  // --- State helpers ------------------------------------------------------

  static bool sameHeld(const HeldLock &X, const HeldLock &Y) {
    return X.M.Id == Y.M.Id && X.M.Key == Y.M.Key && X.Guard == Y.Guard;
  }

  /// The intersection of two states (what is held on both paths).
  static State meet(const State &X, const State &Y) {
    if (!X.Reachable)
      return Y;
    if (!Y.Reachable)
      return X;
    State R;
    for (const HeldLock &H : X.Held)
      if (llvm::any_of(Y.Held, [&](const HeldLock &O) { return sameHeld(H, O); }))
        R.Held.push_back(H);
    return R;
  }

  SourceLocation loc(SourceLocation L) const { return A.SM.getExpansionLoc(L); }

  // --- What the shared walk asks ------------------------------------------

  bool isMutexType(QualType T) { return A.isMutexType(T); }
  bool isMutexClass(const CXXRecordDecl *RD) { return A.isMutexClass(RD); }

  std::optional<MutexRef> mutexOf(const Expr *E, bool Shared) {
    std::optional<MutexRef> M = A.identify(E, Fn);
    if (M)
      M->M = Shared ? lo::Mode::Shared : lo::Mode::Exclusive;
    return M;
  }

  void onLambda(const LambdaExpr *L, State &) {
    // The body runs when the lambda is called (a direct call is followed as
    // a call of its operator()), not here.
    if (const CXXMethodDecl *Op = L->getCallOperator(); Op && Op->hasBody())
      A.PendingLambdas.push_back(Op);
  }

  void onConstruct(const CXXConstructExpr *CE, State &S) {
    if (const CXXConstructorDecl *Ctor = CE->getConstructor())
      userCall(Ctor, CE, /*ObjectKey=*/"", {CE->getArgs(), CE->getNumArgs()}, S);
  }

  void onReturn(State &S) {
    if (S.Reachable)
      ExitStates.push_back(S);
  }

  void enterIf(const IfStmt *If) {
    IfOrders.push_back(ordersObjects(If->getCond()));
    Ordered += IfOrders.back();
  }
  void leaveIf(const IfStmt *) {
    Ordered -= IfOrders.back();
    IfOrders.pop_back();
  }

  void rangeFor(const CXXForRangeStmt *F, State &S) {
    stmt(F->getBeginStmt(), S);
    stmt(F->getEndStmt(), S);
  }

  /// adopt_lock: the mutexes are held already (lock() or std::lock); the
  /// guard now releases them, a temporary guard at once.
  void adopt(State &S, llvm::ArrayRef<MutexRef> Ms, SourceLocation, const VarDecl *Owner) {
    for (const MutexRef &M : Ms)
      for (size_t I = S.Held.size(); I-- > 0;)
        if (S.Held[I].M.Id == M.Id && S.Held[I].M.Key == M.Key && S.Held[I].Guard == nullptr) {
          if (Owner != nullptr)
            S.Held[I].Guard = Owner;
          else
            S.Held.erase(S.Held.begin() + I);
          break;
        }
  }

  // --- Acquire / release --------------------------------------------------

  /// A self-edge (one member, two objects) counts only in the transfer(a, b)
  /// shape: both objects are `this` or parameters, named differently, and no
  /// enclosing condition orders them.
  bool peer(const std::string &Key) const {
    return StringRef(Key).starts_with("this") || StringRef(Key).starts_with("p#");
  }

  void addEdge(const HeldLock &H, const MutexRef &To, SourceLocation AcqSite,
               std::vector<CallHop> Via) {
    if (H.M.Id == To.Id) {
      if (!H.M.Member || !To.Member || H.M.Key.empty() || To.Key.empty() || H.M.Key == To.Key ||
          !peer(H.M.Key) || !peer(To.Key) || Ordered > 0)
        return;
    }
    A.Edges.push_back({H.M, To, Fn, H.Site, AcqSite, std::move(Via)});
  }

  void noteAcquired(const MutexRef &M, SourceLocation Site, std::vector<CallHop> Via,
                    std::vector<MutexRef> ReleasedBefore = {}) {
    for (const Acquired &X : Sum.Acquisitions)
      if (X.M.Id == M.Id && X.M.Key == M.Key)
        return;
    ReleasedBefore.insert(ReleasedBefore.end(), Released.begin(), Released.end());
    Sum.Acquisitions.push_back({M, Site, std::move(Via), std::move(ReleasedBefore)});
  }

  static bool releasedBefore(const HeldLock &H, llvm::ArrayRef<MutexRef> Released) {
    return llvm::any_of(Released, [&](const MutexRef &R) {
      return R.Id == H.M.Id && (R.Key.empty() || H.M.Key.empty() || R.Key == H.M.Key);
    });
  }

  /// Acquires \p Ms together at \p Site: edges from everything held (none
  /// among \p Ms), then holds them (owned by \p Owner) if \p Keep.
  void acquire(State &S, llvm::ArrayRef<MutexRef> Ms, SourceLocation Site, const VarDecl *Owner,
               bool Keep) {
    if (!S.Reachable)
      return;
    Site = loc(Site);
    for (const MutexRef &M : Ms) {
      for (const HeldLock &H : S.Held)
        addEdge(H, M, Site, {});
      noteAcquired(M, Site, {});
    }
    if (Keep)
      for (const MutexRef &M : Ms)
        S.Held.push_back({M, Site, Owner});
  }

  /// unlock() of \p M: releases the latest matching hold (the same object if
  /// known, else the latest of that mutex).
  void release(State &S, const MutexRef &M) {
    auto Match = [&](bool ExactKey) {
      for (size_t I = S.Held.size(); I-- > 0;)
        if (S.Held[I].M.Id == M.Id && (!ExactKey || S.Held[I].M.Key == M.Key))
          return static_cast<int>(I);
      return -1;
    };
    int I = Match(true);
    if (I < 0)
      I = Match(false);
    if (I >= 0) {
      S.Held.erase(S.Held.begin() + I);
      return;
    }
    if (S.Reachable &&
        !llvm::any_of(Released, [&](const MutexRef &R) { return R.Id == M.Id && R.Key == M.Key; }))
      Released.push_back(M);
  }

  // --- Calls --------------------------------------------------------------

  void call(const CallExpr *Call, State &S) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (FD == nullptr || lockCall(Call, S))
      return;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      const Expr *Object = MC->getImplicitObjectArgument();
      if (MD != nullptr && Object != nullptr)
        userCall(MD, Call, A.instanceKey(Object, Fn), {Call->getArgs(), Call->getNumArgs()}, S);
    } else if (FD->isInStdNamespace() && FD->getIdentifier() && FD->getName() == "try_lock") {
      // std::try_lock acquires nothing for sure (std::lock is a lockCall).
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
               Op && isa<CXXMethodDecl>(FD) && Op->getNumArgs() >= 1) {
      // a(...) / a + b with a member operator: argument 0 is the object.
      std::string Key = isLambdaCallOperator(FD) ? "this" : A.instanceKey(Op->getArg(0), Fn);
      userCall(FD, Call, Key, {Op->getArgs() + 1, Op->getNumArgs() - 1}, S);
    } else {
      userCall(FD, Call, "", {Call->getArgs(), Call->getNumArgs()}, S);
    }
    if (FD->isNoReturn())
      S.Reachable = false;
  }

  /// Maps a key of the callee's frame to the caller's.
  static std::string mapKey(StringRef Key, StringRef ObjectKey,
                            llvm::ArrayRef<std::string> ArgKeys) {
    auto Join = [](StringRef Base, StringRef Rest) {
      return Base.empty() ? std::string() : (Base + Rest).str();
    };
    if (Key.consume_front("this"))
      return Join(ObjectKey, Key);
    if (Key.consume_front("p#")) {
      size_t End = Key.find('.');
      unsigned Index = 0;
      if (Key.substr(0, End).getAsInteger(10, Index) || Index >= ArgKeys.size())
        return {};
      return Join(ArgKeys[Index], End == StringRef::npos ? StringRef() : Key.substr(End));
    }
    return {};
  }

  void userCall(const FunctionDecl *FD, const Expr *CallE, StringRef ObjectKey,
                llvm::ArrayRef<const Expr *> Args, State &S) {
    if (!S.Reachable)
      return;
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD); MD && MD->isVirtual()) {
      // The body that runs is known only when the call cannot dispatch.
      const auto *ME =
          isa<CXXMemberCallExpr>(CallE)
              ? dyn_cast<MemberExpr>(cast<CXXMemberCallExpr>(CallE)->getCallee()->IgnoreParens())
              : nullptr;
      bool Devirtualized = MD->hasAttr<FinalAttr>() || MD->getParent()->hasAttr<FinalAttr>() ||
                           (ME != nullptr && ME->hasQualifier());
      if (!Devirtualized)
        return;
    }
    const FunctionDecl *Def = nullptr;
    if (!FD->hasBody(Def) || Def == nullptr) {
      if (!A.SM.isInSystemHeader(FD->getLocation()) && !FD->isImplicit() &&
          !FD->isDependentContext())
        externalCall(FD, CallE->getBeginLoc(), S);
      return;
    }
    if (!A.analyzable(Def))
      return;
    const Summary *Callee = A.summary(Def);
    if (Callee == nullptr)
      return;
    SourceLocation At = loc(CallE->getBeginLoc());
    std::vector<std::string> ArgKeys;
    ArgKeys.reserve(Args.size());
    for (const Expr *Arg : Args)
      ArgKeys.push_back(A.instanceKey(Arg, Fn));
    auto Map = [&](MutexRef M) {
      M.Key = M.Member ? mapKey(M.Key, ObjectKey, ArgKeys) : std::string();
      return M;
    };
    auto Chain = [&](const std::vector<CallHop> &Inner) {
      std::vector<CallHop> Via{{Def, At}};
      Via.insert(Via.end(), Inner.begin(), Inner.end());
      return Via;
    };
    // Copies: in a recursion the callee's summary is the one being built
    // (for direct recursion, Sum itself), which the loops below append to.
    std::vector<Acquired> Acqs = Callee->Acquisitions;
    std::vector<Acquired> Kept = Callee->HeldAtExit;
    std::vector<MutexRef> Freed = Callee->ReleasedAtExit;
    std::vector<ExternalCall> Ext = Callee->ExternalCalls;
    for (const Acquired &X : Acqs) {
      if (X.Via.size() + 1 > MaxViaDepth)
        continue;
      MutexRef M = Map(X.M);
      std::vector<MutexRef> ReleasedBefore;
      ReleasedBefore.reserve(X.ReleasedBefore.size());
      for (const MutexRef &R : X.ReleasedBefore)
        ReleasedBefore.push_back(Map(R));
      for (const HeldLock &H : S.Held)
        if (!releasedBefore(H, ReleasedBefore))
          addEdge(H, M, X.Site, Chain(X.Via));
      noteAcquired(M, X.Site, Chain(X.Via), std::move(ReleasedBefore));
    }
    for (const ExternalCall &X : Ext) {
      if (X.Via.size() + 1 > MaxViaDepth)
        continue;
      recordExternal({X.Callee, X.Site, Chain(X.Via)}, S);
    }
    for (const MutexRef &M : Freed)
      release(S, Map(M));
    for (const Acquired &X : Kept)
      S.Held.push_back({Map(X.M), At, nullptr});
  }

  void externalCall(const FunctionDecl *FD, SourceLocation At, State &S) {
    recordExternal({FD->getCanonicalDecl(), loc(At), {}}, S);
  }

  void recordExternal(ExternalCall X, State &S) {
    if (!S.Held.empty() || Fn->isExternallyVisible())
      A.Calls.push_back({Fn, X, S.Held});
    for (const ExternalCall &Y : Sum.ExternalCalls)
      if (Y.Callee == X.Callee)
        return;
    Sum.ExternalCalls.push_back(std::move(X));
  }

  void finishSummary() {
    State Exit;
    Exit.Reachable = false;
    for (const State &E : ExitStates)
      Exit = meet(Exit, E);
    if (Exit.Reachable)
      for (const HeldLock &H : Exit.Held) {
        // Only what outlives the call: not a guard's, not a local mutex.
        if (H.Guard != nullptr || (StringRef(H.M.Id).contains('@') && !H.M.Member &&
                                   StringRef(H.M.Id).starts_with(A.functionSignature(Fn))))
          continue;
        auto It = llvm::find_if(Sum.Acquisitions, [&](const Acquired &X) {
          return X.M.Id == H.M.Id && X.M.Key == H.M.Key;
        });
        Sum.HeldAtExit.push_back({H.M,
                                  It != Sum.Acquisitions.end() ? It->Site : H.Site,
                                  It != Sum.Acquisitions.end() ? It->Via : std::vector<CallHop>(),
                                  {}});
      }
    Sum.ReleasedAtExit = Released;
  }
};

} // namespace

//===--- Analysis ---------------------------------------------------------===//

bool Analysis::analyzable(const FunctionDecl *Def) const {
  return Def->getBody() != nullptr && !Def->isDependentContext() && !Def->isInvalidDecl() &&
         !SM.isInSystemHeader(Def->getLocation());
}

const Summary *Analysis::summary(const FunctionDecl *FD) {
  if (FD == nullptr || !analyzable(FD))
    return nullptr;
  auto [It, Inserted] = Summaries.try_emplace(FD, nullptr);
  if (!Inserted)
    return It->second.get(); // done, or being built (recursion): as far as known
  if (Depth >= MaxAnalysisDepth) {
    Summaries.erase(FD); // walk it later, from a shallower point
    return nullptr;
  }
  It->second = std::make_unique<Summary>();
  Summary *Sum = It->second.get();
  ++Depth;
  Walker(*this, FD, *Sum).run();
  --Depth;
  Walked.push_back(FD);
  return Sum;
}

bool Analysis::isMutexClass(const CXXRecordDecl *RD) { return Mutexes.isMutexClass(RD); }

bool Analysis::isMutexType(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return isMutexClass(T->getAsCXXRecordDecl());
}

std::string Analysis::functionName(const FunctionDecl *FD) {
  if (isLambdaCallOperator(FD)) {
    const DeclContext *Outer = cast<CXXMethodDecl>(FD)->getParent()->getParent();
    while (Outer && !isa<FunctionDecl>(Outer))
      Outer = Outer->getParent();
    if (const auto *OuterFn = dyn_cast_or_null<FunctionDecl>(Outer))
      return "(lambda in " + functionName(OuterFn) + ")";
    return "(lambda)";
  }
  std::string Name;
  llvm::raw_string_ostream OS(Name);
  FD->printQualifiedName(OS, Policy);
  return OS.str();
}

std::string Analysis::functionSignature(const FunctionDecl *FD) {
  auto [It, Inserted] = SignatureCache.try_emplace(FD);
  if (!Inserted)
    return It->second;
  std::string Sig;
  if (isLambdaCallOperator(FD)) {
    const DeclContext *Outer = cast<CXXMethodDecl>(FD)->getParent()->getParent();
    while (Outer && !isa<FunctionDecl>(Outer))
      Outer = Outer->getParent();
    PresumedLoc P = SM.getPresumedLoc(SM.getExpansionLoc(FD->getBeginLoc()));
    if (const auto *OuterFn = dyn_cast_or_null<FunctionDecl>(Outer))
      Sig = functionSignature(OuterFn) + "::";
    Sig += "(lambda";
    if (P.isValid())
      Sig += " at " + std::to_string(P.getLine()) + ":" + std::to_string(P.getColumn());
    Sig += ")";
  } else {
    Sig = functionName(FD) + "(";
    for (unsigned I = 0; I < FD->getNumParams(); ++I) {
      if (I > 0)
        Sig += ", ";
      Sig += FD->getParamDecl(I)->getType().getAsString(Policy);
    }
    Sig += ")";
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD); MD && MD->isConst())
      Sig += " const";
  }
  SignatureCache[FD] = Sig;
  return Sig;
}

std::string Analysis::functionKey(const FunctionDecl *FD) {
  if (!FD->isExternallyVisible() || isLambdaCallOperator(FD))
    return {};
  if (!Mangler)
    Mangler = std::make_unique<ASTNameGenerator>(Ctx);
  std::string Name = Mangler->getName(FD);
  return Name.empty() ? functionSignature(FD) : Name;
}

std::optional<MutexRef> Analysis::identify(const Expr *E, const FunctionDecl *Fn, unsigned Depth) {
  if (E == nullptr || Depth > 8)
    return std::nullopt;
  E = E->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(E);
      U && (U->getOpcode() == UO_Deref || U->getOpcode() == UO_AddrOf))
    return identify(U->getSubExpr(), Fn, Depth + 1);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && (Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow) &&
      Op->getNumArgs() == 1)
    return identify(Op->getArg(0), Fn, Depth + 1); // smart pointer
  auto Qualified = [&](const NamedDecl *D) {
    std::string Name;
    llvm::raw_string_ostream OS(Name);
    D->printQualifiedName(OS, Policy);
    return OS.str();
  };
  auto ForVar = [&](const VarDecl *V) -> std::optional<MutexRef> {
    MutexRef M;
    if (V->isStaticLocal() || V->hasLocalStorage()) {
      const DeclContext *DC = V->getDeclContext();
      while (DC && !isa<FunctionDecl>(DC))
        DC = DC->getParent();
      const auto *Owner = dyn_cast_or_null<FunctionDecl>(DC);
      if (Owner == nullptr)
        return std::nullopt;
      M.Id = functionSignature(Owner) + "::" + V->getNameAsString();
      // An automatic variable is per call; a static one is shared by every TU
      // only if its function is.
      if (V->hasLocalStorage() || !Owner->isExternallyVisible())
        M.Id += "@" + TU;
    } else {
      M.Id = Qualified(V);
      if (!V->isExternallyVisible())
        M.Id += "@" + TU;
    }
    return M;
  };
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
    if (V == nullptr || isa<ParmVarDecl>(V))
      return std::nullopt; // which object a parameter names is not known here
    if (V->hasLocalStorage() &&
        (V->getType()->isReferenceType() || V->getType()->isPointerType())) {
      // A local reference (or const pointer) to a known mutex: follow it.
      if (V->getInit() && (V->getType()->isReferenceType() || V->getType().isConstQualified()))
        return identify(V->getInit(), Fn, Depth + 1);
      return std::nullopt;
    }
    return ForVar(V);
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (const auto *V = dyn_cast<VarDecl>(ME->getMemberDecl()))
      return ForVar(V); // static data member
    const auto *F = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (F == nullptr)
      return std::nullopt;
    MutexRef M;
    M.Id = Qualified(F);
    if (const auto *RD = dyn_cast<CXXRecordDecl>(F->getParent()); RD && !RD->isExternallyVisible())
      M.Id += "@" + TU;
    M.Member = true;
    M.Key = instanceKey(ME->getBase(), Fn);
    return M;
  }
  return std::nullopt;
}

std::string Analysis::instanceKey(const Expr *E, const FunctionDecl *Fn, unsigned Depth) {
  if (E == nullptr || Depth > 8)
    return {};
  E = E->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(E))
    return "this";
  if (const auto *U = dyn_cast<UnaryOperator>(E);
      U && (U->getOpcode() == UO_Deref || U->getOpcode() == UO_AddrOf))
    return instanceKey(U->getSubExpr(), Fn, Depth + 1);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && (Op->getOperator() == OO_Star || Op->getOperator() == OO_Arrow) &&
      Op->getNumArgs() == 1)
    return instanceKey(Op->getArg(0), Fn, Depth + 1);
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
    if (V == nullptr)
      return {};
    if (const auto *P = dyn_cast<ParmVarDecl>(V); P && P->getDeclContext() == Fn)
      return "p#" + std::to_string(P->getFunctionScopeIndex());
    // A local chosen by comparing objects (first = a < b ? a : b) is ordered.
    if (V->hasLocalStorage() && V->getInit() && ordersObjects(V->getInit()))
      return {};
    return "v#" + std::to_string(reinterpret_cast<uintptr_t>(V));
  }
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    std::string Base = instanceKey(ME->getBase(), Fn, Depth + 1);
    if (Base.empty() || !ME->getMemberDecl()->getIdentifier())
      return {};
    return Base + "." + ME->getMemberDecl()->getName().str();
  }
  return {};
}

//===--- The check --------------------------------------------------------===//

LockOrderInversionCheck::LockOrderInversionCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), TidyContext(Context),
      MutexTypesOption(Options.get("MutexTypes", utils::DefaultMutexTypes).str()),
      FactsFile(Options.get("FactsFile", "").str()) {
  for (StringRef T : ::clang::tidy::utils::options::parseStringList(MutexTypesOption)) {
    T = T.trim();
    T.consume_front("::");
    if (!T.empty())
      MutexTypes.push_back(T.str());
  }
}

void LockOrderInversionCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "MutexTypes", MutexTypesOption);
  Options.store(Opts, "FactsFile", FactsFile);
}

void LockOrderInversionCheck::registerMatchers(MatchFinder *Finder) {
  // The functions are collected at the end of the TU by a traversal that
  // skips system headers wholesale (much cheaper than matching every
  // FunctionDecl). The matchers only hand over the ASTContext: the TU when the
  // whole TU is traversed (clang-tidy), or a function of the main file when
  // the traversal scope is narrowed to the main file's declarations (clangd).
  Finder->addMatcher(translationUnitDecl().bind("tu"), this);
  Finder->addMatcher(functionDecl(isDefinition(), isExpansionInMainFile()).bind("fn"), this);
}

void LockOrderInversionCheck::check(const MatchFinder::MatchResult &Result) {
  Context = Result.Context;
}

namespace {
/// Collects the function definitions to walk: everything outside system
/// headers, template instantiations included, in declaration order.
class FunctionCollector : public RecursiveASTVisitor<FunctionCollector> {
public:
  FunctionCollector(const SourceManager &SM, std::vector<const FunctionDecl *> &Out)
      : SM(SM), Out(Out) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }

  bool TraverseDecl(Decl *D) {
    if (D == nullptr)
      return true;
    if (!isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        SM.isInSystemHeader(D->getLocation()))
      return true; // namespace std and friends: not a single function to walk
    return RecursiveASTVisitor::TraverseDecl(D);
  }

  // Only local classes and lambdas hide function definitions in statements
  // (bodies, initializers); the analysis walks the statements themselves.
  bool TraverseStmt(Stmt *S) {
    if (S == nullptr || Nesting > MaxNesting)
      return true;
    ++Nesting;
    collectIn(S);
    --Nesting;
    return true;
  }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (FD->doesThisDeclarationHaveABody() && !FD->isDependentContext())
      Out.push_back(FD);
    return true;
  }

private:
  void collectIn(Stmt *S) {
    if (const auto *L = dyn_cast<LambdaExpr>(S))
      if (const CXXMethodDecl *Op = L->getCallOperator();
          Op && Op->doesThisDeclarationHaveABody() && !Op->isDependentContext())
        Out.push_back(Op);
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (Decl *D : DS->decls())
        if (isa<TagDecl>(D))
          TraverseDecl(D);
      return;
    }
    for (Stmt *Child : S->children())
      TraverseStmt(Child);
  }

  const SourceManager &SM;
  unsigned Nesting = 0;
  std::vector<const FunctionDecl *> &Out;
};
} // namespace

namespace {
/// Converts locations and writes diagnostics and facts.
class Reporter {
public:
  Reporter(Analysis &A) : A(A), SM(A.SM) {}

  lo::Site site(SourceLocation L) const {
    lo::Site S;
    PresumedLoc P = SM.getPresumedLoc(SM.getExpansionLoc(L));
    if (P.isInvalid())
      return S;
    S.File = P.getFilename();
    S.Line = P.getLine();
    S.Col = P.getColumn();
    return S;
  }

  std::vector<lo::Hop> via(const std::vector<CallHop> &Via) {
    std::vector<lo::Hop> R;
    R.reserve(Via.size());
    for (const CallHop &H : Via)
      R.push_back({A.functionSignature(H.Callee), site(H.At)});
    return R;
  }

  lo::Facts facts() {
    lo::Facts F;
    F.TU = A.TU;
    for (const FoundEdge &E : A.Edges)
      F.Edges.push_back({E.From.Id, E.To.Id, E.To.M, A.functionSignature(E.Function),
                         site(E.FirstSite), site(E.AcqSite), via(E.Via), A.TU});
    for (const FoundCall &C : A.Calls) {
      lo::Call Out;
      Out.Function = A.functionSignature(C.Function);
      Out.FunctionKey = A.functionKey(C.Function);
      Out.Callee = A.functionSignature(C.Call.Callee);
      Out.CalleeKey = A.functionKey(C.Call.Callee);
      Out.At = site(C.Call.Site);
      Out.Via = via(C.Call.Via);
      for (const HeldLock &H : C.Held)
        Out.Held.push_back({H.M.Id, site(H.Site)});
      Out.TU = A.TU;
      F.Calls.push_back(std::move(Out));
    }
    for (const FunctionDecl *FD : A.Walked) {
      if (!FD->isExternallyVisible() || isLambdaCallOperator(FD))
        continue;
      const Summary *Sum = A.summary(FD);
      if (Sum == nullptr)
        continue;
      for (const Acquired &X : Sum->Acquisitions)
        F.Acquisitions.push_back({A.functionSignature(FD), A.functionKey(FD), X.M.Id, X.M.M,
                                  site(X.Site), via(X.Via), A.TU});
    }
    lo::canonicalize(F);
    return F;
  }

private:
  Analysis &A;
  const SourceManager &SM;
};
} // namespace

void LockOrderInversionCheck::onEndOfTranslationUnit() {
  if (Context == nullptr)
    return;
  const SourceManager &SM = Context->getSourceManager();
  std::string TU;
  if (OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID()))
    TU = Main->getName().str();

  // The work happens here, outside the matcher callbacks that
  // --enable-check-profile times: with profiling on, report it separately.
  llvm::TimeRecord Start;
  if (TidyContext->getEnableProfiling())
    Start = llvm::TimeRecord::getCurrentTime(/*Start=*/true);
  Functions.clear();
  FunctionCollector Collector(SM, Functions);
  for (Decl *D : Context->getTraversalScope())
    Collector.TraverseDecl(D);
  Analysis A(*Context, MutexTypes, TU);
  A.analyzeAll(Functions);

  // The edges in site order: the closing edge of a cycle is its latest.
  std::vector<const FoundEdge *> Order;
  Order.reserve(A.Edges.size());
  for (const FoundEdge &E : A.Edges)
    Order.push_back(&E);
  auto Before = [&](SourceLocation X, SourceLocation Y) {
    if (X == Y)
      return false;
    return SM.isBeforeInTranslationUnit(X, Y);
  };
  llvm::sort(Order, [&](const FoundEdge *X, const FoundEdge *Y) {
    if (X->reportSite() != Y->reportSite())
      return Before(X->reportSite(), Y->reportSite());
    if (X->From.Id != Y->From.Id)
      return X->From.Id < Y->From.Id;
    if (X->To.Id != Y->To.Id)
      return X->To.Id < Y->To.Id;
    if (X->FirstSite != Y->FirstSite)
      return Before(X->FirstSite, Y->FirstSite);
    if (X->AcqSite != Y->AcqSite)
      return Before(X->AcqSite, Y->AcqSite);
    return X < Y; // discovery order
  });
  // Names as a person reads them: no "@TU", no "(anonymous namespace)::".
  auto Readable = [](StringRef Text) {
    std::string R;
    for (StringRef Rest = Text; !Rest.empty();) {
      auto [Head, Tail] = Rest.split("(anonymous namespace)::");
      R += Head;
      Rest = Tail;
    }
    return R;
  };
  auto Name = [&](const MutexRef &M) { return Readable(lo::displayName(M.Id)); };
  auto FnName = [&](const FunctionDecl *FD) { return Readable(A.functionName(FD)); };
  auto Through = [&](const FoundEdge &E) {
    return E.Via.empty() ? std::string()
                         : " through the call to '" + FnName(E.Via.front().Callee) + "'";
  };
  auto Chain = [&](const FoundEdge &E) {
    // The calls after the first, and the acquisition in the last callee.
    for (size_t I = 1; I < E.Via.size(); ++I)
      diag(E.Via[I].At, "'%0' calls '%1' here", DiagnosticIDs::Note)
          << FnName(E.Via[I - 1].Callee) << FnName(E.Via[I].Callee);
    if (!E.Via.empty())
      diag(E.AcqSite, "'%0' acquired here in '%1'", DiagnosticIDs::Note)
          << Name(E.To) << FnName(E.Via.back().Callee);
  };

  // A self-edge (one member, two objects) is a deadlock of its own function
  // (called twice with the objects swapped): reported at each place, once.
  std::vector<std::pair<StringRef, StringRef>> Pairs;
  std::vector<const FoundEdge *> Others;
  std::set<std::pair<unsigned, StringRef>> SelfReported;
  for (const FoundEdge *E : Order) {
    if (E->From.Id != E->To.Id) {
      Others.push_back(E);
      Pairs.push_back({E->From.Id, E->To.Id});
      continue;
    }
    if (!SelfReported.insert({E->reportSite().getRawEncoding(), E->To.Id}).second)
      continue;
    diag(E->reportSite(), "'%0' of one object acquired%1 while holding '%0' of another object; "
                          "two threads locking the same two objects in opposite orders deadlock")
        << Name(E->To) << Through(*E);
    diag(E->FirstSite, "'%0' of the other object acquired here", DiagnosticIDs::Note)
        << Name(E->From);
    Chain(*E);
  }

  for (const lo::Cycle &C : lo::findCycles(Pairs)) {
    const FoundEdge &Closing = *Others[C.front()];
    std::string Ring = "'" + Name(Closing.From) + "'";
    for (size_t I : C)
      Ring += " -> '" + Name(Others[I]->To) + "'";
    diag(Closing.reportSite(),
         "'%0' acquired%1 while holding '%2' closes the lock-order cycle %3; threads taking "
         "these locks in these orders can deadlock")
        << Name(Closing.To) << Through(Closing) << Name(Closing.From) << Ring;
    diag(Closing.FirstSite, "'%0' acquired here", DiagnosticIDs::Note) << Name(Closing.From);
    Chain(Closing);
    for (size_t K = 1; K < C.size(); ++K) {
      const FoundEdge &E = *Others[C[K]];
      diag(E.reportSite(), "'%0' acquired%1 here while holding '%2'", DiagnosticIDs::Note)
          << Name(E.To) << Through(E) << Name(E.From);
      Chain(E);
    }
  }

  if (!FactsFile.empty())
    writeFactsFile(Reporter(A).facts(), TU);

  if (TidyContext->getEnableProfiling()) {
    llvm::TimeRecord End = llvm::TimeRecord::getCurrentTime(/*Start=*/false);
    llvm::errs() << llvm::formatv(
        "goro-lock-order-inversion: end-of-TU analysis {0:f4}s wall, {1:f4}s user "
        "({2} functions walked, {3} edges)\n",
        End.getWallTime() - Start.getWallTime(), End.getUserTime() - Start.getUserTime(),
        A.Walked.size(), A.Edges.size());
  }
}

// Removes a temporary file after an error that is already reported; a failure
// here would add nothing the user can act on.
static void removeBestEffort(StringRef Path) {
  std::error_code Ignored = llvm::sys::fs::remove(Path);
  static_cast<void>(Ignored);
}

void LockOrderInversionCheck::writeFactsFile(const lo::Facts &F, StringRef TU) {
  // A directory (existing, or named with a trailing separator) gets one file
  // per TU, named by a hash of the TU's path, so parallel runs never collide.
  std::string Path = FactsFile;
  if (llvm::sys::fs::is_directory(Path) || llvm::sys::path::is_separator(Path.back())) {
    if (std::error_code EC = llvm::sys::fs::create_directories(Path)) {
      configurationDiag("cannot create the lock-order facts directory '%0': %1")
          << Path << EC.message();
      return;
    }
    llvm::SmallString<256> Joined(Path);
    llvm::sys::path::append(Joined, lo::factsFileName(TU));
    Path = Joined.str().str();
  }
  // Write a unique temporary beside the target, then rename: a reader never
  // sees half a file, and two writers of one file leave one whole version.
  llvm::SmallString<256> Temp;
  int FD = -1;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Path + ".tmp-%%%%%%%%", FD, Temp)) {
    configurationDiag("cannot write lock-order facts to '%0': %1") << Path << EC.message();
    return;
  }
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    lo::writeFacts(F, OS);
    OS.close();
    if (OS.has_error()) {
      configurationDiag("cannot write lock-order facts to '%0': %1")
          << Path << OS.error().message();
      OS.clear_error();
      removeBestEffort(Temp);
      return;
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Path)) {
    configurationDiag("cannot write lock-order facts to '%0': %1") << Path << EC.message();
    removeBestEffort(Temp);
  }
}

} // namespace clang::tidy::goro
