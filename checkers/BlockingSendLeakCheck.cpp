//===--- BlockingSendLeakCheck.cpp - goro-blocking-send-leak --------------===//
//
// Matching collects the channels functions make with goro::make_chan and no
// capacity (or a constant 0). At the end of the TU each is traced
// (utils::traceChannel) and judged:
//
//  - the trace must be complete and the channel must not escape at all (an
//    escaped handle may be received from anywhere);
//  - there must be a blocking send (`send()`) in a goroutine (a context other
//    than the owner);
//  - every receive must be in the owner, and each must be the on_recv case of
//    a select that has another case (on_recv of another channel, on_send,
//    on_default) and is not repeated by a loop (a loop may come back and
//    receive); no close (a close turns the blocked send into a panic: another
//    bug, not this one);
//  - then each blocking send in a goroutine is a finding. The fix-it
//    (capacity 1) is offered when it is enough: exactly one send, not in a
//    loop, in a goroutine spawned once.
//
//===----------------------------------------------------------------------===//

#include "BlockingSendLeakCheck.h"
#include "utils/ChannelFlow.h"
#include "utils/SelectCalls.h"
#include "utils/SpawnCalls.h"

#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

// clang-tidy's own utils (OptionsUtils.h); ours are clang::tidy::goro::utils.
#include "utils/OptionsUtils.h"

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

using utils::ChannelContext;
using utils::ChannelFlow;
using utils::ChannelSite;
using utils::SiteKind;

namespace {

/// The goro::select call among S and its descendants whose cases include the
/// case call Case; nullptr if none (searched in one function body, not into
/// lambdas other than the select's own arguments).
const CallExpr *selectOfCase(const Stmt *S, const Stmt *Case, unsigned Depth = 0) {
  if (S == nullptr || Depth > 256)
    return nullptr;
  if (const auto *Call = dyn_cast<CallExpr>(S); Call != nullptr && utils::isSelectCall(Call))
    for (const utils::SelectCase &C : utils::selectCases(Call))
      if (C.Call == Case)
        return Call;
  for (const Stmt *Child : S->children())
    if (const CallExpr *Found = selectOfCase(Child, Case, Depth + 1))
      return Found;
  return nullptr;
}

/// What a case that is not the channel's is, for the note.
StringRef describeOtherCase(const utils::SelectCase &Case) {
  if (Case.Kind == utils::CaseKind::Default)
    return "default case";
  if (Case.Kind == utils::CaseKind::Send)
    return "send case";
  if (const auto *Call = dyn_cast_or_null<CallExpr>(utils::stripWrappers(Case.Channel)))
    if (utils::isGoroCall(Call, "after"))
      return "timeout case";
  StringRef Name = utils::channelExprName(Case.Channel);
  if (Name == "done")
    return "cancellation case";
  return "other case";
}

/// How a make_chan call says its capacity.
enum class Capacity : std::uint8_t { Unknown, DefaultZero, WrittenZero };

Capacity capacityOf(const CallExpr *Make, const ASTContext &Context) {
  if (Make == nullptr || Make->getNumArgs() == 0)
    return Capacity::Unknown;
  const Expr *Arg = Make->getArg(0);
  if (isa<CXXDefaultArgExpr>(Arg))
    return Capacity::DefaultZero;
  if (Arg->isValueDependent() || Arg->isTypeDependent() || Arg->containsErrors())
    return Capacity::Unknown;
  Expr::EvalResult Value;
  if (Arg->EvaluateAsInt(Value, Context) && Value.Val.isInt() && Value.Val.getInt().isZero())
    return Capacity::WrittenZero;
  return Capacity::Unknown;
}

/// `make_chan<T>()` -> `make_chan<T>(1)`, `make_chan<T>(0)` -> `make_chan<T>(1)`;
/// nothing when the call is written in a macro.
std::optional<FixItHint> capacityOneFix(const CallExpr *Make, Capacity Cap, const SourceManager &SM,
                                        const LangOptions &Lang) {
  if (Cap == Capacity::DefaultZero) {
    SourceLocation RParen = Make->getRParenLoc();
    if (RParen.isInvalid() || RParen.isMacroID())
      return std::nullopt;
    // With a defaulted capacity no argument is written, unless the call spells
    // the source location (never done by hand): insert before the ')'.
    return FixItHint::CreateInsertion(RParen, "1");
  }
  if (Cap == Capacity::WrittenZero) {
    const Expr *Arg = Make->getArg(0);
    CharSourceRange Range = CharSourceRange::getTokenRange(Arg->getSourceRange());
    if (Arg->getBeginLoc().isMacroID() || Arg->getEndLoc().isMacroID() ||
        Lexer::getSourceText(Range, SM, Lang).empty())
      return std::nullopt;
    return FixItHint::CreateReplacement(Range, "1");
  }
  return std::nullopt;
}

} // namespace

BlockingSendLeakCheck::BlockingSendLeakCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawSpawnFunctions(Options.get("SpawnFunctions", utils::DefaultSpawnFunctions)),
      SpawnFunctions(::clang::tidy::utils::options::parseStringList(RawSpawnFunctions)) {}

void BlockingSendLeakCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "SpawnFunctions", RawSpawnFunctions);
}

void BlockingSendLeakCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      varDecl(utils::madeChannelVar(), unless(isExpansionInSystemHeader())).bind("chan"), this);
}

void BlockingSendLeakCheck::check(const MatchFinder::MatchResult &Result) {
  Context = Result.Context;
  const auto *Chan = Result.Nodes.getNodeAs<VarDecl>("chan");
  if (const FunctionDecl *Owner = utils::tracedChannelOwner(Chan))
    Channels.insert({Chan, Owner});
}

void BlockingSendLeakCheck::analyzeChannel(const VarDecl *Channel, const FunctionDecl *Owner) {
  const auto *Make = dyn_cast_or_null<CallExpr>(utils::stripWrappers(Channel->getInit()));
  Capacity Cap = capacityOf(Make, *Context);
  if (Cap == Capacity::Unknown)
    return;

  utils::TraceOptions Trace;
  auto IsSpawn = [this](const Stmt *S) { return Spawns.isSpawn(S, *Context); };
  auto IsWait = [](const Stmt *) { return false; };
  Trace.IsSpawn = IsSpawn;
  Trace.IsWait = IsWait;
  ChannelFlow Flow = utils::traceChannel(Channel, Owner, *Context, Trace);
  if (Flow.Incomplete || !Flow.Escapes.empty())
    return;

  llvm::SmallVector<const ChannelSite *, 2> Sends;
  unsigned AllSends = 0;
  const CallExpr *GivingUp = nullptr; // the select that can give up on the channel
  utils::SelectCase OtherCase{utils::CaseKind::Default, nullptr, nullptr, nullptr};
  for (const ChannelSite &Site : Flow.Sites) {
    switch (Site.Kind) {
    case SiteKind::Send:
      ++AllSends;
      if (Site.Context != 0)
        Sends.push_back(&Site);
      break;
    case SiteKind::TrySend:
    case SiteKind::SelectSend:
      ++AllSends;
      break;
    case SiteKind::Close: // turns the blocked send into a panic: not this finding
    case SiteKind::Recv:  // a receive outside select: assume it takes the value
    case SiteKind::TryRecv:
    case SiteKind::Range:
      return;
    case SiteKind::SelectRecv: {
      if (Site.Context != 0 || Site.InLoop)
        return; // another goroutine, or a loop that may come back, may receive
      const CallExpr *Select = selectOfCase(Site.Body, Site.S);
      if (Select == nullptr)
        return;
      bool Found = false;
      for (const utils::SelectCase &Case : utils::selectCases(Select)) {
        if (Case.Call == Site.S)
          continue;
        if (Case.Kind == utils::CaseKind::Recv && utils::channelVarOf(Case.Channel) != nullptr &&
            Flow.Aliases.contains(utils::channelVarOf(Case.Channel)))
          continue; // the same channel twice
        OtherCase = Case;
        Found = true;
        break;
      }
      if (!Found)
        return; // a select with this case only: a plain receive
      GivingUp = Select;
      break;
    }
    }
  }
  if (Sends.empty() || GivingUp == nullptr || OtherCase.Call == nullptr)
    return;

  const SourceManager &SM = Context->getSourceManager();
  for (const ChannelSite *Send : Sends) {
    const ChannelContext &Goroutine = Flow.Contexts[Send->Context];
    SourceLocation Loc = SM.getExpansionLoc(cast<Expr>(Send->S)->getExprLoc());
    if (Loc.isInvalid() || !Reported.insert(Loc.getRawEncoding()).second)
      continue;
    StringRef Noun =
        Goroutine.Spawn != nullptr ? utils::spawnedWorkNoun(Goroutine.Spawn) : "goroutine";
    const bool OneSlotEnough = AllSends == 1 && !Send->InLoop && !Goroutine.Repeated;
    std::optional<FixItHint> Fix;
    if (OneSlotEnough && Make != nullptr)
      Fix = capacityOneFix(Make, Cap, SM, Context->getLangOpts());
    {
      DiagnosticBuilder Diag =
          diag(Loc, "%0 can block forever sending on unbuffered channel %1: %2 stops waiting for "
                    "it when another case of its select fires, and then nothing receives")
          << Noun << Channel << Owner;
      if (Fix)
        Diag << *Fix;
    }
    diag(OtherCase.Call->getBeginLoc(), "%0 stops waiting here, through the %1",
         DiagnosticIDs::Note)
        << Owner << describeOtherCase(OtherCase);
    diag(Channel->getLocation(),
         OneSlotEnough
             ? "%0 is made unbuffered here; with capacity 1 the send completes without a receiver"
             : "%0 is made unbuffered here; give it room for every value its senders send",
         DiagnosticIDs::Note)
        << Channel;
    if (Goroutine.Spawn != nullptr)
      diag(Goroutine.Spawn->getBeginLoc(), "the %0 starts here", DiagnosticIDs::Note) << Noun;
  }
}

void BlockingSendLeakCheck::onEndOfTranslationUnit() {
  if (Context != nullptr)
    for (const auto &[Channel, Owner] : Channels)
      analyzeChannel(Channel, Owner);
  Channels.clear();
  Spawns.clear();
  Reported.clear();
  Context = nullptr;
}

} // namespace clang::tidy::goro
