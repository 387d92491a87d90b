//===--- ChannelFlow.h - where a goro channel goes ------------------------===//
//
// Shared knowledge about goro channels (runtime/include/goro/chan.hpp,
// select.hpp, sync.hpp): which types are channel handles, which calls are
// channel operations, and — for a channel that a function makes with
// goro::make_chan — every place the channel reaches, or the fact that it
// escapes to code the checks cannot see.
//
// How a channel is followed (traceChannel):
//  - Aliases: a local variable (or reference) initialized from a handle of the
//    channel, an init-capture, and the parameter of a function the channel is
//    passed to. Copies and the views send_chan / recv_chan are the same
//    channel; std::move of a handle is too.
//  - Contexts: the code that runs concurrently. Context 0 is the owner (the
//    function that makes the channel). A spawn (SpawnCalls.h) of a lambda that
//    captures the channel, or of a function / lambda the channel is passed to
//    as an argument, starts a new context.
//  - Code that runs in the same context is followed into: a select case
//    (goro::on_recv / on_send / on_default), a goro::defer (runs where the
//    scope ends), a lambda called in place or held in a local variable and
//    only called, and a function with a body in the TU (not virtual, not in a
//    system header) that the channel is passed to (at most MaxCallDepth deep).
//  - Everything else is an escape: returned, stored in a member, a global, a
//    container or any object that is not a channel handle, assigned to an
//    existing variable, its address taken, passed to a function without a
//    visible body, or captured by a lambda that goes anywhere else.
//    An escape through a recv_chan only (RecvOnly) still leaves every sender
//    and every closer in sight: a receive-only view can neither send nor close.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_CHECKERS_UTILS_CHANNELFLOW_H
#define GORO_CHECKERS_UTILS_CHANNELFLOW_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>

namespace clang::tidy::goro::utils {

/// What a handle type can do with its channel.
enum class ChannelView : std::uint8_t { None, Both, SendOnly, RecvOnly };

/// The view of goro::chan<T> (Both), goro::send_chan<T>, goro::recv_chan<T>,
/// through references and cv-qualifiers; None for any other or dependent type.
ChannelView channelView(QualType T);

/// Whether D is declared directly in the top-level namespace goro.
bool isInGoroNamespace(const Decl *D);

/// Whether E (ignoring implicit nodes) is a call of goro::make_chan<T>.
bool isMakeChanCall(const Expr *E);

/// A channel operation, by the member function called on a handle.
enum class ChannelOp : std::uint8_t {
  None,
  Send,
  TrySend,
  Recv,
  TryRecv,
  Close,
  Neutral,
  Conversion,
  Assign
};

/// The operation a member named Name of a channel handle performs.
ChannelOp channelOpByName(llvm::StringRef Name);

/// The operation of a call of a member function of a channel handle (None if
/// Method is not one).
ChannelOp channelMemberOp(const CXXMethodDecl *Method);

/// The variable a channel-valued expression names, looking through implicit
/// nodes, copies, view conversions and std::move; nullptr otherwise.
const VarDecl *channelVarOf(const Expr *E);

/// The object expression of a call of a channel member (including a call in
/// dependent code, by name) and its operation; {nullptr, None} otherwise.
std::pair<const Expr *, ChannelOp> channelCall(const Expr *Call);

/// Strips parentheses, implicit casts, temporaries, cleanups and functional
/// casts that do not change which object or value an expression denotes.
const Expr *stripWrappers(const Expr *E);

/// Whether Call is a call of the goro function Name (on_recv, on_send, ...).
bool isGoroCall(const CallExpr *Call, llvm::StringRef Name);

/// Whether T is goro::defer<F>.
bool isGoroDeferType(QualType T);

enum class SiteKind : std::uint8_t {
  Send,
  TrySend,
  Recv,
  TryRecv,
  Range,
  SelectRecv,
  SelectSend,
  Close
};

/// How a site runs relative to its context's own body.
enum class Nesting : std::uint8_t {
  Direct,     ///< in the context's body itself
  SelectCase, ///< in a select case's function
  Defer,      ///< in a goro::defer's function: runs where its scope ends
  LocalCall,  ///< in a lambda called in place or through a local variable
  Callee,     ///< in a function the channel is passed to
};

struct ChannelContext {
  enum KindTy : std::uint8_t { Owner, Goroutine } Kind = Owner;
  /// The function whose body runs: the owner, a named function, or a
  /// lambda's call operator.
  const FunctionDecl *Callable = nullptr;
  const Stmt *Body = nullptr;
  /// The spawn that starts it (Goroutine).
  const Expr *Spawn = nullptr;
  /// The context whose code contains Spawn.
  unsigned Parent = 0;
  /// The spawn sits in a loop: several goroutines run this code.
  bool Repeated = false;
};

struct ChannelSite {
  SiteKind Kind;
  /// The operation: the member call, the CXXForRangeStmt (Range), the
  /// on_recv / on_send call (SelectRecv / SelectSend).
  const Stmt *S = nullptr;
  unsigned Context = 0;
  Nesting Via = Nesting::Direct;
  /// The statement of the context's own body through which the site runs:
  /// S itself when Direct; the select case, the defer's declaration, the call.
  const Stmt *Anchor = nullptr;
  /// Where in the context's body the site takes effect (the end of the scope
  /// for a goro::defer), for ordering sites and other statements.
  SourceLocation Position;
  /// The function body the site is written in.
  const Stmt *Body = nullptr;
  /// The innermost loop around S in that body (nullptr: none).
  const Stmt *Loop = nullptr;
  /// A loop repeats the site within its context (also through a select case,
  /// a defer, a local lambda or a callee called in a loop).
  bool InLoop = false;
  /// The site is under a condition (if, loop, switch, ?:, &&, ||) within the
  /// body of a select case / defer / local lambda / callee it is nested in.
  bool Conditional = false;
  /// Via == Defer: the goro::defer variable.
  const VarDecl *Defer = nullptr;
  /// SelectRecv / SelectSend: the case's function, if a lambda.
  const LambdaExpr *Case = nullptr;
};

struct ChannelEscape {
  const Stmt *S = nullptr;
  /// Only a receive-only view escapes.
  bool RecvOnly = false;
};

/// A blocking wait in a context (a call of one of the wait functions, or a
/// receive from another channel outside select).
struct ChannelBarrier {
  unsigned Context = 0;
  SourceLocation Position;
};

/// A call that passes the channel to a function whose body is followed (the
/// body is walked once per context, so a site in it is recorded for the
/// first such call only; these edges say which calls reach which bodies).
struct ChannelCall {
  const CallExpr *Call = nullptr;
  unsigned Context = 0;
  const Stmt *CallerBody = nullptr;
  const Stmt *CalleeBody = nullptr;
};

struct ChannelFlow {
  const VarDecl *Channel = nullptr;
  llvm::SmallVector<ChannelContext, 4> Contexts;
  llvm::SmallVector<ChannelSite, 8> Sites;
  llvm::SmallVector<ChannelEscape, 2> Escapes;
  llvm::SmallVector<ChannelBarrier, 2> Barriers;
  llvm::SmallVector<ChannelCall, 2> Calls;
  llvm::SmallPtrSet<const VarDecl *, 4> Aliases;
  /// The code was too deep to follow: nothing may be concluded.
  bool Incomplete = false;

  /// A handle that can send or close reaches unseen code, or the trace is
  /// incomplete.
  bool escapesWithSendSide() const;
  /// The first escape, if any.
  const ChannelEscape *firstEscape() const { return Escapes.empty() ? nullptr : &Escapes.front(); }
};

struct TraceOptions {
  /// Whether a call or construction spawns (SpawnCalls.h's spawnExpr).
  llvm::function_ref<bool(const Stmt *)> IsSpawn;
  /// Whether a call waits for other goroutines (wait_group::wait, join, ...).
  llvm::function_ref<bool(const Stmt *)> IsWait;
  unsigned MaxCallDepth = 4;
};

/// Follows the channel Chan, a local variable of Owner initialized by
/// goro::make_chan, through Owner's body (see the file comment).
ChannelFlow traceChannel(const VarDecl *Chan, const FunctionDecl *Owner, ASTContext &Context,
                         const TraceOptions &Options);

/// Matches a local variable (not a parameter) initialized with
/// goro::make_chan: a channel a check collects while matching and traces at
/// the end of the TU (after tracedChannelOwner accepts it).
ast_matchers::internal::Matcher<VarDecl> madeChannelVar();

/// The function to trace \p Chan in (its owner), when the channel can be
/// traced: a valid goro::chan (both ends) made by make_chan in a function
/// with a body that is neither invalid nor a template pattern (templates are
/// traced through their instantiations); nullptr otherwise.
const FunctionDecl *tracedChannelOwner(const VarDecl *Chan);

} // namespace clang::tidy::goro::utils

#endif // GORO_CHECKERS_UTILS_CHANNELFLOW_H
