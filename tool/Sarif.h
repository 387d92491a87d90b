//===--- Sarif.h - SARIF 2.1.0 output of goro-tidy --------------*- C++ -*-===//
//
// One SARIF log with one run holding every result of a goro-tidy run, for
// GitHub code scanning, GitLab and SARIF viewers. Its shape follows the debug
// runtime's reports (runtime/src/debug/report.cpp), so both kinds of goro
// findings read alike: the same $schema, tool.driver with informationUri and
// rules (id, name, shortDescription, help, defaultConfiguration), results
// with ruleId, ruleIndex, level, message, locations and relatedLocations
// (one per note, with its message and an id from 1).
//
// What goro-tidy adds:
//   - rules for every check enabled in the run (so code scanning can tell "ran
//     and found nothing" and close fixed alerts) plus every check with a
//     result; a goro check's help is its page docs/checks/<check>.md
//     (embedded at build time), a stock check's help links to LLVM's docs;
//   - locations relative to the source root (uriBaseId "SRCROOT", declared in
//     originalUriBaseIds) when under it, absolute file: URIs otherwise;
//     columns in UTF-16 code units (SARIF's default columnKind), with the
//     line as a snippet;
//   - partialFingerprints["goroTidy/v1"]: a hash of the baseline identity of
//     the result (check, file, line text, message) and its occurrence, stable
//     across unrelated edits;
//   - with a baseline, baselineState "new" or "unchanged", and results in the
//     baseline carry an external suppression (viewers show them as
//     suppressed; they are still in the log);
//   - files that did not compile, crashes and configuration problems as
//     toolExecutionNotifications, and executionSuccessful false.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_SARIF_H
#define GORO_TOOL_SARIF_H

#include "Finding.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace goro::tidy {

class SourceFiles;

/// Something about the run rather than the code: a file that does not
/// compile, a crash, a configuration problem.
struct ToolNotification {
  std::string Id; ///< "compile-error", "crash", "configuration"
  std::string Message;
  Location Where; ///< may be empty
};

struct SarifRun {
  std::vector<std::string> Arguments; ///< the command line
  std::string WorkingDirectory;       ///< absolute
  std::string SourceRoot;             ///< absolute; locations under it are relative
  std::vector<std::string> Rules;     ///< every enabled check (results add theirs)
  std::vector<Finding> Findings;
  std::vector<ToolNotification> Notifications;
  bool ExecutionSuccessful = true;
  std::string BaselinePath; ///< empty: no baseline
};

/// Help for one check, as SARIF's reportingDescriptor wants it.
struct RuleHelp {
  std::string ShortDescription; ///< one sentence
  std::string FullDescription;  ///< one paragraph
  std::string HelpText;
  std::string HelpMarkdown; ///< empty if none
  std::string HelpUri;
};

/// The help for \p Check: from docs/checks/<Check>.md for goro checks, a
/// link to LLVM's documentation for stock ones.
RuleHelp ruleHelp(llvm::StringRef Check);

/// The names of the goro checks that have a documentation page.
std::vector<std::string> documentedGoroChecks();

/// Writes \p Run as SARIF 2.1.0 to \p Path (atomically: temporary + rename).
llvm::Error writeSarif(llvm::StringRef Path, const SarifRun &Run, SourceFiles &Files);

} // namespace goro::tidy

#endif // GORO_TOOL_SARIF_H
