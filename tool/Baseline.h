//===--- Baseline.h - known findings that do not fail a run -----*- C++ -*-===//
//
// A baseline lists the findings a project has accepted for now, so that CI
// fails on new findings only. A finding is identified by its check, its file
// (relative to the baseline file's directory, so that a checkout anywhere
// matches), the normalized text of its line and its normalized message; not
// by its line number, so edits elsewhere in the file do not disturb the
// match. Normalizing: white-space runs collapse to one space; in messages,
// `LINE:COL` numbers (e.g. in "(lambda at 12:3)") become `N:N`.
//
// The file is JSON, sorted, one entry per identity with a count (two equal
// lines with the same finding are two occurrences), so that it diffs well:
//
//   {"version": 1, "tool": "goro-tidy", "findings": [
//     {"check": "...", "file": "src/a.cpp", "line": "...", "message": "...", "count": 1}]}
//
// Matching consumes counts: with count 2 in the baseline and three equal
// findings in the run, one is new. LLVM Support only.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_BASELINE_H
#define GORO_TOOL_BASELINE_H

#include "Finding.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace goro::tidy {

/// What identifies a finding in a baseline.
struct BaselineKey {
  std::string Check;
  std::string File; ///< relative to the baseline's directory, '/'-separated
  std::string Line; ///< normalizeLine() of the finding's source line
  std::string Message;

  /// One string holding all four, for maps and fingerprints.
  std::string str() const;
};

/// \p Message with white space normalized and LINE:COL numbers masked.
std::string normalizeMessage(llvm::StringRef Message);

class Baseline {
public:
  /// Reads the baseline file \p Path. Errors name the file and what is wrong.
  static llvm::Expected<Baseline> load(llvm::StringRef Path);
  /// An empty baseline whose relative paths are relative to \p Directory.
  explicit Baseline(std::string Directory) : Directory(std::move(Directory)) {}

  /// The key of a finding at absolute \p File whose line reads \p LineText.
  BaselineKey key(llvm::StringRef Check, llvm::StringRef File, llvm::StringRef LineText,
                  llvm::StringRef Message) const;

  /// Whether \p K is (still) in the baseline; if so, uses up one occurrence.
  bool consume(const BaselineKey &K);
  /// Adds one occurrence of \p K.
  void add(const BaselineKey &K);

  /// Occurrences in the baseline that no finding has consumed.
  size_t unmatched() const;
  size_t size() const;

  /// Writes the baseline as JSON to \p Path (atomically: temporary + rename).
  llvm::Error write(llvm::StringRef Path) const;

private:
  struct Entry {
    BaselineKey Key;
    unsigned Count = 0;
    unsigned Used = 0;
  };
  std::string Directory;
  llvm::StringMap<Entry> Entries; // by BaselineKey::str()
};

} // namespace goro::tidy

#endif // GORO_TOOL_BASELINE_H
