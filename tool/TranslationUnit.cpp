//===--- TranslationUnit.cpp - clang-tidy over one translation unit -------===//
//
// See TranslationUnit.h. The frontend action is clang-tidy's own
// (ClangTidyASTConsumerFactory): the checks, the static analyzer and the
// diagnostic filtering behave as in clang-tidy-19.
//
//===----------------------------------------------------------------------===//

#include "TranslationUnit.h"

#include "ClangTidy.h"
#include "ClangTidyModule.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendActions.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/VirtualFileSystem.h"

namespace goro::tidy {

using namespace clang;
using clang::tidy::ClangTidyContext;

namespace {

/// clang-tidy's frontend action: an AST consumer running the checks.
class TidyActionFactory : public tooling::FrontendActionFactory {
public:
  TidyActionFactory(ClangTidyContext &Context,
                    llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS)
      : ConsumerFactory(Context, std::move(FS)) {}

  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<Action>(&ConsumerFactory);
  }

  bool runInvocation(std::shared_ptr<CompilerInvocation> Invocation, FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCHContainerOps,
                     DiagnosticConsumer *DiagConsumer) override {
    // As clang-tidy: code may test __clang_analyzer__.
    Invocation->getPreprocessorOpts().SetUpStaticAnalyzer = true;
    // Without carets clang does not print "N warnings generated." (from the
    // worker threads, into the progress line); goro-tidy prints the findings.
    Invocation->getDiagnosticOpts().ShowCarets = false;
    return FrontendActionFactory::runInvocation(std::move(Invocation), Files,
                                                std::move(PCHContainerOps), DiagConsumer);
  }

private:
  class Action : public ASTFrontendAction {
  public:
    explicit Action(clang::tidy::ClangTidyASTConsumerFactory *Factory) : Factory(Factory) {}
    std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &Compiler,
                                                   StringRef File) override {
      return Factory->createASTConsumer(Compiler, File);
    }

  private:
    clang::tidy::ClangTidyASTConsumerFactory *Factory;
  };

  clang::tidy::ClangTidyASTConsumerFactory ConsumerFactory;
};

} // namespace

TUResult analyzeTranslationUnit(const tooling::CompilationDatabase &DB, llvm::StringRef File,
                                ProviderFactory MakeProvider,
                                bool AllowEnablingAnalyzerAlphaCheckers) {
  TUResult Result;
  // Its own physical file system: ClangTool sets the working directory of
  // the file system to each command's directory, and the real one would
  // change the whole process's. The options provider reads through it too:
  // clang-tidy looks up the configuration of the main file as the compile
  // command names it, relative to the command's directory.
  auto FS = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
      llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(
          llvm::vfs::createPhysicalFileSystem().release()));
  ClangTidyContext Context(MakeProvider(FS), AllowEnablingAnalyzerAlphaCheckers);
  clang::tidy::ClangTidyDiagnosticConsumer DiagConsumer(Context, nullptr,
                                                        /*RemoveIncompatibleErrors=*/true,
                                                        /*GetFixesFromNotes=*/false);
  DiagnosticsEngine DE(new DiagnosticIDs(), new DiagnosticOptions(), &DiagConsumer,
                       /*ShouldOwnClient=*/false);
  Context.setDiagnosticsEngine(&DE);

  llvm::CrashRecoveryContext CRC;
  bool Completed = CRC.RunSafely([&] {
    tooling::ClangTool Tool(DB, {File.str()}, std::make_shared<PCHContainerOperations>(), FS);
    Tool.setPrintErrorMessage(false);
    // The configuration's ExtraArgs / ExtraArgsBefore, per file, as clang-tidy.
    Tool.appendArgumentsAdjuster(
        [&Context](const tooling::CommandLineArguments &Args, StringRef Filename) {
          clang::tidy::ClangTidyOptions Opts = Context.getOptionsForFile(Filename);
          tooling::CommandLineArguments Adjusted = Args;
          if (Opts.ExtraArgsBefore) {
            auto I = Adjusted.begin();
            if (I != Adjusted.end() && !StringRef(*I).starts_with("-"))
              ++I; // after the compiler's name
            Adjusted.insert(I, Opts.ExtraArgsBefore->begin(), Opts.ExtraArgsBefore->end());
          }
          if (Opts.ExtraArgs)
            Adjusted.insert(Adjusted.end(), Opts.ExtraArgs->begin(), Opts.ExtraArgs->end());
          return Adjusted;
        });
    Tool.appendArgumentsAdjuster(tooling::getStripPluginsAdjuster());
    Tool.setDiagnosticConsumer(&DiagConsumer);
    TidyActionFactory Factory(Context, FS);
    (void)Tool.run(&Factory); // failures are in the diagnostics (clang-diagnostic-error)
  });
  Result.Crashed = !Completed;
  Result.Errors = DiagConsumer.take();
  return Result;
}

} // namespace goro::tidy
