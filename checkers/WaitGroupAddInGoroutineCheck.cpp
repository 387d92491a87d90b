//===--- WaitGroupAddInGoroutineCheck.cpp - goro-waitgroup-add-in-goroutine ===//
//
// Matchers find spawns (SpawnFunctions, and emplace into a container of a
// spawn class). check() then looks at the function the spawn runs (a lambda,
// written in place or reached through a local variable / std::function /
// std::move, or a named function with a body in the TU) and reports every
// call of add() on a wait_group (WaitGroupTypes) in it, unless:
//
//   - the wait_group is the goroutine's own: a local of the spawned function
//     (a by-value variable, or a reference/pointer initialized from one);
//   - the delta is a constant <= 0 (`add(-1)` is done());
//   - the add() counts a goroutine that this goroutine starts itself, while
//     it is counted on the same wait_group: the spawned function calls done()
//     on it, and a spawn follows the add() (the recursive crawler: every
//     goroutine adds for its children before starting them);
//   - the wait_group cannot be identified (a call's result): no guess.
//
// Nested lambdas of the spawned function are not searched for add(): one
// that is spawned is its own goroutine and is matched as such.
//
// The fix-it moves the add() in front of the statement that spawns. Offered
// only when that cannot change what runs: the lambda is written in place in
// the spawn, the add() is the first statement of its body, it names nothing
// declared by the lambda (parameters, init-captures, locals), the spawn's
// statement sits directly in a block and evaluates the spawn unconditionally,
// nothing is in a macro, and the code is not a template instantiation.
//
//===----------------------------------------------------------------------===//

#include "WaitGroupAddInGoroutineCheck.h"

#include "utils/OptionsUtils.h"
#include "utils/SpawnCalls.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include <cstdint>
#include <optional>

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

namespace {

constexpr llvm::StringLiteral DefaultWaitGroupTypes = "::goro::wait_group";

enum class Place : std::uint8_t { Outside, Inside, Unknown };

// Where the wait_group an expression designates lives, relative to the
// spawned function, and a declaration that identifies it within one body.
struct WaitGroupObject {
  Place Where = Place::Unknown;
  const ValueDecl *Identity = nullptr;
};

constexpr unsigned MaxDepth = 4;

WaitGroupObject classify(const Expr *E, const FunctionDecl *Goroutine, unsigned Depth) {
  if (E == nullptr || Depth > MaxDepth)
    return {};
  E = E->IgnoreParenImpCasts();
  if (const auto *Unary = dyn_cast<UnaryOperator>(E);
      Unary != nullptr && (Unary->getOpcode() == UO_Deref || Unary->getOpcode() == UO_AddrOf))
    return classify(Unary->getSubExpr(), Goroutine, Depth + 1);
  if (isa<CXXThisExpr>(E))
    return {Place::Outside, nullptr};
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (Field == nullptr)
      return {};
    WaitGroupObject Base = classify(Member->getBase(), Goroutine, Depth + 1);
    // A reference member names an object elsewhere: outside, unless the
    // containing object is the goroutine's own (then we cannot tell).
    if (Field->getType()->isReferenceType() && Base.Where != Place::Outside)
      return {};
    return {Base.Where, Field};
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(E);
  if (Ref == nullptr)
    return {};
  const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
  if (Var == nullptr)
    return {}; // a structured binding, a function: not followed
  if (!Var->hasLocalStorage() || Var->getDeclContext() != Goroutine)
    return {Place::Outside, Var}; // a global, a static, a captured local
  QualType Type = Var->getType();
  if (Type.isNull() || Type->isDependentType())
    return {};
  const bool Indirect = Type->isReferenceType() || Type->isPointerType();
  if (isa<ParmVarDecl>(Var))
    return {Indirect ? Place::Outside : Place::Inside, Var};
  if (!Indirect)
    return {Place::Inside, Var};
  // A reference or pointer of the goroutine's own (also an init-capture):
  // what it was initialized with.
  if (Var->getInit() == nullptr)
    return {};
  WaitGroupObject Target = classify(Var->getInit(), Goroutine, Depth + 1);
  if (Target.Where == Place::Unknown)
    return {};
  return {Target.Where, Target.Identity != nullptr ? Target.Identity : Var};
}

StringRef nameOf(const NamedDecl *D) {
  return D != nullptr && D->getIdentifier() != nullptr ? D->getName() : StringRef();
}

bool isWaitGroupMethod(const CXXMethodDecl *Method, const llvm::StringSet<> &Types) {
  if (Method == nullptr || Method->getParent() == nullptr)
    return false;
  return Types.contains(Method->getParent()->getQualifiedNameAsString());
}

// A constant delta <= 0: `add(-1)` counts down, `add(0)` does nothing.
bool countsDown(const CXXMemberCallExpr *Add, const ASTContext &Context) {
  if (Add->getNumArgs() == 0 || isa<CXXDefaultArgExpr>(Add->getArg(0)))
    return false;
  const Expr *Delta = Add->getArg(0);
  if (Delta->isValueDependent() || Delta->isTypeDependent())
    return false;
  Expr::EvalResult Value;
  return Delta->EvaluateAsInt(Value, Context) && !Value.Val.getInt().isStrictlyPositive();
}

struct AddCall {
  const CXXMemberCallExpr *Call;
  WaitGroupObject Object;
};

// Calls of wait_group methods in S (not looking into nested lambdas).
void collectAdds(const Stmt *S, const FunctionDecl *Goroutine, const llvm::StringSet<> &Types,
                 const ASTContext &Context, llvm::SmallVectorImpl<AddCall> &Out) {
  if (S == nullptr || isa<LambdaExpr, BlockExpr>(S))
    return;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (nameOf(Method) == "add" && isWaitGroupMethod(Method, Types) && !countsDown(Call, Context))
      Out.push_back({Call, classify(Call->getImplicitObjectArgument(), Goroutine, 0)});
  }
  for (const Stmt *Child : S->children())
    collectAdds(Child, Goroutine, Types, Context, Out);
}

// Whether S (nested lambdas included: `goro::defer d([&] { wg.done(); })`)
// counts the wait_group \p Identity down, outside the spawns \p InnerSpawns.
bool countsDownOn(const Stmt *S, const ValueDecl *Identity, const FunctionDecl *Goroutine,
                  const llvm::StringSet<> &Types, const ASTContext &Context,
                  const llvm::SmallPtrSetImpl<const Stmt *> &InnerSpawns) {
  if (S == nullptr || InnerSpawns.contains(S))
    return false; // a goroutine it starts counts down for itself
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (isWaitGroupMethod(Method, Types) &&
        (nameOf(Method) == "done" || (nameOf(Method) == "add" && countsDown(Call, Context))) &&
        classify(Call->getImplicitObjectArgument(), Goroutine, 0).Identity == Identity)
      return true;
  }
  for (const Stmt *Child : S->children())
    if (countsDownOn(Child, Identity, Goroutine, Types, Context, InnerSpawns))
      return true;
  return false;
}

// The first wait() on \p Identity in S outside \p Skip.
const CXXMemberCallExpr *findWait(const Stmt *S, const ValueDecl *Identity, const Stmt *Skip,
                                  const llvm::StringSet<> &Types) {
  if (S == nullptr || S == Skip)
    return nullptr;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *Method = Call->getMethodDecl();
    if (nameOf(Method) == "wait" && isWaitGroupMethod(Method, Types)) {
      const Expr *Object = Call->getImplicitObjectArgument()->IgnoreParenImpCasts();
      const ValueDecl *Named = nullptr;
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Object))
        Named = Ref->getDecl();
      else if (const auto *Member = dyn_cast<MemberExpr>(Object))
        Named = Member->getMemberDecl();
      if (Named == Identity)
        return Call;
    }
  }
  for (const Stmt *Child : S->children())
    if (const CXXMemberCallExpr *Found = findWait(Child, Identity, Skip, Types))
      return Found;
  return nullptr;
}

// Whether S names something the lambda declares (a parameter, an
// init-capture, a local): such an add() cannot be moved out of it.
bool namesLambdaDecl(const Stmt *S, const FunctionDecl *CallOperator) {
  if (S == nullptr)
    return false;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S)) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (Var != nullptr && Var->getDeclContext() == CallOperator)
      return true;
    if (isa<BindingDecl>(Ref->getDecl()) && Ref->getDecl()->getDeclContext() == CallOperator)
      return true;
  }
  for (const Stmt *Child : S->children())
    if (namesLambdaDecl(Child, CallOperator))
      return true;
  return false;
}

// The statement of a block that evaluates the spawn unconditionally: the
// spawn's ancestors up to it are calls, constructions, member accesses and
// implicit nodes, never a ?:, &&, || or comma.
const Stmt *enclosingBlockStatement(const Expr *Spawn, const utils::BodyParents &Parents) {
  const Stmt *Current = Spawn;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isa<CompoundStmt>(Parent))
      return isa<Expr, DeclStmt, ReturnStmt>(Current) ? Current : nullptr;
    if (isa<AbstractConditionalOperator, BinaryOperator, LambdaExpr, StmtExpr>(Parent))
      return nullptr;
    if (!isa<Expr, DeclStmt, ReturnStmt>(Parent))
      return nullptr;
    Current = Parent;
  }
  return nullptr;
}

// The text from the start of \p Loc's line to \p Loc, if it is all blanks.
std::optional<StringRef> indentationBefore(SourceLocation Loc, const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid || Offset > Buffer.size())
    return std::nullopt;
  unsigned LineStart = Offset;
  while (LineStart > 0 && Buffer[LineStart - 1] != '\n')
    --LineStart;
  StringRef Indent = Buffer.slice(LineStart, Offset);
  if (Indent.find_first_not_of(" \t") != StringRef::npos)
    return std::nullopt;
  return Indent;
}

// Moves \p Add (the first statement of \p Lambda's body) in front of
// \p Statement.
std::vector<FixItHint> moveBeforeSpawnFix(const CXXMemberCallExpr *Add, const Stmt *Statement,
                                          const ASTContext &Context) {
  const SourceManager &SM = Context.getSourceManager();
  const LangOptions &LangOpts = Context.getLangOpts();
  SourceLocation AddBegin = Add->getBeginLoc();
  SourceLocation AddEnd = Add->getEndLoc();
  SourceLocation StmtBegin = Statement->getBeginLoc();
  if (AddBegin.isInvalid() || AddEnd.isInvalid() || StmtBegin.isInvalid() || AddBegin.isMacroID() ||
      AddEnd.isMacroID() || StmtBegin.isMacroID() ||
      SM.getFileID(AddBegin) != SM.getFileID(StmtBegin))
    return {};
  CharSourceRange AddRange = CharSourceRange::getTokenRange(AddBegin, AddEnd);
  bool Invalid = false;
  StringRef AddText = Lexer::getSourceText(AddRange, SM, LangOpts, &Invalid);
  if (Invalid || AddText.empty() || AddText.contains('\n'))
    return {};
  // The `;` after the add, and what follows it on its line.
  std::optional<Token> Semi = Lexer::findNextToken(AddEnd, SM, LangOpts);
  if (!Semi || !Semi->is(tok::semi) || Semi->getLocation().isMacroID())
    return {};
  auto [File, SemiOffset] = SM.getDecomposedLoc(Semi->getLocation());
  StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return {};
  unsigned After = SemiOffset + 1;
  while (After < Buffer.size() && (Buffer[After] == ' ' || Buffer[After] == '\t'))
    ++After;
  SourceLocation RemoveBegin = AddBegin;
  SourceLocation RemoveEnd =
      Semi->getLocation().getLocWithOffset(static_cast<SourceLocation::IntTy>(After - SemiOffset));
  // Alone on its line: remove the whole line, indentation and newline.
  // (From the end of the previous line: a range ending in a line break is
  // widened by clang-tidy's replacement cleanup.)
  if (std::optional<StringRef> Indent = indentationBefore(AddBegin, SM);
      Indent && After < Buffer.size() && Buffer[After] == '\n' &&
      SM.getFileOffset(AddBegin) > Indent->size()) {
    RemoveBegin = AddBegin.getLocWithOffset(-static_cast<int>(Indent->size()) - 1);
  } else if (After < Buffer.size() && Buffer[After] == '\n') {
    RemoveEnd = Semi->getLocation().getLocWithOffset(1); // keep the line break
  }

  std::string Insertion = (AddText + ";").str();
  if (std::optional<StringRef> Indent = indentationBefore(StmtBegin, SM))
    Insertion += "\n" + Indent->str();
  else
    Insertion += " ";
  return {FixItHint::CreateInsertion(StmtBegin, Insertion),
          FixItHint::CreateRemoval(CharSourceRange::getCharRange(RemoveBegin, RemoveEnd))};
}

// The lambda written in place as the spawn's callable, or nullptr.
const LambdaExpr *inPlaceLambda(const Expr *Spawn) {
  std::optional<unsigned> Index = utils::spawnCallableIndex(Spawn);
  if (!Index)
    return nullptr;
  const Expr *E = utils::spawnArguments(Spawn)[*Index];
  while (E != nullptr) {
    E = E->IgnoreImplicit()->IgnoreParens();
    if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(E))
      E = Temp->getSubExpr();
    else
      break;
  }
  return dyn_cast_or_null<LambdaExpr>(E);
}

// Whether the spawner waits for the spawned work itself before \p Wait: the
// spawn initializes a local handle (`std::thread t(f);`, `auto r =
// std::async(f);`) and `t.join()` / `r.get()` / `r.wait()` comes before the
// wait on the wait_group in source order. Every add() of the work has then
// happened when wait() runs.
bool joinedBefore(const Expr *Spawn, const CXXMemberCallExpr *Wait,
                  const utils::BodyParents &Parents, const SourceManager &SM) {
  const VarDecl *Handle = nullptr;
  const Stmt *Current = Spawn;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr, FullExpr>(
            Parent)) {
      Current = Parent;
      continue;
    }
    if (const auto *Decls = dyn_cast<DeclStmt>(Parent))
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D); Var != nullptr && Var->getInit() == Current)
          Handle = Var;
    break;
  }
  if (Handle == nullptr || !Handle->hasLocalStorage())
    return false;
  SourceLocation WaitLoc = SM.getExpansionLoc(Wait->getBeginLoc());
  for (const DeclRefExpr *Ref : Parents.references(Handle)) {
    const Stmt *Parent = Parents.parent(Ref);
    while (Parent != nullptr && isa<ImplicitCastExpr, ParenExpr>(Parent))
      Parent = Parents.parent(Parent);
    const auto *Member = dyn_cast_or_null<MemberExpr>(Parent);
    const auto *Call =
        Member != nullptr ? dyn_cast_or_null<CXXMemberCallExpr>(Parents.parent(Member)) : nullptr;
    if (Call == nullptr || Call->getCallee() != Member)
      continue;
    StringRef Name = nameOf(Call->getMethodDecl());
    if ((Name == "join" || Name == "get" || Name == "wait") &&
        SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Call->getEndLoc()), WaitLoc))
      return true;
  }
  return false;
}

} // namespace

WaitGroupAddInGoroutineCheck::WaitGroupAddInGoroutineCheck(StringRef Name,
                                                           ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawSpawnFunctions(Options.get("SpawnFunctions", utils::DefaultSpawnFunctions)),
      SpawnFunctions(tidy::utils::options::parseStringList(RawSpawnFunctions)),
      RawWaitGroupTypes(Options.get("WaitGroupTypes", DefaultWaitGroupTypes)),
      WaitGroupTypes(tidy::utils::options::parseStringList(RawWaitGroupTypes)) {}

void WaitGroupAddInGoroutineCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "SpawnFunctions", RawSpawnFunctions);
  Options.store(Opts, "WaitGroupTypes", RawWaitGroupTypes);
}

void WaitGroupAddInGoroutineCheck::registerMatchers(MatchFinder *Finder) {
  if (SpawnFunctions.empty() || WaitGroupTypes.empty())
    return;
  utils::registerSpawnMatchers(Finder, SpawnFunctions, this);
}

void WaitGroupAddInGoroutineCheck::onEndOfTranslationUnit() {
  ParentsCache.clear();
  Reported.clear();
}

void WaitGroupAddInGoroutineCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Spawn = Result.Nodes.getNodeAs<Expr>("spawn");
  if (Spawn == nullptr)
    return;
  ASTContext &Context = *Result.Context;
  const SourceManager &SM = *Result.SourceManager;

  // The function the spawn runs and its body.
  std::optional<unsigned> Index = utils::spawnCallableIndex(Spawn);
  if (!Index)
    return;
  const LambdaExpr *Lambda = utils::callableLambda(utils::spawnArguments(Spawn)[*Index]);
  const FunctionDecl *Goroutine = nullptr;
  if (Lambda != nullptr) {
    Goroutine = Lambda->getCallOperator();
  } else if (const FunctionDecl *Named = utils::spawnedFunction(Spawn)) {
    const FunctionDecl *Definition = nullptr;
    if (Named->hasBody(Definition) && Definition != nullptr &&
        !SM.isInSystemHeader(Definition->getLocation()))
      Goroutine = Definition;
  }
  if (Goroutine == nullptr || Goroutine->getBody() == nullptr)
    return;
  const Stmt *Body = Goroutine->getBody();

  llvm::StringSet<> Types;
  for (StringRef Type : WaitGroupTypes)
    Types.insert(Type.starts_with("::") ? Type.drop_front(2) : Type);
  llvm::SmallVector<AddCall, 4> Adds;
  collectAdds(Body, Goroutine, Types, Context, Adds);
  if (Adds.empty())
    return;

  const StringRef Noun = utils::spawnedWorkNoun(Spawn);
  // Spawns inside the goroutine (for the crawler exception), found lazily.
  std::optional<llvm::SmallPtrSet<const Stmt *, 4>> InnerSpawns;
  auto innerSpawns = [&]() -> const llvm::SmallPtrSetImpl<const Stmt *> & {
    if (!InnerSpawns) {
      InnerSpawns.emplace();
      auto Matches =
          match(stmt(forEachDescendant(stmt(anyOf(utils::spawnExpr(SpawnFunctions),
                                                  utils::emplaceSpawnExpr(SpawnFunctions)))
                                           .bind("inner"))),
                *Body, Context);
      for (const BoundNodes &Nodes : Matches)
        if (const auto *Inner = Nodes.getNodeAs<Stmt>("inner"))
          InnerSpawns->insert(Inner);
    }
    return *InnerSpawns;
  };
  auto spawnFollows = [&](const CXXMemberCallExpr *Add) {
    SourceLocation AddLoc = SM.getExpansionLoc(Add->getEndLoc());
    return llvm::any_of(innerSpawns(), [&](const Stmt *Inner) {
      return SM.isBeforeInTranslationUnit(AddLoc, SM.getExpansionLoc(Inner->getBeginLoc()));
    });
  };

  for (const AddCall &Add : Adds) {
    if (Add.Object.Where != Place::Outside)
      continue;
    if (Add.Object.Identity != nullptr && spawnFollows(Add.Call) &&
        countsDownOn(Body, Add.Object.Identity, Goroutine, Types, Context, innerSpawns()))
      continue;
    SourceLocation Loc = Add.Call->getExprLoc();
    if (Loc.isInvalid() || Reported.contains(SM.getExpansionLoc(Loc).getRawEncoding()))
      continue;

    // Where the spawner waits, for a note; whether it joins the work first;
    // and the fix-it.
    const CXXMemberCallExpr *Wait = nullptr;
    std::vector<FixItHint> Fix;
    const auto *Enclosing =
        Lambda != nullptr
            ? dyn_cast_or_null<FunctionDecl>(Lambda->getLambdaClass()->getDeclContext())
            : nullptr;
    if (Enclosing != nullptr && Enclosing->getBody() != nullptr) {
      const utils::BodyParents &Parents = ParentsCache.of(Enclosing->getBody());
      if (Add.Object.Identity != nullptr)
        Wait = findWait(Enclosing->getBody(), Add.Object.Identity, Lambda, Types);
      if (Wait != nullptr && Parents.isWithin(Spawn, Parents.root()) &&
          joinedBefore(Spawn, Wait, Parents, SM))
        continue;
      const Stmt *First = nullptr;
      if (const auto *Block = dyn_cast<CompoundStmt>(Lambda->getBody());
          Block != nullptr && !Block->body_empty())
        First = Block->body_front();
      if (const auto *Full = dyn_cast_or_null<FullExpr>(First))
        First = Full->getSubExpr();
      if (First == Add.Call && inPlaceLambda(Spawn) == Lambda &&
          Parents.isWithin(Spawn, Parents.root()) &&
          !utils::isInTemplateInstantiation(Lambda->getLambdaClass()->getDeclContext()) &&
          !namesLambdaDecl(Add.Call, Goroutine))
        if (const Stmt *Statement = enclosingBlockStatement(Spawn, Parents))
          Fix = moveBeforeSpawnFix(Add.Call, Statement, Context);
    }
    Reported.insert(SM.getExpansionLoc(Loc).getRawEncoding());

    std::string Object = "the wait_group";
    if (Add.Object.Identity != nullptr && !nameOf(Add.Object.Identity).empty())
      Object = ("'" + nameOf(Add.Object.Identity) + "'").str();
    {
      DiagnosticBuilder Diag =
          diag(Loc, "add() on %0 is called inside the %1 it counts; wait() can return before "
                    "this add() runs: call add() before starting the %1")
          << StringRef(Object) << Noun;
      for (const FixItHint &Hint : Fix)
        Diag << Hint;
    }
    if (SM.getExpansionLineNumber(Spawn->getExprLoc()) != SM.getExpansionLineNumber(Loc) ||
        SM.getFileID(SM.getExpansionLoc(Spawn->getExprLoc())) !=
            SM.getFileID(SM.getExpansionLoc(Loc)))
      diag(Spawn->getExprLoc(), "%0 started here", DiagnosticIDs::Note) << Noun;
    if (Wait != nullptr)
      diag(Wait->getExprLoc(), "%0 is waited on here", DiagnosticIDs::Note) << StringRef(Object);
  }
}

} // namespace clang::tidy::goro
