//===--- SourceFiles.cpp - source text, lines and columns -----------------===//
//
// See SourceFiles.h. Line starts are computed once per file; every lookup is
// a binary search.
//
//===----------------------------------------------------------------------===//

#include "SourceFiles.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>

namespace goro::tidy {

std::string absolutePath(llvm::StringRef Directory, llvm::StringRef Path) {
  llvm::SmallString<256> Result;
  if (llvm::sys::path::is_absolute(Path)) {
    Result = Path;
  } else {
    Result = Directory;
    if (Result.empty() || !llvm::sys::path::is_absolute(Result))
      (void)llvm::sys::fs::make_absolute(Result); // relative to the current directory
    llvm::sys::path::append(Result, Path);
  }
  llvm::sys::path::remove_dots(Result, /*remove_dot_dot=*/true);
  return Result.str().str();
}

std::string relativeTo(llvm::StringRef Root, llvm::StringRef Path) {
  llvm::SmallString<256> Prefix(Root);
  llvm::sys::path::remove_dots(Prefix, /*remove_dot_dot=*/true);
  if (!Prefix.empty() && !llvm::sys::path::is_separator(Prefix.back()))
    Prefix += '/';
  if (Prefix.empty() || !Path.starts_with(Prefix))
    return {};
  return Path.drop_front(Prefix.size()).str();
}

std::string normalizeLine(llvm::StringRef Line) {
  std::string Result;
  bool Space = false;
  for (char C : Line.trim()) {
    if (llvm::isSpace(C)) {
      Space = true;
      continue;
    }
    if (Space)
      Result += ' ';
    Space = false;
    Result += C;
  }
  return Result;
}

SourceFile::SourceFile(std::string TheText) : Text(std::move(TheText)) {
  LineStarts.push_back(0);
  for (unsigned I = 0; I < Text.size(); ++I)
    if (Text[I] == '\n' && I + 1 < Text.size())
      LineStarts.push_back(I + 1);
}

std::pair<unsigned, unsigned> SourceFile::position(unsigned Offset) const {
  Offset = std::min<unsigned>(Offset, Text.size());
  auto It = std::upper_bound(LineStarts.begin(), LineStarts.end(), Offset);
  unsigned Line = static_cast<unsigned>(It - LineStarts.begin()); // >= 1: LineStarts[0] == 0
  return {Line, Offset - LineStarts[Line - 1] + 1};
}

std::optional<unsigned> SourceFile::offset(unsigned Line, unsigned Col) const {
  if (Line == 0 || Line > LineStarts.size() || Col == 0)
    return std::nullopt;
  unsigned Offset = LineStarts[Line - 1] + Col - 1;
  if (Offset > Text.size())
    return std::nullopt;
  return Offset;
}

llvm::StringRef SourceFile::line(unsigned Line) const {
  if (Line == 0 || Line > LineStarts.size())
    return {};
  llvm::StringRef Rest = llvm::StringRef(Text).drop_front(LineStarts[Line - 1]);
  return Rest.take_until([](char C) { return C == '\n'; }).rtrim('\r');
}

unsigned SourceFile::utf16Column(unsigned Line, unsigned Col) const {
  llvm::StringRef Prefix = line(Line).take_front(Col == 0 ? 0 : Col - 1);
  unsigned Units = 0;
  for (size_t I = 0; I < Prefix.size();) {
    unsigned Length = llvm::getNumBytesForUTF8(Prefix[I]);
    if (Length == 0 || I + Length > Prefix.size())
      Length = 1; // invalid UTF-8: one unit per byte, as an editor would show it
    Units += Length == 4 ? 2 : 1;
    I += Length;
  }
  return Units + 1;
}

const SourceFile *SourceFiles::get(llvm::StringRef Path) {
  auto [It, Inserted] = Files.try_emplace(Path);
  if (Inserted) {
    if (auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                                  /*RequiresNullTerminator=*/false))
      It->second = std::make_unique<SourceFile>((*Buffer)->getBuffer().str());
  }
  return It->second.get();
}

} // namespace goro::tidy
