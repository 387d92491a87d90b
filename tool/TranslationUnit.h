//===--- TranslationUnit.h - clang-tidy over one translation unit -*- C++ -*-===//
//
// Runs the enabled checks over one file of the compilation database, as
// clang-tidy's runClangTidy does, but safe to run on several threads at once
// and quiet: each call has its own file system (with its own working
// directory: the process's is never changed), its own clang-tidy context and
// diagnostics, and prints nothing. A crash inside clang or a check is caught
// (llvm::CrashRecoveryContext, enabled by the caller) and reported as such,
// so the other files still run.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_TRANSLATIONUNIT_H
#define GORO_TOOL_TRANSLATIONUNIT_H

#include "ClangTidyDiagnosticConsumer.h"
#include "ClangTidyOptions.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <memory>
#include <vector>

namespace goro::tidy {

struct TUResult {
  /// Every diagnostic clang-tidy kept (after NOLINT and header filtering):
  /// warnings of checks, compiler errors (clang-diagnostic-error),
  /// configuration problems (clang-tidy-config).
  std::vector<clang::tidy::ClangTidyError> Errors;
  /// The analysis crashed; Errors holds what was reported before.
  bool Crashed = false;
};

/// Makes the options provider of a TU, reading configuration files through
/// the given file system: the TU's, whose working directory is the compile
/// command's, so that relative paths resolve as in clang-tidy.
using ProviderFactory = llvm::function_ref<std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>(
    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>)>;

/// Analyses \p File (absolute) with every compile command \p DB has for it.
TUResult analyzeTranslationUnit(const clang::tooling::CompilationDatabase &DB, llvm::StringRef File,
                                ProviderFactory MakeProvider,
                                bool AllowEnablingAnalyzerAlphaCheckers);

} // namespace goro::tidy

#endif // GORO_TOOL_TRANSLATIONUNIT_H
