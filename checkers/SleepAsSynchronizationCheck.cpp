//===--- SleepAsSynchronizationCheck.cpp - goro-sleep-as-synchronization ---===//
//
// The matcher finds function definitions (lambdas' call operators included)
// that contain a call of a SleepFunctions function; check() then looks at
// each sleep once, in its region: the body of the innermost lambda around it,
// or the function body.
//
//   - A sleep inside a loop of its region is never reported: polling and
//     retry/backoff loops sleep on purpose.
//   - The spawns of the region (SpawnFunctions, emplace into a container of
//     a spawn class) that come before the sleep in source order are the
//     candidates; a spawn inside a nested lambda belongs to that lambda.
//   - A spawn is waited for when its work provably ends within the region
//     (utils::spawnedWorkEndsWithin: a local jthread / thread / future, a
//     join, a wait on its group or on a wait_group it counts down), or when
//     any wait follows it in the region: a call of join, wait*, recv,
//     arrive_and_wait, acquire, select, a `get` of a std::future, a function
//     whose name starts with wait or join, or a range-for over a goro
//     channel. Deliberately broad: a wait on anything may be the real
//     synchronization, and the check stays quiet then.
//
// Reported:
//   A. a spawn before the sleep that nothing waits for: the sleep is the
//      only wait. When several sleeps follow, only the last one (outside
//      loops) is reported: that is the one the function relies on.
//   B. a spawn that is waited for only after the sleep, whose lambda writes a
//      variable it captured by reference (assignment, ++/--, a non-const
//      member call; not a std::atomic), and that variable is named after the
//      sleep before the first wait: the sleep stands in for the wait.
//
//===----------------------------------------------------------------------===//

#include "SleepAsSynchronizationCheck.h"

#include "utils/ChannelFlow.h"
#include "utils/OptionsUtils.h"
#include "utils/SpawnCalls.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

namespace {

constexpr llvm::StringLiteral DefaultSleepFunctions =
    "::goro::sleep;::std::this_thread::sleep_for;::std::this_thread::sleep_until";

StringRef nameOf(const NamedDecl *D) {
  return D != nullptr && D->getIdentifier() != nullptr ? D->getName() : StringRef();
}

StringRef withoutGlobalPrefix(StringRef Name) {
  return Name.starts_with("::") ? Name.drop_front(2) : Name;
}

// Whether \p S, ignoring macro expansions, ends before \p Later begins.
bool before(const Stmt *S, const Stmt *Later, const SourceManager &SM) {
  SourceLocation End = SM.getExpansionLoc(S->getEndLoc());
  SourceLocation Begin = SM.getExpansionLoc(Later->getBeginLoc());
  return End.isValid() && Begin.isValid() && SM.isBeforeInTranslationUnit(End, Begin);
}

bool isStdFuture(const CXXRecordDecl *Record) {
  return Record != nullptr && Record->isInStdNamespace() &&
         (nameOf(Record) == "future" || nameOf(Record) == "shared_future");
}

// A statement that waits for something another goroutine or thread does.
bool isWaitOp(const Stmt *S) {
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(S))
    return Range->getRangeInit() != nullptr &&
           utils::channelView(Range->getRangeInit()->getType()) != utils::ChannelView::None;
  const auto *Call = dyn_cast<CallExpr>(S);
  if (Call == nullptr)
    return false;
  const FunctionDecl *Callee = Call->getDirectCallee();
  StringRef Name = nameOf(Callee);
  if (Name.empty())
    return false;
  if (Name.starts_with("wait") || Name.starts_with("join") ||
      llvm::is_contained(
          {"arrive_and_wait", "recv", "acquire", "try_acquire_for", "try_acquire_until", "select"},
          Name))
    return true;
  if (Name == "get")
    if (const auto *Method = dyn_cast<CXXMethodDecl>(Callee))
      return isStdFuture(Method->getParent());
  return false;
}

bool isLoop(const Stmt *S) { return isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S); }

// Whether \p S is inside a loop of \p Region (not looking past \p Region).
bool inLoop(const Stmt *S, const Stmt *Region, const utils::BodyParents &Parents) {
  for (const Stmt *P = Parents.parent(S); P != nullptr && P != Region; P = Parents.parent(P))
    if (isLoop(P))
      return true;
  return false;
}

// Whether \p S belongs to \p Region itself, not to a lambda nested in it.
bool directlyIn(const Stmt *S, const Stmt *Region, const utils::BodyParents &Parents) {
  for (const Stmt *P = Parents.parent(S); P != nullptr; P = Parents.parent(P)) {
    if (P == Region)
      return true;
    if (isa<LambdaExpr, BlockExpr>(P))
      return false;
  }
  return false;
}

bool isAtomic(QualType Type) {
  if (Type.isNull())
    return false;
  const CXXRecordDecl *Record = Type.getNonReferenceType()->getAsCXXRecordDecl();
  return Record != nullptr && Record->isInStdNamespace() && nameOf(Record).starts_with("atomic");
}

// The variable an expression names, if a DeclRefExpr to one.
const VarDecl *namedVar(const Expr *E) {
  if (E == nullptr)
    return nullptr;
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  return Ref != nullptr ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
}

// Variables the lambda captures by reference and writes in its body.
void collectWrites(const Stmt *S, const LambdaExpr *Lambda,
                   llvm::SmallPtrSetImpl<const VarDecl *> &Out) {
  if (S == nullptr)
    return;
  const VarDecl *Written = nullptr;
  if (const auto *Binary = dyn_cast<BinaryOperator>(S);
      Binary != nullptr && Binary->isAssignmentOp())
    Written = namedVar(Binary->getLHS());
  else if (const auto *Unary = dyn_cast<UnaryOperator>(S);
           Unary != nullptr && Unary->isIncrementDecrementOp())
    Written = namedVar(Unary->getSubExpr());
  else if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(S);
           Operator != nullptr && Operator->isAssignmentOp() && Operator->getNumArgs() > 0)
    Written = namedVar(Operator->getArg(0));
  else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(S))
    if (const CXXMethodDecl *Method = Member->getMethodDecl();
        Method != nullptr && !Method->isConst() && !Method->isStatic())
      Written = namedVar(Member->getImplicitObjectArgument());
  if (Written != nullptr && !isAtomic(Written->getType()))
    for (const LambdaCapture &Capture : Lambda->captures())
      if (Capture.capturesVariable() && Capture.getCaptureKind() == LCK_ByRef &&
          Capture.getCapturedVar() == Written)
        Out.insert(Written);
  for (const Stmt *Child : S->children())
    collectWrites(Child, Lambda, Out);
}

struct RegionFacts {
  llvm::SmallVector<const Expr *, 4> Spawns;
  llvm::SmallVector<const Stmt *, 4> Sleeps;
  llvm::SmallVector<const Stmt *, 4> Waits;
};

} // namespace

SleepAsSynchronizationCheck::SleepAsSynchronizationCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawSpawnFunctions(Options.get("SpawnFunctions", utils::DefaultSpawnFunctions)),
      SpawnFunctions(tidy::utils::options::parseStringList(RawSpawnFunctions)),
      RawSleepFunctions(Options.get("SleepFunctions", DefaultSleepFunctions)),
      SleepFunctions(tidy::utils::options::parseStringList(RawSleepFunctions)) {
  for (StringRef Spawn : SpawnFunctions)
    SpawnNames.insert(Spawn.rsplit("::").second.empty() ? Spawn : Spawn.rsplit("::").second);
  for (StringRef Sleep : SleepFunctions)
    SleepNames.insert(withoutGlobalPrefix(Sleep));
}

void SleepAsSynchronizationCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "SpawnFunctions", RawSpawnFunctions);
  Options.store(Opts, "SleepFunctions", RawSleepFunctions);
}

void SleepAsSynchronizationCheck::registerMatchers(MatchFinder *Finder) {
  if (SpawnFunctions.empty() || SleepFunctions.empty())
    return;
  auto Sleep = callExpr(callee(functionDecl(hasAnyName(SleepFunctions)))).bind("sleep");
  Finder->addMatcher(functionDecl(isDefinition(), unless(isExpansionInSystemHeader()),
                                  hasBody(forEachDescendant(Sleep)))
                         .bind("function"),
                     this);
}

void SleepAsSynchronizationCheck::onEndOfTranslationUnit() {
  ParentsCache.clear();
  Spawns.clear();
  Analysed.clear();
  Reported.clear();
}

bool SleepAsSynchronizationCheck::isSleep(const Stmt *S) const {
  const auto *Call = dyn_cast<CallExpr>(S);
  const FunctionDecl *Callee = Call != nullptr ? Call->getDirectCallee() : nullptr;
  return Callee != nullptr && Callee->getIdentifier() != nullptr &&
         SleepNames.contains(Callee->getQualifiedNameAsString());
}

bool SleepAsSynchronizationCheck::isSpawn(const Stmt *S, ASTContext &Context) {
  // A cheap filter by the last name component before the matcher runs.
  StringRef Name;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
    const CXXConstructorDecl *Constructor = Construct->getConstructor();
    Name = Constructor != nullptr ? nameOf(Constructor->getParent()) : StringRef();
  } else if (const auto *Call = dyn_cast<CallExpr>(S)) {
    Name = nameOf(Call->getDirectCallee());
  } else {
    return false;
  }
  if (Name.empty() || (!SpawnNames.contains(Name) && !Name.starts_with("emplace")))
    return false;
  return Spawns.isSpawn(S, Context);
}

void SleepAsSynchronizationCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Sleep = Result.Nodes.getNodeAs<CallExpr>("sleep");
  const auto *Function = Result.Nodes.getNodeAs<FunctionDecl>("function");
  // Templates are analysed through their instantiations (a dependent spawn
  // is not recognizable in the pattern).
  if (Sleep == nullptr || Function == nullptr || Function->getBody() == nullptr ||
      Function->isDependentContext() || !Analysed.insert(Sleep).second)
    return;
  ASTContext &Context = *Result.Context;
  const SourceManager &SM = *Result.SourceManager;
  const utils::BodyParents &Parents = ParentsCache.of(Function->getBody());
  if (!Parents.isWithin(Sleep, Parents.root()))
    return; // in a local class's member function: matched on its own

  // The region: the innermost lambda's body, or the function's.
  const Stmt *Region = Parents.root();
  for (const Stmt *P = Parents.parent(Sleep); P != nullptr; P = Parents.parent(P)) {
    if (isLoop(P))
      return; // polling, retry, backoff, rate limiting
    if (const auto *Lambda = dyn_cast<LambdaExpr>(P)) {
      Region = Lambda->getBody();
      break;
    }
  }
  if (Region == nullptr)
    return;

  // Spawns, sleeps and waits of the region itself.
  RegionFacts Facts;
  llvm::SmallVector<const Stmt *, 64> Work{Region};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (S == nullptr || isa<LambdaExpr, BlockExpr>(S))
      continue;
    if (isSleep(S))
      Facts.Sleeps.push_back(S);
    else if (isSpawn(S, Context))
      Facts.Spawns.push_back(cast<Expr>(S));
    if (isWaitOp(S))
      Facts.Waits.push_back(S);
    for (const Stmt *Child : S->children())
      Work.push_back(Child);
  }

  auto waitedAfter = [&](const Stmt *S) {
    return llvm::any_of(Facts.Waits, [&](const Stmt *W) { return before(S, W, SM); });
  };
  auto spawnedLambda = [&](const Expr *Spawn) -> const LambdaExpr * {
    std::optional<unsigned> Index = utils::spawnCallableIndex(Spawn);
    return Index ? utils::callableLambda(utils::spawnArguments(Spawn)[*Index]) : nullptr;
  };

  llvm::SmallVector<const Expr *, 2> Unwaited;
  llvm::SmallVector<const Expr *, 2> WaitedLater;
  // In source order, for the notes.
  llvm::sort(Facts.Spawns, [&](const Expr *A, const Expr *B) {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A->getBeginLoc()),
                                        SM.getExpansionLoc(B->getBeginLoc()));
  });
  for (const Expr *Spawn : Facts.Spawns) {
    if (!before(Spawn, Sleep, SM))
      continue;
    const bool Ends =
        utils::spawnedWorkEndsWithin(Spawn, Region, nullptr, spawnedLambda(Spawn), Parents, SM);
    if (!Ends && !waitedAfter(Spawn))
      Unwaited.push_back(Spawn);
    else if (!llvm::any_of(Facts.Waits, [&](const Stmt *W) {
               return before(Spawn, W, SM) && before(W, Sleep, SM);
             }))
      WaitedLater.push_back(Spawn);
  }

  const StringRef SleepName = nameOf(Sleep->getDirectCallee());
  // One report per sleep written, whatever the number of instantiations.
  if (Reported.contains(Sleep->getBeginLoc().getRawEncoding()))
    return;
  auto MarkReported = [&] { Reported.insert(Sleep->getBeginLoc().getRawEncoding()); };
  if (!Unwaited.empty()) {
    // Only the last sleep the function relies on.
    if (llvm::any_of(Facts.Sleeps, [&](const Stmt *Other) {
          return Other != Sleep && before(Sleep, Other, SM) && !inLoop(Other, Region, Parents);
        }))
      return;
    const StringRef Noun = utils::spawnedWorkNoun(Unwaited.front());
    MarkReported();
    diag(Sleep->getBeginLoc(),
         "'%0' is the only wait for the %1 started before it; a sleep does not make the %1 run "
         "or finish: wait for it (a wait_group, join(), a channel receive)")
        << SleepName << Noun;
    for (const Expr *Spawn : llvm::ArrayRef(Unwaited).take_front(3))
      diag(Spawn->getExprLoc(), "%0 started here", DiagnosticIDs::Note)
          << utils::spawnedWorkNoun(Spawn);
    return;
  }

  // B: the sleep stands in for a wait that comes later.
  for (const Expr *Spawn : WaitedLater) {
    const LambdaExpr *Lambda = spawnedLambda(Spawn);
    if (Lambda == nullptr || Lambda->getBody() == nullptr)
      continue;
    llvm::SmallPtrSet<const VarDecl *, 4> Written;
    collectWrites(Lambda->getBody(), Lambda, Written);
    const Stmt *FirstWait = nullptr;
    for (const Stmt *W : Facts.Waits)
      if (before(Sleep, W, SM) && (FirstWait == nullptr || before(W, FirstWait, SM)))
        FirstWait = W;
    const DeclRefExpr *Read = nullptr;
    for (const VarDecl *Var : Written)
      for (const DeclRefExpr *Ref : Parents.references(Var))
        if (directlyIn(Ref, Region, Parents) && before(Sleep, Ref, SM) &&
            (FirstWait == nullptr || before(Ref, FirstWait, SM)) &&
            (Read == nullptr || before(Ref, Read, SM)))
          Read = Ref;
    if (Read == nullptr)
      continue;
    const StringRef Noun = utils::spawnedWorkNoun(Spawn);
    MarkReported();
    diag(Sleep->getBeginLoc(),
         "'%0' is used to wait for what the %1 writes; the %1 may not have written %2 yet when "
         "it is used after the sleep")
        << SleepName << Noun << Read->getDecl();
    diag(Read->getLocation(), "%0 is used here, before any wait for the %1", DiagnosticIDs::Note)
        << Read->getDecl() << Noun;
    diag(Spawn->getExprLoc(), "%0 started here", DiagnosticIDs::Note) << Noun;
    return;
  }
}

} // namespace clang::tidy::goro
