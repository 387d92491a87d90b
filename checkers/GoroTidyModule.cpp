//===--- GoroTidyModule.cpp - goro checks ---------------------------------===//
//
// The goro clang-tidy module: checks for the concurrency pitfalls of Go-style
// code written with goro (and with std::thread / std::async). Registered as
// "goro-module"; every check is named goro-<name>.
//
//===----------------------------------------------------------------------===//

#include "BlockingSendLeakCheck.h"
#include "BlockingUnderLockCheck.h"
#include "ClangTidyCheck.h"
#include "ClangTidyModule.h"
#include "ClangTidyModuleRegistry.h"
#include "GoroutineWithoutExitCheck.h"
#include "LockOrderInversionCheck.h"
#include "LoopVariableCaptureCheck.h"
#include "LostCancelCheck.h"
#include "ResponseAfterReturnCheck.h"
#include "SleepAsSynchronizationCheck.h"
#include "UnclosedChannelCheck.h"
#include "WaitGroupAddInGoroutineCheck.h"

namespace clang::tidy::goro {

class GoroModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &Factories) override {
    // One line per check, sorted by name.
    Factories.registerCheck<BlockingSendLeakCheck>("goro-blocking-send-leak");
    Factories.registerCheck<BlockingUnderLockCheck>("goro-blocking-under-lock");
    Factories.registerCheck<GoroutineWithoutExitCheck>("goro-goroutine-without-exit");
    Factories.registerCheck<LockOrderInversionCheck>("goro-lock-order-inversion");
    Factories.registerCheck<LoopVariableCaptureCheck>("goro-loop-variable-capture");
    Factories.registerCheck<LostCancelCheck>("goro-lost-cancel");
    Factories.registerCheck<ResponseAfterReturnCheck>("goro-response-after-return");
    Factories.registerCheck<SleepAsSynchronizationCheck>("goro-sleep-as-synchronization");
    Factories.registerCheck<UnclosedChannelCheck>("goro-unclosed-channel");
    Factories.registerCheck<WaitGroupAddInGoroutineCheck>("goro-waitgroup-add-in-goroutine");
  }
};

// Register the module with clang-tidy's registry when the plugin is loaded.
static ClangTidyModuleRegistry::Add<GoroModule>
    X("goro-module", "Checks for goroutine, channel and lock pitfalls.");

} // namespace clang::tidy::goro

// Referenced by goro-tidy and goro-clangd to force this module to be linked.
// NOLINTNEXTLINE(misc-use-internal-linkage)
volatile int GoroModuleAnchorSource = 0;
