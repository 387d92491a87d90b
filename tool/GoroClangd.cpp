//===--- GoroClangd.cpp - clangd 19 with the goro checks linked in --------===//
//
// goro-clangd is Debian's clangd 19 (its clangdMain, linked from
// libclangdMain.a) with the goro checks and every stock clang-tidy module
// linked in: stock clangd cannot load clang-tidy plugins, so an editor shows
// goro-* diagnostics only through a clangd that contains them.
//
// Two things differ from running clangd itself, both set up before
// clangdMain runs:
//
//   - A built-in config fragment enables the goro checks and sets
//     `FastCheckFilter: Loose`. clangd 19's default filter (Strict) silently
//     drops every check it has no timing for, ours included, so without this
//     the goro checks would run only for users who wrote a .clangd. clangd
//     reads user configuration from $XDG_CONFIG_HOME/clangd/config.yaml only,
//     so XDG_CONFIG_HOME is pointed at a private directory whose config.yaml
//     holds our fragment followed by the user's own config file (if any): the
//     user's settings, and any project .clangd, still win over ours.
//   - clangd's resource directory (builtin headers such as <stddef.h>) is
//     found relative to the executable, which lives outside the LLVM tree;
//     unless the command line names one, the LLVM 19 one is passed.
//
// Debian ships no clangd headers, hence the declaration of clangdMain below.
//
//===----------------------------------------------------------------------===//

#include "ClangTidyForceLinker.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>
#include <string>
#include <vector>

namespace clang::clangd {
// Defined in libclangdMain.a (clang-tools-extra/clangd/tool/ClangdMain.cpp).
int clangdMain(int Argc, char *Argv[]);
} // namespace clang::clangd

// Defined in checkers/GoroTidyModule.cpp: referencing it links the goro module.
extern volatile int GoroModuleAnchorSource;
// NOLINTNEXTLINE(misc-use-internal-linkage)
static int LLVM_ATTRIBUTE_UNUSED GoroModuleAnchorDestination = GoroModuleAnchorSource;

#ifndef GORO_CLANG_RESOURCE_DIR
#error "GORO_CLANG_RESOURCE_DIR must name clang 19's resource directory"
#endif

namespace {

// Applied before the user's config and any project .clangd, so both can
// override it (e.g. `Diagnostics: ClangTidy: Remove: goro-*`).
constexpr llvm::StringLiteral BuiltinFragment = R"yaml(# goro-clangd's built-in configuration.
Diagnostics:
  ClangTidy:
    Add: goro-*
    FastCheckFilter: Loose
)yaml";

/// Writes <private dir>/clangd/config.yaml (our fragment, then the user's
/// config) and points XDG_CONFIG_HOME at the private dir. Returns the
/// private dir, or an empty string (and a warning) if it could not be made:
/// clangd then runs with the user's configuration alone.
std::string installBuiltinConfig() {
  std::string UserConfigText;
  llvm::SmallString<256> UserConfig;
  if (llvm::sys::path::user_config_directory(UserConfig)) {
    llvm::sys::path::append(UserConfig, "clangd", "config.yaml");
    if (auto Buffer = llvm::MemoryBuffer::getFile(UserConfig))
      UserConfigText = (*Buffer)->getBuffer().str();
  }

  llvm::SmallString<256> Dir;
  if (std::error_code EC = llvm::sys::fs::createUniqueDirectory("goro-clangd", Dir)) {
    llvm::errs() << "goro-clangd: warning: cannot create a directory for the built-in config ("
                 << EC.message() << "); goro checks run only where a .clangd enables them\n";
    return {};
  }
  llvm::SmallString<256> ConfigDir(Dir);
  llvm::sys::path::append(ConfigDir, "clangd");
  llvm::SmallString<256> ConfigFile(ConfigDir);
  llvm::sys::path::append(ConfigFile, "config.yaml");
  std::error_code EC = llvm::sys::fs::create_directory(ConfigDir);
  if (!EC) {
    llvm::raw_fd_ostream OS(ConfigFile, EC, llvm::sys::fs::OF_Text);
    if (!EC) {
      OS << BuiltinFragment;
      if (!UserConfigText.empty())
        OS << "---\n# From " << UserConfig << ":\n" << UserConfigText << "\n";
      OS.close();
      if (OS.has_error()) {
        EC = OS.error();
        OS.clear_error();
      }
    }
  }
  if (EC) {
    llvm::errs() << "goro-clangd: warning: cannot write " << ConfigFile << " (" << EC.message()
                 << "); goro checks run only where a .clangd enables them\n";
    (void)llvm::sys::fs::remove_directories(Dir);
    return {};
  }
  llvm::sys::RemoveFileOnSignal(ConfigFile);
  ::setenv("XDG_CONFIG_HOME", Dir.c_str(), /*overwrite=*/1);
  return Dir.str().str();
}

bool namesResourceDir(llvm::StringRef Arg) {
  return Arg.starts_with("--resource-dir") || Arg.starts_with("-resource-dir");
}

} // namespace

int main(int Argc, char *Argv[]) {
  std::vector<char *> Args(Argv, Argv + Argc);
  std::string ResourceDirArg = "--resource-dir=" GORO_CLANG_RESOURCE_DIR;
  bool HasResourceDir = false;
  for (int I = 1; I < Argc; ++I)
    HasResourceDir |= namesResourceDir(Argv[I]);
  if (!HasResourceDir && llvm::sys::fs::is_directory(GORO_CLANG_RESOURCE_DIR))
    Args.push_back(ResourceDirArg.data());
  Args.push_back(nullptr);

  std::string ConfigHome = installBuiltinConfig();
  int Status = clang::clangd::clangdMain(static_cast<int>(Args.size() - 1), Args.data());
  if (!ConfigHome.empty())
    (void)llvm::sys::fs::remove_directories(ConfigHome);
  return Status;
}
