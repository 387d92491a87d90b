//===--- SpawnCalls.cpp - what starts concurrent work ---------------------===//

#include "SpawnCalls.h"

using namespace clang::ast_matchers;

namespace clang::tidy::goro::utils {

ast_matchers::internal::Matcher<Stmt> spawnExpr(const std::vector<llvm::StringRef> &Names) {
  return stmt(anyOf(callExpr(callee(functionDecl(hasAnyName(Names)))),
                    cxxConstructExpr(hasDeclaration(
                        cxxConstructorDecl(ofClass(cxxRecordDecl(hasAnyName(Names))))))));
}

llvm::ArrayRef<const Expr *> spawnArguments(const Expr *Spawn) {
  if (const auto *Call = dyn_cast<CallExpr>(Spawn))
    return {Call->getArgs(), Call->getNumArgs()};
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Spawn))
    return {Construct->getArgs(), Construct->getNumArgs()};
  return {};
}

static const LambdaExpr *asLambda(const Expr *E) {
  if (E == nullptr)
    return nullptr;
  E = E->IgnoreImplicit()->IgnoreParens();
  if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(E))
    E = Temp->getSubExpr()->IgnoreImplicit();
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    E = Cast->getSubExpr()->IgnoreImplicit();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E);
      Construct != nullptr && Construct->getNumArgs() == 1)
    E = Construct->getArg(0)->IgnoreImplicit();
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E))
    return Lambda;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
        Var != nullptr && Var->hasLocalStorage() && Var->hasInit())
      if (const auto *Lambda = dyn_cast<LambdaExpr>(Var->getInit()->IgnoreImplicit()))
        return Lambda;
  return nullptr;
}

const LambdaExpr *spawnedLambda(const Expr *Spawn) {
  for (const Expr *Arg : spawnArguments(Spawn))
    if (const LambdaExpr *Lambda = asLambda(Arg))
      return Lambda;
  return nullptr;
}

const LambdaExpr *callableLambda(const Expr *Callable) {
  const Expr *E = Callable;
  // Bounded: a chain of variables initialized from each other ends quickly in
  // real code, and a bound keeps pathological input cheap.
  for (unsigned Step = 0; E != nullptr && Step < 16; ++Step) {
    E = E->IgnoreImplicit()->IgnoreParens();
    if (const auto *Lambda = dyn_cast<LambdaExpr>(E))
      return Lambda;
    if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(E)) {
      E = Temp->getSubExpr();
    } else if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E)) {
      E = Cast->getSubExpr();
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      // std::function<void()>{lambda}, a copy or move of a closure: one
      // argument that is not a default argument.
      if (Construct->getNumArgs() == 0 ||
          (Construct->getNumArgs() > 1 && !isa<CXXDefaultArgExpr>(Construct->getArg(1))))
        return nullptr;
      E = Construct->getArg(0);
    } else if (const auto *Call = dyn_cast<CallExpr>(E)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee == nullptr || Call->getNumArgs() != 1 || !Callee->isInStdNamespace() ||
          Callee->getIdentifier() == nullptr ||
          (Callee->getName() != "move" && Callee->getName() != "forward"))
        return nullptr;
      E = Call->getArg(0);
    } else if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (Var == nullptr || isa<ParmVarDecl>(Var) || !Var->hasLocalStorage() ||
          Var->getInit() == nullptr)
        return nullptr;
      E = Var->getInit();
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

// Whether E can be the callable of a spawn: a function, a pointer or
// reference to one, a lambda, or an object whose class declares operator().
static bool isCallable(const Expr *E) {
  QualType T = E->getType();
  if (T.isNull() || T->isDependentType())
    return false;
  T = T.getNonReferenceType();
  if (T->isFunctionType() || T->isFunctionPointerType())
    return true;
  const auto *Record = T->getAsCXXRecordDecl();
  if (Record == nullptr || !Record->hasDefinition())
    return false;
  if (Record->isLambda())
    return true;
  DeclarationName Call = Record->getASTContext().DeclarationNames.getCXXOperatorName(OO_Call);
  return !Record->lookup(Call).empty();
}

std::optional<unsigned> spawnCallableIndex(const Expr *Spawn) {
  llvm::ArrayRef<const Expr *> Args = spawnArguments(Spawn);
  for (unsigned I = 0; I < Args.size(); ++I)
    if (Args[I] != nullptr && isCallable(Args[I]))
      return I;
  return std::nullopt;
}

const FunctionDecl *spawnedFunction(const Expr *Spawn) {
  std::optional<unsigned> Index = spawnCallableIndex(Spawn);
  if (!Index)
    return nullptr;
  const Expr *Callable = spawnArguments(Spawn)[*Index];
  if (const LambdaExpr *Lambda = asLambda(Callable))
    return Lambda->getCallOperator();
  const Expr *E = Callable->IgnoreParenImpCasts();
  if (const auto *AddrOf = dyn_cast<UnaryOperator>(E);
      AddrOf != nullptr && AddrOf->getOpcode() == UO_AddrOf)
    E = AddrOf->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<FunctionDecl>(Ref->getDecl());
  return nullptr;
}

ast_matchers::internal::Matcher<Stmt> emplaceSpawnExpr(const std::vector<llvm::StringRef> &Names) {
  return cxxMemberCallExpr(
      callee(cxxMethodDecl(hasAnyName("emplace_back", "emplace_front", "emplace"),
                           ofClass(classTemplateSpecializationDecl(hasTemplateArgument(
                               0, refersToType(hasUnqualifiedDesugaredType(recordType(
                                      hasDeclaration(cxxRecordDecl(hasAnyName(Names))))))))))));
}

static bool isStdThreadClass(const CXXRecordDecl *Record) {
  return Record != nullptr && Record->isInStdNamespace() && Record->getIdentifier() != nullptr &&
         (Record->getName() == "thread" || Record->getName() == "jthread");
}

static bool isInGoroNamespace(const Decl *D) {
  for (const DeclContext *Context = D->getDeclContext(); Context != nullptr;
       Context = Context->getParent())
    if (const auto *Namespace = dyn_cast<NamespaceDecl>(Context);
        Namespace != nullptr && Namespace->getParent()->getRedeclContext()->isTranslationUnit())
      return Namespace->getName() == "goro";
  return false;
}

llvm::StringRef spawnedWorkNoun(const Expr *Spawn) {
  if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Spawn))
    return isStdThreadClass(Construct->getConstructor()->getParent()) ? "thread" : "task";
  const auto *Call = dyn_cast_or_null<CallExpr>(Spawn);
  const FunctionDecl *Callee = Call != nullptr ? Call->getDirectCallee() : nullptr;
  if (Callee == nullptr || Callee->getIdentifier() == nullptr)
    return "task";
  if (const auto *Method = dyn_cast<CXXMethodDecl>(Callee);
      Method != nullptr && Method->getName().starts_with("emplace")) {
    // A container of spawn objects: what its elements are.
    if (const auto *Container = dyn_cast<ClassTemplateSpecializationDecl>(Method->getParent());
        Container != nullptr && Container->getTemplateArgs().size() > 0 &&
        Container->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
      return isStdThreadClass(Container->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl())
                 ? "thread"
                 : "task";
    return "task";
  }
  if (isInGoroNamespace(Callee) && (Callee->getName() == "go" || Callee->getName() == "try_go"))
    return "goroutine";
  if (Callee->isInStdNamespace() && Callee->getName() == "async")
    return "async task";
  return "task";
}

void registerSpawnMatchers(MatchFinder *Finder, const std::vector<llvm::StringRef> &Names,
                           MatchFinder::MatchCallback *Callback) {
  if (Names.empty())
    return; // nothing spawns
  auto Spawn = spawnExpr(Names);
  auto InUserCode = unless(isExpansionInSystemHeader());
  Finder->addMatcher(callExpr(Spawn, InUserCode).bind("spawn"), Callback);
  Finder->addMatcher(cxxConstructExpr(Spawn, InUserCode).bind("spawn"), Callback);
  Finder->addMatcher(cxxMemberCallExpr(emplaceSpawnExpr(Names), InUserCode).bind("spawn"),
                     Callback);
}

bool SpawnClassifier::isSpawn(const Stmt *S, ASTContext &Context) {
  if (S == nullptr || !isa<CallExpr, CXXConstructExpr>(S) || Names.empty())
    return false;
  if (auto It = Cache.find(S); It != Cache.end())
    return It->second;
  if (!Matcher)
    Matcher = WithEmplace ? stmt(anyOf(spawnExpr(Names), emplaceSpawnExpr(Names)))
                          : stmt(spawnExpr(Names));
  bool Result = !match(*Matcher, *S, Context).empty();
  Cache[S] = Result;
  return Result;
}

} // namespace clang::tidy::goro::utils
