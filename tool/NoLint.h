//===--- NoLint.h - NOLINT comments for findings made outside clang ---*- C++ -*-===//
//
// clang-tidy honours NOLINT comments for the diagnostics of a TU; findings
// of the whole-program lock-order merge are made after every TU is done, so
// goro-tidy applies the same comments itself, with clang-tidy's rules:
//
//   code;  // NOLINT                 every check, this line
//   code;  // NOLINT(check-a,c-*)    the listed checks (globs), this line
//   // NOLINTNEXTLINE(check)         the next line
//   // NOLINTBEGIN(check) ... // NOLINTEND(check)   the lines between
//
// A list item is a glob (`*` matches anything); white space around items is
// ignored. LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_NOLINT_H
#define GORO_TOOL_NOLINT_H

#include "llvm/ADT/StringRef.h"

namespace goro::tidy {

class SourceFile;

/// Whether a warning of \p Check on 1-based line \p Line of \p File is
/// suppressed by a NOLINT comment.
bool suppressedByNoLint(const SourceFile &File, unsigned Line, llvm::StringRef Check);

} // namespace goro::tidy

#endif // GORO_TOOL_NOLINT_H
