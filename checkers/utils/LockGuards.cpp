//===--- LockGuards.cpp - mutexes and the std guards that hold them -------===//

#include "LockGuards.h"

#include "clang/AST/DeclTemplate.h"
#include "clang/AST/PrettyPrinter.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/raw_ostream.h"

// clang-tidy's own utils (OptionsUtils.h); ours are clang::tidy::goro::utils.
#include "utils/OptionsUtils.h"

namespace clang::tidy::goro::utils {

GuardKind guardKind(QualType T) {
  if (T.isNull() || T->isDependentType())
    return GuardKind::None;
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType()->getAsCXXRecordDecl());
  if (Spec == nullptr || !Spec->isInStdNamespace() || Spec->getSpecializedTemplate() == nullptr ||
      Spec->getSpecializedTemplate()->getIdentifier() == nullptr)
    return GuardKind::None;
  return llvm::StringSwitch<GuardKind>(Spec->getSpecializedTemplate()->getName())
      .Case("lock_guard", GuardKind::LockGuard)
      .Case("unique_lock", GuardKind::UniqueLock)
      .Case("shared_lock", GuardKind::SharedLock)
      .Case("scoped_lock", GuardKind::ScopedLock)
      .Default(GuardKind::None);
}

llvm::StringRef guardTagName(const Expr *Arg) {
  if (Arg == nullptr || Arg->getType().isNull())
    return {};
  if (const CXXRecordDecl *RD = Arg->getType()->getAsCXXRecordDecl();
      RD && RD->isInStdNamespace() && RD->getIdentifier())
    return RD->getName();
  return {};
}

MutexClasses::MutexClasses(llvm::StringRef Option) {
  for (llvm::StringRef T : ::clang::tidy::utils::options::parseStringList(Option)) {
    T = T.trim();
    T.consume_front("::");
    if (!T.empty())
      Names.push_back(T.str());
  }
}

bool MutexClasses::isMutexClass(const CXXRecordDecl *RD) {
  if (RD == nullptr)
    return false;
  RD = RD->getDefinition() ? RD->getDefinition() : RD;
  auto [It, Inserted] = Cache.try_emplace(RD, false);
  if (!Inserted)
    return It->second;
  PrintingPolicy Policy(RD->getASTContext().getPrintingPolicy());
  Policy.SuppressInlineNamespace = true;
  Policy.SuppressUnwrittenScope = false;
  std::string Name;
  llvm::raw_string_ostream OS(Name);
  RD->printQualifiedName(OS, Policy);
  bool Result = llvm::is_contained(Names, OS.str());
  if (!Result && RD->hasDefinition())
    for (const CXXBaseSpecifier &Base : RD->bases())
      if (isMutexClass(Base.getType()->getAsCXXRecordDecl())) {
        Result = true;
        break;
      }
  Cache[RD] = Result;
  return Result;
}

bool MutexClasses::isMutexType(QualType T) {
  if (T.isNull() || T->isDependentType())
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return isMutexClass(T->getAsCXXRecordDecl());
}

} // namespace clang::tidy::goro::utils
