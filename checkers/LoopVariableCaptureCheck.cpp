//===--- LoopVariableCaptureCheck.cpp - goro-loop-variable-capture --------===//
//
// Matchers find spawns (SpawnFunctions, and emplace into a container of a
// spawn class). check() then decides, per by-reference capture of the
// spawned lambda:
//
//   1. Which object the capture names. A reference variable (also an
//      init-capture `&x = i`) names what it is bound to, followed through
//      references, members and array elements; a structured binding names its
//      decomposed object (unless it is a tuple-like binding of reference type,
//      which names something else); a reference bound to a temporary names
//      that temporary, which lives as long as the reference. Anything we
//      cannot follow (a call's result, `*p`, `p->m`) is assumed to live
//      outside the loop: no warning.
//   2. Whether that object lives for one iteration or for the loop: declared
//      in a loop header (for-init, range-for variable or init-statement,
//      condition variable) or in a loop body, within the same function (never
//      across a lambda boundary). `do { } while (0)` is a block, not a loop.
//   3. Whether the spawned work may outlive it (utils::spawnedWorkEndsWithin:
//      a local jthread/thread/future, or a wait reached on every path, ends
//      it in time).
//
// The warning points at the capture (`&i`, or the `&` of `[&]` for implicit
// captures); notes point at the use that caused an implicit capture, at the
// object's declaration, and at the spawn when it is on another line.
//
// The fix-it captures by value. It is offered only when that cannot change
// what the program means or whether it compiles: not in macros, not in
// template instantiations (other instantiations may differ), not for types
// without an accessible copy constructor, not when the lambda mutates the
// variable (writes, non-const calls, non-const references, address taken),
// and not when the loop writes the variable after the spawn (the lambda may be
// meant to see that write).
//
//===----------------------------------------------------------------------===//

#include "LoopVariableCaptureCheck.h"

#include "utils/LexerUtils.h"
#include "utils/OptionsUtils.h"
#include "utils/SpawnCalls.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include <cstdint>
#include <optional>

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

namespace {

enum class Lifetime : std::uint8_t {
  WholeLoop,     // a for-init or range-for init-statement variable
  LoopHeader,    // a range-for variable or a condition variable: one per iteration
  LoopBodyLocal, // declared in the body: one per iteration
};

struct LoopScope {
  Lifetime Kind;
  const Stmt *Region; // the object dies when control leaves it
};

// The object a captured name stands for, and the name to show for it.
struct CapturedObject {
  const VarDecl *Object = nullptr; // a variable or decomposition with local storage
  const ValueDecl *Named = nullptr;
};

constexpr unsigned MaxReferenceDepth = 4;

CapturedObject resolveCaptured(const ValueDecl *D, unsigned Depth);

// The object a reference initializer \p E designates, if we can tell.
CapturedObject resolveReferent(const Expr *E, const VarDecl *Reference, unsigned Depth) {
  if (E == nullptr || Depth > MaxReferenceDepth)
    return {};
  while (true) {
    E = E->IgnoreParens();
    if (const auto *Full = dyn_cast<FullExpr>(E)) {
      E = Full->getSubExpr();
      continue;
    }
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(E);
        Cast != nullptr &&
        (Cast->getCastKind() == CK_NoOp || Cast->getCastKind() == CK_DerivedToBase ||
         Cast->getCastKind() == CK_UncheckedDerivedToBase)) {
      E = Cast->getSubExpr();
      continue;
    }
    break;
  }
  // A temporary bound to the reference lives as long as the reference.
  if (const auto *Temporary = dyn_cast<MaterializeTemporaryExpr>(E))
    return Temporary->getExtendingDecl() == Reference ? CapturedObject{Reference, Reference}
                                                      : CapturedObject{};
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return resolveCaptured(Ref->getDecl(), Depth + 1);
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (Member->isArrow() || Field == nullptr || Field->getType()->isReferenceType())
      return {};
    return resolveReferent(Member->getBase(), Reference, Depth + 1);
  }
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
    const Expr *Base = Subscript->getBase()->IgnoreImpCasts();
    if (!Base->getType()->isConstantArrayType())
      return {};
    return resolveReferent(Base, Reference, Depth + 1);
  }
  return {};
}

CapturedObject resolveCaptured(const ValueDecl *D, unsigned Depth) {
  if (D == nullptr || Depth > MaxReferenceDepth)
    return {};
  if (const auto *Binding = dyn_cast<BindingDecl>(D)) {
    const auto *Decomposed = dyn_cast_or_null<VarDecl>(Binding->getDecomposedDecl());
    if (Decomposed == nullptr)
      return {};
    if (Binding->getHoldingVar() != nullptr) {
      // Tuple-like: a binding of reference type (std::tuple<T&>, zip and
      // enumerate views) names something outside the decomposed object.
      if (Binding->getType().isNull() || Binding->getType()->isReferenceType())
        return {};
    } else if (const auto *Member = dyn_cast_or_null<MemberExpr>(
                   Binding->getBinding() ? Binding->getBinding()->IgnoreImplicit() : nullptr);
               Member != nullptr && Member->getMemberDecl()->getType()->isReferenceType()) {
      return {}; // a reference member names its referent
    }
    CapturedObject Result = resolveCaptured(Decomposed, Depth + 1);
    if (Result.Object != nullptr)
      Result.Named = Binding;
    return Result;
  }
  const auto *Var = dyn_cast<VarDecl>(D);
  if (Var == nullptr || isa<ParmVarDecl>(Var) || !Var->hasLocalStorage())
    return {};
  if (Var->getType().isNull() || !Var->getType()->isReferenceType())
    return {Var, Var};
  return resolveReferent(Var->getInit(), Var, Depth);
}

bool isDoWhileFalse(const DoStmt *Do, const ASTContext &Context) {
  const Expr *Cond = Do->getCond();
  bool Value = true;
  return Cond != nullptr && !Cond->isValueDependent() &&
         Cond->EvaluateAsBooleanCondition(Value, Context) && !Value;
}

// Whether \p Object lives for one iteration or for a loop, and where it dies.
std::optional<LoopScope> loopScopeOf(const VarDecl *Object, const utils::BodyParents &Parents,
                                     const ASTContext &Context) {
  const DeclStmt *Declaration = Parents.declaringStmt(Object);
  if (Declaration == nullptr)
    return std::nullopt;
  const Stmt *Scope = nullptr; // innermost block (or if/switch) holding it
  const Stmt *Current = Declaration;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isa<LambdaExpr, BlockExpr, CapturedStmt>(Parent))
      return std::nullopt;
    if (const auto *For = dyn_cast<ForStmt>(Parent)) {
      if (Current == For->getInit())
        return Current == Declaration ? std::optional<LoopScope>({Lifetime::WholeLoop, For})
                                      : std::nullopt;
      if (Current == For->getConditionVariableDeclStmt())
        return LoopScope{Lifetime::LoopHeader, For->getBody()};
      if (Current == For->getBody())
        return LoopScope{Lifetime::LoopBodyLocal, Scope != nullptr ? Scope : Current};
      return std::nullopt;
    }
    if (const auto *Range = dyn_cast<CXXForRangeStmt>(Parent)) {
      if (Current == Range->getLoopVarStmt())
        return LoopScope{Lifetime::LoopHeader, Range->getBody()};
      if (Current == Range->getInit())
        return Current == Declaration ? std::optional<LoopScope>({Lifetime::WholeLoop, Range})
                                      : std::nullopt;
      if (Current == Range->getBody())
        return LoopScope{Lifetime::LoopBodyLocal, Scope != nullptr ? Scope : Current};
      return std::nullopt;
    }
    if (const auto *While = dyn_cast<WhileStmt>(Parent)) {
      if (Current == While->getConditionVariableDeclStmt())
        return LoopScope{Lifetime::LoopHeader, While->getBody()};
      if (Current == While->getBody())
        return LoopScope{Lifetime::LoopBodyLocal, Scope != nullptr ? Scope : Current};
      return std::nullopt;
    }
    if (const auto *Do = dyn_cast<DoStmt>(Parent); Do != nullptr && !isDoWhileFalse(Do, Context)) {
      if (Current == Do->getBody())
        return LoopScope{Lifetime::LoopBodyLocal, Scope != nullptr ? Scope : Current};
      return std::nullopt;
    }
    if (Scope == nullptr) {
      const auto *If = dyn_cast<IfStmt>(Parent);
      const auto *Switch = dyn_cast<SwitchStmt>(Parent);
      if (isa<CompoundStmt>(Parent) ||
          (If != nullptr &&
           (Current == If->getInit() || Current == If->getConditionVariableDeclStmt())) ||
          (Switch != nullptr &&
           (Current == Switch->getInit() || Current == Switch->getConditionVariableDeclStmt())))
        Scope = Parent;
    }
    Current = Parent;
  }
  return std::nullopt;
}

bool isCopyConstructible(QualType Type) {
  if (Type.isNull())
    return false;
  Type = Type.getNonReferenceType().getCanonicalType();
  while (const ArrayType *Array = Type->getAsArrayTypeUnsafe()) {
    if (!isa<ConstantArrayType>(Array))
      return false;
    Type = Array->getElementType().getCanonicalType();
  }
  if (Type->isDependentType() || Type->isIncompleteType())
    return false;
  const CXXRecordDecl *Record = Type->getAsCXXRecordDecl();
  if (Record == nullptr)
    return true;
  Record = Record->getDefinition();
  if (Record == nullptr)
    return false;
  if (Record->needsImplicitCopyConstructor())
    // Only answerable without overload resolution (which Sema has not done).
    return !Record->needsOverloadResolutionForCopyConstructor() &&
           !Record->defaultedCopyConstructorIsDeleted();
  for (const CXXConstructorDecl *Constructor : Record->ctors())
    if (Constructor->isCopyConstructor() && !Constructor->isDeleted() &&
        Constructor->getAccess() != AS_private && Constructor->getAccess() != AS_protected)
      return true;
  return false;
}

bool isNonConstReference(QualType Type) {
  return Type->isReferenceType() && !Type.getNonReferenceType().isConstQualified();
}

// Whether the object \p Ref names may be modified (or bound where it could
// be) by the expression around it. Anything not understood counts as a
// modification: the answer decides only whether a fix-it is offered.
bool mayModify(const DeclRefExpr *Ref, const utils::BodyParents &Parents) {
  const Stmt *Current = Ref;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isa<ParenExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr, FullExpr>(Parent)) {
      Current = Parent;
      continue;
    }
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Parent)) {
      switch (Cast->getCastKind()) {
      case CK_LValueToRValue:
      case CK_ToVoid:
        return false; // read
      case CK_NoOp:
        if (Cast->getType().isConstQualified())
          return false; // made const (a const member call, a const& binding)
        [[fallthrough]];
      case CK_DerivedToBase:
      case CK_UncheckedDerivedToBase:
        Current = Parent;
        continue;
      case CK_ArrayToPointerDecay:
        if (Cast->getType()->getPointeeType().isConstQualified())
          return false;
        return true;
      default:
        return true;
      }
    }
    if (const auto *Member = dyn_cast<MemberExpr>(Parent)) {
      if (Member->isArrow())
        return false; // `p->m` reads the pointer
      if (const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl()))
        return !Method->isStatic() && !Method->isConst();
      if (isa<FieldDecl>(Member->getMemberDecl())) {
        Current = Parent; // a field of the object: what happens to it, happens to the object
        continue;
      }
      return false;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(Parent)) {
      if (Unary->isIncrementDecrementOp() || Unary->getOpcode() == UO_AddrOf)
        return true;
      if (Unary->getOpcode() == UO_Extension) {
        Current = Parent;
        continue;
      }
      return false;
    }
    if (const auto *Binary = dyn_cast<BinaryOperator>(Parent)) {
      if (Binary->isAssignmentOp())
        return Binary->getLHS() == Current;
      if (Binary->getOpcode() == BO_Comma && Binary->getRHS() == Current) {
        Current = Parent;
        continue;
      }
      return false;
    }
    if (const auto *Conditional = dyn_cast<AbstractConditionalOperator>(Parent)) {
      if (Conditional->getCond() == Current)
        return false;
      Current = Parent;
      continue;
    }
    if (const auto *Call = dyn_cast<CallExpr>(Parent)) {
      if (Call->getCallee() == Current)
        return false;
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee == nullptr)
        return true;
      unsigned Index = 0;
      while (Index < Call->getNumArgs() && Call->getArg(Index) != Current)
        ++Index;
      if (Index == Call->getNumArgs())
        return true;
      if (const auto *Method = dyn_cast<CXXMethodDecl>(Callee);
          Method != nullptr && isa<CXXOperatorCallExpr>(Call) && !Method->isStatic()) {
        if (Index == 0)
          return !Method->isConst(); // the object of a member operator
        --Index;
      }
      if (Index >= Callee->getNumParams())
        return true; // variadic
      return isNonConstReference(Callee->getParamDecl(Index)->getType());
    }
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Parent)) {
      const CXXConstructorDecl *Constructor = Construct->getConstructor();
      for (unsigned I = 0, N = Construct->getNumArgs(); I < N; ++I)
        if (Construct->getArg(I) == Current)
          return Constructor == nullptr || I >= Constructor->getNumParams() ||
                 isNonConstReference(Constructor->getParamDecl(I)->getType());
      return true;
    }
    if (const auto *Decls = dyn_cast<DeclStmt>(Parent)) {
      // `for (auto& x : v)` binds the elements; otherwise a reference to it.
      if (const auto *Loop = dyn_cast_or_null<CXXForRangeStmt>(Parents.parent(Decls));
          Loop != nullptr && Loop->getRangeStmt() == Decls)
        return Loop->getLoopVariable() == nullptr ||
               isNonConstReference(Loop->getLoopVariable()->getType());
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D); Var != nullptr && Var->getInit() == Current)
          return isNonConstReference(Var->getType());
      return true;
    }
    if (isa<UnaryExprOrTypeTraitExpr, CXXTypeidExpr, CXXNoexceptExpr>(Parent))
      return false; // unevaluated
    // Returned by reference, captured by reference, aggregate-initialized
    // into a reference, or used in dependent code: assume the worst.
    if (isa<Expr, ReturnStmt, CoreturnStmt>(Parent))
      return true;
    return false; // a statement tests or discards the value
  }
  return true;
}

// Whether the lambda may modify \p Captured (a by-value capture would be
// const, or its modifications would no longer be seen outside).
bool lambdaMayModify(const ValueDecl *Captured, const LambdaExpr *Lambda,
                     const utils::BodyParents &Parents) {
  for (const DeclRefExpr *Ref : Parents.references(Captured))
    if (Parents.isWithin(Ref, Lambda->getBody()) && mayModify(Ref, Parents))
      return true;
  return false;
}

// Whether code outside the lambda may modify \p Named after the spawn, inside
// the region where the object lives (the for-increment excepted: that write
// is exactly what the by-value capture is for). The lambda may be meant to
// see that write.
bool modifiedAfterSpawn(const ValueDecl *Named, const Expr *Spawn, const LambdaExpr *Lambda,
                        const LoopScope &Scope, const utils::BodyParents &Parents,
                        const SourceManager &SM) {
  const Stmt *Increment = nullptr;
  if (const auto *For = dyn_cast<ForStmt>(Scope.Region))
    Increment = For->getInc();
  for (const DeclRefExpr *Ref : Parents.references(Named)) {
    if (!Parents.isWithin(Ref, Scope.Region) || Parents.isWithin(Ref, Lambda) ||
        (Increment != nullptr && Parents.isWithin(Ref, Increment)))
      continue;
    if (!SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Spawn->getBeginLoc()),
                                      SM.getExpansionLoc(Ref->getBeginLoc())))
      continue;
    if (mayModify(Ref, Parents))
      return true;
  }
  return false;
}

// Capture by value instead: `&i` -> `i`, `&x = i` -> `x = i`, `[=, &i]` ->
// `[=]`, `[&]` -> `[&, i]`.
std::optional<FixItHint> captureByValueFix(const LambdaExpr *Lambda, const LambdaCapture &Capture,
                                           const ValueDecl *Captured, bool IsInitCapture,
                                           ASTContext &Context) {
  const SourceManager &SM = Context.getSourceManager();
  const LangOptions &LangOpts = Context.getLangOpts();
  SourceRange Introducer = Lambda->getIntroducerRange();
  if (Introducer.getBegin().isMacroID() || Introducer.getEnd().isMacroID() ||
      Capture.getLocation().isMacroID() || Capture.isPackExpansion() ||
      Captured->getIdentifier() == nullptr)
    return std::nullopt;

  if (Capture.isImplicit()) {
    SourceLocation Default = Lambda->getCaptureDefaultLoc();
    if (Lambda->getCaptureDefault() != LCD_ByRef || Default.isInvalid() || Default.isMacroID())
      return std::nullopt;
    SourceLocation After = Lexer::getLocForEndOfToken(Default, 0, SM, LangOpts);
    if (After.isInvalid())
      return std::nullopt;
    return FixItHint::CreateInsertion(After, (", " + Captured->getName()).str());
  }

  auto [Amp, AmpLoc] =
      tidy::utils::lexer::getPreviousTokenAndStart(Capture.getLocation(), SM, LangOpts);
  if (!Amp.is(tok::amp) || AmpLoc.isInvalid() || AmpLoc.isMacroID())
    return std::nullopt;
  if (IsInitCapture || Lambda->getCaptureDefault() != LCD_ByCopy)
    return FixItHint::CreateRemoval(CharSourceRange::getCharRange(AmpLoc, Capture.getLocation()));
  // `[=, i]` is ill-formed: drop `, &i` and let `=` capture it.
  auto [Comma, CommaLoc] = tidy::utils::lexer::getPreviousTokenAndStart(AmpLoc, SM, LangOpts);
  SourceLocation End = Lexer::getLocForEndOfToken(Capture.getLocation(), 0, SM, LangOpts);
  if (!Comma.is(tok::comma) || CommaLoc.isInvalid() || CommaLoc.isMacroID() || End.isInvalid())
    return std::nullopt;
  return FixItHint::CreateRemoval(CharSourceRange::getCharRange(CommaLoc, End));
}

} // namespace

LoopVariableCaptureCheck::LoopVariableCaptureCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawSpawnFunctions(Options.get("SpawnFunctions", utils::DefaultSpawnFunctions)),
      SpawnFunctions(tidy::utils::options::parseStringList(RawSpawnFunctions)) {}

void LoopVariableCaptureCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "SpawnFunctions", RawSpawnFunctions);
}

void LoopVariableCaptureCheck::registerMatchers(MatchFinder *Finder) {
  // Every spawn in user code (none when SpawnFunctions is empty).
  utils::registerSpawnMatchers(Finder, SpawnFunctions, this);
}

void LoopVariableCaptureCheck::onEndOfTranslationUnit() {
  ParentsCache.clear();
  Reported.clear();
}

void LoopVariableCaptureCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Spawn = Result.Nodes.getNodeAs<Expr>("spawn");
  const LambdaExpr *Lambda = Spawn != nullptr ? utils::spawnedLambda(Spawn) : nullptr;
  if (Lambda == nullptr || Lambda->getBody() == nullptr)
    return;
  ASTContext &Context = *Result.Context;
  const SourceManager &SM = *Result.SourceManager;
  const StringRef Noun = utils::spawnedWorkNoun(Spawn);

  for (const LambdaCapture &Capture : Lambda->captures()) {
    if (!Capture.capturesVariable())
      continue; // `this`, VLA bounds: never a loop object
    const ValueDecl *Captured = Capture.getCapturedVar();
    if (Captured == nullptr || Captured->getType().isNull())
      continue;
    const bool IsInitCapture = Lambda->isInitCapture(&Capture);
    const bool ByReference = IsInitCapture ? Captured->getType()->isReferenceType()
                                           : Capture.getCaptureKind() == LCK_ByRef;
    if (!ByReference)
      continue;

    // 1. Which object the capture names.
    CapturedObject Target = resolveCaptured(Captured, 0);
    if (Target.Object == nullptr)
      continue;
    const auto *Function = dyn_cast<FunctionDecl>(Target.Object->getDeclContext());
    if (Function == nullptr || Function->getBody() == nullptr)
      continue;
    const utils::BodyParents &Parents = ParentsCache.of(Function->getBody());

    // 2. Whether it lives for one iteration or for the loop.
    std::optional<LoopScope> Scope = loopScopeOf(Target.Object, Parents, Context);
    if (!Scope || !Parents.isWithin(Spawn, Scope->Region))
      continue;

    // 3. Whether the spawned work may outlive it.
    if (utils::spawnedWorkEndsWithin(Spawn, Scope->Region, Target.Object, Lambda, Parents, SM))
      continue;

    const SourceLocation WarningLoc =
        Capture.isImplicit() ? Lambda->getCaptureDefaultLoc() : Capture.getLocation();
    if (!Reported
             .insert({WarningLoc.getRawEncoding(), Target.Named->getLocation().getRawEncoding()})
             .second)
      continue;

    std::optional<FixItHint> Fix;
    if (!utils::isInTemplateInstantiation(Lambda->getLambdaClass()->getDeclContext()) &&
        isCopyConstructible(IsInitCapture ? Captured->getType().getNonReferenceType()
                                          : Captured->getType()) &&
        !lambdaMayModify(Captured, Lambda, Parents) &&
        !modifiedAfterSpawn(Target.Named, Spawn, Lambda, *Scope, Parents, SM))
      Fix = captureByValueFix(Lambda, Capture, Captured, IsInitCapture, Context);

    {
      DiagnosticBuilder Diag =
          Scope->Kind == Lifetime::WholeLoop
              ? diag(WarningLoc, "%0 captures loop variable %1 by reference; every %0 sees the "
                                 "same %1, and it dies when the loop ends")
              : diag(WarningLoc,
                     "%0 captures %select{loop variable |}1%2 by reference; %2 is destroyed at "
                     "the end of each loop iteration, while the %0 may still be using it");
      Diag << Noun;
      if (Scope->Kind != Lifetime::WholeLoop)
        Diag << (Scope->Kind == Lifetime::LoopBodyLocal ? 1 : 0);
      Diag << Target.Named;
      if (Fix)
        Diag << *Fix;
    }
    if (Capture.isImplicit())
      diag(Capture.getLocation(), "%0 is captured by reference because it is used here",
           DiagnosticIDs::Note)
          << Captured;
    else if (!IsInitCapture && Captured != Target.Named)
      diag(Captured->getLocation(), "%0 refers to %1", DiagnosticIDs::Note)
          << Captured << Target.Named;
    diag(Target.Named->getLocation(),
         Scope->Kind == Lifetime::WholeLoop ? "%0 is declared here, once for the whole loop"
                                            : "%0 is declared here, anew in every iteration",
         DiagnosticIDs::Note)
        << Target.Named;
    if (SM.getExpansionLineNumber(Spawn->getExprLoc()) != SM.getExpansionLineNumber(WarningLoc) ||
        SM.getFileID(SM.getExpansionLoc(Spawn->getExprLoc())) !=
            SM.getFileID(SM.getExpansionLoc(WarningLoc)))
      diag(Spawn->getExprLoc(), "%0 started here", DiagnosticIDs::Note) << Noun;
  }
}

} // namespace clang::tidy::goro
