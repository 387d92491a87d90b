//===--- Config.cpp - clang-tidy configuration for goro-tidy --------------===//
//
// See Config.h. The providers are clang-tidy's own (FileOptionsProvider,
// ConfigOptionsProvider), so goro-tidy resolves .clang-tidy files exactly as
// clang-tidy does; this file only adds the defaults, the per-TU overrides
// and the up-front validation.
//
//===----------------------------------------------------------------------===//

#include "Config.h"

#include "ClangTidy.h"
#include "GlobList.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/VirtualFileSystem.h"

namespace goro::tidy {

using clang::tidy::ClangTidyOptions;

static llvm::Error configError(const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message);
}

/// Parses a configuration text; the first error becomes an llvm::Error with
/// its position, warnings (e.g. unknown keys) go to \p Warnings.
static llvm::Expected<ClangTidyOptions> parseConfig(llvm::MemoryBufferRef Text,
                                                    std::vector<std::string> *Warnings) {
  std::string FirstError;
  auto Handler = [&](const llvm::SMDiagnostic &D) {
    std::string Where = (D.getFilename() + ":" + llvm::Twine(D.getLineNo()) + ":" +
                         llvm::Twine(D.getColumnNo() + 1) + ": " + D.getMessage())
                            .str();
    if (D.getKind() == llvm::SourceMgr::DK_Error) {
      if (FirstError.empty())
        FirstError = Where;
    } else if (Warnings) {
      Warnings->push_back(Where);
    }
  };
  llvm::ErrorOr<ClangTidyOptions> Parsed = clang::tidy::parseConfigurationWithDiags(Text, Handler);
  if (!Parsed || !FirstError.empty())
    return configError(FirstError.empty()
                           ? Text.getBufferIdentifier() + ": " + Parsed.getError().message()
                           : llvm::Twine(FirstError));
  return std::move(*Parsed);
}

Config::Config(ConfigOptions TheOptions) : Options(std::move(TheOptions)) {}

llvm::Expected<std::unique_ptr<Config>> Config::create(ConfigOptions Options) {
  std::unique_ptr<Config> C(new Config(std::move(Options)));
  const ConfigOptions &O = C->Options;

  // clang-tidy's defaults, plus the goro checks: goro-tidy exists to run them.
  C->Defaults = ClangTidyOptions::getDefaults();
  C->Defaults.Checks = C->Defaults.Checks.value_or("") + ",goro-*";
  if (std::optional<std::string> User = llvm::sys::Process::GetEnv("USER"))
    C->Defaults.User = *User;

  ClangTidyOptions &Over = C->Overrides;
  Over.Checks = O.Checks;
  Over.WarningsAsErrors = O.WarningsAsErrors;
  Over.HeaderFilterRegex = O.HeaderFilter;
  Over.ExcludeHeaderFilterRegex = O.ExcludeHeaderFilter;
  Over.SystemHeaders = O.SystemHeaders;
  Over.UseColor = O.UseColor;
  // The binary lives outside the LLVM tree, so clang would look for its
  // builtin headers next to it. Compile commands that name a resource
  // directory still win (they come later on the command line).
  std::vector<std::string> Before{"-resource-dir=" GORO_CLANG_RESOURCE_DIR};
  Before.insert(Before.end(), O.ExtraArgsBefore.begin(), O.ExtraArgsBefore.end());
  Over.ExtraArgsBefore = std::move(Before);
  if (!O.ExtraArgs.empty())
    Over.ExtraArgs = O.ExtraArgs;

  if (!O.Config.empty() && !O.ConfigFile.empty())
    return configError("--config and --config-file cannot be used together");
  if (!O.Config.empty()) {
    llvm::Expected<ClangTidyOptions> Parsed =
        parseConfig(llvm::MemoryBufferRef(O.Config, "--config"), nullptr);
    if (!Parsed)
      return Parsed.takeError();
    C->Explicit = std::move(*Parsed);
    C->ExplicitSource =
        clang::tidy::ClangTidyOptionsProvider::OptionsSourceTypeConfigCommandLineOption;
  } else if (!O.ConfigFile.empty()) {
    auto Buffer = llvm::MemoryBuffer::getFile(O.ConfigFile, /*IsText=*/true);
    if (!Buffer)
      return configError("cannot read --config-file " + O.ConfigFile + ": " +
                         Buffer.getError().message());
    llvm::Expected<ClangTidyOptions> Parsed = parseConfig(**Buffer, nullptr);
    if (!Parsed)
      return Parsed.takeError();
    C->Explicit = std::move(*Parsed);
    C->ExplicitSource = O.ConfigFile;
  }

  for (const auto &Name :
       clang::tidy::getAllChecksAndOptions(O.AllowEnablingAnalyzerAlphaCheckers).Names)
    C->Known.insert(Name.getKey());
  C->Main = C->provider();
  return C;
}

std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>
Config::provider(llvm::StringRef FactsFile,
                 llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS) const {
  ClangTidyOptions Over = Overrides;
  if (!FactsFile.empty())
    Over.CheckOptions["goro-lock-order-inversion.FactsFile"] =
        ClangTidyOptions::ClangTidyValue(FactsFile);
  // A file system of its own: its working directory is not the process's.
  if (!FS)
    FS = llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(
        llvm::vfs::createPhysicalFileSystem().release());
  if (Explicit)
    return std::make_unique<clang::tidy::ConfigOptionsProvider>(Global, Defaults, *Explicit,
                                                                std::move(Over), FS);
  return std::make_unique<clang::tidy::FileOptionsProvider>(Global, Defaults, std::move(Over), FS);
}

llvm::Error Config::validateConfigFiles(llvm::StringRef File) {
  // The .clang-tidy files clang-tidy would read for File: the closest, and
  // its parents' while each says InheritParentConfig.
  std::vector<std::string> Visited;
  llvm::SmallString<256> Dir = llvm::sys::path::parent_path(File);
  std::vector<std::string> Ignored;
  while (!Dir.empty() && !ValidatedDirs.count(Dir)) {
    Visited.push_back(Dir.str().str());
    llvm::SmallString<256> Path(Dir);
    llvm::sys::path::append(Path, ".clang-tidy");
    if (llvm::sys::fs::exists(Path) && !llvm::sys::fs::is_directory(Path)) {
      auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
      if (!Buffer)
        return configError("cannot read " + Path + ": " + Buffer.getError().message());
      llvm::Expected<ClangTidyOptions> Parsed = parseConfig(**Buffer, &Ignored);
      if (!Parsed)
        return Parsed.takeError();
      if (!Parsed->InheritParentConfig.value_or(false))
        break;
    }
    llvm::StringRef Parent = llvm::sys::path::parent_path(Dir);
    if (Parent == Dir)
      break;
    Dir = Parent;
  }
  for (const std::string &D : Visited)
    ValidatedDirs[D] = true;
  return llvm::Error::success();
}

llvm::Error Config::validateChecks(llvm::StringRef Checks, llvm::StringRef Source,
                                   std::vector<std::string> &Warnings) {
  if (!ValidatedChecks.insert((Source + llvm::Twine('\0') + Checks).str()).second)
    return llvm::Error::success();
  llvm::SmallVector<llvm::StringRef, 16> Items;
  Checks.split(Items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (llvm::StringRef Item : Items) {
    llvm::SmallVector<llvm::StringRef, 2> Lines; // a YAML block may break lines
    Item.split(Lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
    for (llvm::StringRef Glob : Lines) {
      Glob = Glob.trim();
      if (Glob.empty() || Glob.starts_with("-") || Glob.starts_with("clang-diagnostic-"))
        continue;
      if (Glob.contains('*')) {
        clang::tidy::GlobList Pattern(Glob);
        bool Matches =
            llvm::any_of(Known, [&](const auto &K) { return Pattern.contains(K.getKey()); });
        if (!Matches)
          Warnings.push_back(("no check matches '" + Glob + "' in " + Source).str());
        continue;
      }
      if (Known.contains(Glob))
        continue;
      std::string Suggestion;
      unsigned Best = 4; // farther than this is no suggestion
      for (const auto &K : Known) {
        unsigned D = Glob.edit_distance(K.getKey(), /*AllowReplacements=*/true, Best);
        if (D < Best) {
          Best = D;
          Suggestion = K.getKey().str();
        }
      }
      return configError("unknown check '" + Glob + "' in " + Source +
                         (Suggestion.empty() ? "" : "; did you mean '" + Suggestion + "'?") +
                         " (goro-tidy --list-checks --checks='*' lists every check)");
    }
  }
  return llvm::Error::success();
}

llvm::Error Config::validate(llvm::StringRef File, std::vector<std::string> &Warnings) {
  if (!Explicit || Explicit->InheritParentConfig.value_or(false))
    if (llvm::Error E = validateConfigFiles(File))
      return E;
  for (const auto &[Opts, Source] : Main->getRawOptions(File))
    if (Opts.Checks)
      if (llvm::Error E = validateChecks(*Opts.Checks, Source, Warnings))
        return E;
  return llvm::Error::success();
}

ClangTidyOptions Config::optionsFor(llvm::StringRef File) { return Main->getOptions(File); }

const std::vector<std::string> &Config::enabledChecks(llvm::StringRef File) {
  ClangTidyOptions O = optionsFor(File);
  std::string Checks = O.Checks.value_or("");
  auto [It, Inserted] = EnabledByChecks.try_emplace(Checks);
  if (Inserted)
    It->second = clang::tidy::getCheckNames(O, Options.AllowEnablingAnalyzerAlphaCheckers);
  return It->second;
}

} // namespace goro::tidy
