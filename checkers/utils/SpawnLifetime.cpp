//===--- SpawnLifetime.cpp - can spawned work outlive a scope? ------------===//
//
// See SpawnLifetime.h for what counts as "the work ends in time". Every
// question that cannot be answered with certainty is answered "it may
// outlive", so the checks err towards reporting, never towards a false "safe".
//
//===----------------------------------------------------------------------===//

#include "SpawnLifetime.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/StringSwitch.h"
#include <cstdint>

namespace clang::tidy::goro::utils {

BodyParents::BodyParents(const Stmt *Body) : Root(Body) {
  if (Body == nullptr)
    return;
  llvm::SmallVector<const Stmt *, 64> Work{Body};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (const auto *Decls = dyn_cast<DeclStmt>(S))
      for (const Decl *D : Decls->decls()) {
        DeclStmts.try_emplace(D, Decls);
        // Structured bindings: the bindings are declared by the same DeclStmt.
        if (const auto *Decomposition = dyn_cast<DecompositionDecl>(D))
          for (const BindingDecl *Binding : Decomposition->bindings())
            DeclStmts.try_emplace(Binding, Decls);
      }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      Refs[Ref->getDecl()].push_back(Ref);
    for (const Stmt *Child : S->children())
      if (Child != nullptr && Parents.try_emplace(Child, S).second)
        Work.push_back(Child);
  }
}

bool BodyParents::isWithin(const Stmt *S, const Stmt *Ancestor) const {
  for (; S != nullptr; S = parent(S))
    if (S == Ancestor)
      return true;
  return false;
}

llvm::ArrayRef<const DeclRefExpr *> BodyParents::references(const Decl *D) const {
  auto It = Refs.find(D);
  if (It == Refs.end())
    return {};
  return It->second;
}

namespace {

// What a spawn hands back that bounds the work's life.
enum class HandleKind : std::uint8_t { None, Thread, JThread, Future };

bool isStdNamed(const NamedDecl *D, StringRef Name) {
  return D != nullptr && D->isInStdNamespace() && D->getIdentifier() != nullptr &&
         D->getName() == Name;
}

StringRef nameOf(const NamedDecl *D) {
  return D != nullptr && D->getIdentifier() != nullptr ? D->getName() : StringRef();
}

HandleKind handleKindOf(QualType Type) {
  if (Type.isNull() || Type->isDependentType())
    return HandleKind::None;
  const CXXRecordDecl *Record = Type.getNonReferenceType()->getAsCXXRecordDecl();
  if (isStdNamed(Record, "thread"))
    return HandleKind::Thread;
  if (isStdNamed(Record, "jthread"))
    return HandleKind::JThread;
  if (isStdNamed(Record, "future"))
    return HandleKind::Future;
  return HandleKind::None;
}

// The handle kind of the elements of a std container (or std::optional).
HandleKind elementHandleKind(QualType Type) {
  if (Type.isNull() || Type->isDependentType())
    return HandleKind::None;
  const auto *Container =
      dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type->getAsCXXRecordDecl());
  if (Container == nullptr || !Container->isInStdNamespace() ||
      Container->getTemplateArgs().size() == 0 ||
      Container->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return HandleKind::None;
  return handleKindOf(Container->getTemplateArgs()[0].getAsType());
}

// What the spawn itself returns or constructs.
HandleKind spawnHandleKind(const Expr *Spawn) {
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Spawn))
    return handleKindOf(Construct->getType());
  if (const auto *Call = dyn_cast<CallExpr>(Spawn);
      Call != nullptr && isStdNamed(Call->getDirectCallee(), "async"))
    return handleKindOf(Call->getType());
  return HandleKind::None;
}

bool isTransparent(const Stmt *S) {
  if (isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr, FullExpr,
          CXXFunctionalCastExpr>(S))
    return true;
  // Pre-C++17 ASTs wrap initializations in elidable copies.
  const auto *Construct = dyn_cast<CXXConstructExpr>(S);
  return Construct != nullptr && Construct->isElidable();
}

const VarDecl *localVarOf(const Expr *E) {
  if (E == nullptr)
    return nullptr;
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  const auto *Var = Ref != nullptr ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (Var == nullptr || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var) ||
      Var->getType()->isReferenceType())
    return nullptr;
  return Var;
}

const VarDecl *declaredBy(const DeclStmt *Decls, const Stmt *Init) {
  for (const Decl *D : Decls->decls())
    if (const auto *Var = dyn_cast<VarDecl>(D); Var != nullptr && Var->getInit() == Init)
      return Var;
  return nullptr;
}

// Where the spawn's result goes.
struct Owner {
  enum : std::uint8_t { MayOutlive, Temporary, Variable } Kind = MayOutlive;
  const VarDecl *Var = nullptr;
};

Owner findOwner(const Expr *Spawn, const BodyParents &Parents) {
  // `threads.emplace_back(f)`: the container owns the new thread.
  if (const auto *Emplace = dyn_cast<CXXMemberCallExpr>(Spawn)) {
    if (const VarDecl *Container = localVarOf(Emplace->getImplicitObjectArgument());
        Container != nullptr && nameOf(Emplace->getMethodDecl()).starts_with("emplace"))
      return {Owner::Variable, Container};
    return {};
  }
  if (spawnHandleKind(Spawn) == HandleKind::None)
    return {}; // goro::go and friends hand nothing back.

  const Stmt *Current = Spawn;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isTransparent(Parent)) {
      Current = Parent;
      continue;
    }
    if (const auto *Decls = dyn_cast<DeclStmt>(Parent)) {
      if (const VarDecl *Var = declaredBy(Decls, Current))
        return {Owner::Variable, Var};
      return {};
    }
    if (const auto *Member = dyn_cast<MemberExpr>(Parent)) {
      // A method called on the temporary, which dies at the end of the
      // full-expression (joining, waiting or terminating) unless detached.
      StringRef Name = nameOf(Member->getMemberDecl());
      if (Name == "detach" || Name == "share")
        return {};
      return {Owner::Temporary, nullptr};
    }
    if (const auto *Assign = dyn_cast<CXXOperatorCallExpr>(Parent)) {
      if (Assign->getOperator() == OO_Equal && Assign->getNumArgs() == 2 &&
          Assign->getArg(1) == Current)
        if (const VarDecl *Var = localVarOf(Assign->getArg(0)))
          return {Owner::Variable, Var};
      return {};
    }
    if (const auto *Insert = dyn_cast<CXXMemberCallExpr>(Parent)) {
      // `futures.push_back(std::async(...))`: owned by the container.
      StringRef Name = nameOf(Insert->getMethodDecl());
      bool Inserts = llvm::StringSwitch<bool>(Name)
                         .Cases("push_back", "emplace_back", "push_front", "emplace_front", true)
                         .Cases("emplace", "insert", "push", true)
                         .Default(false);
      if (Inserts && Insert->getCallee() != Current)
        if (const VarDecl *Var = localVarOf(Insert->getImplicitObjectArgument()))
          return {Owner::Variable, Var};
      return {};
    }
    // `(void)std::async(...)`: discarded explicitly.
    if (const auto *Cast = dyn_cast<ExplicitCastExpr>(Parent);
        Cast != nullptr && Cast->getCastKind() == CK_ToVoid)
      return {Owner::Temporary, nullptr};
    if (isa<Expr, ReturnStmt, CoreturnStmt>(Parent))
      return {}; // consumed by something we do not follow
    // A discarded full-expression or a condition: the temporary dies at its end.
    return {Owner::Temporary, nullptr};
  }
  return {};
}

constexpr unsigned MaxAliasDepth = 3;

bool mayEscape(const VarDecl *Handle, const BodyParents &Parents, unsigned Depth);

// Whether this use of a handle (or of an element reached through it) can
// move, detach or share the spawned work out of the handle's scope.
bool useMayEscape(const DeclRefExpr *Ref, const BodyParents &Parents, unsigned Depth) {
  if (Ref->refersToEnclosingVariableOrCapture())
    return true; // used inside a lambda: we do not follow it there
  const Stmt *Current = Ref;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr, FullExpr>(
            Parent)) {
      Current = Parent;
      continue;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(Parent)) {
      if (Unary->getOpcode() == UO_Deref) {
        Current = Parent;
        continue;
      }
      return Unary->getOpcode() == UO_AddrOf;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(Parent)) {
      const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(Parents.parent(Member));
      if (Call == nullptr || Call->getCallee() != Member)
        return false; // a data member read
      const CXXMethodDecl *Method = Call->getMethodDecl();
      if (Method == nullptr)
        return true;
      StringRef Name = nameOf(Method);
      if (Name == "detach" || Name == "swap" || Name == "share" || Name == "release")
        return true;
      QualType Result = Method->getReturnType();
      if (Result->isReferenceType() || Result->isPointerType()) {
        Current = Call; // an element: follow it
        continue;
      }
      return false;
    }
    if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(Parent)) {
      if (Operator->getNumArgs() > 0 && Operator->getArg(0) == Current) {
        OverloadedOperatorKind Kind = Operator->getOperator();
        if (Kind == OO_Subscript || Kind == OO_Star || Kind == OO_Arrow) {
          Current = Parent;
          continue;
        }
        return false; // assigned to, compared
      }
      return true; // the right-hand side of an assignment: moved or copied away
    }
    if (const auto *Call = dyn_cast<CallExpr>(Parent)) {
      if (Call->getCallee() == Current)
        return false;
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee == nullptr)
        return true;
      if (Callee->isInStdNamespace() && Callee->getIdentifier() != nullptr &&
          llvm::is_contained({"move", "forward", "swap", "exchange", "ref", "addressof"},
                             Callee->getName()))
        return true;
      for (unsigned I = 0, N = Call->getNumArgs(); I < N; ++I) {
        if (Call->getArg(I) != Current)
          continue;
        if (I >= Callee->getNumParams())
          return true; // variadic
        QualType Param = Callee->getParamDecl(I)->getType();
        return Param->isPointerType() ||
               (Param->isReferenceType() && !Param.getNonReferenceType().isConstQualified());
      }
      return true;
    }
    if (const auto *Decls = dyn_cast<DeclStmt>(Parent)) {
      // `for (auto& t : threads)`: follow the loop variable.
      if (const auto *Loop = dyn_cast_or_null<CXXForRangeStmt>(Parents.parent(Decls));
          Loop != nullptr && Loop->getRangeStmt() == Decls) {
        const VarDecl *Element = Loop->getLoopVariable();
        return Element == nullptr || !Element->getType()->isReferenceType() ||
               Depth >= MaxAliasDepth || mayEscape(Element, Parents, Depth + 1);
      }
      // `auto& t = threads.back();`: follow the alias.
      const VarDecl *Alias = declaredBy(Decls, Current);
      return Alias == nullptr || !Alias->getType()->isReferenceType() || Depth >= MaxAliasDepth ||
             mayEscape(Alias, Parents, Depth + 1);
    }
    // Copied or moved into another object, returned, thrown, or used in an
    // expression we do not model.
    if (isa<Expr, ReturnStmt, CoreturnStmt>(Parent))
      return true;
    return false; // a statement: the value is discarded or tested
  }
  return true;
}

bool mayEscape(const VarDecl *Handle, const BodyParents &Parents, unsigned Depth) {
  for (const DeclRefExpr *Ref : Parents.references(Handle))
    if (useMayEscape(Ref, Parents, Depth))
      return true;
  return false;
}

// A local handle ends the work in time if it dies inside the region, after
// the object, and keeps the work to itself.
bool handleEndsWithin(const VarDecl *Handle, const Stmt *Region, const Decl *Object,
                      const BodyParents &Parents, const SourceManager &SM) {
  if (Handle == nullptr || !Handle->hasLocalStorage() || isa<ParmVarDecl>(Handle) ||
      Handle->getType()->isReferenceType())
    return false;
  if (handleKindOf(Handle->getType()) == HandleKind::None &&
      elementHandleKind(Handle->getType()) == HandleKind::None)
    return false;
  const DeclStmt *Declaration = Parents.declaringStmt(Handle);
  if (Declaration == nullptr || !Parents.isWithin(Declaration, Region))
    return false;
  // Declared before the object in the same scope, it would die after it.
  if (Object != nullptr && !SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Object->getLocation()),
                                                         SM.getExpansionLoc(Handle->getLocation())))
    return false;
  return !mayEscape(Handle, Parents, 0);
}

// An object a wait can be called on: a variable, or a member of *this.
const ValueDecl *objectIdentity(const Expr *E) {
  if (E == nullptr)
    return nullptr;
  E = E->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return Ref->getDecl();
  if (const auto *Member = dyn_cast<MemberExpr>(E);
      Member != nullptr && isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()))
    return Member->getMemberDecl();
  return nullptr;
}

// Something whose wait ends the spawned work.
enum class WaitKind : std::uint8_t {
  Spawner,   // `g.go(f)` ... `g.wait()` / `g.join()`
  CountDown, // `wg.done()` in f ... `wg.wait()`
  Handle,    // `std::thread t(f)` ... `t.join()`; `auto r = std::async(f)` ... `r.get()`
  Elements,  // `threads.emplace_back(f)` ... `for (auto& t : threads) t.join();`
};

struct Waitable {
  const ValueDecl *Object;
  WaitKind Kind;
};

bool isHandleWait(StringRef Name) { return Name == "join" || Name == "wait" || Name == "get"; }

// Calls `Object.Method(...)` for a method in Names in S, not looking into lambdas.
template <typename Pred> bool findMemberCall(const Stmt *S, const Pred &Matches) {
  if (S == nullptr || isa<LambdaExpr, BlockExpr>(S))
    return false;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S); Call != nullptr && Matches(Call))
    return true;
  for (const Stmt *Child : S->children())
    if (findMemberCall(Child, Matches))
      return true;
  return false;
}

void collectCountDowns(const Stmt *S, llvm::SmallVectorImpl<Waitable> &Out) {
  if (S == nullptr)
    return;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    StringRef Name = nameOf(Call->getMethodDecl());
    if (Name == "done" || Name == "count_down")
      if (const ValueDecl *Object = objectIdentity(Call->getImplicitObjectArgument()))
        Out.push_back({Object, WaitKind::CountDown});
  }
  // Nested lambdas count too (`goro::defer d([&] { wg.done(); })`).
  for (const Stmt *Child : S->children())
    collectCountDowns(Child, Out);
}

bool waitsOn(const CXXMemberCallExpr *Call, llvm::ArrayRef<Waitable> Waitables) {
  StringRef Name = nameOf(Call->getMethodDecl());
  const ValueDecl *Object = objectIdentity(Call->getImplicitObjectArgument());
  if (Object == nullptr)
    return false;
  for (const Waitable &W : Waitables) {
    if (W.Object != Object)
      continue;
    switch (W.Kind) {
    case WaitKind::Spawner:
      if (Name == "wait" || Name == "join")
        return true;
      break;
    case WaitKind::CountDown:
      if (Name == "wait")
        return true;
      break;
    case WaitKind::Handle:
      if (isHandleWait(Name))
        return true;
      break;
    case WaitKind::Elements:
      break;
    }
  }
  return false;
}

// `for (auto& t : threads) t.join();` or `for (...) threads[i].join();`: a
// loop waiting for every element of a container of handles.
bool loopWaitsForElements(const Stmt *S, llvm::ArrayRef<Waitable> Waitables) {
  for (const Waitable &W : Waitables) {
    if (W.Kind != WaitKind::Elements)
      continue;
    if (const auto *Range = dyn_cast<CXXForRangeStmt>(S)) {
      const VarDecl *Element = Range->getLoopVariable();
      if (Element == nullptr || objectIdentity(Range->getRangeInit()) != W.Object)
        continue;
      if (findMemberCall(Range->getBody(), [&](const CXXMemberCallExpr *Call) {
            return isHandleWait(nameOf(Call->getMethodDecl())) &&
                   objectIdentity(Call->getImplicitObjectArgument()) == Element;
          }))
        return true;
    } else if (const auto *For = dyn_cast<ForStmt>(S)) {
      if (findMemberCall(For->getBody(), [&](const CXXMemberCallExpr *Call) {
            if (!isHandleWait(nameOf(Call->getMethodDecl())))
              return false;
            const Expr *Object = Call->getImplicitObjectArgument()->IgnoreParenImpCasts();
            if (const auto *Subscript = dyn_cast<CXXOperatorCallExpr>(Object);
                Subscript != nullptr && Subscript->getOperator() == OO_Subscript)
              return objectIdentity(Subscript->getArg(0)) == W.Object;
            if (const auto *At = dyn_cast<CXXMemberCallExpr>(Object);
                At != nullptr && nameOf(At->getMethodDecl()) == "at")
              return objectIdentity(At->getImplicitObjectArgument()) == W.Object;
            return false;
          }))
        return true;
    }
  }
  return false;
}

// Whether S waits when it runs, whatever its branches do.
bool statementWaits(const Stmt *S, llvm::ArrayRef<Waitable> Waitables) {
  auto Matches = [&](const CXXMemberCallExpr *Call) { return waitsOn(Call, Waitables); };
  if (S == nullptr)
    return false;
  if (isa<Expr, DeclStmt>(S))
    return findMemberCall(S, Matches);
  if (const auto *Return = dyn_cast<ReturnStmt>(S))
    return findMemberCall(Return->getRetValue(), Matches);
  if (const auto *If = dyn_cast<IfStmt>(S))
    return findMemberCall(If->getInit(), Matches) ||
           findMemberCall(If->getConditionVariableDeclStmt(), Matches) ||
           findMemberCall(If->getCond(), Matches);
  if (const auto *Switch = dyn_cast<SwitchStmt>(S))
    return findMemberCall(Switch->getInit(), Matches) ||
           findMemberCall(Switch->getConditionVariableDeclStmt(), Matches) ||
           findMemberCall(Switch->getCond(), Matches);
  if (const auto *Attributed = dyn_cast<AttributedStmt>(S))
    return statementWaits(Attributed->getSubStmt(), Waitables);
  if (const auto *Label = dyn_cast<LabelStmt>(S))
    return statementWaits(Label->getSubStmt(), Waitables);
  if (isa<CXXForRangeStmt, ForStmt>(S))
    return loopWaitsForElements(S, Waitables);
  return false;
}

// Whether a jump in S leaves Block (return, goto, throw, or a break/continue
// whose loop or switch encloses Block).
bool jumpsOut(const Stmt *S, const Stmt *Block, const BodyParents &Parents) {
  if (S == nullptr || isa<LambdaExpr, BlockExpr>(S))
    return false;
  if (isa<ReturnStmt, CoreturnStmt, GotoStmt, IndirectGotoStmt, CXXThrowExpr>(S))
    return true;
  if (isa<BreakStmt, ContinueStmt>(S)) {
    bool IsBreak = isa<BreakStmt>(S);
    for (const Stmt *P = Parents.parent(S); P != nullptr && P != Block; P = Parents.parent(P))
      if (isa<ForStmt, CXXForRangeStmt, WhileStmt, DoStmt>(P) || (IsBreak && isa<SwitchStmt>(P)))
        return false; // its target is inside Block
    return true;
  }
  for (const Stmt *Child : S->children())
    if (jumpsOut(Child, Block, Parents))
      return true;
  return false;
}

// Whether, on every path from Spawn, a wait on one of Waitables runs before
// control leaves Region.
bool waitedWithin(const Expr *Spawn, const Stmt *Region, llvm::ArrayRef<Waitable> Waitables,
                  const BodyParents &Parents) {
  const Stmt *Current = Spawn;
  while (Current != Region) {
    const Stmt *Parent = Parents.parent(Current);
    if (Parent == nullptr || isa<LambdaExpr, BlockExpr>(Parent))
      return false;
    if (const auto *Block = dyn_cast<CompoundStmt>(Parent)) {
      // The statements after the one holding the spawn, up to a wait.
      bool Seen = false;
      llvm::SmallVector<const Stmt *, 8> Before;
      for (const Stmt *Child : Block->body()) {
        if (!Seen) {
          if (Child == Current) {
            Seen = true;
            Before.push_back(Child);
          }
          continue;
        }
        if (statementWaits(Child, Waitables)) {
          if (llvm::none_of(Before, [&](const Stmt *S) { return jumpsOut(S, Block, Parents); }))
            return true;
          break; // some path skips this wait; one further out may still do
        }
        Before.push_back(Child);
      }
    }
    Current = Parent;
  }
  return false;
}

} // namespace

bool spawnedWorkEndsWithin(const Expr *Spawn, const Stmt *Region, const Decl *Object,
                           const LambdaExpr *Lambda, const BodyParents &Parents,
                           const SourceManager &SM) {
  if (Spawn == nullptr || Region == nullptr || !Parents.isWithin(Spawn, Region))
    return false;

  Owner O = findOwner(Spawn, Parents);
  if (O.Kind == Owner::Temporary)
    return true;
  if (O.Kind == Owner::Variable && handleEndsWithin(O.Var, Region, Object, Parents, SM))
    return true;

  llvm::SmallVector<Waitable, 4> Waitables;
  // The handle or container the work went into, if it keeps it.
  if (O.Kind == Owner::Variable && O.Var != nullptr && !mayEscape(O.Var, Parents, 0)) {
    if (handleKindOf(O.Var->getType()) != HandleKind::None)
      Waitables.push_back({O.Var, WaitKind::Handle});
    else if (elementHandleKind(O.Var->getType()) != HandleKind::None)
      Waitables.push_back({O.Var, WaitKind::Elements});
  }
  if (const auto *OnObject = dyn_cast<CXXMemberCallExpr>(Spawn))
    if (const ValueDecl *Spawner = objectIdentity(OnObject->getImplicitObjectArgument()))
      Waitables.push_back({Spawner, WaitKind::Spawner});
  if (Lambda != nullptr)
    collectCountDowns(Lambda->getBody(), Waitables);
  return !Waitables.empty() && waitedWithin(Spawn, Region, Waitables, Parents);
}

const BodyParents &BodyParentsCache::of(const Stmt *Body) {
  std::unique_ptr<BodyParents> &Entry = Cache[Body];
  if (!Entry)
    Entry = std::make_unique<BodyParents>(Body);
  return *Entry;
}

bool isInTemplateInstantiation(const DeclContext *Context) {
  for (; Context != nullptr; Context = Context->getParent()) {
    if (const auto *Function = dyn_cast<FunctionDecl>(Context);
        Function != nullptr && Function->isTemplateInstantiation())
      return true;
    if (const auto *Record = dyn_cast<CXXRecordDecl>(Context);
        Record != nullptr && isTemplateInstantiation(Record->getTemplateSpecializationKind()))
      return true;
  }
  return false;
}

} // namespace clang::tidy::goro::utils
