//===--- NoLint.cpp - NOLINT comments for findings made outside clang -----===//
//
// See NoLint.h. Each query scans its line, the line before, and (for
// NOLINTBEGIN/NOLINTEND blocks) the file from its start: merged findings are
// few, so no index is kept.
//
//===----------------------------------------------------------------------===//

#include "NoLint.h"

#include "SourceFiles.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace goro::tidy {

namespace {

enum class Kind : std::uint8_t { SameLine, NextLine, Begin, End };

struct Directive {
  Kind K;
  std::string Checks; ///< the text between the parentheses; "*" if none
};

/// `*` matches any run of characters; everything else matches itself.
bool globMatches(llvm::StringRef Glob, llvm::StringRef Name) {
  if (Glob.empty())
    return Name.empty();
  if (Glob.front() == '*') {
    for (size_t I = 0; I <= Name.size(); ++I)
      if (globMatches(Glob.drop_front(), Name.drop_front(I)))
        return true;
    return false;
  }
  return !Name.empty() && Glob.front() == Name.front() &&
         globMatches(Glob.drop_front(), Name.drop_front());
}

bool listNames(llvm::StringRef Checks, llvm::StringRef Check) {
  llvm::SmallVector<llvm::StringRef, 4> Items;
  Checks.split(Items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (llvm::StringRef Item : Items)
    if (globMatches(Item.trim(), Check))
      return true;
  return false;
}

/// The NOLINT directives on one line, in order.
std::vector<Directive> directives(llvm::StringRef Line) {
  std::vector<Directive> Result;
  for (size_t Pos = Line.find("NOLINT"); Pos != llvm::StringRef::npos;
       Pos = Line.find("NOLINT", Pos + 1)) {
    llvm::StringRef Rest = Line.drop_front(Pos + 6);
    Kind K = Kind::SameLine;
    if (Rest.consume_front("NEXTLINE"))
      K = Kind::NextLine;
    else if (Rest.consume_front("BEGIN"))
      K = Kind::Begin;
    else if (Rest.consume_front("END"))
      K = Kind::End;
    std::string Checks = "*";
    if (Rest.starts_with("(")) {
      size_t Close = Rest.find(')');
      if (Close == llvm::StringRef::npos)
        continue; // malformed: clang-tidy ignores it too
      Checks = Rest.slice(1, Close).str();
    } else if (!Rest.empty() && (llvm::isAlnum(Rest.front()) || Rest.front() == '_')) {
      continue; // part of a longer word, e.g. NOLINTFOO
    }
    Result.push_back({K, std::move(Checks)});
  }
  return Result;
}

} // namespace

bool suppressedByNoLint(const SourceFile &File, unsigned Line, llvm::StringRef Check) {
  for (const Directive &D : directives(File.line(Line)))
    if (D.K == Kind::SameLine && listNames(D.Checks, Check))
      return true;
  if (Line > 1)
    for (const Directive &D : directives(File.line(Line - 1)))
      if (D.K == Kind::NextLine && listNames(D.Checks, Check))
        return true;

  // Blocks: an END closes the latest open BEGIN with the same list.
  std::vector<std::string> Open;
  for (unsigned L = 1; L < Line; ++L) {
    if (!File.line(L).contains("NOLINT"))
      continue;
    for (Directive &D : directives(File.line(L))) {
      if (D.K == Kind::Begin) {
        Open.push_back(std::move(D.Checks));
      } else if (D.K == Kind::End) {
        for (size_t I = Open.size(); I-- > 0;)
          if (Open[I] == D.Checks) {
            Open.erase(Open.begin() + static_cast<std::ptrdiff_t>(I));
            break;
          }
      }
    }
  }
  for (const std::string &Checks : Open)
    if (listNames(Checks, Check))
      return true;
  return false;
}

} // namespace goro::tidy
