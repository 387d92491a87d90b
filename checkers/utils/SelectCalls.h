//===--- SelectCalls.h - goro::select and its cases -----------------------===//
//
// Shared knowledge about goro::select (runtime/include/goro/select.hpp):
// which calls are a select, its cases (goro::on_recv / on_send / on_default,
// each an argument of the select call), whether it has a default case (then
// it never blocks), and the channel a case waits on. Also recognized in
// dependent code (a select in a template or a generic lambda is an unresolved
// call until instantiation).
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UTILS_SELECTCALLS_H
#define GORO_CHECKERS_UTILS_SELECTCALLS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace clang::tidy::goro::utils {

/// Whether Call calls the goro function Name (select, on_recv, ...), also in
/// dependent code where the callee is still an unresolved name.
bool callsGoroFunction(const CallExpr *Call, llvm::StringRef Name);

/// Whether S is a call of goro::select.
bool isSelectCall(const Stmt *S);

enum class CaseKind : std::uint8_t { Recv, Send, Default };

struct SelectCase {
  CaseKind Kind;
  /// The on_recv / on_send / on_default call.
  const CallExpr *Call = nullptr;
  /// The channel argument (Recv, Send); nullptr for Default.
  const Expr *Channel = nullptr;
  /// The case's function argument (any callable expression), or nullptr.
  const Expr *Function = nullptr;
};

/// The cases of a goro::select call, in argument order. Arguments that are
/// not written as a case call in place (a case object built elsewhere) are
/// left out, so the list can be shorter than the argument list.
llvm::SmallVector<SelectCase, 4> selectCases(const CallExpr *Select);

/// Whether a goro::select call has an on_default case: it never blocks. Also
/// true when an argument is not a case call written in place (it may be a
/// default case built elsewhere), so that the answer errs on "does not block".
bool selectMayNotBlock(const CallExpr *Select);

/// The name a channel expression is known by, for heuristics on names: the
/// variable or member it names, or the member function that returns it
/// (`ctx.done()` -> "done", `quit_` -> "quit_", `stop.c()` -> "stop").
llvm::StringRef channelExprName(const Expr *E);

/// The loop statement (for, while, do) whose condition is absent or always
/// true (`for (;;)`, `while (true)`, `do ... while (1)`); false for a dependent
/// condition.
bool isInfiniteLoop(const Stmt *Loop, const ASTContext &Context);

/// The body of a for, while, do or range-for statement; nullptr otherwise.
const Stmt *loopBodyOf(const Stmt *Loop);

} // namespace clang::tidy::goro::utils

#endif // GORO_CHECKERS_UTILS_SELECTCALLS_H
