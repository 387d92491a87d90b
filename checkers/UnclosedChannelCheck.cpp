//===--- UnclosedChannelCheck.cpp - goro-unclosed-channel -----------------===//
//
// Matching collects, for the whole TU: the channels functions make
// (goro::make_chan into a local chan<T>), every close() call on a variable,
// every spawn and every wait. The analysis runs at the end of the TU:
//
//  - For each made channel, utils::traceChannel finds its contexts (owner,
//    goroutines) and sites; a channel whose sending side escapes is left
//    alone. Then:
//      * consumer loops: loops that end only when the channel is closed
//        (untilClosedLoop); with no close anywhere -> finding 1 at the loop;
//        with closes in one other context -> the CFG of that context must
//        close on every path to its exit (else finding 1 at the exit that
//        misses the close); with closes only in the loop's own context -> the
//        CFG must close before the loop on every path;
//      * receiver closes (finding 2).
//  - For each variable closed at least twice, the CFG of each body holding
//    two of its closes: a close after which every path to the exit meets
//    another close is finding 3.
//
// CFGs are built only for the bodies these questions concern, at most once
// per body and channel.
//
//===----------------------------------------------------------------------===//

#include "UnclosedChannelCheck.h"
#include "utils/SpawnCalls.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <cstdint>
#include <memory>
#include <optional>

// clang-tidy's own utils (OptionsUtils.h); ours are clang::tidy::goro::utils.
#include "utils/OptionsUtils.h"

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

using utils::ChannelContext;
using utils::ChannelFlow;
using utils::ChannelSite;
using utils::Nesting;
using utils::SiteKind;

namespace {

constexpr llvm::StringLiteral DefaultWaitFunctions =
    "::goro::wait_group::wait;::goro::errgroup::wait;::std::thread::join;"
    "::std::jthread::join;::std::future::get;::std::future::wait;::std::shared_future::get;"
    "::std::shared_future::wait;::std::__basic_future::wait;::std::latch::wait;"
    "::std::latch::arrive_and_wait;::std::barrier::arrive_and_wait";

enum ReportKind : std::uint8_t {
  RK_NeverClosed,
  RK_PathWithoutClose,
  RK_NotClosedBefore,
  RK_ReceiverClose,
  RK_DoubleClose,
};

bool isSend(SiteKind K) {
  return K == SiteKind::Send || K == SiteKind::TrySend || K == SiteKind::SelectSend;
}
bool isReceive(SiteKind K) {
  return K == SiteKind::Recv || K == SiteKind::TryRecv || K == SiteKind::Range ||
         K == SiteKind::SelectRecv;
}

// ---------------------------------------------------------------------------
// The CFG of one body, with an index from statements to their elements.
// ---------------------------------------------------------------------------

struct Point {
  const CFGBlock *Block = nullptr;
  unsigned Index = 0;
  explicit operator bool() const { return Block != nullptr; }
};

class BodyGraph {
public:
  static std::unique_ptr<BodyGraph> build(const FunctionDecl *Callable, const Stmt *Body,
                                          ASTContext &Context) {
    if (Callable == nullptr || Body == nullptr || Callable->isDependentContext() ||
        Callable->isInvalidDecl())
      return nullptr;
    CFG::BuildOptions Options;
    // goro::defer closes in its destructor: the destructor calls are the
    // close points. Every statement gets an element so any site is found.
    Options.AddImplicitDtors = true;
    Options.setAllAlwaysAdd();
    std::unique_ptr<CFG> Graph =
        CFG::buildCFG(Callable, const_cast<Stmt *>(Body), &Context, Options);
    if (Graph == nullptr)
      return nullptr;
    auto Result = std::unique_ptr<BodyGraph>(new BodyGraph());
    Result->Body = Body;
    Result->Graph = std::move(Graph);
    Result->index();
    return Result;
  }

  const CFG &graph() const { return *Graph; }
  const CFGBlock *entry() const { return &Graph->getEntry(); }
  const CFGBlock *exit() const { return &Graph->getExit(); }
  bool reachable(const CFGBlock *B) const { return Reach.test(B->getBlockID()); }

  // The element of S, or the end of the block S terminates.
  Point find(const Stmt *S) const {
    if (S == nullptr)
      return {};
    if (auto It = Where.find(S); It != Where.end())
      return It->second;
    for (const CFGBlock *B : *Graph)
      if (B->getTerminatorStmt() == S)
        return Point{B, static_cast<unsigned>(B->size())};
    return {};
  }

  const Stmt *body() const { return Body; }

private:
  BodyGraph() = default;

  void index() {
    for (const CFGBlock *B : *Graph) {
      unsigned I = 0;
      for (const CFGElement &E : *B) {
        if (std::optional<CFGStmt> S = E.getAs<CFGStmt>())
          Where.try_emplace(S->getStmt(), Point{B, I});
        ++I;
      }
    }
    Reach.resize(Graph->getNumBlockIDs());
    llvm::SmallVector<const CFGBlock *, 16> Work{entry()};
    Reach.set(entry()->getBlockID());
    while (!Work.empty()) {
      const CFGBlock *B = Work.pop_back_val();
      for (const CFGBlock::AdjacentBlock &Succ : B->succs())
        if (const CFGBlock *S = Succ.getReachableBlock();
            S != nullptr && !Reach.test(S->getBlockID())) {
          Reach.set(S->getBlockID());
          Work.push_back(S);
        }
    }
  }

  const Stmt *Body = nullptr;
  std::unique_ptr<CFG> Graph;
  llvm::DenseMap<const Stmt *, Point> Where;
  llvm::BitVector Reach;
};

// What happens to the channel at a CFG element.
struct Events {
  llvm::SmallPtrSet<const Stmt *, 4> Closes;         // close() calls
  llvm::SmallPtrSet<const VarDecl *, 2> DeferCloses; // goro::defer variables that close
  llvm::SmallPtrSet<const Stmt *, 4> Kills;          // the variable gets another channel

  enum Kind : std::uint8_t { None, Close, Kill };
  Kind at(const CFGElement &E) const {
    if (std::optional<CFGStmt> S = E.getAs<CFGStmt>()) {
      if (Closes.count(S->getStmt()) != 0)
        return Close;
      if (Kills.count(S->getStmt()) != 0)
        return Kill;
    } else if (std::optional<CFGAutomaticObjDtor> D = E.getAs<CFGAutomaticObjDtor>()) {
      if (DeferCloses.count(D->getVarDecl()) != 0)
        return Close;
    }
    return None;
  }
};

bool isThrow(const CFGElement &E) {
  std::optional<CFGStmt> S = E.getAs<CFGStmt>();
  return S && isa<CXXThrowExpr>(S->getStmt());
}

// Follows every path from a point. A path stops at an event; a path through
// a throw or a noreturn call is not a path to the exit (the program or the
// goroutine dies there; Go's panics are not a way to finish sending).
struct Search {
  llvm::SmallVector<const CFGBlock *, 4> OpenExits; // blocks reaching the exit with no event
  std::optional<CFGElement> FirstHit;               // the first Close met
  bool Killed = false;
};

Search search(const BodyGraph &G, Point From, const Events &Ev) {
  Search R;
  llvm::BitVector Seen(G.graph().getNumBlockIDs());
  llvm::SmallVector<Point, 16> Work{From};
  while (!Work.empty()) {
    Point P = Work.pop_back_val();
    bool Stop = false;
    for (unsigned K = P.Index; K < P.Block->size() && !Stop; ++K) {
      CFGElement E = (*P.Block)[K];
      switch (Ev.at(E)) {
      case Events::Close:
        if (!R.FirstHit)
          R.FirstHit = E;
        Stop = true;
        break;
      case Events::Kill:
        R.Killed = true;
        Stop = true;
        break;
      case Events::None:
        Stop = isThrow(E);
        break;
      }
    }
    if (Stop || P.Block->hasNoReturnElement())
      continue;
    for (const CFGBlock::AdjacentBlock &Succ : P.Block->succs()) {
      const CFGBlock *S = Succ.getReachableBlock();
      if (S == nullptr)
        continue;
      if (S == G.exit()) {
        R.OpenExits.push_back(P.Block);
        continue;
      }
      if (!Seen.test(S->getBlockID())) {
        Seen.set(S->getBlockID());
        Work.push_back(Point{S, 0});
      }
    }
  }
  return R;
}

// Whether the channel is closed at At on every path from the entry (Must)
// and on some path (May).
std::pair<bool, bool> closedAt(const BodyGraph &G, Point At, const Events &Ev) {
  unsigned N = G.graph().getNumBlockIDs();
  llvm::BitVector Closes(N), MustIn(N, true), MayIn(N, false);
  auto HasCloseBefore = [&](const CFGBlock *B, unsigned End) {
    for (unsigned K = 0; K < End && K < B->size(); ++K)
      if (Ev.at((*B)[K]) == Events::Close)
        return true;
    return false;
  };
  for (const CFGBlock *B : G.graph())
    if (HasCloseBefore(B, B->size()))
      Closes.set(B->getBlockID());
  MustIn.reset(G.entry()->getBlockID());
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const CFGBlock *B : G.graph()) {
      if (B == G.entry() || !G.reachable(B))
        continue;
      bool Must = true, May = false, Any = false;
      for (const CFGBlock::AdjacentBlock &Pred : B->preds()) {
        const CFGBlock *P = Pred.getReachableBlock();
        if (P == nullptr || !G.reachable(P))
          continue;
        Any = true;
        unsigned Id = P->getBlockID();
        Must = Must && (MustIn.test(Id) || Closes.test(Id));
        May = May || MayIn.test(Id) || Closes.test(Id);
      }
      Must = Must && Any;
      unsigned Id = B->getBlockID();
      if (MustIn.test(Id) != Must || MayIn.test(Id) != May) {
        MustIn[Id] = Must;
        MayIn[Id] = May;
        Changed = true;
      }
    }
  }
  bool Before = HasCloseBefore(At.Block, At.Index);
  unsigned Id = At.Block->getBlockID();
  return {MustIn.test(Id) || Before, MayIn.test(Id) || Before};
}

// Where a path that leaves the body through block B returns: its return
// statement, or the closing brace of the body.
SourceLocation exitLocation(const CFGBlock *B, const Stmt *Body) {
  for (unsigned K = B->size(); K-- > 0;)
    if (std::optional<CFGStmt> S = (*B)[K].getAs<CFGStmt>())
      if (isa<ReturnStmt, CoreturnStmt>(S->getStmt()))
        return S->getStmt()->getBeginLoc();
  if (const auto *Compound = dyn_cast_or_null<CompoundStmt>(Body))
    return Compound->getRBracLoc();
  return Body != nullptr ? Body->getEndLoc() : SourceLocation();
}

bool returnsAt(const CFGBlock *B) {
  for (unsigned K = B->size(); K-- > 0;)
    if (std::optional<CFGStmt> S = (*B)[K].getAs<CFGStmt>())
      if (isa<ReturnStmt, CoreturnStmt>(S->getStmt()))
        return true;
  return false;
}

// ---------------------------------------------------------------------------
// Conditions that tell whether the channel is closed.
// ---------------------------------------------------------------------------

// What a condition being true (IfTrue) or false (IfFalse) implies: that the
// channel is closed (and drained).
struct Implies {
  bool IfTrue = false;
  bool IfFalse = false;
};

const Expr *stripCondition(const Expr *E) {
  while (E != nullptr) {
    const Expr *Next = utils::stripWrappers(E);
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Next);
        Construct != nullptr && Construct->getNumArgs() == 1 &&
        (Construct->getConstructor()->isCopyOrMoveConstructor()))
      Next = Construct->getArg(0);
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

bool isBoolLiteral(const Expr *E, bool Value) {
  E = stripCondition(E);
  if (const auto *Bool = dyn_cast_or_null<CXXBoolLiteralExpr>(E))
    return Bool->getValue() == Value;
  if (const auto *Int = dyn_cast_or_null<IntegerLiteral>(E))
    return Int->getValue().getBoolValue() == Value;
  return false;
}

bool isNullopt(const Expr *E) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripCondition(E));
  if (Ref == nullptr)
    return false;
  const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
  return Var != nullptr && Var->getIdentifier() != nullptr && Var->getName() == "nullopt" &&
         Var->isInStdNamespace();
}

class CloseKnowledge {
public:
  explicit CloseKnowledge(const ChannelFlow &Flow)
      : Flow(Flow), NoSenders(llvm::none_of(Flow.Sites, [](const ChannelSite &Site) {
          return Site.Kind == SiteKind::Send || Site.Kind == SiteKind::TrySend ||
                 Site.Kind == SiteKind::SelectSend;
        })) {}

  // Nothing sends on the channel: receiving anything means it was closed
  // (a `done` channel that signals by closing).
  bool noSenders() const { return NoSenders; }

  // The optional a receive of the channel returned (or the parameter of an
  // on_recv case of the channel).
  bool isReceived(const Expr *E, const ParmVarDecl *CaseParam, const Stmt *Body) {
    E = stripCondition(E);
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      return Var != nullptr && (Var == CaseParam || isRecvResult(Var, Body));
    }
    // (v = ch.recv()) is the optional just received.
    if (const auto *Assign = dyn_cast_or_null<CXXOperatorCallExpr>(E);
        Assign != nullptr && Assign->getOperator() == OO_Equal && Assign->getNumArgs() == 2)
      return isRecvCall(Assign->getArg(1));
    return isRecvCall(E);
  }

  bool isRecvCall(const Expr *E) {
    auto [Object, Op] = utils::channelCall(stripCondition(E));
    return Object != nullptr && Op == utils::ChannelOp::Recv && isAlias(Object);
  }

  // E is true exactly when a value was received.
  bool isValueTest(const Expr *E, const ParmVarDecl *CaseParam, const Stmt *Body) {
    E = stripCondition(E);
    if (E == nullptr)
      return false;
    if (isReceived(E, CaseParam, Body))
      return true;
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *Method = Member->getMethodDecl();
      if (Method == nullptr)
        return false;
      bool Test = isa<CXXConversionDecl>(Method) ||
                  (Method->getIdentifier() != nullptr && Method->getName() == "has_value");
      return Test && Member->getNumArgs() == 0 &&
             isReceived(Member->getImplicitObjectArgument(), CaseParam, Body);
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // v.has_value() in a generic lambda.
      if (const auto *Dependent =
              dyn_cast<CXXDependentScopeMemberExpr>(Call->getCallee()->IgnoreParens())) {
        const IdentifierInfo *Name = Dependent->getMember().getAsIdentifierInfo();
        return Name != nullptr && Name->getName() == "has_value" &&
               !Dependent->isImplicitAccess() && Call->getNumArgs() == 0 &&
               isReceived(Dependent->getBase(), CaseParam, Body);
      }
    }
    return false;
  }

  Implies test(const Expr *Cond, const Stmt *Body, const ParmVarDecl *CaseParam) {
    const Expr *E = stripCondition(Cond);
    if (E == nullptr)
      return {};
    if (const auto *Unary = dyn_cast<UnaryOperator>(E);
        Unary != nullptr && Unary->getOpcode() == UO_LNot) {
      Implies Sub = test(Unary->getSubExpr(), Body, CaseParam);
      return {Sub.IfFalse, Sub.IfTrue};
    }
    if (const auto *Binary = dyn_cast<BinaryOperator>(E)) {
      if (Binary->getOpcode() == BO_LAnd || Binary->getOpcode() == BO_LOr) {
        Implies L = test(Binary->getLHS(), Body, CaseParam);
        Implies R = test(Binary->getRHS(), Body, CaseParam);
        if (Binary->getOpcode() == BO_LAnd)
          return {L.IfTrue || R.IfTrue, L.IfFalse && R.IfFalse};
        return {L.IfTrue && R.IfTrue, L.IfFalse || R.IfFalse};
      }
      if (Binary->getOpcode() == BO_EQ || Binary->getOpcode() == BO_NE)
        return compare(Binary->getLHS(), Binary->getRHS(), Binary->getOpcode() == BO_EQ, CaseParam,
                       Body);
      return {};
    }
    if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Operator->getOperator() == OO_EqualEqual ||
           Operator->getOperator() == OO_ExclaimEqual) &&
          Operator->getNumArgs() == 2)
        return compare(Operator->getArg(0), Operator->getArg(1),
                       Operator->getOperator() == OO_EqualEqual, CaseParam, Body);
      return {};
    }
    if (isValueTest(E, CaseParam, Body))
      return {false, true};
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
          Var != nullptr && isClosedFlag(Var, Body))
        return {true, false};
    return {};
  }

  // A local optional that only ever holds what a receive of the channel
  // returned: initialized by one, or empty at first and only assigned ones.
  bool isRecvResult(const VarDecl *Var, const Stmt *Body) {
    if (Var == nullptr || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var))
      return false;
    if (auto It = RecvResults.find(Var); It != RecvResults.end())
      return It->second;
    RecvResults[Var] = false;
    bool Result = false;
    const Expr *Init = Var->getInit() != nullptr ? stripCondition(Var->getInit()) : nullptr;
    const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Init);
    bool StartsEmpty =
        Init == nullptr || (Construct != nullptr && Construct->getNumArgs() == 0) ||
        (Construct != nullptr && Construct->getNumArgs() == 1 && isNullopt(Construct->getArg(0)));
    if (!StartsEmpty) {
      Result = isRecvCall(Init);
    } else if (Body != nullptr && Body->getSourceRange().isValid() &&
               Body->getSourceRange().fullyContains(Var->getSourceRange())) {
      unsigned Writes = 0;
      llvm::SmallVector<const Stmt *, 32> Ancestors;
      Result = scanRecvWrites(Body, Var, Ancestors, Writes) && Writes > 0;
    }
    RecvResults[Var] = Result;
    return Result;
  }

  // A local bool, false at first, set to true only in an on_recv case of the
  // channel under a test that the channel is closed (or to such a test).
  bool isClosedFlag(const VarDecl *Var, const Stmt *Body);

private:
  bool isAlias(const Expr *Object) {
    const VarDecl *Var = utils::channelVarOf(Object);
    return Var != nullptr && Flow.Aliases.count(Var) != 0;
  }

  Implies compare(const Expr *L, const Expr *R, bool Equal, const ParmVarDecl *CaseParam,
                  const Stmt *Body) {
    const Expr *Operand = isNullopt(R) ? L : (isNullopt(L) ? R : nullptr);
    if (Operand == nullptr || !isReceived(Operand, CaseParam, Body))
      return {};
    return Equal ? Implies{true, false} : Implies{false, true};
  }

  // The first parameter of Lambda if Lambda is the function of an on_recv
  // case of the channel; Ancestors are Lambda's ancestors, innermost last.
  const ParmVarDecl *caseParam(const LambdaExpr *Lambda, llvm::ArrayRef<const Stmt *> Ancestors) {
    const Expr *E = Lambda;
    for (size_t I = Ancestors.size(); I-- > 0;) {
      const Stmt *P = Ancestors[I];
      if (isa<ParenExpr, ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
              FullExpr>(P) ||
          (isa<CXXConstructExpr>(P) && cast<CXXConstructExpr>(P)->getType()->getAsCXXRecordDecl() ==
                                           Lambda->getLambdaClass())) {
        E = cast<Expr>(P);
        continue;
      }
      const auto *Call = dyn_cast<CallExpr>(P);
      if (Call == nullptr || !utils::isGoroCall(Call, "on_recv") || Call->getNumArgs() < 2 ||
          Call->getArg(1) != E || !isAlias(Call->getArg(0)))
        return nullptr;
      const CXXMethodDecl *Operator = Lambda->getCallOperator();
      return Operator != nullptr && Operator->getNumParams() > 0 ? Operator->getParamDecl(0)
                                                                 : nullptr;
    }
    return nullptr;
  }

  // Checks one reference to a candidate flag (Ancestors: innermost last).
  bool flagUseIsSound(const DeclRefExpr *Ref, llvm::ArrayRef<const Stmt *> Ancestors,
                      const Stmt *Body) {
    size_t P = Ancestors.size();
    const Expr *E = Ref;
    while (P > 0 && isa<ParenExpr>(Ancestors[P - 1])) {
      E = cast<Expr>(Ancestors[P - 1]);
      --P;
    }
    if (P == 0)
      return false;
    const Stmt *Parent = Ancestors[P - 1];
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Parent))
      return Cast->getCastKind() == CK_LValueToRValue;
    if (isa<LambdaExpr>(Parent))
      return true; // a capture
    const auto *Assign = dyn_cast<BinaryOperator>(Parent);
    if (Assign == nullptr || Assign->getOpcode() != BO_Assign || Assign->getLHS() != E)
      return false;
    const Expr *Value = Assign->getRHS();
    if (isBoolLiteral(Value, false))
      return true;
    // Set to true (or to a test) only inside an on_recv case of the channel.
    size_t LambdaIndex = P - 1;
    bool InLambda = false;
    while (LambdaIndex > 0 && !InLambda) {
      --LambdaIndex;
      InLambda = isa<LambdaExpr>(Ancestors[LambdaIndex]);
    }
    if (!InLambda)
      return false;
    const ParmVarDecl *Param =
        caseParam(cast<LambdaExpr>(Ancestors[LambdaIndex]), Ancestors.take_front(LambdaIndex));
    if (Param == nullptr)
      return false;
    if (NoSenders && isBoolLiteral(Value, true))
      return true; // set when anything arrives, and only a close can
    if (!isBoolLiteral(Value, true))
      return test(Value, Body, Param).IfTrue;
    for (size_t K = LambdaIndex + 1; K + 1 < P; ++K) {
      const auto *If = dyn_cast<IfStmt>(Ancestors[K]);
      if (If == nullptr)
        continue;
      const Stmt *Branch = Ancestors[K + 1];
      Implies T = test(If->getCond(), Body, Param);
      if ((Branch == If->getThen() && T.IfTrue) || (Branch == If->getElse() && T.IfFalse))
        return true;
    }
    return false;
  }

  bool scanFlag(const Stmt *S, const VarDecl *Var, llvm::SmallVectorImpl<const Stmt *> &Ancestors,
                const Stmt *Body) {
    if (S == nullptr)
      return true;
    if (Ancestors.size() > 1000)
      return false;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      return Ref->getDecl() != Var || flagUseIsSound(Ref, Ancestors, Body);
    Ancestors.push_back(S);
    bool Sound = true;
    for (const Stmt *Child : S->children())
      if (!scanFlag(Child, Var, Ancestors, Body)) {
        Sound = false;
        break;
      }
    Ancestors.pop_back();
    return Sound;
  }

  // Every write to Var in S assigns a receive of the channel.
  bool scanRecvWrites(const Stmt *S, const VarDecl *Var,
                      llvm::SmallVectorImpl<const Stmt *> &Ancestors, unsigned &Writes) {
    if (S == nullptr)
      return true;
    if (Ancestors.size() > 1000)
      return false;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S)) {
      if (Ref->getDecl() != Var)
        return true;
      const Expr *E = Ref;
      size_t P = Ancestors.size();
      while (P > 0 && isa<ParenExpr>(Ancestors[P - 1]))
        E = cast<Expr>(Ancestors[--P]);
      if (P == 0)
        return false;
      const Stmt *Parent = Ancestors[P - 1];
      if (isa<LambdaExpr>(Parent))
        return true; // a capture
      if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Parent))
        return Cast->getCastKind() == CK_LValueToRValue || Cast->getCastKind() == CK_NoOp;
      if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(Parent)) {
        if (Operator->getOperator() == OO_Equal && Operator->getNumArgs() == 2 &&
            Operator->getArg(0) == E) {
          ++Writes;
          return isRecvCall(Operator->getArg(1));
        }
        OverloadedOperatorKind Kind = Operator->getOperator();
        return Kind == OO_Star || Kind == OO_Arrow || Kind == OO_EqualEqual ||
               Kind == OO_ExclaimEqual;
      }
      if (const auto *Member = dyn_cast<MemberExpr>(Parent)) {
        const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
        return Method != nullptr && Method->isConst();
      }
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(Parent))
        return Construct->getConstructor()->isCopyConstructor();
      return false;
    }
    Ancestors.push_back(S);
    bool Sound = true;
    for (const Stmt *Child : S->children())
      if (!scanRecvWrites(Child, Var, Ancestors, Writes)) {
        Sound = false;
        break;
      }
    Ancestors.pop_back();
    return Sound;
  }

  const ChannelFlow &Flow;
  const bool NoSenders;
  llvm::DenseMap<const VarDecl *, bool> Flags;
  llvm::DenseMap<const VarDecl *, bool> RecvResults;
};

bool CloseKnowledge::isClosedFlag(const VarDecl *Var, const Stmt *Body) {
  if (auto It = Flags.find(Var); It != Flags.end())
    return It->second;
  Flags[Var] = false; // while scanning: no circular reasoning
  if (Body == nullptr || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var) ||
      !Var->getType()->isBooleanType() || Var->getInit() == nullptr ||
      !isBoolLiteral(Var->getInit(), false) || Body->getSourceRange().isInvalid() ||
      !Body->getSourceRange().fullyContains(Var->getSourceRange()))
    return false;
  llvm::SmallVector<const Stmt *, 32> Ancestors;
  bool Sound = scanFlag(Body, Var, Ancestors, Body);
  Flags[Var] = Sound;
  return Sound;
}

// ---------------------------------------------------------------------------
// Loops that end only when the channel is closed.
// ---------------------------------------------------------------------------

struct LoopExit {
  const Stmt *S;
  llvm::SmallVector<const Stmt *, 8> Path; // from the loop's body down to S's parent
};

void collectExits(const Stmt *S, bool Nested, llvm::SmallVectorImpl<const Stmt *> &Path,
                  llvm::SmallVectorImpl<LoopExit> &Out) {
  if (S == nullptr || isa<LambdaExpr, BlockExpr>(S) || Path.size() > 1000)
    return;
  if (isa<BreakStmt>(S)) {
    if (!Nested)
      Out.push_back(LoopExit{S, {Path.begin(), Path.end()}});
    return;
  }
  if (isa<ReturnStmt, GotoStmt, IndirectGotoStmt, CoreturnStmt>(S)) {
    Out.push_back(LoopExit{S, {Path.begin(), Path.end()}});
    return;
  }
  Path.push_back(S);
  bool ChildNested = Nested || isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt>(S);
  for (const Stmt *Child : S->children())
    collectExits(Child, ChildNested, Path, Out);
  Path.pop_back();
}

const Stmt *loopBody(const Stmt *Loop) {
  if (const auto *For = dyn_cast<ForStmt>(Loop))
    return For->getBody();
  if (const auto *While = dyn_cast<WhileStmt>(Loop))
    return While->getBody();
  if (const auto *Do = dyn_cast<DoStmt>(Loop))
    return Do->getBody();
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(Loop))
    return Range->getBody();
  return nullptr;
}

const Expr *loopCondition(const Stmt *Loop) {
  if (const auto *For = dyn_cast<ForStmt>(Loop))
    return For->getCond();
  if (const auto *While = dyn_cast<WhileStmt>(Loop))
    return While->getCond();
  if (const auto *Do = dyn_cast<DoStmt>(Loop))
    return Do->getCond();
  return nullptr;
}

bool isAlwaysTrue(const Expr *Cond, const ASTContext &Context) {
  if (Cond == nullptr)
    return true;
  if (Cond->isValueDependent() || Cond->isTypeDependent())
    return false;
  bool Value = false;
  return Cond->EvaluateAsBooleanCondition(Value, Context) && Value;
}

// The loop that repeats Site and ends only when the channel is closed (and
// at least once does), or nullptr.
const Stmt *untilClosedLoop(const ChannelSite &Site, CloseKnowledge &Knowledge,
                            const ASTContext &Context) {
  const Stmt *Loop = nullptr;
  if (Site.Kind == SiteKind::Range)
    Loop = Site.S;
  else if (Site.Kind == SiteKind::Recv || Site.Kind == SiteKind::SelectRecv)
    Loop = Site.Loop;
  if (Loop == nullptr)
    return nullptr;
  bool EndsOnClose = Site.Kind == SiteKind::Range;
  const Expr *Cond = loopCondition(Loop);
  if (!isAlwaysTrue(Cond, Context)) {
    if (!Knowledge.test(Cond, Site.Body, nullptr).IfFalse)
      return nullptr;
    EndsOnClose = true;
  }
  llvm::SmallVector<LoopExit, 4> Exits;
  llvm::SmallVector<const Stmt *, 16> Path;
  collectExits(loopBody(Loop), false, Path, Exits);
  for (const LoopExit &Exit : Exits) {
    bool Guarded = false;
    for (size_t K = 0; K < Exit.Path.size() && !Guarded; ++K) {
      const auto *If = dyn_cast<IfStmt>(Exit.Path[K]);
      if (If == nullptr)
        continue;
      const Stmt *Branch = K + 1 < Exit.Path.size() ? Exit.Path[K + 1] : Exit.S;
      Implies T = Knowledge.test(If->getCond(), Site.Body, nullptr);
      Guarded = (Branch == If->getThen() && T.IfTrue) || (Branch == If->getElse() && T.IfFalse);
    }
    if (!Guarded)
      return nullptr;
    EndsOnClose = true;
  }
  return EndsOnClose ? Loop : nullptr;
}

// A loop with a trip count of its own: a range-for over anything but a
// channel, or a loop whose condition says nothing about the channel being
// closed, with no exit of its own (so `for (i < n)` / `while (got < n)`).
bool isCountedLoop(const Stmt *Loop, CloseKnowledge &Knowledge, const Stmt *Body,
                   const ASTContext &Context) {
  if (Loop == nullptr)
    return false;
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(Loop)) {
    if (Range->getRangeInit() == nullptr ||
        utils::channelView(Range->getRangeInit()->getType()) != utils::ChannelView::None)
      return false;
  } else if (isa<ForStmt, WhileStmt, DoStmt>(Loop)) {
    const Expr *Cond = loopCondition(Loop);
    if (isAlwaysTrue(Cond, Context) || Knowledge.test(Cond, Body, nullptr).IfFalse)
      return false;
  } else {
    return false;
  }
  llvm::SmallVector<LoopExit, 2> Exits;
  llvm::SmallVector<const Stmt *, 16> Path;
  collectExits(loopBody(Loop), false, Path, Exits);
  return Exits.empty();
}

} // namespace

// ---------------------------------------------------------------------------
// The analysis of one made channel.
// ---------------------------------------------------------------------------

struct UnclosedChannelCheck::Analysis {
  UnclosedChannelCheck &Check;
  const ChannelFlow &Flow;
  ASTContext &Context;
  const SourceManager &SM;
  CloseKnowledge Knowledge;
  llvm::DenseMap<unsigned, std::unique_ptr<BodyGraph>> Graphs;
  llvm::DenseMap<unsigned, bool> Graphed;

  Analysis(UnclosedChannelCheck &Check, const ChannelFlow &Flow, ASTContext &Context)
      : Check(Check), Flow(Flow), Context(Context), SM(Context.getSourceManager()),
        Knowledge(Flow) {}

  const BodyGraph *graph(unsigned Ctx) {
    if (!Graphed[Ctx]) {
      Graphed[Ctx] = true;
      const ChannelContext &C = Flow.Contexts[Ctx];
      Graphs[Ctx] = BodyGraph::build(C.Callable, C.Body, Context);
    }
    return Graphs[Ctx].get();
  }

  bool before(SourceLocation A, SourceLocation B) const {
    if (A.isInvalid() || B.isInvalid())
      return false;
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A), SM.getExpansionLoc(B));
  }

  const VarDecl *siteVar(const ChannelSite &Site) const {
    const VarDecl *Var = nullptr;
    if (Site.Kind == SiteKind::Range)
      Var = utils::channelVarOf(cast<CXXForRangeStmt>(Site.S)->getRangeInit());
    else if (Site.Kind == SiteKind::SelectRecv || Site.Kind == SiteKind::SelectSend)
      Var = cast<CallExpr>(Site.S)->getNumArgs() > 0
                ? utils::channelVarOf(cast<CallExpr>(Site.S)->getArg(0))
                : nullptr;
    else
      Var = utils::channelVarOf(utils::channelCall(cast<Expr>(Site.S)).first);
    return Var != nullptr ? Var : Flow.Channel;
  }

  SourceLocation siteLoc(const ChannelSite &Site) const {
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Site.S))
      if (const auto *Callee = dyn_cast<MemberExpr>(Member->getCallee()->IgnoreParens()))
        return Callee->getMemberLoc();
    return Site.S->getBeginLoc();
  }

  std::string quoted(const NamedDecl *D) const { return "'" + D->getNameAsString() + "'"; }

  std::string loopPhrase(const ChannelSite &Site) const {
    std::string Name = quoted(siteVar(Site));
    switch (Site.Kind) {
    case SiteKind::Range:
      return "range-for over " + Name;
    case SiteKind::SelectRecv:
      return "select loop receiving from " + Name;
    default:
      return "loop receiving from " + Name;
    }
  }

  // Who runs a context, as the subject of a sentence.
  std::string who(unsigned Ctx) const {
    const ChannelContext &C = Flow.Contexts[Ctx];
    if (C.Kind == ChannelContext::Goroutine)
      return "this goroutine";
    if (const auto *Method = dyn_cast<CXXMethodDecl>(C.Callable);
        Method != nullptr && Method->getParent()->isLambda())
      return "this lambda";
    return quoted(C.Callable);
  }

  void noteMade() {
    Check.diag(Flow.Channel->getLocation(), "%0 is made here", DiagnosticIDs::Note) << Flow.Channel;
  }

  // Notes the goroutine that runs context Ctx, if it is one.
  void noteGoroutine(unsigned Ctx, llvm::StringRef Message, const VarDecl *Var) {
    const ChannelContext &C = Flow.Contexts[Ctx];
    if (C.Kind == ChannelContext::Goroutine && C.Spawn != nullptr)
      Check.diag(C.Spawn->getBeginLoc(), Message, DiagnosticIDs::Note) << Var;
  }

  // The sites of a context.
  llvm::SmallVector<const ChannelSite *, 4> sitesIn(unsigned Ctx, bool (*Kind)(SiteKind)) const {
    llvm::SmallVector<const ChannelSite *, 4> Result;
    for (const ChannelSite &Site : Flow.Sites)
      if (Site.Context == Ctx && Kind(Site.Kind))
        Result.push_back(&Site);
    return Result;
  }

  static bool isCloseKind(SiteKind K) { return K == SiteKind::Close; }

  // The close events of context Ctx, if every close there is visible to its
  // CFG (a close() call in its body, or a goro::defer in its body whose
  // function always closes); std::nullopt otherwise.
  std::optional<Events> closeEvents(unsigned Ctx) const {
    // A call of a followed function that closes (itself or further down,
    // recursion included) closes where the CFG cannot see it.
    llvm::SmallPtrSet<const Stmt *, 4> Closing;
    for (const ChannelSite &Site : Flow.Sites)
      if (Site.Kind == SiteKind::Close)
        Closing.insert(Site.Body);
    for (bool Changed = true; Changed;) {
      Changed = false;
      for (const utils::ChannelCall &Call : Flow.Calls)
        if (Closing.count(Call.CalleeBody) != 0 && Closing.insert(Call.CallerBody).second)
          Changed = true;
    }
    for (const utils::ChannelCall &Call : Flow.Calls)
      if (Call.Context == Ctx && Closing.count(Call.CalleeBody) != 0)
        return std::nullopt;
    Events Ev;
    for (const ChannelSite *Close : sitesIn(Ctx, isCloseKind)) {
      if (Close->Via == Nesting::Direct) {
        Ev.Closes.insert(Close->S);
      } else if (Close->Via == Nesting::Defer && !Close->Conditional && Close->Defer != nullptr &&
                 Close->Anchor != nullptr && isa<Expr>(Close->Anchor) &&
                 utils::isGoroDeferType(cast<Expr>(Close->Anchor)->getType())) {
        Ev.DeferCloses.insert(Close->Defer);
      } else {
        return std::nullopt;
      }
    }
    return Ev;
  }

  // The spawn in Parent's code through which context Ctx descends from it.
  const Expr *spawnInto(unsigned Parent, unsigned Ctx) const {
    for (size_t Guard = 0; Guard <= Flow.Contexts.size() && Ctx != 0; ++Guard) {
      if (Flow.Contexts[Ctx].Parent == Parent)
        return Flow.Contexts[Ctx].Spawn;
      Ctx = Flow.Contexts[Ctx].Parent;
    }
    return nullptr;
  }

  bool canFinish(unsigned Ctx) {
    const BodyGraph *G = graph(Ctx);
    if (G == nullptr)
      return false;
    return !search(*G, Point{G->entry(), 0}, Events()).OpenExits.empty();
  }

  void run() {
    // Consumer loops, once per loop.
    llvm::SmallVector<std::pair<const Stmt *, const ChannelSite *>, 2> Loops;
    llvm::SmallPtrSet<const Stmt *, 4> SeenLoops;
    for (const ChannelSite &Site : Flow.Sites)
      if (const Stmt *Loop = untilClosedLoop(Site, Knowledge, Context))
        if (SeenLoops.insert(Loop).second)
          Loops.push_back({Loop, &Site});

    llvm::SmallVector<unsigned, 2> Closers;
    for (const ChannelSite &Site : Flow.Sites)
      if (Site.Kind == SiteKind::Close && !llvm::is_contained(Closers, Site.Context))
        Closers.push_back(Site.Context);

    if (!Loops.empty()) {
      for (auto [Loop, Site] : Loops) {
        if (Closers.empty())
          reportNeverClosed(Loop, *Site);
        else if (Closers.size() == 1 && Closers.front() == Site->Context)
          checkClosedBeforeLoop(Loop, *Site);
        else if (Closers.size() == 1)
          checkProducerPaths(Closers.front(), Site, Loop);
      }
    } else if (Closers.size() == 1 &&
               Flow.Contexts[Closers.front()].Kind == ChannelContext::Goroutine &&
               llvm::any_of(Flow.Escapes,
                            [](const utils::ChannelEscape &E) { return E.RecvOnly; })) {
      // The receivers are out of sight (the channel leaves as a recv_chan),
      // but the one goroutine that closes shows that they wait for the close.
      checkProducerPaths(Closers.front(), nullptr, nullptr);
    }
    checkReceiverCloses();
  }

  // --- finding 1 ---------------------------------------------------------

  void reportNeverClosed(const Stmt *Loop, const ChannelSite &Site) {
    llvm::SmallVector<unsigned, 2> Producers;
    for (const ChannelSite &S : Flow.Sites)
      if (isSend(S.Kind) && !llvm::is_contained(Producers, S.Context))
        Producers.push_back(S.Context);
    // A producer that never finishes keeps the loop fed: nothing leaks.
    for (unsigned P : Producers)
      if (P != Site.Context && !canFinish(P))
        return;
    SourceLocation Loc = Loop->getBeginLoc();
    if (!Check.firstReport(Loc, RK_NeverClosed))
      return;
    const VarDecl *Var = siteVar(Site);
    bool Leaks = Flow.Contexts[Site.Context].Kind == ChannelContext::Goroutine;
    if (Producers.empty())
      Check.diag(Loc, "%0 never ends: nothing sends on or closes %1, so %2 never "
                      "%select{returns|finishes and leaks}3")
          << loopPhrase(Site) << Var << who(Site.Context) << Leaks;
    else
      Check.diag(Loc, "%0 never ends: nothing closes %1, so after the last value %2 blocks here "
                      "forever%select{| and leaks}3")
          << loopPhrase(Site) << Var << who(Site.Context) << Leaks;
    noteMade();
    noteGoroutine(Site.Context, "the goroutine receiving from %0 starts here", Var);
    unsigned Shown = 0;
    for (unsigned P : Producers) {
      if (Shown++ == 3)
        break;
      noteGoroutine(P, "goroutine sending on %0 starts here", Flow.Channel);
      for (const ChannelSite &S : Flow.Sites)
        if (S.Context == P && isSend(S.Kind)) {
          Check.diag(siteLoc(S), "%0 is sent on here", DiagnosticIDs::Note) << siteVar(S);
          break;
        }
    }
  }

  // The loop's own context is the only closer: it must close before the loop.
  void checkClosedBeforeLoop(const Stmt *Loop, const ChannelSite &Site) {
    if (Site.Via != Nesting::Direct)
      return;
    std::optional<Events> Ev = closeEvents(Site.Context);
    if (!Ev)
      return;
    llvm::SmallVector<const ChannelSite *, 4> Closes = sitesIn(Site.Context, isCloseKind);
    SourceRange LoopRange = Loop->getSourceRange();
    for (const ChannelSite *Close : Closes)
      if (LoopRange.isValid() && Close->Position.isValid() &&
          !before(Close->Position, LoopRange.getBegin()) &&
          before(Close->Position, LoopRange.getEnd()))
        return; // the loop closes the channel itself
    const BodyGraph *G = graph(Site.Context);
    if (G == nullptr)
      return;
    const Stmt *At =
        Site.Kind == SiteKind::Range ? cast<CXXForRangeStmt>(Site.S)->getRangeInit() : Site.S;
    Point P = G->find(At);
    if (!P || !G->reachable(P.Block))
      return;
    auto [Must, May] = closedAt(*G, P, *Ev);
    if (Must)
      return;
    SourceLocation Loc = Loop->getBeginLoc();
    if (!Check.firstReport(Loc, RK_NotClosedBefore))
      return;
    const VarDecl *Var = siteVar(Site);
    bool Leaks = Flow.Contexts[Site.Context].Kind == ChannelContext::Goroutine;
    if (!May)
      Check.diag(Loc, "%0 never ends: %1 is closed only by %2, and not before this loop, so after "
                      "the last value %2 blocks here forever%select{| and leaks}3")
          << loopPhrase(Site) << Var << who(Site.Context) << Leaks;
    else
      Check.diag(Loc, "%0 can block forever: %1 is closed only by %2, and not on every path to "
                      "this loop; on the other paths %2 blocks here forever after the last "
                      "value%select{| and leaks}3")
          << loopPhrase(Site) << Var << who(Site.Context) << Leaks;
    for (const ChannelSite *Close : Closes)
      Check.diag(siteLoc(*Close), "%0 is closed here", DiagnosticIDs::Note) << siteVar(*Close);
  }

  // Producer is the only context that closes: every path of it that can
  // leave the consumer waiting must close.
  void checkProducerPaths(unsigned Producer, const ChannelSite *Consumer, const Stmt *Loop) {
    const ChannelContext &P = Flow.Contexts[Producer];
    if (P.Repeated)
      return;
    std::optional<Events> Ev = closeEvents(Producer);
    if (!Ev)
      return;
    const BodyGraph *G = graph(Producer);
    if (G == nullptr)
      return;
    Point Start{G->entry(), 0};
    if (Consumer != nullptr)
      if (const Expr *Spawn = spawnInto(Producer, Consumer->Context)) {
        // Paths before the consumer starts leave nobody waiting.
        Start = G->find(Spawn);
        if (!Start)
          return;
        ++Start.Index;
      }
    if (!G->reachable(Start.Block))
      return;
    Search Paths = search(*G, Start, *Ev);
    const VarDecl *Var = nullptr;
    for (const ChannelSite *Close : sitesIn(Producer, isCloseKind)) {
      Var = siteVar(*Close);
      break;
    }
    if (Var == nullptr)
      return;
    for (const CFGBlock *Exit : Paths.OpenExits) {
      SourceLocation Loc = exitLocation(Exit, G->body());
      if (Loc.isInvalid() || !Check.firstReport(Loc, RK_PathWithoutClose))
        continue;
      std::string Waiter = Consumer != nullptr ? "the " + loopPhrase(*Consumer)
                                               : "a receiver ranging over " + quoted(Var);
      Check.diag(Loc, "%0 %select{finishes|returns}1 here without closing %2; %3 then "
                      "%select{blocks forever after the last value|never ends}4")
          << who(Producer) << returnsAt(Exit) << Var << Waiter << Knowledge.noSenders();
      for (const ChannelSite *Close : sitesIn(Producer, isCloseKind)) {
        Check.diag(siteLoc(*Close), "%0 is closed here on other paths", DiagnosticIDs::Note)
            << siteVar(*Close);
        break;
      }
      if (Consumer != nullptr && Loop != nullptr) {
        Check.diag(Loop->getBeginLoc(), "the %0 waits for the close here", DiagnosticIDs::Note)
            << loopPhrase(*Consumer);
      } else {
        for (const utils::ChannelEscape &Escape : Flow.Escapes)
          if (Escape.RecvOnly) {
            Check.diag(Escape.S->getBeginLoc(), "%0 leaves %1 here as a receive-only channel",
                       DiagnosticIDs::Note)
                << Flow.Channel << who(0);
            break;
          }
      }
    }
  }

  // --- finding 2 ---------------------------------------------------------

  static bool isSendKind(SiteKind K) { return isSend(K); }
  static bool isReceiveKind(SiteKind K) { return isReceive(K); }

  void checkReceiverCloses() {
    for (const ChannelSite &Close : Flow.Sites) {
      if (Close.Kind != SiteKind::Close)
        continue;
      unsigned X = Close.Context;
      if (!sitesIn(X, isSendKind).empty())
        continue; // a sender closing: the owner's job
      llvm::SmallVector<const ChannelSite *, 4> Receives = sitesIn(X, isReceiveKind);
      if (Receives.empty())
        continue; // not a receiver (e.g. the closer after wg.wait())
      // The receiver waited for the senders (wg.wait(), join(), ...).
      if (llvm::any_of(Flow.Barriers, [&](const utils::ChannelBarrier &B) {
            return B.Context == X && before(B.Position, Close.Position);
          }))
        continue;
      // It ranged until the close: that is finding 1's business.
      if (llvm::any_of(Receives, [&](const ChannelSite *R) {
            return before(R->Position, Close.Position) && untilClosedLoop(*R, Knowledge, Context);
          }))
        continue;
      // Receiving a fixed count may take every value there is.
      if (llvm::all_of(Receives, [&](const ChannelSite *R) {
            return R->Kind != SiteKind::Range &&
                   isCountedLoop(R->Loop, Knowledge, R->Body, Context);
          }))
        continue;
      for (unsigned P = 0; P < Flow.Contexts.size(); ++P) {
        if (P == X)
          continue;
        llvm::SmallVector<const ChannelSite *, 4> Sends = sitesIn(P, isSendKind);
        if (Sends.empty())
          continue;
        const ChannelSite *Repeating = nullptr;
        for (const ChannelSite *S : Sends)
          if (S->InLoop) {
            Repeating = S;
            break;
          }
        if (Repeating == nullptr && Flow.Contexts[P].Repeated)
          Repeating = Sends.front();
        if (Repeating == nullptr)
          continue;
        // Every send happened before the receiver started.
        const ChannelContext &Receiver = Flow.Contexts[X];
        if (Receiver.Kind == ChannelContext::Goroutine && Receiver.Parent == P &&
            !Receiver.Repeated && Receiver.Spawn != nullptr &&
            llvm::all_of(Sends, [&](const ChannelSite *S) {
              return before(S->Position, Receiver.Spawn->getBeginLoc());
            }))
          continue;
        SourceLocation Loc = siteLoc(Close);
        if (!Check.firstReport(Loc, RK_ReceiverClose))
          break;
        bool ByGoroutine = Flow.Contexts[P].Kind == ChannelContext::Goroutine;
        Check.diag(Loc, "%0 is closed by its receiver while %select{%2|another goroutine}1 may "
                        "still send on it; the next send panics (send on closed channel)")
            << siteVar(Close) << ByGoroutine << who(P);
        noteGoroutine(P, "goroutine sending on %0 starts here", siteVar(*Repeating));
        Check.diag(siteLoc(*Repeating), "%0 is sent on here", DiagnosticIDs::Note)
            << siteVar(*Repeating);
        break;
      }
    }
  }
};

// ---------------------------------------------------------------------------
// Finding 3: a variable closed twice on one path.
// ---------------------------------------------------------------------------

namespace {

// The closes of one variable in one body (a function or a lambda; a
// goro::defer's function belongs to the body that declares the defer).
struct CloseGroup {
  const FunctionDecl *Callable = nullptr;
  const Stmt *Body = nullptr;
  llvm::SmallVector<const CXXMemberCallExpr *, 2> Explicit;
  llvm::SmallVector<std::pair<const VarDecl *, const CXXMemberCallExpr *>, 1> Defers;
  llvm::SmallVector<const Stmt *, 2> Kills;
};

class CloseGrouper {
public:
  CloseGrouper(const VarDecl *Var, llvm::ArrayRef<const CXXMemberCallExpr *> Closes)
      : Var(Var), Closes(Closes.begin(), Closes.end()) {}

  llvm::MapVector<const Stmt *, CloseGroup> Groups;

  void run(const FunctionDecl *Root) {
    Current = &group(Root, Root->getBody());
    walk(Root->getBody());
  }

private:
  struct Frame {
    const Stmt *S;
    const VarDecl *InitOf;
  };

  CloseGroup &group(const FunctionDecl *Callable, const Stmt *Body) {
    CloseGroup &G = Groups[Body];
    G.Callable = Callable;
    G.Body = Body;
    return G;
  }

  void walk(const Stmt *S) {
    if (S == nullptr || Stack.size() > 1000)
      return;
    if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
      onLambda(Lambda);
      return;
    }
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S); Call != nullptr && Closes.count(Call)) {
      if (Defer == nullptr)
        Current->Explicit.push_back(Call);
      else if (!conditionalInDefer())
        Current->Defers.push_back({Defer, Call});
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S);
        Ref != nullptr && Ref->getDecl() == Var && isKill(Ref))
      Current->Kills.push_back(Ref);
    Stack.push_back(Frame{S, nullptr});
    if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : Decls->decls())
        if (const auto *Local = dyn_cast<VarDecl>(D);
            Local != nullptr && Local->getInit() != nullptr) {
          Stack.push_back(Frame{nullptr, Local});
          walk(Local->getInit());
          Stack.pop_back();
        }
    } else {
      for (const Stmt *Child : S->children())
        walk(Child);
    }
    Stack.pop_back();
  }

  // A reference that may give the variable another channel (or none): the
  // left side of an assignment, std::move/swap/exchange, its address, a
  // non-const lvalue reference parameter. Stack.back() is Ref's parent.
  bool isKill(const DeclRefExpr *Ref) const {
    const Expr *E = Ref;
    for (size_t I = Stack.size(); I-- > 0;) {
      const Stmt *P = Stack[I].S;
      if (P == nullptr)
        return false; // initializing another variable from it
      if (isa<ParenExpr, ImplicitCastExpr>(P)) {
        E = cast<Expr>(P);
        continue;
      }
      if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(P))
        return Operator->getOperator() == OO_Equal && Operator->getNumArgs() > 0 &&
               Operator->getArg(0) == E;
      if (const auto *Unary = dyn_cast<UnaryOperator>(P))
        return Unary->getOpcode() == UO_AddrOf;
      if (const auto *Call = dyn_cast<CallExpr>(P)) {
        if (isa<CXXMemberCallExpr>(Call))
          return false; // a member call on it, or passing it to a member
        const FunctionDecl *Callee = Call->getDirectCallee();
        if (Callee == nullptr)
          return false;
        if (Callee->isInStdNamespace() && Callee->getIdentifier() != nullptr &&
            (Callee->getName() == "move" || Callee->getName() == "swap" ||
             Callee->getName() == "exchange"))
          return true;
        for (unsigned A = 0; A < Call->getNumArgs() && A < Callee->getNumParams(); ++A)
          if (Call->getArg(A) == E) {
            QualType T = Callee->getParamDecl(A)->getType();
            return T->isLValueReferenceType() && !T.getNonReferenceType().isConstQualified();
          }
        return false;
      }
      return false;
    }
    return false;
  }

  bool conditionalInDefer() const {
    for (size_t I = Stack.size(); I-- > DeferRoot;) {
      const Stmt *P = Stack[I].S;
      if (P == nullptr)
        continue;
      if (isa<IfStmt, ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt,
              AbstractConditionalOperator, CXXTryStmt, ReturnStmt>(P))
        return true;
      if (const auto *Binary = dyn_cast<BinaryOperator>(P);
          Binary != nullptr && Binary->isLogicalOp())
        return true;
    }
    // A return before the close in the defer's body also skips it.
    if (DeferRoot < Stack.size())
      if (const auto *Body = dyn_cast_or_null<CompoundStmt>(Stack[DeferRoot].S))
        for (const Stmt *Child : Body->body()) {
          if (DeferRoot + 1 < Stack.size() && Child == Stack[DeferRoot + 1].S)
            break;
          if (isa<ReturnStmt>(Child))
            return true;
        }
    return false;
  }

  void onLambda(const LambdaExpr *Lambda) {
    // Is it the function of a goro::defer variable declared here?
    const VarDecl *DeferVar = nullptr;
    for (size_t I = Stack.size(); I-- > 0;) {
      const Frame &F = Stack[I];
      if (F.InitOf != nullptr) {
        if (utils::isGoroDeferType(F.InitOf->getType()))
          DeferVar = F.InitOf;
        break;
      }
      if (isa<ParenExpr, ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr, FullExpr,
              CXXConstructExpr>(F.S))
        continue;
      break;
    }
    if (DeferVar != nullptr && Defer == nullptr) {
      const VarDecl *SavedDefer = Defer;
      size_t SavedRoot = DeferRoot;
      Defer = DeferVar;
      DeferRoot = Stack.size();
      walk(Lambda->getBody());
      Defer = SavedDefer;
      DeferRoot = SavedRoot;
      return;
    }
    CloseGroup *Saved = Current;
    const VarDecl *SavedDefer = Defer;
    Defer = nullptr;
    Current = &group(Lambda->getCallOperator(), Lambda->getBody());
    walk(Lambda->getBody());
    Current = Saved;
    Defer = SavedDefer;
  }

  const VarDecl *Var;
  llvm::SmallPtrSet<const Stmt *, 4> Closes;
  llvm::SmallVector<Frame, 64> Stack;
  CloseGroup *Current = nullptr;
  const VarDecl *Defer = nullptr;
  size_t DeferRoot = 0;
};

} // namespace

void UnclosedChannelCheck::analyzeDoubleClose(
    const VarDecl *Var, llvm::ArrayRef<const CXXMemberCallExpr *> CloseCalls) {
  const auto *Root = dyn_cast_or_null<FunctionDecl>(Var->getParentFunctionOrMethod());
  if (Root == nullptr || Root->getBody() == nullptr || Root->isDependentContext() ||
      Root->isInvalidDecl())
    return;
  CloseGrouper Grouper(Var, CloseCalls);
  Grouper.run(Root);
  for (auto &[Body, Group] : Grouper.Groups) {
    llvm::SmallPtrSet<const VarDecl *, 2> DeferVars;
    for (auto &[DeferVar, Call] : Group.Defers)
      DeferVars.insert(DeferVar);
    if (Group.Explicit.size() + DeferVars.size() < 2)
      continue;
    std::unique_ptr<BodyGraph> G = BodyGraph::build(Group.Callable, Group.Body, *Context);
    if (G == nullptr)
      continue;
    Events Ev;
    for (const CXXMemberCallExpr *Call : Group.Explicit)
      Ev.Closes.insert(Call);
    Ev.DeferCloses.insert(DeferVars.begin(), DeferVars.end());
    Ev.Kills.insert(Group.Kills.begin(), Group.Kills.end());
    auto DeferClose = [&](const VarDecl *D) -> const CXXMemberCallExpr * {
      for (auto &[DeferVar, Call] : Group.Defers)
        if (DeferVar == D)
          return Call;
      return nullptr;
    };
    auto MemberLoc = [](const CXXMemberCallExpr *Call) {
      if (const auto *Callee = dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens()))
        return Callee->getMemberLoc();
      return Call->getBeginLoc();
    };

    // Every close element of the body is a possible first close.
    for (const CFGBlock *B : G->graph()) {
      if (!G->reachable(B))
        continue;
      for (unsigned I = 0; I < B->size(); ++I) {
        CFGElement First = (*B)[I];
        if (Ev.at(First) != Events::Close)
          continue;
        Search After = search(*G, Point{B, I + 1}, Ev);
        if (!After.FirstHit || After.Killed || !After.OpenExits.empty())
          continue;
        // Which closes: explicit calls or defers.
        const CXXMemberCallExpr *FirstCall = nullptr, *SecondCall = nullptr;
        const VarDecl *FirstDefer = nullptr, *SecondDefer = nullptr;
        if (std::optional<CFGStmt> S = First.getAs<CFGStmt>())
          FirstCall = dyn_cast<CXXMemberCallExpr>(S->getStmt());
        else if (std::optional<CFGAutomaticObjDtor> D = First.getAs<CFGAutomaticObjDtor>())
          FirstDefer = D->getVarDecl();
        if (std::optional<CFGStmt> S = After.FirstHit->getAs<CFGStmt>())
          SecondCall = dyn_cast<CXXMemberCallExpr>(S->getStmt());
        else if (std::optional<CFGAutomaticObjDtor> D =
                     After.FirstHit->getAs<CFGAutomaticObjDtor>())
          SecondDefer = D->getVarDecl();
        if (FirstDefer != nullptr && FirstDefer == SecondDefer)
          continue; // one defer's destructor seen twice (never on one path)
        if (FirstCall != nullptr && SecondDefer != nullptr) {
          // The explicit close is the line to change: the defer owns the close.
          SourceLocation Loc = MemberLoc(FirstCall);
          if (!firstReport(Loc, RK_DoubleClose))
            continue;
          diag(Loc, "%0 is closed here and again by the goro::defer when its scope ends; the "
                    "second close panics (close of closed channel)")
              << Var;
          diag(SecondDefer->getLocation(), "goro::defer closing %0 declared here",
               DiagnosticIDs::Note)
              << Var;
          continue;
        }
        const CXXMemberCallExpr *Second =
            SecondCall != nullptr ? SecondCall : DeferClose(SecondDefer);
        if (Second == nullptr)
          continue;
        SourceLocation Loc = MemberLoc(Second);
        if (!firstReport(Loc, RK_DoubleClose))
          continue;
        diag(Loc, "%0 is closed twice: every path from its first close reaches this one, and the "
                  "second close panics (close of closed channel)")
            << Var;
        if (FirstCall != nullptr)
          diag(MemberLoc(FirstCall), "%0 is first closed here", DiagnosticIDs::Note) << Var;
        else if (FirstDefer != nullptr)
          diag(FirstDefer->getLocation(),
               "%0 is first closed by this goro::defer when its scope ends", DiagnosticIDs::Note)
              << Var;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The check.
// ---------------------------------------------------------------------------

UnclosedChannelCheck::UnclosedChannelCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawSpawnFunctions(Options.get("SpawnFunctions", utils::DefaultSpawnFunctions)),
      SpawnFunctions(::clang::tidy::utils::options::parseStringList(RawSpawnFunctions)),
      RawWaitFunctions(Options.get("WaitFunctions", DefaultWaitFunctions)),
      WaitFunctions(::clang::tidy::utils::options::parseStringList(RawWaitFunctions)) {}

void UnclosedChannelCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "SpawnFunctions", RawSpawnFunctions);
  Options.store(Opts, "WaitFunctions", RawWaitFunctions);
}

void UnclosedChannelCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(varDecl(utils::madeChannelVar()).bind("chan"), this);
  Finder->addMatcher(
      cxxMemberCallExpr(
          callee(cxxMethodDecl(hasName("close"),
                               ofClass(hasAnyName("::goro::chan", "::goro::send_chan")))))
          .bind("close"),
      this);
}

void UnclosedChannelCheck::check(const MatchFinder::MatchResult &Result) {
  Context = Result.Context;
  if (const auto *Close = Result.Nodes.getNodeAs<CXXMemberCallExpr>("close")) {
    const VarDecl *Var = utils::channelVarOf(Close->getImplicitObjectArgument());
    if (Var != nullptr && (Var->hasLocalStorage() || isa<ParmVarDecl>(Var)) &&
        !Var->isInvalidDecl())
      Closes[Var].push_back(Close);
    return;
  }
  const auto *Chan = Result.Nodes.getNodeAs<VarDecl>("chan");
  if (const FunctionDecl *Owner = utils::tracedChannelOwner(Chan))
    Channels.insert({Chan, Owner});
}

bool UnclosedChannelCheck::isWait(const Stmt *S) {
  if (!isa<CallExpr>(S) || WaitFunctions.empty())
    return false;
  if (auto It = WaitCache.find(S); It != WaitCache.end())
    return It->second;
  if (!WaitMatcher)
    WaitMatcher = callExpr(callee(functionDecl(hasAnyName(WaitFunctions))));
  bool Result = !match(*WaitMatcher, *S, *Context).empty();
  WaitCache[S] = Result;
  return Result;
}

bool UnclosedChannelCheck::firstReport(SourceLocation Loc, unsigned Kind) {
  return Reported.insert({Loc.getRawEncoding(), Kind}).second;
}

void UnclosedChannelCheck::analyzeChannel(const VarDecl *Channel, const FunctionDecl *Owner) {
  utils::TraceOptions Trace;
  // function_ref does not own its callable: keep the lambdas alive here.
  auto IsSpawn = [this](const Stmt *S) { return Spawns.isSpawn(S, *Context); };
  auto IsWait = [this](const Stmt *S) { return isWait(S); };
  Trace.IsSpawn = IsSpawn;
  Trace.IsWait = IsWait;
  ChannelFlow Flow = utils::traceChannel(Channel, Owner, *Context, Trace);
  if (Flow.escapesWithSendSide())
    return;
  Analysis(*this, Flow, *Context).run();
}

void UnclosedChannelCheck::onEndOfTranslationUnit() {
  if (Context != nullptr) {
    for (const auto &[Channel, Owner] : Channels)
      analyzeChannel(Channel, Owner);
    for (const auto &[Var, Calls] : Closes)
      if (Calls.size() >= 2)
        analyzeDoubleClose(Var, Calls);
  }
  Channels.clear();
  Closes.clear();
  Spawns.clear();
  WaitCache.clear();
  Reported.clear();
  Context = nullptr;
}

} // namespace clang::tidy::goro
