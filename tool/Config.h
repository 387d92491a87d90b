//===--- Config.h - clang-tidy configuration for goro-tidy ------*- C++ -*-===//
//
// The clang-tidy options of a goro-tidy run, as clang-tidy itself resolves
// them: built-in defaults (clang-tidy's, plus goro-*), then the closest
// .clang-tidy of each file (or --config / --config-file), then the command
// line (--checks, --header-filter, ...). On top, goro-tidy sets, per TU,
// goro-lock-order-inversion's FactsFile (where that TU writes its lock-order
// facts) and clang's resource directory.
//
// Unlike clang-tidy, goro-tidy refuses bad configuration before it analyses
// anything (exit code 2), rather than printing a line and going on with part
// of it ignored:
//   - a .clang-tidy or --config that does not parse: file, line, column, why;
//   - a check name (no wildcard) in a Checks list that names no check:
//     where it was written, and the closest existing name;
// A wildcard that matches no check (e.g. a plugin's `acme-*`) is a warning.
//
// Not thread-safe; each worker thread gets its own provider().
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_CONFIG_H
#define GORO_TOOL_CONFIG_H

#include "ClangTidyOptions.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace goro::tidy {

/// What the command line says about clang-tidy's options.
struct ConfigOptions {
  std::optional<std::string> Checks;
  std::optional<std::string> WarningsAsErrors;
  std::optional<std::string> HeaderFilter;
  std::optional<std::string> ExcludeHeaderFilter;
  std::optional<bool> SystemHeaders;
  std::optional<bool> UseColor;
  std::string Config;     ///< --config: YAML/JSON text
  std::string ConfigFile; ///< --config-file: a path
  std::vector<std::string> ExtraArgs;
  std::vector<std::string> ExtraArgsBefore;
  bool AllowEnablingAnalyzerAlphaCheckers = false;
};

class Config {
public:
  /// Parses --config / --config-file. Errors are precise and final.
  static llvm::Expected<std::unique_ptr<Config>> create(ConfigOptions Options);

  /// A provider for analysing one TU; its goro-lock-order-inversion writes
  /// its facts to \p FactsFile (none if empty). It reads configuration files
  /// through \p FS (default: a physical file system of its own).
  std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>
  provider(llvm::StringRef FactsFile = "",
           llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS = nullptr) const;

  /// Checks the configuration that applies to \p File (absolute): every
  /// config file on the way and every Checks list. Warnings go to \p Warnings.
  llvm::Error validate(llvm::StringRef File, std::vector<std::string> &Warnings);

  /// The options for \p File (absolute).
  clang::tidy::ClangTidyOptions optionsFor(llvm::StringRef File);

  /// The checks enabled for \p File (absolute), sorted.
  const std::vector<std::string> &enabledChecks(llvm::StringRef File);

  /// Every check goro-tidy knows (stock, analyzer, goro).
  const llvm::StringSet<> &knownChecks() const { return Known; }

  bool allowAlpha() const { return Options.AllowEnablingAnalyzerAlphaCheckers; }

private:
  explicit Config(ConfigOptions Options);
  llvm::Error validateConfigFiles(llvm::StringRef File);
  llvm::Error validateChecks(llvm::StringRef Checks, llvm::StringRef Source,
                             std::vector<std::string> &Warnings);

  ConfigOptions Options;
  clang::tidy::ClangTidyGlobalOptions Global;
  clang::tidy::ClangTidyOptions Defaults;
  clang::tidy::ClangTidyOptions Overrides;
  std::optional<clang::tidy::ClangTidyOptions> Explicit; ///< from --config / --config-file
  std::string ExplicitSource;
  std::unique_ptr<clang::tidy::ClangTidyOptionsProvider> Main; ///< for queries
  llvm::StringSet<> Known;
  llvm::StringSet<> ValidatedChecks;                         ///< source + '\0' + Checks
  llvm::StringMap<bool> ValidatedDirs;                       ///< no config errors up from here
  llvm::StringMap<std::vector<std::string>> EnabledByChecks; ///< by the Checks string
};

} // namespace goro::tidy

#endif // GORO_TOOL_CONFIG_H
