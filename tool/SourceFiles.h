//===--- SourceFiles.h - source text, lines and columns --------*- C++ -*-===//
//
// The source files findings point into, read once each: byte offsets to
// 1-based lines and columns and back, the text of a line (for baselines and
// SARIF snippets), columns in UTF-16 code units (SARIF's default column
// kind). Paths are absolute and normalized (no "." or ".." components), so
// one file has one entry whatever directory a compile command named it from.
// Not thread-safe: the driver's main thread owns it. LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_SOURCEFILES_H
#define GORO_TOOL_SOURCEFILES_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace goro::tidy {

/// \p Path made absolute against \p Directory (if relative) and normalized.
std::string absolutePath(llvm::StringRef Directory, llvm::StringRef Path);

/// \p Path relative to the directory \p Root if it lies under it, else empty.
std::string relativeTo(llvm::StringRef Root, llvm::StringRef Path);

/// A source line as a baseline stores it: leading and trailing white space
/// dropped, inner runs of white space collapsed to one space.
std::string normalizeLine(llvm::StringRef Line);

class SourceFile {
public:
  explicit SourceFile(std::string Text);

  llvm::StringRef text() const { return Text; }
  unsigned lineCount() const { return static_cast<unsigned>(LineStarts.size()); }

  /// The 1-based line and byte column of \p Offset (clamped to the file).
  std::pair<unsigned, unsigned> position(unsigned Offset) const;
  /// The offset of 1-based \p Line and byte column \p Col, if inside the file.
  std::optional<unsigned> offset(unsigned Line, unsigned Col) const;
  /// Line \p Line (1-based) without its end-of-line characters; empty if none.
  llvm::StringRef line(unsigned Line) const;
  /// The UTF-16 column (1-based) of byte column \p Col of line \p Line.
  unsigned utf16Column(unsigned Line, unsigned Col) const;

private:
  std::string Text;
  std::vector<unsigned> LineStarts;
};

class SourceFiles {
public:
  /// The file at absolute \p Path, or null if it cannot be read.
  const SourceFile *get(llvm::StringRef Path);

private:
  llvm::StringMap<std::unique_ptr<SourceFile>> Files; // null: unreadable
};

} // namespace goro::tidy

#endif // GORO_TOOL_SOURCEFILES_H
