//===--- GoroTidy.cpp - goro-tidy's command line --------------------------===//
//
// main() of goro-tidy: the goro checks and every stock clang-tidy check,
// driven over a compilation database for CI (Driver.cpp). Options keep
// clang-tidy's names and meanings where clang-tidy has them (-p, --checks,
// --config, --header-filter, --export-fixes, ...); a bad command line exits
// with 2, as every other usage error does.
//
//===----------------------------------------------------------------------===//

#include "ClangTidyForceLinker.h"
#include "Driver.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

// Defined in checkers/GoroTidyModule.cpp: referencing it links the goro module.
extern volatile int GoroModuleAnchorSource;
// NOLINTNEXTLINE(misc-use-internal-linkage)
static int LLVM_ATTRIBUTE_UNUSED GoroModuleAnchorDestination = GoroModuleAnchorSource;

namespace cl = llvm::cl;

static cl::OptionCategory Category("goro-tidy options");

static const char Overview[] = R"(goro-tidy runs the goro checks and every stock
clang-tidy check over a project, for CI: in parallel, with the project's
.clang-tidy files, NOLINT comments and header filters, and whole-program
lock-order analysis (cycles of goro-lock-order-inversion that span files).

  goro-tidy -p build                      every file of build/compile_commands.json
  goro-tidy -p build src/ 'lib/*.cpp'     files, directories, globs of the database
  goro-tidy file.cpp -- -std=c++20 -Iinc  no database: these flags for every file

Output: compiler-style warnings on stdout; --sarif writes SARIF 2.1.0;
--baseline makes known findings pass. Exit status: 0 clean, 1 findings (not
in the baseline), 2 usage or input error (bad options or configuration, no
compilation database, unreadable file, a file that does not compile).
Manual: docs/goro-tidy.md.
)";

static cl::opt<std::string> BuildPath("p",
                                      cl::desc("Build directory with compile_commands.json "
                                               "(or the file itself)"),
                                      cl::value_desc("build-path"), cl::cat(Category));
static cl::list<std::string> Sources(cl::Positional,
                                     cl::desc("[<file|directory|glob> ...] [-- <compile flags>]"),
                                     cl::cat(Category));
static cl::opt<unsigned> Jobs("j", cl::desc("Files analysed at once (default: one per core)"),
                              cl::value_desc("N"), cl::init(0), cl::Prefix, cl::cat(Category));

static cl::opt<std::string> Checks("checks",
                                   cl::desc("Checks to enable, as clang-tidy's --checks "
                                            "(overrides the Checks of .clang-tidy files)"),
                                   cl::cat(Category));
static cl::opt<std::string> WarningsAsErrors("warnings-as-errors",
                                             cl::desc("Checks whose warnings are errors"),
                                             cl::cat(Category));
static cl::opt<std::string> Config("config",
                                   cl::desc("Configuration in YAML, instead of "
                                            ".clang-tidy files"),
                                   cl::cat(Category));
static cl::opt<std::string> ConfigFile("config-file",
                                       cl::desc("Configuration file, instead of .clang-tidy "
                                                "files"),
                                       cl::value_desc("file"), cl::cat(Category));
static cl::opt<std::string> HeaderFilter("header-filter",
                                         cl::desc("Report warnings in headers matching this "
                                                  "regex (main files are always reported)"),
                                         cl::cat(Category));
static cl::opt<std::string>
    ExcludeHeaderFilter("exclude-header-filter",
                        cl::desc("Do not report warnings in headers matching this regex"),
                        cl::cat(Category));
static cl::opt<bool> SystemHeaders("system-headers", cl::desc("Report warnings in system headers"),
                                   cl::cat(Category));
static cl::list<std::string> ExtraArgs("extra-arg",
                                       cl::desc("Argument appended to every compile command"),
                                       cl::cat(Category));
static cl::list<std::string>
    ExtraArgsBefore("extra-arg-before", cl::desc("Argument prepended to every compile command"),
                    cl::cat(Category));
static cl::opt<bool> UseColor("use-color", cl::desc("Colour the output (default: on a terminal)"),
                              cl::cat(Category));
static cl::opt<bool> AllowAlpha("allow-enabling-analyzer-alpha-checkers", cl::Hidden,
                                cl::desc("Allow the static analyzer's alpha checkers"),
                                cl::cat(Category));

static cl::opt<std::string> Sarif("sarif", cl::desc("Write the findings as SARIF 2.1.0"),
                                  cl::value_desc("file"), cl::cat(Category));
static cl::opt<std::string>
    SourceRoot("source-root",
               cl::desc("SARIF locations are relative to this directory (default: the current "
                        "directory)"),
               cl::value_desc("dir"), cl::cat(Category));
static cl::opt<std::string> ExportFixes("export-fixes",
                                        cl::desc("Write the suggested fixes as YAML for "
                                                 "clang-apply-replacements"),
                                        cl::value_desc("file"), cl::cat(Category));
static cl::opt<std::string> BaselineFile("baseline",
                                         cl::desc("Findings listed in this file do not fail the "
                                                  "run"),
                                         cl::value_desc("file"), cl::cat(Category));
static cl::opt<std::string> WriteBaseline("write-baseline",
                                          cl::desc("Write every finding of the run to this "
                                                   "baseline file (and exit 0 on findings)"),
                                          cl::value_desc("file"), cl::cat(Category));
static cl::opt<std::string>
    FactsDir("facts-dir",
             cl::desc("Keep each file's lock-order facts in this directory (default: a "
                      "temporary one)"),
             cl::value_desc("dir"), cl::cat(Category));
static cl::list<std::string>
    LockOrderFacts("lock-order-facts",
                   cl::desc("Also merge these lock-order facts (files or directories of "
                            "*.lockorder.jsonl); alone, merge only"),
                   cl::value_desc("path"), cl::cat(Category));
static cl::opt<bool> MergeStats("merge-stats", cl::Hidden,
                                cl::desc("Print the lock-order merge's sizes and times"),
                                cl::cat(Category));
static cl::opt<bool> ListChecks("list-checks", cl::desc("List the enabled checks and exit"),
                                cl::cat(Category));
static cl::opt<bool> Quiet("quiet", cl::desc("No summary line on a terminal"), cl::cat(Category));

static void printVersion(llvm::raw_ostream &OS) {
  OS << "goro-tidy " GORO_VERSION " (clang-tidy " LLVM_VERSION_STRING ")\n";
}

int main(int Argc, const char **Argv) {
  llvm::InitLLVM Init(Argc, Argv);
  std::vector<std::string> Arguments(Argv, Argv + Argc);

  std::string FixedError;
  std::unique_ptr<clang::tooling::CompilationDatabase> Fixed =
      clang::tooling::FixedCompilationDatabase::loadFromCommandLine(Argc, Argv, FixedError);
  if (!FixedError.empty()) {
    llvm::errs() << "goro-tidy: error: the flags after --: " << FixedError << "\n";
    return goro::tidy::ExitError;
  }

  cl::HideUnrelatedOptions(Category);
  cl::SetVersionPrinter(printVersion);
  std::string ParseErrors;
  llvm::raw_string_ostream Errs(ParseErrors);
  if (!cl::ParseCommandLineOptions(Argc, Argv, Overview, &Errs)) {
    // One line in goro-tidy's own format; cl's lines start with the program's
    // name and suggest --help in their own way.
    Errs.flush();
    std::string Message;
    llvm::SmallVector<llvm::StringRef, 4> Lines;
    llvm::StringRef(ParseErrors).split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef Line : Lines) {
      Line = Line.trim();
      if (size_t Colon = Line.find(": ");
          Colon != llvm::StringRef::npos && !Line.take_front(Colon).contains(' '))
        Line = Line.drop_front(Colon + 2); // "goro-tidy: "
      Line = Line.take_front(Line.find("  Try: "));
      Message += (Message.empty() ? "" : " ") + Line.str();
    }
    llvm::errs() << "goro-tidy: error: " << (Message.empty() ? "invalid command line" : Message)
                 << " (see goro-tidy --help)\n";
    return goro::tidy::ExitError;
  }

  goro::tidy::DriverOptions O;
  O.Arguments = std::move(Arguments);
  O.BuildPath = BuildPath;
  O.Sources = Sources;
  O.FixedDatabase = std::move(Fixed);
  O.Jobs = Jobs;
  if (Checks.getNumOccurrences())
    O.Config.Checks = Checks;
  if (WarningsAsErrors.getNumOccurrences())
    O.Config.WarningsAsErrors = WarningsAsErrors;
  if (HeaderFilter.getNumOccurrences())
    O.Config.HeaderFilter = HeaderFilter;
  if (ExcludeHeaderFilter.getNumOccurrences())
    O.Config.ExcludeHeaderFilter = ExcludeHeaderFilter;
  if (SystemHeaders.getNumOccurrences())
    O.Config.SystemHeaders = SystemHeaders;
  if (UseColor.getNumOccurrences())
    O.Config.UseColor = UseColor;
  O.Config.Config = Config;
  O.Config.ConfigFile = ConfigFile;
  O.Config.ExtraArgs = ExtraArgs;
  O.Config.ExtraArgsBefore = ExtraArgsBefore;
  O.Config.AllowEnablingAnalyzerAlphaCheckers = AllowAlpha;
  O.ExportFixes = ExportFixes;
  O.Sarif = Sarif;
  O.SourceRoot = SourceRoot;
  O.Baseline = BaselineFile;
  O.WriteBaseline = WriteBaseline;
  O.FactsDir = FactsDir;
  O.LockOrderFacts = LockOrderFacts;
  O.MergeStats = MergeStats;
  O.ListChecks = ListChecks;
  O.Quiet = Quiet;
  return goro::tidy::runDriver(std::move(O));
}
