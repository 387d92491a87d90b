//===--- Driver.h - goro-tidy: clang-tidy over a project, for CI -*- C++ -*-===//
//
// The goro-tidy run: pick the files (compilation database, files,
// directories, globs), analyse them on N threads with every check the
// configuration enables (stock and goro), merge the TUs' lock-order facts
// into whole-program cycles, and report: compiler-style text on stdout,
// SARIF, exported fixes, a baseline. docs/goro-tidy.md is the manual.
//
// Exit codes (ExitCode below): 0 clean; 1 findings not in the baseline;
// 2 a usage or input error — bad options or configuration, no compilation
// database, an unreadable file, a glob matching nothing (all before anything
// is analysed), or a file that does not compile, a crash, an output that
// cannot be written (after every other file was analysed and every output
// written). 2 wins over 1.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_DRIVER_H
#define GORO_TOOL_DRIVER_H

#include "Config.h"
#include "clang/Tooling/CompilationDatabase.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace goro::tidy {

enum ExitCode : std::uint8_t { ExitClean = 0, ExitFindings = 1, ExitError = 2 };

struct DriverOptions {
  std::vector<std::string> Arguments; ///< the command line, for SARIF
  std::string BuildPath;              ///< -p: a directory or compile_commands.json
  std::vector<std::string> Sources;   ///< files, directories, globs
  /// The flags after `--`, if any: then every source gets exactly these.
  std::unique_ptr<clang::tooling::CompilationDatabase> FixedDatabase;
  ConfigOptions Config;
  unsigned Jobs = 0; ///< 0: as many as the machine has cores
  std::string ExportFixes;
  std::string Sarif;
  std::string SourceRoot; ///< for SARIF locations; default: the current directory
  std::string Baseline;
  std::string WriteBaseline;
  std::string FactsDir;                    ///< keep per-TU lock-order facts here
  std::vector<std::string> LockOrderFacts; ///< more facts to merge (files or directories)
  bool Quiet = false;
  bool ListChecks = false;
  bool MergeStats = false; ///< print the lock-order merge's sizes and times
};

/// Runs goro-tidy; returns the exit code.
int runDriver(DriverOptions Options);

} // namespace goro::tidy

#endif // GORO_TOOL_DRIVER_H
