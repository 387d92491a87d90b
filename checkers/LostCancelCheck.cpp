//===--- LostCancelCheck.cpp - goro-lost-cancel ---------------------------===//
//
// Matchers find the calls of CancelFunctions (goro::with_cancel / with_timeout
// / with_deadline, all returning std::pair<context, cancel_func>) in three
// shapes; every other use of the pair (returned, passed to a function,
// assigned to an existing object, std::tie) hands the cancel function on and
// is not reported:
//
//   - discarded: an expression statement, a cast to void, or `.first` taken
//     from the temporary. Reported.
//   - declared: `auto [ctx, cancel] = with_cancel(p);`, `auto pair = ...;`
//     (the cancel function is `pair.second`), or `cancel_func cancel =
//     with_cancel(p).second;`. The variable is then followed through the
//     function body that declares it (BodyParents):
//
// Every use of the cancel function is one of:
//   - a call: `cancel()`, `cancel.operator()()`;
//   - neutral: a test (`if (cancel)`); `.first` of a pair variable;
//   - a guard: a lambda that captures it and initializes a local object of a
//     class with a user-declared destructor (goro::defer, absl::Cleanup,
//     gsl::final_action, scope_exit, ...): the destructor runs on every path
//     out of the object's scope, so the declaration counts as a call;
//   - an escape: anything else (returned, stored, passed to a function or a
//     constructor, copied into another variable, moved, its address taken,
//     captured by a lambda that goes anywhere but a guard). The cancel
//     function may then be called elsewhere: nothing is reported.
//
// With no escape: no call at all is reported; otherwise a CFG of the function
// (clang::CFG, without exception edges) is searched from the with_* call for
// a path that reaches the function's exit, or comes back to the with_* call
// (a loop making a new context each iteration), without passing a call or a
// guard. Paths that end in a throw or a call of a noreturn function are not
// paths out of the function (go vet ignores panics the same way).
//
//===----------------------------------------------------------------------===//

#include "LostCancelCheck.h"

#include "utils/OptionsUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Analysis/CFG.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <cstdint>
#include <optional>

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

namespace {

constexpr llvm::StringLiteral DefaultCancelFunctions =
    "::goro::with_cancel;::goro::with_timeout;::goro::with_deadline";
// GoogleTest's fatal assertions return from the test on failure.
constexpr llvm::StringLiteral DefaultIgnoredReturnMacros = "ASSERT_*;FAIL;GTEST_*";

StringRef nameOf(const NamedDecl *D) {
  return D != nullptr && D->getIdentifier() != nullptr ? D->getName() : StringRef();
}

struct CancelUses {
  bool Escapes = false;
  unsigned References = 0;
  // Statements after which the cancel function has been called (or a guard
  // that calls it is alive).
  llvm::SmallVector<const Stmt *, 4> Calls;
};

// A class whose objects run something when they die: a user-declared
// destructor, and not a closure or a std::function (which only hold it).
bool isGuardType(QualType Type) {
  if (Type.isNull() || Type->isDependentType() || Type->isReferenceType())
    return false;
  const CXXRecordDecl *Record = Type->getAsCXXRecordDecl();
  if (Record == nullptr || !Record->hasDefinition() || Record->isLambda())
    return false;
  if (Record->isInStdNamespace() && nameOf(Record) == "function")
    return false;
  return Record->hasUserDeclaredDestructor();
}

// The outermost lambda of the body around \p S, or nullptr.
const LambdaExpr *outermostLambda(const Stmt *S, const utils::BodyParents &Parents) {
  const LambdaExpr *Outer = nullptr;
  for (const Stmt *P = Parents.parent(S); P != nullptr; P = Parents.parent(P))
    if (const auto *Lambda = dyn_cast<LambdaExpr>(P))
      Outer = Lambda;
  return Outer;
}

// The local guard object \p Lambda initializes (`goro::defer d([&] {...})`,
// `auto g = gsl::finally([&] {...})`), or nullptr.
const DeclStmt *guardOf(const LambdaExpr *Lambda, const utils::BodyParents &Parents) {
  const Stmt *Current = Lambda;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr, FullExpr,
            CXXFunctionalCastExpr, CXXConstructExpr, CallExpr, InitListExpr>(Parent)) {
      if (const auto *Call = dyn_cast<CallExpr>(Parent);
          Call != nullptr && Call->getCallee() == Current)
        return nullptr; // called, not held
      Current = Parent;
      continue;
    }
    const auto *Decls = dyn_cast<DeclStmt>(Parent);
    if (Decls == nullptr || !Decls->isSingleDecl())
      return nullptr;
    const auto *Var = dyn_cast<VarDecl>(Decls->getSingleDecl());
    if (Var == nullptr || !Var->hasLocalStorage() || Var->getInit() != Current ||
        !isGuardType(Var->getType()))
      return nullptr;
    return Decls;
  }
  return nullptr;
}

// Classifies one use \p Use (a DeclRefExpr, or `pair.second`) of the cancel
// function into \p Uses.
void classifyUse(const Expr *Use, const utils::BodyParents &Parents, CancelUses &Uses) {
  if (const LambdaExpr *Lambda = outermostLambda(Use, Parents)) {
    if (const DeclStmt *Guard = guardOf(Lambda, Parents))
      Uses.Calls.push_back(Guard);
    else
      Uses.Escapes = true;
    return;
  }
  const Stmt *Current = Use;
  while (const Stmt *Parent = Parents.parent(Current)) {
    if (isa<ParenExpr>(Parent)) {
      Current = Parent;
      continue;
    }
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Parent);
        Cast != nullptr &&
        (Cast->getCastKind() == CK_NoOp || Cast->getCastKind() == CK_LValueToRValue)) {
      Current = Parent;
      continue;
    }
    if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(Parent)) {
      if (Operator->getOperator() == OO_Call && Operator->getNumArgs() > 0 &&
          Operator->getArg(0) == Current) {
        Uses.Calls.push_back(Operator);
        return;
      }
      if (Operator->getOperator() == OO_ExclaimEqual || Operator->getOperator() == OO_EqualEqual)
        return;            // compared with nullptr
      Uses.Escapes = true; // assigned from or to, swapped
      return;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(Parent)) {
      const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(Parents.parent(Member));
      const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
      if (Call != nullptr && Method != nullptr) {
        if (Method->getOverloadedOperator() == OO_Call) {
          Uses.Calls.push_back(Call);
          return;
        }
        if (isa<CXXConversionDecl>(Method) && Method->getReturnType()->isBooleanType())
          return; // `if (cancel)`
      }
      Uses.Escapes = true;
      return;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(Parent);
        Unary != nullptr && Unary->getOpcode() == UO_LNot)
      return;
    if (isa<UnaryExprOrTypeTraitExpr, CXXNoexceptExpr, CXXTypeidExpr>(Parent))
      return; // unevaluated
    Uses.Escapes = true;
    return;
  }
  Uses.Escapes = true;
}

// Where the search for a path without a call found one.
struct LeakPath {
  bool Found = false;
  bool Loops = false;            // back to the with_* call
  const Stmt *Trigger = nullptr; // what ends the variable's life there
};

bool isThrowOrNoReturn(const CFGBlock &Block) {
  if (Block.hasNoReturnElement())
    return true;
  for (const CFGElement &Element : Block)
    if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>(); S && isa<CXXThrowExpr>(S->getStmt()))
      return true;
  return false;
}

// Searches \p Graph (built with lifetime markers) from the element \p Start
// for a path that ends the life of \p Owner, reaches the exit, or comes back
// to \p Start, before any of \p CallStmts. std::nullopt when the CFG does not
// show the statements we need (we cannot tell).
std::optional<LeakPath> findLeak(const CFG &Graph, const Stmt *Start, const VarDecl *Owner,
                                 llvm::ArrayRef<const Stmt *> CallStmts,
                                 llvm::function_ref<bool(const Stmt *)> IgnoredExit) {
  llvm::SmallPtrSet<const Stmt *, 8> Calls(CallStmts.begin(), CallStmts.end());
  llvm::SmallPtrSet<const Stmt *, 8> Seen;
  const CFGBlock *StartBlock = nullptr;
  unsigned StartIndex = 0;
  for (const CFGBlock *Block : Graph) {
    if (Block == nullptr)
      continue;
    unsigned Index = 0;
    for (const CFGElement &Element : *Block) {
      if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>()) {
        if (S->getStmt() == Start && StartBlock == nullptr) {
          StartBlock = Block;
          StartIndex = Index;
        }
        if (Calls.contains(S->getStmt()))
          Seen.insert(S->getStmt());
      }
      ++Index;
    }
  }
  if (StartBlock == nullptr || Seen.size() != Calls.size())
    return std::nullopt;

  enum class Outcome : std::uint8_t { Continue, Called, Leaks };
  LeakPath Result;
  // Scans Block from element From: whether a call, the end of Owner's life or
  // the with_* call again comes first.
  auto Scan = [&](const CFGBlock &Block, unsigned From) {
    unsigned Index = 0;
    for (const CFGElement &Element : Block) {
      if (Index++ < From)
        continue;
      if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>()) {
        if (Calls.contains(S->getStmt()))
          return Outcome::Called;
        if (S->getStmt() == Start) {
          Result.Loops = true;
          return Outcome::Leaks;
        }
      } else if (std::optional<CFGLifetimeEnds> End = Element.getAs<CFGLifetimeEnds>()) {
        if (End->getVarDecl() == Owner) {
          if (IgnoredExit(End->getTriggerStmt()))
            return Outcome::Called; // a test's failure path
          Result.Trigger = End->getTriggerStmt();
          return Outcome::Leaks;
        }
      }
    }
    return Outcome::Continue;
  };

  llvm::BitVector Visited(Graph.getNumBlockIDs());
  llvm::SmallVector<const CFGBlock *, 16> Work;
  auto Visit = [&](const CFGBlock &Block, unsigned From) {
    switch (Scan(Block, From)) {
    case Outcome::Called:
      return false;
    case Outcome::Leaks:
      Result.Found = true;
      return true;
    case Outcome::Continue:
      break;
    }
    if (&Block == &Graph.getExit()) {
      Result.Found = true;
      return true;
    }
    if (isThrowOrNoReturn(Block))
      return false; // a panic: not a path out of the function
    for (const CFGBlock::AdjacentBlock &Succ : Block.succs())
      if (const CFGBlock *Next = Succ.getReachableBlock())
        Work.push_back(Next);
    return false;
  };
  if (Visit(*StartBlock, StartIndex + 1))
    return Result;
  while (!Work.empty()) {
    const CFGBlock *Block = Work.pop_back_val();
    if (Visited.test(Block->getBlockID()))
      continue;
    Visited.set(Block->getBlockID());
    if (Visit(*Block, 0))
      return Result;
  }
  return Result;
}

} // namespace

LostCancelCheck::LostCancelCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawCancelFunctions(Options.get("CancelFunctions", DefaultCancelFunctions)),
      CancelFunctions(tidy::utils::options::parseStringList(RawCancelFunctions)),
      RawIgnoredReturnMacros(Options.get("IgnoredReturnMacros", DefaultIgnoredReturnMacros)),
      IgnoredReturnMacros(tidy::utils::options::parseStringList(RawIgnoredReturnMacros)) {}

void LostCancelCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "CancelFunctions", RawCancelFunctions);
  Options.store(Opts, "IgnoredReturnMacros", RawIgnoredReturnMacros);
}

void LostCancelCheck::registerMatchers(MatchFinder *Finder) {
  if (CancelFunctions.empty())
    return;
  auto Call = callExpr(callee(functionDecl(hasAnyName(CancelFunctions)))).bind("call");
  auto InUserCode = unless(isExpansionInSystemHeader());
  // Discarded: a statement of a block, a cast to void, `.first` of the result.
  Finder->addMatcher(
      compoundStmt(InUserCode, forEach(expr(ignoringImplicit(Call)).bind("discarded"))), this);
  Finder->addMatcher(explicitCastExpr(InUserCode, hasDestinationType(voidType()),
                                      hasSourceExpression(ignoringImplicit(Call)))
                         .bind("discarded"),
                     this);
  Finder->addMatcher(
      memberExpr(member(hasName("first")), InUserCode, hasObjectExpression(ignoringImplicit(Call)))
          .bind("discarded"),
      this);
  // Declared: the pair (or its bindings), or the cancel function alone (one
  // matcher: every VarDecl is tried once).
  auto SecondOf = memberExpr(member(hasName("second")), hasObjectExpression(ignoringImplicit(Call)))
                      .bind("second");
  Finder->addMatcher(
      varDecl(InUserCode, hasInitializer(ignoringImplicit(
                              anyOf(Call, SecondOf,
                                    cxxConstructExpr(argumentCountIs(1),
                                                     hasArgument(0, ignoringImplicit(SecondOf)))))))
          .bind("var"),
      this);
}

bool LostCancelCheck::inIgnoredMacro(SourceLocation Loc, const ASTContext &Context) const {
  if (!Loc.isMacroID() || IgnoredReturnMacros.empty())
    return false;
  const SourceManager &SM = Context.getSourceManager();
  // The macro the user wrote: the outermost expansion.
  StringRef Outermost;
  for (int Depth = 0; Loc.isMacroID() && Depth < 64; ++Depth) {
    StringRef Name = Lexer::getImmediateMacroName(Loc, SM, Context.getLangOpts());
    if (!Name.empty())
      Outermost = Name;
    Loc = SM.getImmediateMacroCallerLoc(Loc);
  }
  for (StringRef Pattern : IgnoredReturnMacros) {
    if (Pattern.ends_with("*") ? Outermost.starts_with(Pattern.drop_back()) : Outermost == Pattern)
      return true;
  }
  return false;
}

void LostCancelCheck::onEndOfTranslationUnit() {
  ParentsCache.clear();
  CFGCache.clear();
  Reported.clear();
}

void LostCancelCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call");
  if (Call == nullptr || Call->getDirectCallee() == nullptr)
    return;
  const SourceManager &SM = *Result.SourceManager;
  const FunctionDecl *Maker = Call->getDirectCallee();
  SourceLocation CallLoc = Call->getBeginLoc();
  if (CallLoc.isInvalid())
    return;

  if (Result.Nodes.getNodeAs<Expr>("discarded") != nullptr) {
    if (Reported.insert(SM.getExpansionLoc(CallLoc).getRawEncoding()).second)
      diag(CallLoc, "the cancel function returned by %0 is discarded; the context is never "
                    "canceled and leaks until its parent is")
          << Maker;
    return;
  }

  // The declared cancel function: a binding, a pair variable (member mode),
  // or a cancel_func variable.
  const ValueDecl *Cancel = nullptr;
  const VarDecl *Owner = nullptr; // the declared variable (or decomposition)
  bool MemberMode = false;
  const auto *Declared = Result.Nodes.getNodeAs<VarDecl>("var");
  if (const auto *Var = Result.Nodes.getNodeAs<Expr>("second") != nullptr ? Declared : nullptr) {
    Cancel = Var;
    Owner = Var;
  } else if (const auto *Pair = Declared) {
    Owner = Pair;
    if (const auto *Decomposition = dyn_cast<DecompositionDecl>(Pair)) {
      if (Decomposition->bindings().size() != 2)
        return;
      Cancel = Decomposition->bindings()[1];
    } else {
      Cancel = Pair;
      MemberMode = true;
    }
  }
  if (Cancel == nullptr || Owner == nullptr || !Owner->hasLocalStorage() ||
      Owner->getType().isNull() || Owner->getType()->isDependentType())
    return;
  const auto *Function = dyn_cast<FunctionDecl>(Owner->getDeclContext());
  if (Function == nullptr || Function->getBody() == nullptr)
    return;
  if (!Reported.insert(SM.getExpansionLoc(CallLoc).getRawEncoding()).second)
    return;

  const utils::BodyParents &Parents = ParentsCache.of(Function->getBody());
  CancelUses Uses;
  for (const DeclRefExpr *Ref : Parents.references(Cancel)) {
    if (Ref->isNonOdrUse() == NOUR_Unevaluated)
      continue;
    const Expr *Use = Ref;
    if (MemberMode) {
      const Stmt *Parent = Parents.parent(Ref);
      while (Parent != nullptr && isa<ImplicitCastExpr, ParenExpr>(Parent))
        Parent = Parents.parent(Parent);
      const auto *Member = dyn_cast_or_null<MemberExpr>(Parent);
      StringRef Field = Member != nullptr ? nameOf(Member->getMemberDecl()) : StringRef();
      if (Field == "first")
        continue; // the context
      if (Field != "second") {
        Uses.Escapes = true; // the whole pair goes somewhere
        break;
      }
      Use = Member;
    }
    ++Uses.References;
    classifyUse(Use, Parents, Uses);
    if (Uses.Escapes)
      break;
  }
  if (Uses.Escapes)
    return;

  const bool Named = !nameOf(Cancel).empty() && !MemberMode;
  SourceLocation Loc = Cancel->getLocation();
  if (Uses.Calls.empty()) {
    if (Uses.References == 0 && Named)
      diag(Loc, "the cancel function %0 returned by %1 is never used; the context is never "
                "canceled and leaks until its parent is")
          << Cancel << Maker;
    else if (Named)
      diag(Loc, "the cancel function %0 returned by %1 is never called; the context is never "
                "canceled and leaks until its parent is")
          << Cancel << Maker;
    else
      diag(Loc, "the cancel function returned by %0 ('%1.second') is never called; the context "
                "is never canceled and leaks until its parent is")
          << Maker << nameOf(Cancel);
    return;
  }

  // Called somewhere: on every path?
  // One CFG per function (a function may make several contexts); nullptr
  // when clang cannot build one.
  auto [Cached, Inserted] = CFGCache.try_emplace(Function->getBody());
  if (Inserted) {
    CFG::BuildOptions Options;
    Options.setAllAlwaysAdd();
    Options.AddLifetime = true;
    Cached->second = CFG::buildCFG(Function, Function->getBody(), Result.Context, Options);
  }
  const CFG *Graph = Cached->second.get();
  if (Graph == nullptr)
    return;
  std::optional<LeakPath> Leak = findLeak(*Graph, Call, Owner, Uses.Calls, [&](const Stmt *Exit) {
    return isa_and_nonnull<ReturnStmt>(Exit) &&
           inIgnoredMacro(Exit->getBeginLoc(), *Result.Context);
  });
  if (!Leak || !Leak->Found)
    return;
  std::string What =
      Named ? ("'" + nameOf(Cancel) + "'").str() : ("'" + nameOf(Cancel) + ".second'").str();
  diag(Loc, "the cancel function %0 returned by %1 is not called on every path; the context "
            "leaks until its parent is canceled")
      << StringRef(What) << Maker;
  const Stmt *Trigger = Leak->Trigger;
  if (Leak->Loops)
    diag(CallLoc, "the next iteration makes a new context here without calling %0",
         DiagnosticIDs::Note)
        << StringRef(What);
  else if (Trigger != nullptr && isa<ReturnStmt, CoreturnStmt>(Trigger))
    diag(Trigger->getBeginLoc(), "this return is reached without calling %0", DiagnosticIDs::Note)
        << StringRef(What);
  else if (Trigger != nullptr && isa<BreakStmt, ContinueStmt, GotoStmt>(Trigger))
    diag(Trigger->getBeginLoc(), "this jump leaves the scope of %0 without calling it",
         DiagnosticIDs::Note)
        << StringRef(What);
  else if (const auto *Block = dyn_cast_or_null<CompoundStmt>(Trigger);
           Block != nullptr && Block != Function->getBody())
    diag(Block->getRBracLoc(), "%0 goes out of scope here without being called",
         DiagnosticIDs::Note)
        << StringRef(What);
  else
    diag(Function->getBody()->getEndLoc(), "the function ends here without calling %0",
         DiagnosticIDs::Note)
        << StringRef(What);
}

} // namespace clang::tidy::goro
