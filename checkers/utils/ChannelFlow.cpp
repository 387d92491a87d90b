//===--- ChannelFlow.cpp - where a goro channel goes ----------------------===//
//
// The trace is one walk over the owner's body with an explicit stack of
// ancestors. Each reference to an alias of the channel is classified by
// climbing that stack (see classifyUse); lambdas and callees are walked when
// the climb shows that they run (a spawn, a select case, a defer, a call).
// Nothing here builds a parent map of the TU, so the cost is proportional to
// the code the channel reaches.
//
//===----------------------------------------------------------------------===//

#include "ChannelFlow.h"
#include "SpawnCalls.h"

#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSwitch.h"
#include <tuple>

namespace clang::tidy::goro::utils {

bool isInGoroNamespace(const Decl *D) {
  if (D == nullptr)
    return false;
  const auto *NS = dyn_cast_or_null<NamespaceDecl>(D->getDeclContext());
  if (NS == nullptr || NS->getIdentifier() == nullptr || NS->getName() != "goro")
    return false;
  return NS->getDeclContext()->getRedeclContext()->isTranslationUnit();
}

static ChannelView recordView(const CXXRecordDecl *Record) {
  if (Record == nullptr || Record->getIdentifier() == nullptr || !isInGoroNamespace(Record))
    return ChannelView::None;
  return llvm::StringSwitch<ChannelView>(Record->getName())
      .Case("chan", ChannelView::Both)
      .Case("send_chan", ChannelView::SendOnly)
      .Case("recv_chan", ChannelView::RecvOnly)
      .Default(ChannelView::None);
}

ChannelView channelView(QualType T) {
  if (T.isNull())
    return ChannelView::None;
  T = T.getNonReferenceType();
  if (T->isDependentType())
    return ChannelView::None;
  return recordView(T->getAsCXXRecordDecl());
}

bool isGoroDeferType(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isDependentType())
    return false;
  const auto *Record = T->getAsCXXRecordDecl();
  return Record != nullptr && Record->getIdentifier() != nullptr && Record->getName() == "defer" &&
         isInGoroNamespace(Record);
}

const Expr *stripWrappers(const Expr *E) {
  while (E != nullptr) {
    const Expr *Next = E->IgnoreParens();
    if (const auto *Full = dyn_cast<FullExpr>(Next))
      Next = Full->getSubExpr();
    else if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(Next))
      Next = Temp->getSubExpr();
    else if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(Next))
      Next = Bind->getSubExpr();
    else if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Next))
      Next = Cast->getSubExpr();
    else if (const auto *Functional = dyn_cast<CXXFunctionalCastExpr>(Next))
      Next = Functional->getSubExpr();
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

bool isGoroCall(const CallExpr *Call, llvm::StringRef Name) {
  if (Call == nullptr)
    return false;
  const FunctionDecl *Callee = Call->getDirectCallee();
  return Callee != nullptr && Callee->getIdentifier() != nullptr && Callee->getName() == Name &&
         isInGoroNamespace(Callee);
}

bool isMakeChanCall(const Expr *E) {
  return isGoroCall(dyn_cast_or_null<CallExpr>(stripWrappers(E)), "make_chan");
}

static bool isStdValuePassThrough(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (Callee == nullptr || Callee->getIdentifier() == nullptr || !Callee->isInStdNamespace() ||
      Call->getNumArgs() != 1)
    return false;
  llvm::StringRef Name = Callee->getName();
  return Name == "move" || Name == "forward" || Name == "as_const";
}

ChannelOp channelOpByName(llvm::StringRef Name) {
  return llvm::StringSwitch<ChannelOp>(Name)
      .Case("send", ChannelOp::Send)
      .Case("try_send", ChannelOp::TrySend)
      .Case("recv", ChannelOp::Recv)
      .Case("try_recv", ChannelOp::TryRecv)
      .Case("close", ChannelOp::Close)
      .Cases("size", "capacity", "begin", "end", ChannelOp::Neutral)
      .Default(ChannelOp::None);
}

ChannelOp channelMemberOp(const CXXMethodDecl *Method) {
  if (Method == nullptr || recordView(Method->getParent()) == ChannelView::None)
    return ChannelOp::None;
  if (const auto *Conversion = dyn_cast<CXXConversionDecl>(Method))
    return channelView(Conversion->getConversionType()) != ChannelView::None ? ChannelOp::Conversion
                                                                             : ChannelOp::Neutral;
  if (Method->isCopyAssignmentOperator() || Method->isMoveAssignmentOperator())
    return ChannelOp::Assign;
  if (Method->getIdentifier() == nullptr)
    return ChannelOp::None;
  return channelOpByName(Method->getName());
}

std::pair<const Expr *, ChannelOp> channelCall(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CallExpr>(E);
  if (Call == nullptr)
    return {nullptr, ChannelOp::None};
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
    ChannelOp Op = channelMemberOp(Member->getMethodDecl());
    if (Op == ChannelOp::None)
      return {nullptr, Op};
    return {Member->getImplicitObjectArgument(), Op};
  }
  // A call in dependent code (a generic lambda): by name, on a channel object.
  const Expr *Callee = Call->getCallee()->IgnoreParens();
  if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(Callee)) {
    if (Unresolved->isImplicitAccess() ||
        Unresolved->getMemberName().getAsIdentifierInfo() == nullptr)
      return {nullptr, ChannelOp::None};
    const Expr *Base = Unresolved->getBase();
    if (channelView(Base->getType()) == ChannelView::None)
      return {nullptr, ChannelOp::None};
    return {Base, channelOpByName(Unresolved->getMemberName().getAsIdentifierInfo()->getName())};
  }
  return {nullptr, ChannelOp::None};
}

const VarDecl *channelVarOf(const Expr *E) {
  for (unsigned Step = 0; E != nullptr && Step < 16; ++Step) {
    E = stripWrappers(E);
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return dyn_cast<VarDecl>(Ref->getDecl());
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      if (Construct->getNumArgs() < 1 || channelView(Construct->getType()) == ChannelView::None ||
          channelView(Construct->getArg(0)->getType()) == ChannelView::None)
        return nullptr;
      E = Construct->getArg(0);
      continue;
    }
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E)) {
      if (channelMemberOp(Member->getMethodDecl()) != ChannelOp::Conversion)
        return nullptr;
      E = Member->getImplicitObjectArgument();
      continue;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      if (!isStdValuePassThrough(Call))
        return nullptr;
      E = Call->getArg(0);
      continue;
    }
    return nullptr;
  }
  return nullptr;
}

bool ChannelFlow::escapesWithSendSide() const {
  if (Incomplete)
    return true;
  for (const ChannelEscape &Escape : Escapes)
    if (!Escape.RecvOnly)
      return true;
  return false;
}

namespace {

// Where the walk is: one frame per ancestor of the node being visited.
struct Frame {
  const Stmt *S = nullptr;         // the ancestor (nullptr in an InitOf frame)
  const VarDecl *InitOf = nullptr; // the node below is this variable's initializer
  const Stmt *Child = nullptr;     // the child of S being visited
};

// One walked body and how it runs relative to its context.
struct Walk {
  unsigned Context = 0;
  Nesting Via = Nesting::Direct;
  const Stmt *Anchor = nullptr;
  SourceLocation Position;
  const VarDecl *Defer = nullptr;
  const Stmt *Body = nullptr;
  size_t Root = 0;        // the index in the stack of the body's frame
  bool OuterLoop = false; // the body runs repeatedly within its context
  bool OuterCondition = false;
  unsigned Depth = 0; // callee depth
};

struct LambdaVar {
  const LambdaExpr *Lambda = nullptr;
  bool SendSide = false;
};

constexpr size_t MaxStackDepth = 1500;

class FlowBuilder {
public:
  FlowBuilder(ASTContext &Context, const TraceOptions &Options, ChannelFlow &Flow)
      : SM(Context.getSourceManager()), Options(Options), Flow(Flow) {}

  void run(const FunctionDecl *Owner) {
    ChannelContext Root;
    Root.Kind = ChannelContext::Owner;
    Root.Callable = Owner;
    Root.Body = Owner->getBody();
    Flow.Contexts.push_back(Root);
    Flow.Aliases.insert(Flow.Channel);
    Walk W;
    W.Body = Root.Body;
    walkBody(Root.Body, W);
  }

private:
  const SourceManager &SM;
  const TraceOptions &Options;
  ChannelFlow &Flow;
  llvm::SmallVector<Frame, 64> Stack;
  Walk Cur;
  // A body reached from two contexts (a helper two goroutines call) has its
  // sites recorded once per context.
  llvm::DenseSet<std::pair<const Stmt *, unsigned>> RecordedSites;
  llvm::DenseMap<const VarDecl *, LambdaVar> LambdaVars;
  llvm::DenseMap<std::pair<const Stmt *, const Decl *>, unsigned> SpawnContexts;
  // (body, context) -> the number of aliases when it was last walked.
  llvm::DenseMap<std::pair<const Stmt *, unsigned>, unsigned> Walked;

  void walkBody(const Stmt *Body, const Walk &W) {
    if (Body == nullptr)
      return;
    auto Key = std::make_pair(Body, W.Context);
    auto It = Walked.find(Key);
    if (It != Walked.end() && It->second == Flow.Aliases.size())
      return;
    Walked[Key] = Flow.Aliases.size();
    Walk Saved = Cur;
    Cur = W;
    Cur.Body = Body;
    Cur.Root = Stack.size();
    visit(Body);
    Cur = Saved;
  }

  void visit(const Stmt *S) {
    if (S == nullptr)
      return;
    if (Stack.size() > MaxStackDepth) {
      Flow.Incomplete = true;
      return;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S)) {
      onDeclRef(Ref);
      return;
    }
    if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
      onLambda(Lambda);
      return;
    }
    noteBarrier(S);
    Stack.push_back(Frame{S, nullptr, nullptr});
    if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D); Var != nullptr && Var->getInit() != nullptr)
          visitInit(Var);
    } else if (const auto *Range = dyn_cast<CXXForRangeStmt>(S)) {
      // Not the implicit __range/__begin/__end variables: the written parts.
      child(Range->getInit());
      child(Range->getRangeInit());
      child(Range->getBody());
    } else {
      for (const Stmt *Child : S->children())
        child(Child);
    }
    Stack.pop_back();
  }

  void child(const Stmt *C) {
    if (C == nullptr)
      return;
    Stack.back().Child = C;
    visit(C);
  }

  void visitInit(const VarDecl *Var) {
    Stack.back().Child = nullptr;
    Stack.push_back(Frame{nullptr, Var, nullptr});
    visit(Var->getInit());
    Stack.pop_back();
  }

  // --- where the walk is ----------------------------------------------------

  static bool repeatsChild(const Frame &F) {
    if (F.S == nullptr)
      return false;
    if (const auto *For = dyn_cast<ForStmt>(F.S))
      return F.Child != For->getInit();
    if (const auto *Range = dyn_cast<CXXForRangeStmt>(F.S))
      return F.Child == Range->getBody();
    return isa<WhileStmt, DoStmt>(F.S);
  }

  static bool conditionsChild(const Frame &F) {
    if (F.S == nullptr)
      return false;
    if (const auto *If = dyn_cast<IfStmt>(F.S))
      return F.Child == If->getThen() || F.Child == If->getElse();
    if (const auto *Cond = dyn_cast<AbstractConditionalOperator>(F.S))
      return F.Child == Cond->getTrueExpr() || F.Child == Cond->getFalseExpr();
    if (const auto *Binary = dyn_cast<BinaryOperator>(F.S))
      return Binary->isLogicalOp() && F.Child == Binary->getRHS();
    if (const auto *Switch = dyn_cast<SwitchStmt>(F.S))
      return F.Child == Switch->getBody();
    if (isa<CXXTryStmt, CXXCatchStmt>(F.S))
      return true;
    return repeatsChild(F);
  }

  // The innermost loop that repeats the node above frame Top, in this body.
  const Stmt *loopBelow(size_t Top) const {
    for (size_t I = Top + 1; I-- > Cur.Root;)
      if (repeatsChild(Stack[I]))
        return Stack[I].S;
    return nullptr;
  }

  bool conditionBelow(size_t Top) const {
    for (size_t I = Top + 1; I-- > Cur.Root;)
      if (conditionsChild(Stack[I]))
        return true;
    return false;
  }

  bool inLoopHere() const {
    return Cur.OuterLoop || (!Stack.empty() && loopBelow(Stack.size() - 1) != nullptr);
  }
  bool underConditionHere() const {
    return Cur.OuterCondition || (!Stack.empty() && conditionBelow(Stack.size() - 1));
  }

  SourceLocation positionOf(const Stmt *S) const {
    return Cur.Via == Nesting::Direct ? S->getBeginLoc() : Cur.Position;
  }
  const Stmt *anchorOf(const Stmt *S) const { return Cur.Via == Nesting::Direct ? S : Cur.Anchor; }

  // The end of the innermost compound statement around the walk position.
  SourceLocation scopeEndHere() const {
    for (size_t I = Stack.size(); I-- > 0;)
      if (const auto *Compound = dyn_cast_or_null<CompoundStmt>(Stack[I].S))
        return Compound->getRBracLoc();
    return SourceLocation();
  }

  // --- recording -------------------------------------------------------------

  void escape(const Stmt *S, bool RecvOnly) { Flow.Escapes.push_back(ChannelEscape{S, RecvOnly}); }
  void escapeValue(const Stmt *S, const Expr *Value) {
    escape(S, channelView(Value->getType()) == ChannelView::RecvOnly);
  }

  // Records the site S (whose frame is at index FrameIndex).
  void addSite(SiteKind Kind, const Stmt *S, size_t FrameIndex) {
    if (!RecordedSites.insert({S, Cur.Context}).second)
      return;
    ChannelSite Site;
    Site.Kind = Kind;
    Site.S = S;
    Site.Context = Cur.Context;
    Site.Via = Cur.Via;
    Site.Anchor = anchorOf(S);
    Site.Position = positionOf(S);
    Site.Body = Cur.Body;
    Site.Defer = Cur.Defer;
    Site.Loop = FrameIndex > 0 ? loopBelow(FrameIndex - 1) : nullptr;
    Site.InLoop = Site.Loop != nullptr || Cur.OuterLoop;
    Site.Conditional = Cur.OuterCondition || (FrameIndex > 0 && conditionBelow(FrameIndex - 1));
    if (Kind == SiteKind::SelectRecv || Kind == SiteKind::SelectSend) {
      const auto *Call = cast<CallExpr>(S);
      unsigned FnIndex = Kind == SiteKind::SelectRecv ? 1 : 2;
      if (Call->getNumArgs() > FnIndex)
        Site.Case = dyn_cast<LambdaExpr>(stripWrappers(Call->getArg(FnIndex)));
    }
    Flow.Sites.push_back(Site);
  }

  void noteBarrier(const Stmt *S) {
    bool Blocks = false;
    if (isa<CallExpr>(S) && Options.IsWait && Options.IsWait(S))
      Blocks = true;
    else if (const auto *Range = dyn_cast<CXXForRangeStmt>(S))
      Blocks = channelView(Range->getRangeInit()->getType()) != ChannelView::None &&
               !isAlias(channelVarOf(Range->getRangeInit()));
    else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
      auto [Object, Op] = channelCall(Call);
      Blocks = Object != nullptr && Op == ChannelOp::Recv && !isAlias(channelVarOf(Object));
    }
    if (Blocks)
      Flow.Barriers.push_back(ChannelBarrier{Cur.Context, positionOf(S)});
  }

  bool isAlias(const VarDecl *Var) const { return Var != nullptr && Flow.Aliases.count(Var) != 0; }

  bool isSpawn(const Stmt *S) const { return Options.IsSpawn && Options.IsSpawn(S); }

  // --- classification --------------------------------------------------------

  // Wrappers that leave a channel value the same channel.
  static bool isValueWrapper(const Stmt *P) {
    return isa<ParenExpr, ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
               FullExpr, CXXFunctionalCastExpr, CXXStaticCastExpr, CXXConstCastExpr,
               CStyleCastExpr>(P);
  }

  void onDeclRef(const DeclRefExpr *Ref) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (Var == nullptr)
      return;
    if (Flow.Aliases.count(Var) != 0)
      classifyUse(Ref);
    else if (auto It = LambdaVars.find(Var); It != LambdaVars.end())
      classifyLambdaVarUse(Ref, It->second);
  }

  // A reference to an alias: climb to the operation that uses the value.
  void classifyUse(const Expr *E) {
    size_t I = Stack.size();
    while (I-- > Cur.Root) {
      const Frame &F = Stack[I];
      if (F.InitOf != nullptr) {
        onInitializer(F.InitOf, E);
        return;
      }
      const Stmt *P = F.S;
      if (isValueWrapper(P)) {
        E = cast<Expr>(P);
        continue;
      }
      if (const auto *Member = dyn_cast<MemberExpr>(P)) {
        const CXXMemberCallExpr *Call =
            I > Cur.Root ? dyn_cast_or_null<CXXMemberCallExpr>(Stack[I - 1].S) : nullptr;
        if (Member->getBase() != E || Call == nullptr || Call->getCallee() != Member) {
          escapeValue(P, E);
          return;
        }
        ChannelOp Op = channelMemberOp(dyn_cast<CXXMethodDecl>(Member->getMemberDecl()));
        if (Op == ChannelOp::Conversion) {
          E = Call;
          --I;
          continue;
        }
        onOperation(Op, Call, I - 1, E);
        return;
      }
      if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(P)) {
        const CallExpr *Call = I > Cur.Root ? dyn_cast_or_null<CallExpr>(Stack[I - 1].S) : nullptr;
        const IdentifierInfo *Name = Unresolved->getMemberName().getAsIdentifierInfo();
        if (Call == nullptr || Name == nullptr || Unresolved->isImplicitAccess() ||
            Unresolved->getBase() != E) {
          escapeValue(P, E);
          return;
        }
        onOperation(channelOpByName(Name->getName()), Call, I - 1, E);
        return;
      }
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(P)) {
        if (channelView(Construct->getType()) != ChannelView::None) {
          E = Construct;
          continue;
        }
        if (isSpawn(Construct))
          onSpawnArgument(Construct, E);
        else
          escapeValue(P, E);
        return;
      }
      if (const auto *Call = dyn_cast<CallExpr>(P)) {
        if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(Call)) {
          OverloadedOperatorKind Kind = Operator->getOperator();
          if (Kind != OO_EqualEqual && Kind != OO_ExclaimEqual)
            escapeValue(P, E);
          return;
        }
        if (Call->getCallee() == E) {
          escapeValue(P, E);
          return;
        }
        if (isStdValuePassThrough(Call)) {
          E = Call;
          continue;
        }
        bool FirstArgument = Call->getNumArgs() > 0 && Call->getArg(0) == E;
        if (FirstArgument && isGoroCall(Call, "on_recv")) {
          addSite(SiteKind::SelectRecv, Call, I);
          return;
        }
        if (FirstArgument && isGoroCall(Call, "on_send")) {
          addSite(SiteKind::SelectSend, Call, I);
          return;
        }
        if (isSpawn(Call)) {
          onSpawnArgument(Call, E);
          return;
        }
        onCallArgument(Call, E);
        return;
      }
      if (const auto *Range = dyn_cast<CXXForRangeStmt>(P)) {
        if (Range->getRangeInit() == E)
          addSite(SiteKind::Range, Range, I);
        else
          escapeValue(P, E);
        return;
      }
      // The value of an expression statement is discarded.
      if (isa<CompoundStmt>(P))
        return;
      escapeValue(P, E);
      return;
    }
  }

  void onOperation(ChannelOp Op, const CallExpr *Call, size_t CallFrame, const Expr *Object) {
    switch (Op) {
    case ChannelOp::Send:
      return addSite(SiteKind::Send, Call, CallFrame);
    case ChannelOp::TrySend:
      return addSite(SiteKind::TrySend, Call, CallFrame);
    case ChannelOp::Recv:
      return addSite(SiteKind::Recv, Call, CallFrame);
    case ChannelOp::TryRecv:
      return addSite(SiteKind::TryRecv, Call, CallFrame);
    case ChannelOp::Close:
      return addSite(SiteKind::Close, Call, CallFrame);
    case ChannelOp::Neutral:
      return;
    case ChannelOp::None:
    case ChannelOp::Conversion:
    case ChannelOp::Assign:
      return escapeValue(Call, Object);
    }
  }

  void onInitializer(const VarDecl *Var, const Expr *Value) {
    if (Var->hasLocalStorage() && !isa<ParmVarDecl>(Var) &&
        channelView(Var->getType()) != ChannelView::None) {
      Flow.Aliases.insert(Var);
      return;
    }
    escapeValue(Value, Value);
  }

  static const FunctionDecl *visibleDefinition(const FunctionDecl *Function,
                                               const SourceManager &SM) {
    const FunctionDecl *Definition = nullptr;
    if (Function == nullptr || !Function->hasBody(Definition) || Definition == nullptr ||
        Definition->isDependentContext() || Definition->isInvalidDecl())
      return nullptr;
    if (SM.isInSystemHeader(SM.getExpansionLoc(Definition->getLocation())))
      return nullptr;
    return Definition;
  }

  unsigned contextFor(const Expr *Spawn, const FunctionDecl *Callable) {
    auto Key =
        std::make_pair(static_cast<const Stmt *>(Spawn), static_cast<const Decl *>(Callable));
    auto It = SpawnContexts.find(Key);
    if (It != SpawnContexts.end())
      return It->second;
    ChannelContext Goroutine;
    Goroutine.Kind = ChannelContext::Goroutine;
    Goroutine.Callable = Callable;
    Goroutine.Body = Callable->getBody();
    Goroutine.Spawn = Spawn;
    Goroutine.Parent = Cur.Context;
    Goroutine.Repeated = inLoopHere();
    Flow.Contexts.push_back(Goroutine);
    unsigned Index = Flow.Contexts.size() - 1;
    SpawnContexts[Key] = Index;
    return Index;
  }

  void walkGoroutine(const Expr *Spawn, const FunctionDecl *Callable) {
    unsigned Index = contextFor(Spawn, Callable);
    Walk W;
    W.Context = Index;
    W.Body = Callable->getBody();
    walkBody(W.Body, W);
  }

  void walkNested(const Stmt *Body, Nesting Via, const Stmt *At, SourceLocation Position,
                  const VarDecl *Defer, unsigned Depth) {
    Walk W;
    W.Context = Cur.Context;
    W.Via = Via;
    W.Anchor = anchorOf(At);
    W.Position = Cur.Via == Nesting::Direct ? Position : Cur.Position;
    W.Defer = Via == Nesting::Defer ? Defer : Cur.Defer;
    if (Cur.Via == Nesting::Defer && Via != Nesting::Defer)
      W.Via = Nesting::Defer;
    W.OuterLoop = inLoopHere();
    W.OuterCondition = underConditionHere();
    W.Depth = Depth;
    walkBody(Body, W);
  }

  // The channel (E) is an argument of a spawn: the spawned function's
  // parameter is an alias in a new goroutine.
  void onSpawnArgument(const Expr *Spawn, const Expr *E) {
    llvm::ArrayRef<const Expr *> Args = spawnArguments(Spawn);
    std::optional<unsigned> CallableIndex = spawnCallableIndex(Spawn);
    unsigned Index = 0;
    while (Index < Args.size() && Args[Index] != E)
      ++Index;
    const FunctionDecl *Definition = visibleDefinition(spawnedFunction(Spawn), SM);
    if (Index == Args.size() || !CallableIndex || Index <= *CallableIndex ||
        Definition == nullptr) {
      escapeValue(Spawn, E);
      return;
    }
    unsigned Param = Index - *CallableIndex - 1;
    if (Param >= Definition->getNumParams() ||
        channelView(Definition->getParamDecl(Param)->getType()) == ChannelView::None) {
      escapeValue(Spawn, E);
      return;
    }
    Flow.Aliases.insert(Definition->getParamDecl(Param));
    walkGoroutine(Spawn, Definition);
  }

  // The channel (E) is an argument of an ordinary call: follow it into the
  // callee if its body is in sight.
  void onCallArgument(const CallExpr *Call, const Expr *E) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee);
        Method != nullptr && Method->isVirtual()) {
      escapeValue(Call, E);
      return;
    }
    const FunctionDecl *Definition = visibleDefinition(Callee, SM);
    unsigned Index = 0;
    while (Index < Call->getNumArgs() && Call->getArg(Index) != E)
      ++Index;
    if (Definition == nullptr || Cur.Depth >= Options.MaxCallDepth ||
        Index >= Definition->getNumParams() ||
        channelView(Definition->getParamDecl(Index)->getType()) == ChannelView::None) {
      escapeValue(Call, E);
      return;
    }
    Flow.Aliases.insert(Definition->getParamDecl(Index));
    Flow.Calls.push_back(ChannelCall{Call, Cur.Context, Cur.Body, Definition->getBody()});
    walkNested(Definition->getBody(), Nesting::Callee, Call, Call->getBeginLoc(), nullptr,
               Cur.Depth + 1);
  }

  // --- lambdas -----------------------------------------------------------------

  void onLambda(const LambdaExpr *Lambda) {
    bool Captures = false;
    bool SendSide = false;
    Stack.push_back(Frame{Lambda, nullptr, nullptr});
    for (const LambdaCapture &Capture : Lambda->captures()) {
      if (!Capture.capturesVariable())
        continue;
      const auto *Var = dyn_cast<VarDecl>(Capture.getCapturedVar());
      if (Var == nullptr)
        continue;
      if (Lambda->isInitCapture(&Capture) && Var->getInit() != nullptr)
        visitInit(Var);
      if (Flow.Aliases.count(Var) != 0) {
        Captures = true;
        SendSide |= channelView(Var->getType()) != ChannelView::RecvOnly;
      }
    }
    Stack.pop_back();
    if (!Captures)
      return;

    // Climb to what is done with the lambda.
    const Expr *E = Lambda;
    size_t I = Stack.size();
    while (I-- > Cur.Root) {
      const Frame &F = Stack[I];
      if (F.InitOf != nullptr) {
        if (isGoroDeferType(F.InitOf->getType())) {
          walkNested(Lambda->getBody(), Nesting::Defer, E, scopeEndHere(), F.InitOf, Cur.Depth);
        } else if (F.InitOf->hasLocalStorage() && !F.InitOf->getType()->isReferenceType() &&
                   F.InitOf->getType()->getAsCXXRecordDecl() == Lambda->getLambdaClass()) {
          LambdaVars[F.InitOf] = LambdaVar{Lambda, SendSide};
        } else {
          escape(Lambda, !SendSide);
        }
        return;
      }
      const Stmt *P = F.S;
      if (isValueWrapper(P)) {
        E = cast<Expr>(P);
        continue;
      }
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(P)) {
        if (isSpawn(Construct)) {
          walkGoroutine(Construct, Lambda->getCallOperator());
          return;
        }
        if (isGoroDeferType(Construct->getType()) ||
            Construct->getType()->getAsCXXRecordDecl() == Lambda->getLambdaClass()) {
          E = Construct;
          continue;
        }
        escape(Lambda, !SendSide);
        return;
      }
      if (const auto *Call = dyn_cast<CallExpr>(P)) {
        onLambdaUse(Call, E, Lambda, SendSide);
        return;
      }
      escape(Lambda, !SendSide);
      return;
    }
  }

  // A lambda (or a local variable holding it) is used as E in Call.
  void onLambdaUse(const CallExpr *Call, const Expr *E, const LambdaExpr *Lambda, bool SendSide) {
    if (isSpawn(Call)) {
      std::optional<unsigned> CallableIndex = spawnCallableIndex(Call);
      llvm::ArrayRef<const Expr *> Args = spawnArguments(Call);
      if (CallableIndex && *CallableIndex < Args.size() && Args[*CallableIndex] == E) {
        walkGoroutine(Call, Lambda->getCallOperator());
        return;
      }
      escape(Lambda, !SendSide);
      return;
    }
    if (isGoroCall(Call, "on_recv") || isGoroCall(Call, "on_send") ||
        isGoroCall(Call, "on_default")) {
      walkNested(Lambda->getBody(), Nesting::SelectCase, Call, Call->getBeginLoc(), nullptr,
                 Cur.Depth);
      return;
    }
    if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(Call);
        Operator != nullptr && Operator->getOperator() == OO_Call && Operator->getNumArgs() > 0 &&
        Operator->getArg(0) == E) {
      walkNested(Lambda->getBody(), Nesting::LocalCall, Call, Call->getBeginLoc(), nullptr,
                 Cur.Depth);
      return;
    }
    escape(Lambda, !SendSide);
  }

  void classifyLambdaVarUse(const DeclRefExpr *Ref, const LambdaVar &Info) {
    const Expr *E = Ref;
    size_t I = Stack.size();
    while (I-- > Cur.Root) {
      const Stmt *P = Stack[I].S;
      if (P != nullptr && isValueWrapper(P)) {
        E = cast<Expr>(P);
        continue;
      }
      if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(P)) {
        if (isSpawn(Construct)) {
          walkGoroutine(Construct, Info.Lambda->getCallOperator());
          return;
        }
        if (Construct->getType()->getAsCXXRecordDecl() == Info.Lambda->getLambdaClass()) {
          E = Construct;
          continue;
        }
      }
      if (const auto *Call = dyn_cast_or_null<CallExpr>(P)) {
        onLambdaUse(Call, E, Info.Lambda, Info.SendSide);
        return;
      }
      escape(Ref, !Info.SendSide);
      return;
    }
  }
};

} // namespace

ChannelFlow traceChannel(const VarDecl *Chan, const FunctionDecl *Owner, ASTContext &Context,
                         const TraceOptions &Options) {
  ChannelFlow Flow;
  Flow.Channel = Chan;
  if (Chan == nullptr || Owner == nullptr || Owner->getBody() == nullptr) {
    Flow.Incomplete = true;
    return Flow;
  }
  FlowBuilder(Context, Options, Flow).run(Owner);
  return Flow;
}

ast_matchers::internal::Matcher<VarDecl> madeChannelVar() {
  using namespace ast_matchers;
  return allOf(hasLocalStorage(), unless(parmVarDecl()),
               hasInitializer(
                   ignoringImplicit(callExpr(callee(functionDecl(hasName("::goro::make_chan")))))));
}

const FunctionDecl *tracedChannelOwner(const VarDecl *Chan) {
  if (Chan == nullptr || Chan->isInvalidDecl() ||
      channelView(Chan->getType()) != ChannelView::Both || !isMakeChanCall(Chan->getInit()))
    return nullptr;
  const auto *Owner = dyn_cast_or_null<FunctionDecl>(Chan->getParentFunctionOrMethod());
  if (Owner == nullptr || Owner->isDependentContext() || Owner->isInvalidDecl() ||
      Owner->getBody() == nullptr)
    return nullptr;
  return Owner;
}

} // namespace clang::tidy::goro::utils
