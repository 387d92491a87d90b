//===--- SelectCalls.cpp - goro::select and its cases ---------------------===//

#include "SelectCalls.h"
#include "ChannelFlow.h"

#include "clang/AST/StmtCXX.h"

namespace clang::tidy::goro::utils {

bool callsGoroFunction(const CallExpr *Call, llvm::StringRef Name) {
  if (Call == nullptr)
    return false;
  if (isGoroCall(Call, Name))
    return true;
  // In dependent code: goro::select(...) with dependent arguments is an
  // unresolved lookup whose candidates are the goro declarations.
  const auto *Lookup = dyn_cast_or_null<UnresolvedLookupExpr>(Call->getCallee()->IgnoreParens());
  if (Lookup == nullptr || Lookup->getName().getAsIdentifierInfo() == nullptr ||
      Lookup->getName().getAsIdentifierInfo()->getName() != Name)
    return false;
  for (const NamedDecl *D : Lookup->decls()) {
    const Decl *Underlying = D->getUnderlyingDecl();
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(Underlying))
      Underlying = Template->getTemplatedDecl();
    if (isInGoroNamespace(Underlying))
      return true;
  }
  return false;
}

bool isSelectCall(const Stmt *S) {
  return callsGoroFunction(dyn_cast_or_null<CallExpr>(S), "select");
}

llvm::SmallVector<SelectCase, 4> selectCases(const CallExpr *Select) {
  llvm::SmallVector<SelectCase, 4> Cases;
  if (Select == nullptr)
    return Cases;
  for (const Expr *Arg : Select->arguments()) {
    const auto *Call = dyn_cast_or_null<CallExpr>(stripWrappers(Arg));
    if (Call == nullptr)
      continue;
    if (callsGoroFunction(Call, "on_recv") && Call->getNumArgs() >= 1)
      Cases.push_back({CaseKind::Recv, Call, Call->getArg(0),
                       Call->getNumArgs() >= 2 ? Call->getArg(1) : nullptr});
    else if (callsGoroFunction(Call, "on_send") && Call->getNumArgs() >= 1)
      Cases.push_back({CaseKind::Send, Call, Call->getArg(0),
                       Call->getNumArgs() >= 3 ? Call->getArg(2) : nullptr});
    else if (callsGoroFunction(Call, "on_default"))
      Cases.push_back(
          {CaseKind::Default, Call, nullptr, Call->getNumArgs() >= 1 ? Call->getArg(0) : nullptr});
  }
  return Cases;
}

bool selectMayNotBlock(const CallExpr *Select) {
  if (Select == nullptr)
    return true;
  llvm::SmallVector<SelectCase, 4> Cases = selectCases(Select);
  if (Cases.size() != Select->getNumArgs())
    return true; // a case built elsewhere: it may be the default
  for (const SelectCase &Case : Cases)
    if (Case.Kind == CaseKind::Default)
      return true;
  return false;
}

llvm::StringRef channelExprName(const Expr *E) {
  for (unsigned Step = 0; E != nullptr && Step < 8; ++Step) {
    E = stripWrappers(E);
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      // A view conversion or copy: the channel it was made from.
      if (Construct->getNumArgs() != 1)
        return {};
      E = Construct->getArg(0);
      continue;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return Ref->getDecl()->getIdentifier() != nullptr ? Ref->getDecl()->getName() : "";
    if (const auto *Member = dyn_cast<MemberExpr>(E))
      return Member->getMemberDecl()->getIdentifier() != nullptr
                 ? Member->getMemberDecl()->getName()
                 : "";
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *Method = Call->getMethodDecl();
      if (Method == nullptr || Method->getIdentifier() == nullptr)
        return {};
      // timer.c() / ticker.c(): the object is the name; ctx.done(): the method.
      if (Method->getName().size() <= 1) {
        E = Call->getImplicitObjectArgument();
        continue;
      }
      return Method->getName();
    }
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(E))
      return Dependent->getMember().getAsIdentifierInfo() != nullptr
                 ? Dependent->getMember().getAsIdentifierInfo()->getName()
                 : "";
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      E = Call->getCallee();
      continue;
    }
    return {};
  }
  return {};
}

const Stmt *loopBodyOf(const Stmt *Loop) {
  if (const auto *For = dyn_cast_or_null<ForStmt>(Loop))
    return For->getBody();
  if (const auto *While = dyn_cast_or_null<WhileStmt>(Loop))
    return While->getBody();
  if (const auto *Do = dyn_cast_or_null<DoStmt>(Loop))
    return Do->getBody();
  if (const auto *Range = dyn_cast_or_null<CXXForRangeStmt>(Loop))
    return Range->getBody();
  return nullptr;
}

bool isInfiniteLoop(const Stmt *Loop, const ASTContext &Context) {
  const Expr *Cond = nullptr;
  if (const auto *For = dyn_cast_or_null<ForStmt>(Loop))
    Cond = For->getCond();
  else if (const auto *While = dyn_cast_or_null<WhileStmt>(Loop)) {
    if (While->getConditionVariable() != nullptr)
      return false;
    Cond = While->getCond();
  } else if (const auto *Do = dyn_cast_or_null<DoStmt>(Loop))
    Cond = Do->getCond();
  else
    return false;
  if (Cond == nullptr)
    return true;
  if (Cond->isValueDependent() || Cond->isTypeDependent() || Cond->containsErrors())
    return false;
  bool Value = false;
  return Cond->EvaluateAsBooleanCondition(Value, Context) && Value;
}

} // namespace clang::tidy::goro::utils
