//===--- Driver.cpp - goro-tidy: clang-tidy over a project, for CI --------===//
//
// See Driver.h. Threads: N workers take files from a shared counter and
// analyse them (TranslationUnit.cpp); everything else — printing, the
// baseline, deduplication, SARIF — happens on the main thread, which
// receives the workers' results in completion order. Output for one file is
// printed in one piece as soon as the file is done.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "Baseline.h"
#include "ClangTidy.h"
#include "Finding.h"
#include "GlobList.h"
#include "LockOrderMerge.h"
#include "NoLint.h"
#include "Progress.h"
#include "Sarif.h"
#include "SourceFiles.h"
#include "TranslationUnit.h"
#include "clang/Basic/Stack.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace goro::tidy {

using namespace clang;
using clang::tidy::ClangTidyError;
namespace lo = goro::lockorder;

namespace {

constexpr llvm::StringLiteral LockOrderCheck = "goro-lock-order-inversion";

// clang parses deeply nested code recursively; give workers the stack size
// clang gives its own threads.
constexpr unsigned WorkerStackSize = 8 << 20;

void printError(const llvm::Twine &Message) {
  llvm::errs() << "goro-tidy: error: " << Message << "\n";
}

void printWarning(const llvm::Twine &Message) {
  llvm::errs() << "goro-tidy: warning: " << Message << "\n";
}

std::string currentDirectory() {
  llvm::SmallString<256> Dir;
  if (llvm::sys::fs::current_path(Dir))
    return "/";
  return Dir.str().str();
}

bool isGlob(llvm::StringRef S) { return S.find_first_of("*?[") != llvm::StringRef::npos; }

/// An assembly source: by its extension, or compiled as one (`-x assembler*`).
bool isAssembly(llvm::StringRef File, const std::vector<tooling::CompileCommand> &Commands) {
  llvm::StringRef Ext = llvm::sys::path::extension(File);
  if (Ext == ".s" || Ext == ".S" || Ext == ".sx" || Ext == ".asm")
    return true;
  for (const tooling::CompileCommand &C : Commands)
    for (size_t I = 0; I + 1 < C.CommandLine.size(); ++I)
      if (C.CommandLine[I] == "-x" &&
          llvm::StringRef(C.CommandLine[I + 1]).starts_with("assembler"))
        return true;
  return false;
}

/// What a worker tells the main thread.
struct Event {
  bool Done; ///< false: the file started
  size_t Index;
  TUResult Result;
};

class Driver {
public:
  explicit Driver(DriverOptions O) : Opts(std::move(O)), Cwd(currentDirectory()) {}
  int run();

private:
  llvm::Error loadDatabase();
  llvm::Error selectFiles();
  llvm::Error prepareFacts();
  void analyseAll();
  void handleResult(size_t Index, TUResult R);
  void mergeLockOrder();
  llvm::Error readFactsFile(llvm::StringRef Path, llvm::StringRef Directory, lo::Facts &Into);
  int finish();

  Location locate(llvm::StringRef BuildDir, llvm::StringRef Path, unsigned Offset);
  Finding toFinding(const ClangTidyError &E);
  /// Deduplicates and classifies against the baseline; true if new.
  bool record(Finding F, ClangTidyError E);
  void print(const std::vector<ClangTidyError> &Errors);
  /// Compiler-style lines for \p F without source excerpts: for a finding in
  /// files that cannot be read.
  void printPlain(const Finding &F);
  std::string display(llvm::StringRef File) const {
    std::string Relative = relativeTo(Cwd, File);
    return Relative.empty() ? File.str() : Relative;
  }

  DriverOptions Opts;
  std::string Cwd;
  std::unique_ptr<Config> Conf;
  std::unique_ptr<tooling::CompilationDatabase> Database;
  std::string DatabaseName;
  std::vector<std::string> Files;      ///< absolute, sorted
  std::vector<std::string> Problems;   ///< per file: why it cannot be analysed, or empty
  std::vector<std::string> FactsPaths; ///< per file
  std::string FactsDir;
  bool TemporaryFacts = false;

  SourceFiles Sources;
  std::optional<Baseline> Known;   ///< --baseline
  std::optional<Baseline> Written; ///< --write-baseline
  std::unique_ptr<clang::tidy::ClangTidyContext> PrintContext;
  std::unique_ptr<Progress> Bar;

  std::vector<Finding> Findings;
  std::vector<ClangTidyError> FindingErrors; ///< parallel to Findings, for --export-fixes
  llvm::StringSet<> Seen;
  std::vector<ToolNotification> Notifications;
  std::vector<std::string> RuleNames;
  llvm::StringSet<> RuleSet;
  size_t NewFindings = 0;
  size_t BaselinedFindings = 0;
  size_t FailedFiles = 0;
  bool OtherErrors = false;
};

int Driver::run() {
  std::vector<std::string> Warnings;
  llvm::Expected<std::unique_ptr<Config>> C = Config::create(Opts.Config);
  if (!C) {
    printError(llvm::toString(C.takeError()));
    return ExitError;
  }
  Conf = std::move(*C);

  if (Opts.ListChecks) {
    // As clang-tidy --list-checks: the checks enabled for a file here.
    llvm::outs() << "Enabled checks:";
    for (const std::string &Name : Conf->enabledChecks(absolutePath(Cwd, "dummy.cpp")))
      llvm::outs() << "\n    " << Name;
    llvm::outs() << "\n\n";
    return ExitClean;
  }

  // Merge only: facts from elsewhere (a build system), no analysis.
  bool Analyse = !Opts.BuildPath.empty() || !Opts.Sources.empty() || Opts.FixedDatabase ||
                 Opts.LockOrderFacts.empty();
  if (Analyse) {
    if (llvm::Error E = loadDatabase()) {
      printError(llvm::toString(std::move(E)));
      return ExitError;
    }
    if (llvm::Error E = selectFiles()) {
      printError(llvm::toString(std::move(E)));
      return ExitError;
    }
  }
  for (const std::string &P : Opts.LockOrderFacts)
    if (!llvm::sys::fs::exists(P)) {
      printError("--lock-order-facts " + P + ": no such file or directory");
      return ExitError;
    }
  for (const std::string &F : Files)
    if (llvm::Error E = Conf->validate(F, Warnings)) {
      printError(llvm::toString(std::move(E)));
      return ExitError;
    }
  for (const std::string &W : Warnings)
    printWarning(W);

  if (!Opts.Baseline.empty()) {
    llvm::Expected<Baseline> B = Baseline::load(Opts.Baseline);
    if (!B) {
      printError(llvm::toString(B.takeError()));
      return ExitError;
    }
    Known = std::move(*B);
  }
  if (!Opts.WriteBaseline.empty()) {
    llvm::SmallString<256> Dir(absolutePath(Cwd, Opts.WriteBaseline));
    llvm::sys::path::remove_filename(Dir);
    Written.emplace(Dir.str().str());
  }
  if (llvm::Error E = prepareFacts()) {
    printError(llvm::toString(std::move(E)));
    return ExitError;
  }

  PrintContext =
      std::make_unique<clang::tidy::ClangTidyContext>(Conf->provider(), Conf->allowAlpha());
  for (const std::string &F : Files)
    for (const std::string &Name : Conf->enabledChecks(F))
      if (RuleSet.insert(Name).second)
        RuleNames.push_back(Name);

  analyseAll();
  mergeLockOrder();
  return finish();
}

llvm::Error Driver::loadDatabase() {
  auto Fail = [](const llvm::Twine &Why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), Why);
  };
  std::string Message;
  std::unique_ptr<tooling::CompilationDatabase> DB;
  bool Fixed = false;
  if (Opts.FixedDatabase) {
    DB = std::move(Opts.FixedDatabase);
    DatabaseName = "the compile flags after --";
    Fixed = true;
  } else if (!Opts.BuildPath.empty()) {
    std::string Path = absolutePath(Cwd, Opts.BuildPath);
    if (!llvm::sys::fs::exists(Path))
      return Fail("-p " + Opts.BuildPath + ": no such file or directory");
    if (llvm::sys::fs::is_directory(Path)) {
      llvm::SmallString<256> Json(Path);
      llvm::sys::path::append(Json, "compile_commands.json");
      if (!llvm::sys::fs::exists(Json))
        return Fail("no compile_commands.json in " + Opts.BuildPath +
                    " (-p names the build directory; CMake writes compile_commands.json with "
                    "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON)");
      Path = Json.str().str();
    }
    DB = tooling::JSONCompilationDatabase::loadFromFile(Path, Message,
                                                        tooling::JSONCommandLineSyntax::AutoDetect);
    if (!DB)
      return Fail(display(Path) + ": " + Message);
    DatabaseName = display(Path);
  } else {
    // As clang-tidy: from the first file's directory (else here) upward.
    std::string Start = Cwd;
    if (!Opts.Sources.empty() && !isGlob(Opts.Sources.front())) {
      std::string First = absolutePath(Cwd, Opts.Sources.front());
      Start =
          llvm::sys::fs::is_directory(First) ? First : llvm::sys::path::parent_path(First).str();
    }
    DB = tooling::CompilationDatabase::autoDetectFromDirectory(Start, Message);
    if (!DB)
      return Fail("no compilation database: no compile_commands.json in " + display(Start) +
                  " or above; give the build directory with -p (CMake writes "
                  "compile_commands.json with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON), or the "
                  "compile flags after --");
    DatabaseName = "the compilation database above " + display(Start);
  }
  DB = tooling::expandResponseFiles(std::move(DB), llvm::vfs::getRealFileSystem());
  if (!Fixed) // headers and new files get a neighbour's flags, as in clang-tidy
    DB = tooling::inferMissingCompileCommands(std::move(DB));
  Database = tooling::inferTargetAndDriverMode(std::move(DB));
  return llvm::Error::success();
}

llvm::Error Driver::selectFiles() {
  auto Fail = [](const llvm::Twine &Why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), Why);
  };
  // Files chosen from the database (all of it, a directory, a glob) are its
  // C and C++ files: a project's assembly sources (.S, .s) are in it too,
  // and clang-tidy cannot analyse them. A file named on its own is analysed.
  std::vector<std::string> All;
  for (const std::string &F : Database->getAllFiles())
    if (!isAssembly(F, Database->getCompileCommands(F)))
      All.push_back(absolutePath(Cwd, F));
  llvm::sort(All);
  All.erase(std::unique(All.begin(), All.end()), All.end());

  if (Opts.Sources.empty()) {
    if (All.empty())
      return Fail(DatabaseName + " names no files to analyse");
    Files = All;
  }
  for (const std::string &S : Opts.Sources) {
    size_t Before = Files.size();
    if (isGlob(S)) {
      // GlobPattern keeps a reference to its text.
      std::string Text = absolutePath(Cwd, S);
      llvm::Expected<llvm::GlobPattern> Pattern = llvm::GlobPattern::create(Text);
      if (!Pattern)
        return Fail("invalid glob '" + S + "': " + llvm::toString(Pattern.takeError()));
      for (const std::string &F : All)
        if (Pattern->match(F))
          Files.push_back(F);
      if (Files.size() == Before)
        return Fail("no file of " + DatabaseName + " matches '" + S + "'");
      continue;
    }
    std::string Path = absolutePath(Cwd, S);
    if (llvm::sys::fs::is_directory(Path)) {
      for (const std::string &F : All)
        if (!relativeTo(Path, F).empty())
          Files.push_back(F);
      if (Files.size() == Before)
        return Fail("no file of " + DatabaseName + " is in '" + S + "'");
      continue;
    }
    int FD = -1;
    if (std::error_code EC = llvm::sys::fs::openFileForRead(Path, FD))
      return Fail("cannot read '" + S + "': " + EC.message());
    (void)llvm::sys::Process::SafelyCloseFileDescriptor(FD); // opened only to test readability
    if (Database->getCompileCommands(Path).empty())
      return Fail("no compile command for '" + S + "' in " + DatabaseName);
    Files.push_back(Path);
  }
  llvm::sort(Files);
  Files.erase(std::unique(Files.begin(), Files.end()), Files.end());

  // A command's directory that does not exist would stop clang's tooling
  // (it cannot change into it): such a file is an input error of its own.
  Problems.assign(Files.size(), "");
  for (size_t I = 0; I < Files.size(); ++I)
    for (const tooling::CompileCommand &Command : Database->getCompileCommands(Files[I]))
      if (!llvm::sys::fs::is_directory(Command.Directory))
        Problems[I] = "its compile command's directory " + Command.Directory + " does not exist";
  return llvm::Error::success();
}

llvm::Error Driver::prepareFacts() {
  if (!Opts.FactsDir.empty()) {
    FactsDir = absolutePath(Cwd, Opts.FactsDir);
    if (std::error_code EC = llvm::sys::fs::create_directories(FactsDir))
      return llvm::createStringError(EC, "cannot create --facts-dir " + Opts.FactsDir + ": " +
                                             EC.message());
  } else if (!Files.empty()) {
    llvm::SmallString<256> Dir;
    if (std::error_code EC = llvm::sys::fs::createUniqueDirectory("goro-tidy-facts", Dir))
      return llvm::createStringError(EC, "cannot create a temporary directory: " + EC.message());
    FactsDir = Dir.str().str();
    TemporaryFacts = true;
  }
  for (const std::string &F : Files) {
    llvm::SmallString<256> Path(FactsDir);
    llvm::sys::path::append(Path, lo::factsFileName(F));
    // A file left from an earlier run must not stand for this one.
    std::error_code EC = llvm::sys::fs::remove(Path);
    if (EC && EC != std::errc::no_such_file_or_directory)
      return llvm::createStringError(EC, "cannot remove " + Path + ": " + EC.message());
    FactsPaths.push_back(Path.str().str());
  }
  return llvm::Error::success();
}

void Driver::analyseAll() {
  if (Files.empty())
    return;
  Bar = std::make_unique<Progress>(Files.size(), Cwd);
  unsigned Jobs = Opts.Jobs ? Opts.Jobs : llvm::hardware_concurrency().compute_thread_count();
  Jobs = std::max(1U, std::min<unsigned>(Jobs, Files.size()));

  std::mutex Mu;
  std::condition_variable Ready;
  std::deque<Event> Events;
  std::atomic<size_t> Next{0};
  auto Post = [&](Event E) {
    {
      std::lock_guard<std::mutex> Lock(Mu);
      Events.push_back(std::move(E));
    }
    Ready.notify_one();
  };
  auto Work = [&] {
    clang::noteBottomOfStack();
    for (size_t I; (I = Next++) < Files.size();) {
      Post({false, I, {}});
      TUResult R;
      if (Problems[I].empty())
        R = analyzeTranslationUnit(
            *Database, Files[I],
            [&](llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS) {
              return Conf->provider(FactsPaths[I], std::move(FS));
            },
            Conf->allowAlpha());
      Post({true, I, std::move(R)});
    }
  };
  // Providers are made on the workers but read configuration files only:
  // Conf->provider() touches no shared mutable state.
  std::vector<llvm::thread> Workers;
  Workers.reserve(Jobs);
  for (unsigned J = 0; J < Jobs; ++J)
    Workers.emplace_back(std::optional<unsigned>(WorkerStackSize), Work);

  size_t Done = 0;
  while (Done < Files.size()) {
    Event E;
    {
      std::unique_lock<std::mutex> Lock(Mu);
      Ready.wait(Lock, [&] { return !Events.empty(); });
      E = std::move(Events.front());
      Events.pop_front();
    }
    if (!E.Done) {
      Bar->started(Files[E.Index]);
      continue;
    }
    ++Done;
    handleResult(E.Index, std::move(E.Result));
  }
  for (llvm::thread &W : Workers)
    W.join();
  Bar->clear();
}

Location Driver::locate(llvm::StringRef BuildDir, llvm::StringRef Path, unsigned Offset) {
  Location L;
  if (Path.empty())
    return L;
  L.File = absolutePath(BuildDir.empty() ? llvm::StringRef(Cwd) : BuildDir, Path);
  L.Offset = Offset;
  if (const SourceFile *F = Sources.get(L.File))
    std::tie(L.Line, L.Col) = F->position(Offset);
  return L;
}

Finding Driver::toFinding(const ClangTidyError &E) {
  Finding F;
  F.Check = E.DiagnosticName;
  F.Message = E.Message.Message;
  F.Where = locate(E.BuildDirectory, E.Message.FilePath, E.Message.FileOffset);
  for (const tooling::DiagnosticMessage &N : E.Notes)
    F.Notes.push_back({locate(E.BuildDirectory, N.FilePath, N.FileOffset), N.Message});
  F.IsError = E.IsWarningAsError || E.DiagLevel == tooling::Diagnostic::Error;
  return F;
}

bool Driver::record(Finding F, ClangTidyError E) {
  // The same finding in a header is reported by every TU that includes it.
  std::string Identity =
      F.Check + '\0' + F.Where.File + '\0' + std::to_string(F.Where.Offset) + '\0' + F.Message;
  if (!Seen.insert(Identity).second)
    return false;
  const SourceFile *File = F.Where.File.empty() ? nullptr : Sources.get(F.Where.File);
  llvm::StringRef LineText = File ? File->line(F.Where.Line) : "";
  if (Written)
    Written->add(Written->key(F.Check, F.Where.File, LineText, F.Message));
  bool New = true;
  if (Known) {
    New = !Known->consume(Known->key(F.Check, F.Where.File, LineText, F.Message));
    F.Baseline = New ? BaselineState::New : BaselineState::Unchanged;
  }
  (New ? NewFindings : BaselinedFindings) += 1;
  if (!RuleSet.count(F.Check)) {
    RuleSet.insert(F.Check);
    RuleNames.push_back(F.Check);
  }
  Findings.push_back(std::move(F));
  FindingErrors.push_back(std::move(E));
  return New;
}

void Driver::print(const std::vector<ClangTidyError> &Errors) {
  if (Errors.empty())
    return;
  if (Bar)
    Bar->clear();
  unsigned WarningsAsErrors = 0;
  clang::tidy::handleErrors(Errors, *PrintContext, clang::tidy::FB_NoFix, WarningsAsErrors,
                            llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(
                                llvm::vfs::createPhysicalFileSystem().release()));
  llvm::outs().flush();
}

// A header one TU includes as "../h.hpp" is named "dir/../h.hpp" in its
// diagnostics: print it under its own path, as record() identifies it (one
// finding, however many spellings) and as SARIF and the baseline name it.
static void removeDots(ClangTidyError &E) {
  auto Clean = [](std::string &Path) {
    llvm::SmallString<256> P(Path);
    llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
    Path = P.str().str();
  };
  Clean(E.Message.FilePath);
  for (tooling::DiagnosticMessage &N : E.Notes)
    Clean(N.FilePath);
}

void Driver::handleResult(size_t Index, TUResult R) {
  const std::string &File = Files[Index];
  std::vector<ClangTidyError> ToPrint;
  unsigned CompileErrors = 0;
  for (ClangTidyError &E : R.Errors) {
    llvm::StringRef Name = E.DiagnosticName;
    bool CompilerError = E.DiagLevel == tooling::Diagnostic::Error && !E.IsWarningAsError &&
                         Name.starts_with("clang-diagnostic-");
    if (CompilerError || Name == "clang-tidy-config") {
      Finding F = toFinding(E);
      if (CompilerError && CompileErrors++ == 0)
        Notifications.push_back(
            {"compile-error", display(File) + " does not compile: " + F.Message, F.Where});
      if (!CompilerError) {
        Notifications.push_back({"configuration", F.Message, F.Where});
        OtherErrors = true;
      }
      ToPrint.push_back(std::move(E));
      continue;
    }
    Finding F = toFinding(E);
    ClangTidyError Copy = E;
    if (record(std::move(F), std::move(Copy))) {
      removeDots(E);
      ToPrint.push_back(std::move(E));
    }
  }
  print(ToPrint);
  if (!Problems[Index].empty()) {
    printError("cannot analyse " + display(File) + ": " + Problems[Index]);
    Notifications.push_back({"input", "cannot analyse " + display(File) + ": " + Problems[Index],
                             Location{File, 0, 0, 0}});
    ++FailedFiles;
  } else if (R.Crashed) {
    printError("crashed while analysing " + display(File) +
               " (its findings are incomplete; the other files were analysed)");
    Notifications.push_back(
        {"crash", "goro-tidy crashed while analysing " + display(File), Location{File, 0, 0, 0}});
    ++FailedFiles;
  } else if (CompileErrors > 0) {
    printError(display(File) + " does not compile (" + llvm::Twine(CompileErrors) +
               (CompileErrors == 1 ? " error" : " errors") +
               " above); its findings are incomplete");
    ++FailedFiles;
  }
}

llvm::Error Driver::readFactsFile(llvm::StringRef Path, llvm::StringRef Directory,
                                  lo::Facts &Into) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return llvm::createStringError(Buffer.getError(), "cannot read lock-order facts " + Path +
                                                          ": " + Buffer.getError().message());
  lo::Facts F;
  if (llvm::Error E = lo::readFacts((*Buffer)->getBuffer(), F))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   Path + ": " + llvm::toString(std::move(E)));
  // Files and TUs as the compiler named them are relative to the compile
  // directory: make them absolute, and the "@TU" of internal mutexes with them,
  // so that two TUs named alike from different directories never meet.
  auto Site = [&](lo::Site &S) {
    if (!S.File.empty())
      S.File = absolutePath(Directory, S.File);
  };
  auto Hops = [&](std::vector<lo::Hop> &Via) {
    for (lo::Hop &H : Via)
      Site(H.At);
  };
  auto Mutex = [&](std::string &Id, llvm::StringRef TU, llvm::StringRef AbsTU) {
    llvm::StringRef Ref(Id);
    if (Ref.size() > TU.size() && Ref.ends_with(TU) && Ref[Ref.size() - TU.size() - 1] == '@')
      Id = (Ref.drop_back(TU.size()) + AbsTU).str();
  };
  auto Tu = [&](std::string &TU) {
    std::string Abs = absolutePath(Directory, TU);
    std::string Old = std::move(TU);
    TU = Abs;
    return Old;
  };
  for (lo::Edge &E : F.Edges) {
    std::string Old = Tu(E.TU);
    Mutex(E.From, Old, E.TU);
    Mutex(E.To, Old, E.TU);
    Site(E.FirstSite);
    Site(E.AcquireSite);
    Hops(E.Via);
  }
  for (lo::Call &C : F.Calls) {
    std::string Old = Tu(C.TU);
    for (lo::HeldMutex &H : C.Held) {
      Mutex(H.Mutex, Old, C.TU);
      Site(H.At);
    }
    Site(C.At);
    Hops(C.Via);
  }
  for (lo::Acquisition &A : F.Acquisitions) {
    std::string Old = Tu(A.TU);
    Mutex(A.Mutex, Old, A.TU);
    Site(A.At);
    Hops(A.Via);
  }
  auto Append = [](auto &To, auto &From) {
    To.insert(To.end(), std::make_move_iterator(From.begin()), std::make_move_iterator(From.end()));
  };
  Append(Into.Edges, F.Edges);
  Append(Into.Calls, F.Calls);
  Append(Into.Acquisitions, F.Acquisitions);
  return llvm::Error::success();
}

void Driver::mergeLockOrder() {
  llvm::TimeRecord Start = llvm::TimeRecord::getCurrentTime(/*Start=*/true);
  lo::Facts All;
  size_t Read = 0;
  auto Read1 = [&](llvm::StringRef Path, llvm::StringRef Directory) {
    if (llvm::Error E = readFactsFile(Path, Directory, All)) {
      printError(llvm::toString(std::move(E)));
      OtherErrors = true;
      return;
    }
    ++Read;
  };
  for (size_t I = 0; I < Files.size(); ++I) {
    if (!llvm::sys::fs::exists(FactsPaths[I]))
      continue; // the check is not enabled for this file, or the file failed early
    std::vector<tooling::CompileCommand> Commands = Database->getCompileCommands(Files[I]);
    Read1(FactsPaths[I], Commands.empty() ? llvm::StringRef(Cwd) : Commands.front().Directory);
  }
  for (const std::string &P : Opts.LockOrderFacts) {
    if (!llvm::sys::fs::is_directory(P)) {
      Read1(P, Cwd);
      continue;
    }
    std::vector<std::string> InDir;
    std::error_code EC;
    for (llvm::sys::fs::directory_iterator It(P, EC), End; It != End && !EC; It.increment(EC))
      if (llvm::StringRef(It->path()).ends_with(".lockorder.jsonl"))
        InDir.push_back(It->path());
    if (EC) {
      printError("cannot list --lock-order-facts " + P + ": " + EC.message());
      OtherErrors = true;
    }
    llvm::sort(InDir);
    for (const std::string &F : InDir)
      Read1(F, Cwd);
  }
  llvm::TimeRecord Loaded = llvm::TimeRecord::getCurrentTime(/*Start=*/false);
  MergeResult M = goro::tidy::mergeLockOrder(All);
  llvm::TimeRecord Merged = llvm::TimeRecord::getCurrentTime(/*Start=*/false);
  if (Opts.MergeStats) {
    const MergeStats &S = M.Stats;
    llvm::errs() << "goro-tidy: lock-order merge: " << Read << " facts files, " << S.TUs
                 << " TUs; records: " << S.EdgeRecords << " edge, " << S.CallRecords << " call, "
                 << S.AcquiresRecords << " acquires; derived: " << S.DerivedAcquisitions
                 << " acquisitions, " << S.DerivedEdges << " edges; graph: " << S.GraphEdges
                 << " edges; cycles: " << M.Cycles.size() << " across TUs, " << S.CyclesWithinOneTU
                 << " within one TU; read "
                 << llvm::format("%.3f", Loaded.getWallTime() - Start.getWallTime()) << " s ("
                 << llvm::format("%.3f", Loaded.getProcessTime() - Start.getProcessTime())
                 << " s CPU), merged "
                 << llvm::format("%.3f", Merged.getWallTime() - Loaded.getWallTime()) << " s ("
                 << llvm::format("%.3f", Merged.getProcessTime() - Loaded.getProcessTime())
                 << " s CPU)\n";
  }

  for (const LockCycle &C : M.Cycles) {
    Finding F = cycleFinding(C);
    // Facts can be merged where the sources are not (a build system's cache):
    // clang-tidy's printer needs the file for a location, so such findings
    // are printed by printPlain.
    bool SourcesThere = true;
    auto Fill = [&](Location &L) {
      L.File = absolutePath(Cwd, L.File);
      const SourceFile *S = Sources.get(L.File);
      std::optional<unsigned> Offset = S ? S->offset(L.Line, L.Col) : std::nullopt;
      if (Offset)
        L.Offset = *Offset;
      else
        SourcesThere = false;
    };
    Fill(F.Where);
    for (Note &N : F.Notes)
      Fill(N.Where);
    // Filter as clang-tidy filters the TU's own diagnostics: by the options
    // of the TU the warning's function is in.
    std::string TU = absolutePath(Cwd, C.Edges.front().E.TU);
    clang::tidy::ClangTidyOptions O = Conf->optionsFor(TU);
    if (!clang::tidy::GlobList(O.Checks.value_or("")).contains(LockOrderCheck))
      continue;
    if (F.Where.File != TU) {
      llvm::Regex Header(O.HeaderFilterRegex.value_or(""));
      llvm::Regex Exclude(O.ExcludeHeaderFilterRegex.value_or(""));
      if (O.HeaderFilterRegex.value_or("").empty() || !Header.match(F.Where.File) ||
          (!O.ExcludeHeaderFilterRegex.value_or("").empty() && Exclude.match(F.Where.File)))
        continue;
    }
    if (const SourceFile *S = Sources.get(F.Where.File))
      if (suppressedByNoLint(*S, F.Where.Line, LockOrderCheck))
        continue;
    F.IsError = clang::tidy::GlobList(O.WarningsAsErrors.value_or("")).contains(LockOrderCheck);

    ClangTidyError E(LockOrderCheck, tooling::Diagnostic::Warning, "", F.IsError);
    E.Message.Message = F.Message;
    E.Message.FilePath = F.Where.File;
    E.Message.FileOffset = F.Where.Offset;
    for (const Note &N : F.Notes) {
      tooling::DiagnosticMessage DN(N.Message);
      DN.FilePath = N.Where.File;
      DN.FileOffset = N.Where.Offset;
      E.Notes.push_back(std::move(DN));
    }
    ClangTidyError Copy = E;
    Finding Plain = F;
    if (record(std::move(F), std::move(Copy))) {
      if (SourcesThere)
        print({E});
      else
        printPlain(Plain);
    }
  }
}

void Driver::printPlain(const Finding &F) {
  if (Bar)
    Bar->clear();
  auto At = [](const Location &L) {
    return (L.File + ":" + llvm::Twine(L.Line) + ":" + llvm::Twine(L.Col) + ": ").str();
  };
  llvm::outs() << At(F.Where) << (F.IsError ? "error: " : "warning: ") << F.Message << " ["
               << F.Check << "]\n";
  for (const Note &N : F.Notes)
    llvm::outs() << At(N.Where) << "note: " << N.Message << "\n";
  llvm::outs().flush();
}

int Driver::finish() {
  bool Failed = FailedFiles > 0 || OtherErrors;
  if (!Opts.Sarif.empty()) {
    SarifRun Run;
    Run.Arguments = Opts.Arguments;
    Run.WorkingDirectory = Cwd;
    Run.SourceRoot = Opts.SourceRoot.empty() ? Cwd : absolutePath(Cwd, Opts.SourceRoot);
    Run.Rules = RuleNames;
    llvm::sort(Run.Rules);
    Run.Findings = Findings;
    llvm::sort(Run.Findings, [](const Finding &A, const Finding &B) {
      return std::tie(A.Where.File, A.Where.Line, A.Where.Col, A.Check, A.Message) <
             std::tie(B.Where.File, B.Where.Line, B.Where.Col, B.Check, B.Message);
    });
    Run.Notifications = Notifications;
    Run.ExecutionSuccessful = !Failed;
    Run.BaselinePath = Opts.Baseline;
    if (llvm::Error E = writeSarif(Opts.Sarif, Run, Sources)) {
      printError(llvm::toString(std::move(E)));
      Failed = true;
    }
  }
  if (!Opts.ExportFixes.empty()) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Opts.ExportFixes, EC, llvm::sys::fs::OF_None);
    if (EC) {
      printError("cannot write --export-fixes " + Opts.ExportFixes + ": " + EC.message());
      Failed = true;
    } else {
      clang::tidy::exportReplacements("", FindingErrors, OS);
    }
  }
  if (Written) {
    if (llvm::Error E = Written->write(absolutePath(Cwd, Opts.WriteBaseline))) {
      printError(llvm::toString(std::move(E)));
      Failed = true;
    }
  }
  if (TemporaryFacts)
    (void)llvm::sys::fs::remove_directories(FactsDir);

  // A summary for people; CI logs get the findings and errors only.
  if (!Opts.Quiet && llvm::sys::Process::StandardErrIsDisplayed()) {
    llvm::errs() << "goro-tidy: " << Files.size() << (Files.size() == 1 ? " file" : " files")
                 << ", " << NewFindings << (Known ? " new" : "")
                 << (NewFindings == 1 ? " finding" : " findings");
    if (Known)
      llvm::errs() << ", " << BaselinedFindings << " in the baseline (not shown)";
    if (FailedFiles)
      llvm::errs() << ", " << FailedFiles << " could not be analysed";
    llvm::errs() << "\n";
    if (Known && Known->unmatched() > 0)
      llvm::errs() << "goro-tidy: " << Known->unmatched()
                   << " baseline entries match no finding any more (fixed? --write-baseline "
                      "updates the baseline)\n";
  }
  if (Failed)
    return ExitError;
  if (NewFindings > 0 && !Written)
    return ExitFindings;
  return ExitClean;
}

} // namespace

int runDriver(DriverOptions Options) {
  llvm::CrashRecoveryContext::Enable();
  return Driver(std::move(Options)).run();
}

} // namespace goro::tidy
