//===--- ResponseAfterReturnCheck.cpp - goro-response-after-return --------===//
//
// How a spawn is judged. The matcher finds handlers: function definitions
// (lambdas' call operators included) with a parameter of a response type, or
// a reference or pointer to one. check() indexes each handler's body once (a
// local parent map, and its spawns: one findAll(spawnExpr) plus
// threads.emplace_back(f) calls), so the cost follows the handlers' code,
// not the translation unit's. Then, per spawn, cheapest first, stopping at
// the first "no":
//
// 1. Handler. Walk out of the spawn through the enclosing lambdas
//    ("levels"). The innermost level with a writer parameter is the
//    handler; a spawn inside a lambda that is itself a handler belongs to
//    that lambda (the matcher finds it too).
// 2. Carriers. Everything in the handler's body that holds a writer: the
//    writer itself; a variable initialized or assigned from a carrier (a
//    pointer, a reference, a copy of the writer -- goro's writer is a handle,
//    so a copy is the same response --, std::ref, a struct field, a lambda
//    that uses a carrier, an object constructed from a carrier through a
//    reference or pointer parameter); a member of *this assigned from one; a
//    container a carrier is inserted into. Flow-insensitive, to a fixed point.
// 3. Use. The spawned work uses a carrier: the spawned lambda (in place, or a
//    local holding one) evaluates a carrier it captured, or a [this] lambda
//    reads a carrier member (also inside member functions it calls, three
//    calls deep), or a spawn argument carries a writer (&w, std::ref(w)).
//    Field-precise for structs: using `ctx.users` is not using `ctx.w`. A use
//    inside a nested spawn that itself outlives is left to that spawn, so one
//    mistake gives one warning.
// 4. Lifetime of what the spawn returns. goro::go, errgroup::go and user spawn
//    functions are fire-and-forget unless waited for (step 5). A thread object
//    outlives the handler only when detached or when it escapes the handler
//    (moved or stored anywhere but a local); a local std::thread is joined or
//    terminates the program, a local std::jthread joins in its destructor. A
//    std::async future waits in its destructor, so its task outlives the
//    handler only when the future escapes.
// 5. Waits. In the spawning function, and in every enclosing one up to the
//    handler, a wait counts when it lies on every CFG path from the spawn (or
//    from the lambda containing it) to the function's exit: x.wait(),
//    x.join(), x.recv(), x.arrive_and_wait(), x.acquire() or a range-for or
//    select receive on an object the spawned work references (its wait_group,
//    channel, latch); g.wait() for g.go(...); get()/wait()/join() on the
//    object the spawn returned; a std::future obtained from a promise the
//    work references; a local scope guard (goro::defer) whose lambda waits;
//    such an object passed by reference to another function (it may wait).
//    Paths that end in a noreturn call do not return. Exceptions thrown by
//    calls are not paths (clang's CFG has no such edges).
//
// Invariants: dependent code (template patterns) is never analysed, only
// instantiations; every AST pointer may be null and is checked; every
// traversal is bounded. Caches live for one translation unit.
//
//===----------------------------------------------------------------------===//

#include "ResponseAfterReturnCheck.h"
#include "utils/OptionsUtils.h"
#include "utils/SpawnCalls.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

#include <cstdint>
#include <optional>

using namespace clang::ast_matchers;

namespace clang::tidy::goro {

namespace {

constexpr llvm::StringLiteral DefaultResponseTypes = "goro::http::response_writer";

StringRef normalizedName(StringRef Name) {
  Name = Name.trim();
  Name.consume_front("::");
  return Name;
}

std::string qualifiedName(const NamedDecl *D) {
  return D == nullptr ? std::string() : D->getQualifiedNameAsString();
}

bool hasName(const NamedDecl *D, StringRef Name) {
  return D != nullptr && D->getIdentifier() != nullptr && D->getName() == Name;
}

bool isStdFunction(const FunctionDecl *FD, std::initializer_list<StringRef> Names) {
  if (FD == nullptr || FD->getIdentifier() == nullptr || !FD->isInStdNamespace())
    return false;
  return llvm::is_contained(Names, FD->getName());
}

// Strips what never changes which object an expression denotes.
const Expr *strip(const Expr *E) {
  for (unsigned Step = 0; E != nullptr && Step < 32; ++Step) {
    const Expr *Next = E->IgnoreImplicit()->IgnoreParens();
    if (const auto *Cast = dyn_cast<ExplicitCastExpr>(Next)) {
      QualType T = Cast->getType();
      if (T->isPointerType() || T->isReferenceType() || T->isRecordType())
        Next = Cast->getSubExpr();
    } else if (const auto *Default = dyn_cast<CXXDefaultArgExpr>(Next)) {
      Next = Default->getExpr();
    }
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

// The object an expression names: a declaration (`v`, `p` in `p->f`) with up
// to two fields below it, or a field of *this (`f`, `this->f.g`).
struct Access {
  const ValueDecl *Root = nullptr;
  const FieldDecl *Field = nullptr;
  bool ViaThis = false;
};

std::optional<Access> accessPath(const Expr *E) {
  llvm::SmallVector<const FieldDecl *, 4> Members; // outermost first
  E = strip(E);
  while (const auto *ME = dyn_cast_or_null<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (Field == nullptr)
      return std::nullopt;
    Members.push_back(Field);
    E = strip(ME->getBase());
  }
  if (E == nullptr)
    return std::nullopt;
  Access A;
  if (isa<CXXThisExpr>(E)) {
    if (Members.empty())
      return std::nullopt;
    A.ViaThis = true;
    A.Root = Members.back();
    A.Field = Members.size() > 1 ? Members[Members.size() - 2] : nullptr;
    return A;
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    const ValueDecl *D = Ref->getDecl();
    if (!isa<VarDecl, BindingDecl>(D))
      return std::nullopt;
    A.Root = D;
    A.Field = Members.empty() ? nullptr : Members.back();
    return A;
  }
  return std::nullopt;
}

const ValueDecl *rootOf(const Expr *E) {
  std::optional<Access> A = accessPath(E);
  return A ? A->Root : nullptr;
}

// A record type's declaration, looking through references and pointers.
const CXXRecordDecl *recordOf(QualType T) {
  if (T.isNull() || T->isDependentType())
    return nullptr;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return T->getAsCXXRecordDecl();
}

bool hasMethodNamed(const CXXRecordDecl *RD, std::initializer_list<StringRef> Names) {
  if (RD == nullptr || !RD->hasDefinition())
    return false;
  RD = RD->getDefinition();
  for (const CXXMethodDecl *M : RD->methods())
    if (M->getIdentifier() != nullptr && llvm::is_contained(Names, M->getName()))
      return true;
  for (const CXXBaseSpecifier &Base : RD->bases())
    if (hasMethodNamed(recordOf(Base.getType()), Names))
      return true;
  return false;
}

// A scope guard (goro::defer, absl::Cleanup, gsl::final_action) runs its
// callable in its own destructor. A closure or a std::function does not:
// destroying them calls nothing.
bool isScopeGuard(QualType T) {
  if (T.isNull() || T->isDependentType() || T->isReferenceType())
    return false;
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (RD == nullptr || !RD->hasDefinition() || RD->isLambda() || RD->isInStdNamespace())
    return false;
  const CXXDestructorDecl *Dtor = RD->getDefinition()->getDestructor();
  return Dtor != nullptr && Dtor->isUserProvided();
}

bool isInsertion(const CXXMethodDecl *M) {
  return M != nullptr && M->getIdentifier() != nullptr &&
         llvm::is_contained({"push_back", "emplace_back", "push_front", "emplace_front", "insert",
                             "emplace", "push", "insert_or_assign", "try_emplace"},
                            M->getName());
}

// Whether P is a response writer: its type is one of Names (fully qualified,
// no leading "::"), or a reference or pointer to one, or a specialization of
// a class template named there.
bool isResponseParam(const ParmVarDecl *P, const llvm::StringSet<> &Names) {
  if (P == nullptr || P->isInvalidDecl())
    return false;
  QualType T = P->getType();
  if (T.isNull() || T->isDependentType())
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  const CXXRecordDecl *RD = T.getCanonicalType()->getAsCXXRecordDecl();
  if (RD == nullptr || RD->getIdentifier() == nullptr)
    return false;
  // Cheap screen first: this runs for every parameter of every function
  // definition in the translation unit. Names holds each entry's last
  // component too (with a leading "::" that no real name has).
  if (!Names.contains(("::" + RD->getName()).str()))
    return false;
  if (Names.contains(normalizedName(qualifiedName(RD))))
    return true;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
    return Names.contains(normalizedName(qualifiedName(Spec->getSpecializedTemplate())));
  return false;
}

AST_MATCHER_P(FunctionDecl, hasResponseParameter, const llvm::StringSet<> *, Names) {
  return llvm::any_of(Node.parameters(),
                      [this](const ParmVarDecl *P) { return isResponseParam(P, *Names); });
}

// One function or lambda body on the way out from a spawn to the handler.
struct Level {
  const FunctionDecl *Function = nullptr; // the function, or a lambda's operator()
  const LambdaExpr *Lambda = nullptr;     // set when the level is a lambda
  const Stmt *Body = nullptr;
  const Stmt *Point = nullptr; // the spawn (innermost level) or the lambda holding it
};

enum class Noun : std::uint8_t { Goroutine, Thread, AsyncTask, Task };

enum class Reason : std::uint8_t {
  NotWaited,
  NotWaitedOnEveryPath,
  Detached,
  ThreadEscapes,
  FutureEscapes
};

struct SpawnKind {
  Noun Name = Noun::Task;
  bool IsClass = false;         // constructing an object spawns (std::thread)
  bool IsAsync = false;         // std::async: the future's destructor waits
  bool Emplaced = false;        // threads.emplace_back(f): built inside the container
  const Expr *Object = nullptr; // g in g.go(...)
};

SpawnKind classifySpawn(const Expr *Spawn) {
  SpawnKind Kind;
  if (isa<CXXConstructExpr>(Spawn)) {
    Kind.IsClass = true;
    Kind.Name = Noun::Thread;
    return Kind;
  }
  if (const auto *Call = dyn_cast<CallExpr>(Spawn)) {
    std::string Name = qualifiedName(Call->getDirectCallee());
    StringRef N = normalizedName(Name);
    if (N == "std::async") {
      Kind.IsAsync = true;
      Kind.Name = Noun::AsyncTask;
    } else if (N == "goro::go" || N == "goro::errgroup::go" || N == "goro::errgroup::try_go") {
      Kind.Name = Noun::Goroutine;
    }
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
      Kind.Object = Member->getImplicitObjectArgument();
  }
  return Kind;
}

bool isEmplace(const CXXMethodDecl *M) {
  return M != nullptr && M->getIdentifier() != nullptr &&
         llvm::is_contained({"emplace_back", "emplace_front", "emplace"}, M->getName());
}

// Carriers are keyed by (declaration, field): (p, null) holds the writer as a
// whole, (ctx, w) only in its field w. Fields of *this use (field, subfield).
using Key = std::pair<const ValueDecl *, const FieldDecl *>;

struct Carrier {
  const ParmVarDecl *Writer = nullptr;
  SourceLocation Origin; // where it got the writer (invalid for the writer itself)
};

// How some expression reaches a writer.
struct Reach {
  const ParmVarDecl *Writer = nullptr;
  Key Via{nullptr, nullptr}; // the carrier used, unless it is the writer itself
  SourceLocation Origin;
  explicit operator bool() const { return Writer != nullptr; }
};

struct Use {
  const Stmt *At = nullptr;
  Reach R;
};

struct Handler {
  const FunctionDecl *Function = nullptr;
  const Stmt *Body = nullptr;
  bool IsLambda = false;
  // The parent of every statement in Body (lambda bodies included): a map
  // for this handler only, instead of the translation unit's parent map,
  // whose construction would cost more than the whole analysis.
  llvm::DenseMap<const Stmt *, const Stmt *> Parents;
  llvm::SmallVector<const Expr *, 8> Spawns;
  llvm::DenseSet<const Stmt *> SpawnSet;
  llvm::SmallVector<const ParmVarDecl *, 2> Writers;
  llvm::DenseMap<Key, Carrier> Carriers;
  llvm::DenseMap<const ValueDecl *, Key> AnyKey; // some carrier key per declaration
  bool HasThisCarriers = false;
};

struct Verdict {
  bool Outlives = false;
  Reason Why = Reason::NotWaited;
  SourceLocation UnwaitedExit;
};

struct CFGData {
  std::unique_ptr<CFG> Graph;
  llvm::DenseMap<const Stmt *, std::pair<const CFGBlock *, unsigned>> Where;
};

// One report: the spawn, how its work uses a writer, why it outlives.
struct Finding {
  const Expr *Spawn = nullptr;
  Use U;
  Verdict V;
};

void report(ClangTidyCheck &Check, const Finding &F, const SpawnKind &Kind,
            const std::string &HandlerName);

struct WaitSpec {
  llvm::SmallPtrSet<const ValueDecl *, 8> Referenced; // objects the spawned work names
  const VarDecl *Result = nullptr;                    // local initialized by the spawn
  const ValueDecl *Object = nullptr;                  // g in g.go(...)
};

enum class Fate : std::uint8_t { Discarded, Local, Detached, Escapes };

struct Destination {
  Fate F = Fate::Discarded;
  const VarDecl *Var = nullptr;
};

} // namespace

// Everything the check learns about one translation unit.
class ResponseAfterReturnAnalysis {
public:
  ResponseAfterReturnAnalysis(ASTContext &Ctx, const llvm::StringSet<> &ResponseNames,
                              const std::vector<StringRef> &SpawnFunctions)
      : Ctx(Ctx), ResponseNames(ResponseNames),
        FindSpawns(findAll(stmt(utils::spawnExpr(SpawnFunctions)).bind("spawn"))) {
    for (StringRef Name : SpawnFunctions)
      if (!normalizedName(Name).empty())
        SpawnNames.insert(normalizedName(Name));
  }

  ASTContext &context() const { return Ctx; }

  // Everything to report about the spawns whose innermost handler is FD.
  std::vector<Finding> analyzeHandler(const FunctionDecl *FD);
  const Handler *handlerOf(const FunctionDecl *FD) const {
    auto It = Handlers.find(FD);
    return It == Handlers.end() ? nullptr : It->second.get();
  }
  SpawnKind kindOf(const Expr *Spawn) const;

private:
  // Step 1: the levels from the spawn outwards, and which one is the handler.
  bool levels(const Stmt *S, llvm::SmallVectorImpl<Level> &Out, unsigned &HandlerIndex);
  Handler &handler(const FunctionDecl *FD);
  void indexBody(Handler &H);
  // Step 3.
  std::optional<Use> spawnUse(const Expr *Spawn, Handler &H);
  // Steps 4 and 5.
  Verdict verdict(const Expr *Spawn);
  // threads.emplace_back(f) on a container of a spawn class (std::thread):
  // the thread is constructed inside the library, out of the matcher's sight.
  bool isEmplacedSpawn(const Expr *E) const;
  bool isSpawn(const Stmt *S) const { return Current != nullptr && Current->SpawnSet.contains(S); }
  void collectCarriers(Handler &H);
  void collectIn(const Stmt *S, Handler &H, unsigned Depth);
  void considerVar(const VarDecl *VD, Handler &H);
  void addCarrier(Handler &H, Key K, const Reach &R, SourceLocation Origin);
  Reach lookup(const Handler &H, const Access &A) const;
  Reach carries(const Expr *E, Handler &H, unsigned Depth);
  std::optional<Use> useInLambda(const LambdaExpr *L, Handler &H, bool SkipOutliving,
                                 unsigned Depth);
  bool findUse(const Stmt *S, const LambdaExpr *L, bool CapturesThis, Handler &H,
               bool SkipOutliving, unsigned Depth, Use &Out);
  Reach methodUsesCarrier(const CXXMethodDecl *M, Handler &H, unsigned Depth,
                          llvm::SmallPtrSetImpl<const CXXMethodDecl *> &Seen);
  bool findThisUse(const Stmt *S, Handler &H, unsigned Depth,
                   llvm::SmallPtrSetImpl<const CXXMethodDecl *> &Seen, Reach &Out);

  Destination destinationOf(const Expr *E, const Level &L, unsigned Depth);
  Destination fateOfTarget(const Expr *Target, const Level &L, unsigned Depth);
  Destination localFate(const VarDecl *VD, const Level &L, unsigned Depth);
  void referencedBy(const Stmt *S, WaitSpec &W, unsigned Depth);
  bool isWait(const Stmt *S, const WaitSpec &W);
  void collectWaits(const Stmt *S, const WaitSpec &W, llvm::DenseSet<const Stmt *> &Waits,
                    llvm::DenseSet<const VarDecl *> &WaitingGuards);
  CFGData *cfgFor(const Level &L);
  bool waitedOnEveryPath(const Level &L, const Stmt *Point, const WaitSpec &W, bool &AnyWait,
                         SourceLocation &UnwaitedExit);

  // The parent within the handler being analysed; nullptr at its body.
  const Stmt *parentOf(const Stmt *S) const {
    if (Current == nullptr || S == nullptr)
      return nullptr;
    auto It = Current->Parents.find(S);
    return It == Current->Parents.end() ? nullptr : It->second;
  }

  ASTContext &Ctx;
  const llvm::StringSet<> &ResponseNames;
  ast_matchers::internal::Matcher<Stmt> FindSpawns;
  llvm::StringSet<> SpawnNames;
  Handler *Current = nullptr; // the handler being analysed
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<Handler>> Handlers;
  llvm::DenseMap<const Expr *, Verdict> Verdicts;
  llvm::DenseSet<const Expr *> InProgress;
  llvm::DenseMap<const Stmt *, std::unique_ptr<CFGData>> CFGs;
};

bool ResponseAfterReturnAnalysis::isEmplacedSpawn(const Expr *E) const {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(E);
  if (Call == nullptr || !isEmplace(Call->getMethodDecl()) ||
      Call->getImplicitObjectArgument() == nullptr)
    return false;
  const auto *Container = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      recordOf(Call->getImplicitObjectArgument()->getType()));
  if (Container == nullptr || Container->getTemplateArgs().size() == 0)
    return false;
  const TemplateArgument &Element = Container->getTemplateArgs()[0];
  if (Element.getKind() != TemplateArgument::Type)
    return false;
  const CXXRecordDecl *RD = recordOf(Element.getAsType());
  return RD != nullptr && SpawnNames.contains(normalizedName(qualifiedName(RD)));
}

SpawnKind ResponseAfterReturnAnalysis::kindOf(const Expr *SpawnE) const {
  if (!isEmplacedSpawn(SpawnE))
    return classifySpawn(SpawnE);
  SpawnKind Kind;
  Kind.IsClass = true;
  Kind.Emplaced = true;
  Kind.Name = Noun::Thread;
  return Kind;
}

bool ResponseAfterReturnAnalysis::levels(const Stmt *S, llvm::SmallVectorImpl<Level> &Out,
                                         unsigned &HandlerIndex) {
  if (Current == nullptr)
    return false;
  const Stmt *Node = S;
  const Stmt *Point = S;
  // Up to the handler's body; a lambda is a level when we leave its body
  // (its capture initializers are evaluated by the enclosing function).
  for (unsigned Step = 0; Node != Current->Body; ++Step) {
    const Stmt *Parent = parentOf(Node);
    if (Parent == nullptr || Step > 4096)
      return false;
    if (const auto *Lambda = dyn_cast<LambdaExpr>(Parent);
        Lambda != nullptr && Node == Lambda->getBody()) {
      const FunctionDecl *Op = Lambda->getCallOperator();
      if (Op == nullptr)
        return false;
      Out.push_back({Op, Lambda, Lambda->getBody(), Point});
      Point = Lambda;
    }
    Node = Parent;
  }
  Out.push_back({Current->Function, nullptr, Current->Body, Point});
  bool FoundHandler = false;
  for (unsigned I = 0; I < Out.size() && !FoundHandler; ++I) {
    const FunctionDecl *F = Out[I].Function;
    if (F == nullptr || F->isDependentContext() || F->isInvalidDecl())
      return false; // template patterns: only their instantiations are analysed
    if (llvm::any_of(F->parameters(),
                     [this](const ParmVarDecl *P) { return isResponseParam(P, ResponseNames); })) {
      FoundHandler = true;
      HandlerIndex = I;
    }
  }
  return FoundHandler;
}

Handler &ResponseAfterReturnAnalysis::handler(const FunctionDecl *FD) {
  std::unique_ptr<Handler> &Slot = Handlers[FD];
  if (Slot)
    return *Slot;
  Slot = std::make_unique<Handler>();
  Slot->Function = FD;
  Slot->Body = FD->getBody();
  const auto *Method = dyn_cast<CXXMethodDecl>(FD);
  Slot->IsLambda =
      Method != nullptr && Method->getParent() != nullptr && Method->getParent()->isLambda();
  Current = Slot.get();
  indexBody(*Slot);
  for (const ParmVarDecl *P : FD->parameters())
    if (isResponseParam(P, ResponseNames)) {
      Slot->Writers.push_back(P);
      Key K{P, nullptr};
      Slot->Carriers[K] = {P, SourceLocation()};
      Slot->AnyKey[P] = K;
    }
  collectCarriers(*Slot);
  return *Slot;
}

void ResponseAfterReturnAnalysis::indexBody(Handler &H) {
  if (H.Body == nullptr)
    return;
  llvm::SmallVector<const Stmt *, 64> Work{H.Body};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    // threads_.emplace_back(f) is a spawn the matcher below cannot see.
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S); Call != nullptr && isEmplacedSpawn(Call))
      if (H.SpawnSet.insert(Call).second)
        H.Spawns.push_back(Call);
    for (const Stmt *Child : S->children())
      if (Child != nullptr && H.Parents.try_emplace(Child, S).second)
        Work.push_back(Child);
  }
  for (const ast_matchers::BoundNodes &Nodes : match(FindSpawns, *H.Body, Ctx))
    if (const auto *Spawn = Nodes.getNodeAs<Expr>("spawn");
        Spawn != nullptr && H.SpawnSet.insert(Spawn).second)
      H.Spawns.push_back(Spawn);
}

std::vector<Finding> ResponseAfterReturnAnalysis::analyzeHandler(const FunctionDecl *FD) {
  if (FD == nullptr || !FD->doesThisDeclarationHaveABody() || FD->getBody() == nullptr ||
      FD->isDependentContext() || FD->isInvalidDecl())
    return {};
  Handler &H = handler(FD);
  Current = &H;
  std::vector<Finding> Out;
  for (const Expr *Spawn : H.Spawns) {
    llvm::SmallVector<Level, 4> Levels;
    unsigned HandlerIndex = 0;
    // A spawn inside a lambda that is a handler itself is that handler's.
    if (!levels(Spawn, Levels, HandlerIndex) || HandlerIndex + 1 != Levels.size())
      continue;
    std::optional<Use> U = spawnUse(Spawn, H);
    if (!U || U->At == nullptr || U->R.Writer == nullptr)
      continue;
    Verdict V = verdict(Spawn);
    if (V.Outlives)
      Out.push_back({Spawn, *U, V});
  }
  Current = nullptr;
  return Out;
}

void ResponseAfterReturnAnalysis::addCarrier(Handler &H, Key K, const Reach &R,
                                             SourceLocation Origin) {
  if (K.first == nullptr || H.Carriers.count(K) != 0)
    return;
  H.Carriers[K] = {R.Writer, Origin};
  H.AnyKey.try_emplace(K.first, K);
  if (isa<FieldDecl>(K.first))
    H.HasThisCarriers = true;
}

void ResponseAfterReturnAnalysis::collectCarriers(Handler &H) {
  const Stmt *Body = H.Function->getBody();
  if (Body == nullptr)
    return;
  // Flow-insensitive: repeat until nothing new is learned (`q = p` before
  // `p = &w` in the text still makes q a carrier). Bounded for safety.
  for (unsigned Round = 0; Round < 6; ++Round) {
    size_t Before = H.Carriers.size();
    collectIn(Body, H, 0);
    if (H.Carriers.size() == Before)
      break;
  }
}

void ResponseAfterReturnAnalysis::considerVar(const VarDecl *VD, Handler &H) {
  const Expr *Init = VD->getInit();
  if (Init == nullptr || H.Carriers.count(Key{VD, nullptr}) != 0)
    return;
  QualType T = VD->getType();
  if (T.isNull() || T->isDependentType())
    return;
  // An aggregate initialized field by field: remember which field holds it.
  if (const auto *List = dyn_cast<InitListExpr>(strip(Init))) {
    const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
    if (RD != nullptr && RD->hasDefinition() && !RD->isUnion() && !T->isReferenceType()) {
      unsigned I = RD->getNumBases();
      for (const FieldDecl *Field : RD->fields()) {
        if (I >= List->getNumInits())
          break;
        if (Reach R = carries(List->getInit(I), H, 0))
          addCarrier(H, Key{VD, Field}, R, VD->getLocation());
        ++I;
      }
      return;
    }
  }
  if (Reach R = carries(Init, H, 0))
    addCarrier(H, Key{VD, nullptr}, R, VD->getLocation());
}

void ResponseAfterReturnAnalysis::collectIn(const Stmt *S, Handler &H, unsigned Depth) {
  if (S == nullptr || Depth > 256)
    return;
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls())
      if (const auto *VD = dyn_cast<VarDecl>(D))
        considerVar(VD, H);
  } else if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &C : Lambda->captures())
      if (C.capturesVariable())
        if (const auto *VD = dyn_cast_or_null<VarDecl>(C.getCapturedVar());
            VD != nullptr && VD->isInitCapture())
          considerVar(VD, H);
  } else if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
    if (BO->getOpcode() == BO_Assign)
      if (Reach R = carries(BO->getRHS(), H, 0))
        if (std::optional<Access> A = accessPath(BO->getLHS()))
          addCarrier(H, Key{A->Root, A->Field}, R, BO->getLHS()->getBeginLoc());
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
      if (Reach R = carries(Op->getArg(1), H, 0))
        if (std::optional<Access> A = accessPath(Op->getArg(0)))
          addCarrier(H, Key{A->Root, A->Field}, R, Op->getArg(0)->getBeginLoc());
  } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    // writers.push_back(&w): the container now holds the writer.
    if (isInsertion(Call->getMethodDecl()))
      for (const Expr *Arg : Call->arguments())
        if (Reach R = carries(Arg, H, 0)) {
          if (std::optional<Access> A = accessPath(Call->getImplicitObjectArgument()))
            addCarrier(H, Key{A->Root, A->Field}, R, Call->getBeginLoc());
          break;
        }
  }
  for (const Stmt *Child : S->children())
    collectIn(Child, H, Depth + 1);
}

Reach ResponseAfterReturnAnalysis::lookup(const Handler &H, const Access &A) const {
  auto Found = [&](Key K) -> Reach {
    auto It = H.Carriers.find(K);
    if (It == H.Carriers.end())
      return {};
    Reach R;
    R.Writer = It->second.Writer;
    if (It->second.Origin.isValid()) {
      R.Via = K;
      R.Origin = It->second.Origin;
    }
    return R;
  };
  if (Reach R = Found(Key{A.Root, nullptr}))
    return R;
  if (A.Field != nullptr)
    return Found(Key{A.Root, A.Field});
  // The whole object: any field that holds a writer comes along.
  auto It = H.AnyKey.find(A.Root);
  return It == H.AnyKey.end() ? Reach() : Found(It->second);
}

Reach ResponseAfterReturnAnalysis::carries(const Expr *E, Handler &H, unsigned Depth) {
  if (E == nullptr || Depth > 12)
    return {};
  QualType T = E->getType();
  if (T.isNull() || T->isDependentType())
    return {};
  // Only a pointer, a reference, an object or an array of them can hold a
  // writer; `bool ok = p` or `size_t n = w.write(...)` cannot.
  if (!T->isPointerType() && !T->isReferenceType() && !T->isRecordType() && !T->isArrayType())
    return {};
  E = strip(E);
  if (E == nullptr)
    return {};
  if (isa<DeclRefExpr, MemberExpr>(E)) {
    if (std::optional<Access> A = accessPath(E)) {
      if (A->ViaThis && !H.HasThisCarriers)
        return {};
      return lookup(H, *A);
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E))
      return carries(ME->getBase(), H, Depth + 1);
    return {};
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
    if (UO->getOpcode() == UO_AddrOf || UO->getOpcode() == UO_Deref)
      return carries(UO->getSubExpr(), H, Depth + 1);
    return {};
  }
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
    return carries(Subscript->getBase(), H, Depth + 1);
  if (const auto *Cond = dyn_cast<AbstractConditionalOperator>(E)) {
    if (Reach R = carries(Cond->getTrueExpr(), H, Depth + 1))
      return R;
    return carries(Cond->getFalseExpr(), H, Depth + 1);
  }
  if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
    if (BO->getOpcode() == BO_Comma)
      return carries(BO->getRHS(), H, Depth + 1);
    return {};
  }
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E)) {
    if (std::optional<Use> U = useInLambda(Lambda, H, /*SkipOutliving=*/false, Depth + 1))
      return U->R;
    return {};
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    // Wrappers that keep the identity of what they are given.
    if (isStdFunction(Callee, {"ref", "cref", "addressof", "move", "forward", "as_const", "bind",
                               "bind_front"})) {
      for (const Expr *Arg : Call->arguments())
        if (Reach R = carries(Arg, H, Depth + 1))
          return R;
      return {};
    }
    // Anything else hands out a writer only as a pointer or a reference
    // (`w.headers()`); a value computed from a writer is just a value.
    QualType Ret = Call->getCallReturnType(Ctx);
    if (Ret.isNull() || !(Ret->isPointerType() || Ret->isReferenceType()))
      return {};
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
      if (Reach R = carries(Member->getImplicitObjectArgument(), H, Depth + 1))
        return R;
    for (const Expr *Arg : Call->arguments())
      if (Reach R = carries(Arg, H, Depth + 1))
        return R;
    return {};
  }
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    // An object keeps a writer only if its constructor receives one by
    // reference or pointer (or copies a carrier).
    const CXXConstructorDecl *Ctor = Construct->getConstructor();
    for (unsigned I = 0; I < Construct->getNumArgs(); ++I) {
      QualType Param;
      if (Ctor != nullptr && I < Ctor->getNumParams())
        Param = Ctor->getParamDecl(I)->getType();
      if (!Param.isNull() &&
          !(Param->isReferenceType() || Param->isPointerType() || Param->isRecordType()))
        continue;
      if (Reach R = carries(Construct->getArg(I), H, Depth + 1))
        return R;
    }
    return {};
  }
  if (const auto *List = dyn_cast<InitListExpr>(E)) {
    for (const Expr *Init : List->inits())
      if (Reach R = carries(Init, H, Depth + 1))
        return R;
    return {};
  }
  if (const auto *List = dyn_cast<CXXParenListInitExpr>(E)) {
    for (const Expr *Init : List->getInitExprs())
      if (Reach R = carries(Init, H, Depth + 1))
        return R;
    return {};
  }
  return {};
}

// Whether D is declared in L's body (a local of the spawned lambda or of a
// lambda nested in it), as opposed to captured from outside. L's own
// init-captures count as captured: their initializers run at the spawn.
static bool declaredInside(const ValueDecl *D, const LambdaExpr *L) {
  // Any call operator of L's class: a generic lambda has one per
  // instantiation, and its locals belong to that one.
  const CXXRecordDecl *Closure = L->getLambdaClass();
  auto IsOwnOperator = [Closure](const DeclContext *DC) {
    const auto *Method = dyn_cast_or_null<CXXMethodDecl>(DC);
    return Method != nullptr && Closure != nullptr && Method->getParent() == Closure;
  };
  if (Closure == nullptr)
    return false;
  if (const auto *VD = dyn_cast<VarDecl>(D);
      VD != nullptr && VD->isInitCapture() && IsOwnOperator(VD->getDeclContext()))
    return false;
  for (const DeclContext *DC = D->getDeclContext(); DC != nullptr; DC = DC->getParent())
    if (IsOwnOperator(DC))
      return true;
  return false;
}

static bool capturesThis(const LambdaExpr *L) {
  return llvm::any_of(L->captures(), [](const LambdaCapture &C) { return C.capturesThis(); });
}

std::optional<Use> ResponseAfterReturnAnalysis::useInLambda(const LambdaExpr *L, Handler &H,
                                                            bool SkipOutliving, unsigned Depth) {
  if (L == nullptr || Depth > 12 || L->getBody() == nullptr)
    return std::nullopt;
  Use Out;
  if (findUse(L->getBody(), L, capturesThis(L), H, SkipOutliving, Depth, Out))
    return Out;
  return std::nullopt;
}

bool ResponseAfterReturnAnalysis::findUse(const Stmt *S, const LambdaExpr *L, bool CapturesThis,
                                          Handler &H, bool SkipOutliving, unsigned Depth,
                                          Use &Out) {
  if (S == nullptr || Depth > 256)
    return false;
  // Not evaluated: sizeof(w), alignof, noexcept(...).
  if (isa<UnaryExprOrTypeTraitExpr, CXXNoexceptExpr>(S))
    return false;
  if (const auto *E = dyn_cast<Expr>(S)) {
    // A nested spawn that itself outlives reports its own use; counting it
    // here too would warn twice about one mistake.
    if (SkipOutliving && isSpawn(E) && verdict(E).Outlives)
      return false;
    if (isa<DeclRefExpr, MemberExpr>(E)) {
      if (std::optional<Access> A = accessPath(E)) {
        if (A->ViaThis ? !CapturesThis : declaredInside(A->Root, L))
          return false;
        if (A->ViaThis && !H.HasThisCarriers)
          return false;
        if (Reach R = lookup(H, *A)) {
          Out.At = E;
          Out.R = R;
          return true;
        }
        return false;
      }
    }
    // A member function of *this that reads a carrier member.
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
        Call != nullptr && CapturesThis && H.HasThisCarriers &&
        isa<CXXThisExpr>(strip(Call->getImplicitObjectArgument()))) {
      llvm::SmallPtrSet<const CXXMethodDecl *, 8> Seen;
      if (Reach R = methodUsesCarrier(Call->getMethodDecl(), H, 0, Seen)) {
        Out.At = Call;
        Out.R = R;
        return true;
      }
    }
  }
  if (const auto *Nested = dyn_cast<LambdaExpr>(S)) {
    // Its explicit init-captures are evaluated here; the rest is its body.
    for (const LambdaCapture &C : Nested->captures())
      if (C.capturesVariable())
        if (const auto *VD = dyn_cast_or_null<VarDecl>(C.getCapturedVar());
            VD != nullptr && VD->isInitCapture() &&
            findUse(VD->getInit(), L, CapturesThis, H, SkipOutliving, Depth + 1, Out))
          return true;
    return findUse(Nested->getBody(), L, CapturesThis, H, SkipOutliving, Depth + 1, Out);
  }
  for (const Stmt *Child : S->children())
    if (findUse(Child, L, CapturesThis, H, SkipOutliving, Depth + 1, Out))
      return true;
  return false;
}

Reach ResponseAfterReturnAnalysis::methodUsesCarrier(
    const CXXMethodDecl *M, Handler &H, unsigned Depth,
    llvm::SmallPtrSetImpl<const CXXMethodDecl *> &Seen) {
  if (M == nullptr || Depth > 3 || !Seen.insert(M).second)
    return {};
  const FunctionDecl *Def = nullptr;
  if (!M->hasBody(Def) || Def == nullptr || Def->isDependentContext())
    return {};
  Reach Out;
  findThisUse(Def->getBody(), H, Depth, Seen, Out);
  return Out;
}

bool ResponseAfterReturnAnalysis::findThisUse(const Stmt *S, Handler &H, unsigned Depth,
                                              llvm::SmallPtrSetImpl<const CXXMethodDecl *> &Seen,
                                              Reach &Out) {
  if (S == nullptr)
    return false;
  if (const auto *ME = dyn_cast<MemberExpr>(S))
    if (std::optional<Access> A = accessPath(ME); A && A->ViaThis)
      if (Reach R = lookup(H, *A)) {
        Out = R;
        return true;
      }
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
      Call != nullptr && isa<CXXThisExpr>(strip(Call->getImplicitObjectArgument())))
    if (Reach R = methodUsesCarrier(Call->getMethodDecl(), H, Depth + 1, Seen)) {
      Out = R;
      return true;
    }
  for (const Stmt *Child : S->children())
    if (findThisUse(Child, H, Depth, Seen, Out))
      return true;
  return false;
}

std::optional<Use> ResponseAfterReturnAnalysis::spawnUse(const Expr *SpawnE, Handler &H) {
  llvm::ArrayRef<const Expr *> Args = utils::spawnArguments(SpawnE);
  for (const Expr *Arg : Args) {
    if (Arg == nullptr || isa<CXXDefaultArgExpr>(Arg))
      continue;
    if (const LambdaExpr *Lambda = utils::callableLambda(Arg)) {
      if (std::optional<Use> U = useInLambda(Lambda, H, /*SkipOutliving=*/true, 0))
        return U;
      continue;
    }
    if (Reach R = carries(Arg, H, 0))
      return Use{Arg, R};
  }
  // goro::go(&Server::respond, this): the member function reads a carrier.
  if (H.HasThisCarriers && Args.size() >= 2 && isa<CXXThisExpr>(strip(Args[1])))
    if (const auto *Addr = dyn_cast<UnaryOperator>(strip(Args[0]));
        Addr != nullptr && Addr->getOpcode() == UO_AddrOf)
      if (const auto *Ref = dyn_cast<DeclRefExpr>(strip(Addr->getSubExpr()))) {
        llvm::SmallPtrSet<const CXXMethodDecl *, 8> Seen;
        if (Reach R = methodUsesCarrier(dyn_cast<CXXMethodDecl>(Ref->getDecl()), H, 0, Seen))
          return Use{Args[1], R};
      }
  return std::nullopt;
}

// ---------------------------------------------------------------- lifetime

Destination ResponseAfterReturnAnalysis::localFate(const VarDecl *VD, const Level &L,
                                                   unsigned Depth) {
  Destination Local{Fate::Local, VD};
  if (Depth > 4 || L.Body == nullptr)
    return Local;
  // Every mention of the variable: detach() lets go of it, std::move(v) and
  // v.share() hand it on (to wherever that expression goes).
  llvm::SmallVector<const Stmt *, 32> Work{L.Body};
  Destination Result = Local;
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (S == nullptr)
      continue;
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
      const CXXMethodDecl *M = Call->getMethodDecl();
      if (rootOf(Call->getImplicitObjectArgument()) == VD && M != nullptr) {
        if (hasName(M, "detach"))
          return {Fate::Detached, VD};
        if (hasName(M, "share")) {
          Destination D = destinationOf(Call, L, Depth + 1);
          if (D.F == Fate::Escapes || D.F == Fate::Detached)
            Result = D;
        }
      }
    } else if (const auto *Call = dyn_cast<CallExpr>(S)) {
      if (isStdFunction(Call->getDirectCallee(), {"move", "forward"}) && Call->getNumArgs() == 1 &&
          rootOf(Call->getArg(0)) == VD) {
        Destination D = destinationOf(Call, L, Depth + 1);
        if (D.F == Fate::Escapes || D.F == Fate::Detached)
          Result = D;
      }
    }
    for (const Stmt *Child : S->children())
      Work.push_back(Child);
  }
  return Result;
}

Destination ResponseAfterReturnAnalysis::fateOfTarget(const Expr *Target, const Level &L,
                                                      unsigned Depth) {
  std::optional<Access> A = accessPath(Target);
  if (!A || A->ViaThis)
    return {Fate::Escapes}; // a member of *this, or something we cannot name
  const auto *VD = dyn_cast<VarDecl>(A->Root);
  if (VD == nullptr || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage() ||
      VD->getType()->isReferenceType())
    return {Fate::Escapes}; // a global, a static, the caller's object
  return localFate(VD, L, Depth);
}

Destination ResponseAfterReturnAnalysis::destinationOf(const Expr *E, const Level &L,
                                                       unsigned Depth) {
  const Expr *Cur = E;
  for (unsigned Step = 0; Step < 64; ++Step) {
    const Stmt *PS = parentOf(Cur);
    if (PS == nullptr)
      return {Fate::Discarded};
    if (const auto *DS = dyn_cast<DeclStmt>(PS)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D); VD != nullptr && VD->getInit() == Cur) {
          if (!VD->hasLocalStorage())
            return {Fate::Escapes}; // a static local outlives every call
          return localFate(VD, L, Depth);
        }
      return {Fate::Discarded};
    }
    if (isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr, ParenExpr,
            ExprWithCleanups, ConstantExpr, ExplicitCastExpr, InitListExpr, CXXParenListInitExpr,
            CXXConstructExpr>(PS)) {
      Cur = cast<Expr>(PS);
      continue;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(PS)) {
      const ValueDecl *Member = ME->getMemberDecl();
      if (hasName(Member, "detach"))
        return {Fate::Detached};
      if (hasName(Member, "share")) {
        const auto *Call = dyn_cast_or_null<Expr>(parentOf(ME));
        if (Call == nullptr)
          return {Fate::Discarded};
        Cur = Call;
        continue;
      }
      return {Fate::Discarded}; // t.join(), f.get(), ...: used and dropped here
    }
    if (const auto *Call = dyn_cast<CallExpr>(PS)) {
      if (isStdFunction(Call->getDirectCallee(), {"move", "forward"})) {
        Cur = Call;
        continue;
      }
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
        if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 && Op->getArg(1) == Cur)
          return fateOfTarget(Op->getArg(0), L, Depth);
        return {Fate::Escapes};
      }
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
        return fateOfTarget(Member->getImplicitObjectArgument(), L, Depth);
      return {Fate::Escapes}; // handed to a function we do not follow
    }
    if (const auto *BO = dyn_cast<BinaryOperator>(PS)) {
      if (BO->getOpcode() == BO_Assign && BO->getRHS() == Cur)
        return fateOfTarget(BO->getLHS(), L, Depth);
      return {Fate::Discarded};
    }
    if (isa<ReturnStmt, CoreturnStmt, CXXNewExpr, LambdaExpr, CXXThrowExpr>(PS))
      return {Fate::Escapes};
    return {Fate::Discarded}; // an expression statement
  }
  return {Fate::Discarded};
}

// ---------------------------------------------------------------- waits

void ResponseAfterReturnAnalysis::referencedBy(const Stmt *S, WaitSpec &W, unsigned Depth) {
  if (S == nullptr || Depth > 256)
    return;
  if (const auto *E = dyn_cast<Expr>(S); E != nullptr && isa<DeclRefExpr, MemberExpr>(E))
    if (std::optional<Access> A = accessPath(E))
      W.Referenced.insert(A->Root);
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
    if (const LambdaExpr *Lambda = utils::callableLambda(Ref))
      if (Lambda->getBody() != nullptr && Depth < 64)
        referencedBy(Lambda->getBody(), W, Depth + 1);
  if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &C : Lambda->captures())
      if (C.capturesVariable())
        if (const auto *VD = dyn_cast_or_null<VarDecl>(C.getCapturedVar());
            VD != nullptr && VD->isInitCapture())
          referencedBy(VD->getInit(), W, Depth + 1);
    referencedBy(Lambda->getBody(), W, Depth + 1);
    return;
  }
  for (const Stmt *Child : S->children())
    referencedBy(Child, W, Depth + 1);
}

bool ResponseAfterReturnAnalysis::isWait(const Stmt *S, const WaitSpec &W) {
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *M = Call->getMethodDecl();
    if (M == nullptr || M->getIdentifier() == nullptr)
      return false;
    StringRef Name = M->getName();
    const ValueDecl *Root = rootOf(Call->getImplicitObjectArgument());
    if (Root == nullptr)
      return false;
    if (Root == W.Result && llvm::is_contained({"get", "wait", "join"}, Name))
      return true;
    if (Root == W.Object && llvm::is_contained({"wait", "join"}, Name))
      return true;
    if (W.Referenced.contains(Root)) {
      if (llvm::is_contained({"wait", "join", "recv", "arrive_and_wait", "acquire"}, Name))
        return true;
      if (Name == "get") {
        StringRef Class = normalizedName(qualifiedName(M->getParent()));
        return Class == "std::future" || Class == "std::shared_future";
      }
    }
    // auto f = done.get_future(); ... f.get(), where the work sets `done`.
    if (llvm::is_contained({"get", "wait"}, Name))
      if (const auto *VD = dyn_cast<VarDecl>(Root); VD != nullptr && VD->getInit() != nullptr)
        if (const auto *Get = dyn_cast<CXXMemberCallExpr>(strip(VD->getInit())))
          if (hasName(Get->getMethodDecl(), "get_future") &&
              W.Referenced.contains(rootOf(Get->getImplicitObjectArgument())))
            return true;
    return false;
  }
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (Callee == nullptr)
      return false;
    if (normalizedName(qualifiedName(Callee)) == "goro::select") {
      for (const Expr *Arg : Call->arguments())
        if (const auto *Case = dyn_cast<CallExpr>(strip(Arg));
            Case != nullptr && Case->getNumArgs() >= 1 &&
            normalizedName(qualifiedName(Case->getDirectCallee())) == "goro::on_recv" &&
            W.Referenced.contains(rootOf(Case->getArg(0))))
          return true;
      return false;
    }
    if (isSpawn(Call) || isa<CXXOperatorCallExpr>(Call))
      return false;
    // A wait_group (or channel, latch, ...) the work references, handed by
    // reference or pointer to a function: that function may wait on it.
    for (unsigned I = 0; I < Call->getNumArgs() && I < Callee->getNumParams(); ++I) {
      QualType Param = Callee->getParamDecl(I)->getType();
      if (Param.isNull() || !(Param->isReferenceType() || Param->isPointerType()))
        continue;
      const Expr *Arg = strip(Call->getArg(I));
      if (const auto *Addr = dyn_cast<UnaryOperator>(Arg);
          Addr != nullptr && Addr->getOpcode() == UO_AddrOf)
        Arg = Addr->getSubExpr();
      const ValueDecl *Root = rootOf(Arg);
      if (Root != nullptr && W.Referenced.contains(Root) &&
          hasMethodNamed(recordOf(Root->getType()),
                         {"wait", "join", "recv", "arrive_and_wait", "acquire"}))
        return true;
    }
  }
  return false;
}

void ResponseAfterReturnAnalysis::collectWaits(const Stmt *Body, const WaitSpec &W,
                                               llvm::DenseSet<const Stmt *> &Waits,
                                               llvm::DenseSet<const VarDecl *> &WaitingGuards) {
  llvm::SmallVector<const Stmt *, 64> Work{Body};
  llvm::SmallVector<const VarDecl *, 8> Guards;
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (S == nullptr)
      continue;
    if (isWait(S, W))
      Waits.insert(S);
    if (const auto *For = dyn_cast<CXXForRangeStmt>(S)) {
      // for (auto v : ch): receives until ch is closed.
      const Expr *Range = For->getRangeInit();
      const ValueDecl *Root = Range != nullptr ? rootOf(Range) : nullptr;
      if (Root != nullptr && W.Referenced.contains(Root) &&
          hasMethodNamed(recordOf(Range->getType()), {"recv"})) {
        Waits.insert(For);
        Waits.insert(Range);
        if (For->getRangeStmt() != nullptr)
          Waits.insert(For->getRangeStmt());
      }
    }
    if (const auto *DS = dyn_cast<DeclStmt>(S))
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D); VD != nullptr && VD->hasLocalStorage() &&
                                                   VD->getInit() != nullptr &&
                                                   isScopeGuard(VD->getType()))
          Guards.push_back(VD);
    for (const Stmt *Child : S->children())
      Work.push_back(Child);
  }
  // goro::defer d([&] { wg.wait(); }): the wait runs when d is destroyed.
  for (const VarDecl *VD : Guards) {
    llvm::SmallVector<const Stmt *, 16> Inner{VD->getInit()};
    bool HasLambda = false, Waits_ = false;
    while (!Inner.empty() && !Waits_) {
      const Stmt *S = Inner.pop_back_val();
      if (S == nullptr)
        continue;
      if (isa<LambdaExpr>(S))
        HasLambda = true;
      if (HasLambda && Waits.contains(S))
        Waits_ = true;
      for (const Stmt *Child : S->children())
        Inner.push_back(Child);
    }
    if (Waits_)
      WaitingGuards.insert(VD);
  }
}

CFGData *ResponseAfterReturnAnalysis::cfgFor(const Level &L) {
  std::unique_ptr<CFGData> &Slot = CFGs[L.Body];
  if (Slot)
    return Slot->Graph ? Slot.get() : nullptr;
  Slot = std::make_unique<CFGData>();
  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true; // scope guards that wait in their destructor
  Options.AddTemporaryDtors = false;
  Options.setAllAlwaysAdd();
  Slot->Graph = CFG::buildCFG(L.Function, const_cast<Stmt *>(L.Body), &Ctx, Options);
  if (!Slot->Graph)
    return nullptr;
  for (const CFGBlock *Block : *Slot->Graph) {
    if (Block == nullptr)
      continue;
    unsigned Index = 0;
    for (const CFGElement &Element : *Block) {
      if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>())
        Slot->Where.try_emplace(S->getStmt(), Block, Index);
      ++Index;
    }
  }
  return Slot.get();
}

bool ResponseAfterReturnAnalysis::waitedOnEveryPath(const Level &L, const Stmt *Point,
                                                    const WaitSpec &W, bool &AnyWait,
                                                    SourceLocation &UnwaitedExit) {
  llvm::DenseSet<const Stmt *> Waits;
  llvm::DenseSet<const VarDecl *> Guards;
  collectWaits(L.Body, W, Waits, Guards);
  AnyWait = false;
  if (Waits.empty())
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  auto SourceOrderFallback = [&] {
    // No CFG: trust any wait written after the spawn (precision first).
    for (const Stmt *S : Waits)
      if (SM.isBeforeInTranslationUnit(Point->getEndLoc(), S->getBeginLoc()))
        return AnyWait = true;
    return false;
  };
  CFGData *G = cfgFor(L);
  if (G == nullptr)
    return SourceOrderFallback();
  // The CFG element for the point, or for the closest enclosing statement.
  const Stmt *At = Point;
  auto Found = G->Where.find(At);
  for (unsigned Step = 0; Found == G->Where.end() && Step < 64; ++Step) {
    At = parentOf(At);
    if (At == nullptr || At == L.Body)
      break;
    Found = G->Where.find(At);
  }
  if (Found == G->Where.end())
    return SourceOrderFallback();

  // Depth-first over the blocks after the point: a path is covered when it
  // meets a wait. Every block is explored, so that AnyWait says whether some
  // path after the point waits, and the exit reported is the earliest
  // uncovered one in the source.
  AnyWait = false;
  bool Uncovered = false;
  const CFGBlock *Exit = &G->Graph->getExit();
  llvm::SmallVector<std::pair<const CFGBlock *, unsigned>, 16> Work;
  llvm::DenseSet<const CFGBlock *> Seen;
  Work.push_back({Found->second.first, Found->second.second + 1});
  while (!Work.empty()) {
    auto [Block, Start] = Work.pop_back_val();
    bool Covered = false;
    const Stmt *Leaving = nullptr;
    for (unsigned I = Start; I < Block->size() && !Covered; ++I) {
      CFGElement Element = (*Block)[I];
      if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>()) {
        const Stmt *St = S->getStmt();
        if (Waits.contains(St))
          Covered = true;
        else if (isa<ReturnStmt, CXXThrowExpr, CoreturnStmt>(St))
          Leaving = St;
      } else if (std::optional<CFGAutomaticObjDtor> D = Element.getAs<CFGAutomaticObjDtor>()) {
        if (Guards.contains(D->getVarDecl()))
          Covered = true;
      }
    }
    if (Covered) {
      AnyWait = true;
      continue;
    }
    if (Block->hasNoReturnElement())
      continue;
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs()) {
      const CFGBlock *Next = Succ.getReachableBlock();
      if (Next == nullptr)
        continue;
      if (Next == Exit) {
        SourceLocation Loc = Leaving != nullptr ? Leaving->getBeginLoc() : L.Body->getEndLoc();
        if (!Uncovered || (Loc.isValid() && SM.isBeforeInTranslationUnit(Loc, UnwaitedExit)))
          UnwaitedExit = Loc;
        Uncovered = true;
        continue;
      }
      if (Seen.insert(Next).second)
        Work.push_back({Next, 0});
    }
  }
  return !Uncovered;
}

Verdict ResponseAfterReturnAnalysis::verdict(const Expr *SpawnE) {
  if (auto It = Verdicts.find(SpawnE); It != Verdicts.end())
    return It->second;
  if (!InProgress.insert(SpawnE).second)
    return {}; // cannot happen for well-formed code; never loop
  Verdict V = [&]() -> Verdict {
    llvm::SmallVector<Level, 4> Levels;
    unsigned HandlerIndex = 0;
    if (!levels(SpawnE, Levels, HandlerIndex) || Levels.empty())
      return {};
    SpawnKind Kind = kindOf(SpawnE);
    Destination D = Kind.Emplaced
                        ? fateOfTarget(cast<CXXMemberCallExpr>(SpawnE)->getImplicitObjectArgument(),
                                       Levels[0], 0)
                        : destinationOf(SpawnE, Levels[0], 0);
    Verdict Out;
    Out.Outlives = true;
    if (Kind.IsClass) {
      if (D.F == Fate::Detached)
        Out.Why = Reason::Detached;
      else if (D.F == Fate::Escapes)
        Out.Why = Reason::ThreadEscapes;
      else
        return {}; // joined, or destroyed (std::terminate, or jthread joins)
    } else if (Kind.IsAsync) {
      if (D.F != Fate::Escapes && D.F != Fate::Detached)
        return {}; // the future's destructor waits before the handler returns
      Out.Why = Reason::FutureEscapes;
    }
    WaitSpec W;
    for (const Expr *Arg : utils::spawnArguments(SpawnE))
      referencedBy(Arg, W, 0);
    if (D.F == Fate::Local)
      W.Result = D.Var;
    if (Kind.Object != nullptr && !Kind.Emplaced)
      W.Object = rootOf(Kind.Object);
    for (unsigned I = 0; I <= HandlerIndex && I < Levels.size(); ++I) {
      bool AnyWait = false;
      SourceLocation Exit;
      if (waitedOnEveryPath(Levels[I], Levels[I].Point, W, AnyWait, Exit))
        return {};
      if (I == HandlerIndex && AnyWait && Out.Why == Reason::NotWaited) {
        Out.Why = Reason::NotWaitedOnEveryPath;
        Out.UnwaitedExit = Exit;
      }
    }
    return Out;
  }();
  InProgress.erase(SpawnE);
  Verdicts[SpawnE] = V;
  return V;
}

} // namespace clang::tidy::goro

// ---------------------------------------------------------------- the check

namespace clang::tidy::goro {

ResponseAfterReturnCheck::ResponseAfterReturnCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      RawResponseTypes(Options.get("ResponseTypes", DefaultResponseTypes).str()),
      RawSpawnFunctions(Options.get("SpawnFunctions", utils::DefaultSpawnFunctions).str()),
      ResponseTypes(clang::tidy::utils::options::parseStringList(RawResponseTypes)),
      SpawnFunctions(clang::tidy::utils::options::parseStringList(RawSpawnFunctions)) {
  for (StringRef Name : ResponseTypes) {
    StringRef Qualified = normalizedName(Name);
    if (Qualified.empty())
      continue;
    ResponseNames.insert(Qualified);
    // The last component, marked with "::", for isResponseParam's screen.
    size_t Colons = Qualified.rfind("::");
    ResponseNames.insert(
        ("::" + (Colons == StringRef::npos ? Qualified : Qualified.substr(Colons + 2))).str());
  }
}

ResponseAfterReturnCheck::~ResponseAfterReturnCheck() = default;

void ResponseAfterReturnCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "ResponseTypes", RawResponseTypes);
  Options.store(Opts, "SpawnFunctions", RawSpawnFunctions);
}

void ResponseAfterReturnCheck::registerMatchers(MatchFinder *Finder) {
  // Handlers, not spawns: only FunctionDecls are tested here, and the
  // spawns are looked for in handler bodies only (see analyzeHandler).
  Finder->addMatcher(functionDecl(isDefinition(), unless(isExpansionInSystemHeader()),
                                  hasResponseParameter(&ResponseNames))
                         .bind("handler"),
                     this);
}

void ResponseAfterReturnCheck::onEndOfTranslationUnit() { Analysis.reset(); }

void ResponseAfterReturnCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("handler");
  if (FD == nullptr || Result.Context == nullptr)
    return;
  if (!Analysis || &Analysis->context() != Result.Context)
    Analysis = std::make_unique<ResponseAfterReturnAnalysis>(*Result.Context, ResponseNames,
                                                             SpawnFunctions);
  ResponseAfterReturnAnalysis &A = *Analysis;
  std::vector<Finding> Findings = A.analyzeHandler(FD);
  const Handler *H = A.handlerOf(FD);
  if (H == nullptr)
    return;
  std::string HandlerName = H->IsLambda ? std::string("the handler")
                                        : "handler '" + FD->getDeclName().getAsString() + "'";
  for (const Finding &F : Findings)
    report(*this, F, A.kindOf(F.Spawn), HandlerName);
}

} // namespace clang::tidy::goro

namespace clang::tidy::goro {
namespace {

// The warning and its notes, in the order a reader needs them: the use, what
// holds the writer, the spawn, the path that skips the wait, the handler.
void report(ClangTidyCheck &Check, const Finding &F, const SpawnKind &Kind,
            const std::string &HandlerName) {
  const Use *U = &F.U;
  const Verdict &V = F.V;
  const Expr *SpawnE = F.Spawn;
  std::string Through;
  std::string CarrierName;
  if (U->R.Via.first != nullptr) {
    CarrierName = U->R.Via.first->getDeclName().getAsString();
    if (U->R.Via.second != nullptr)
      CarrierName += "." + U->R.Via.second->getDeclName().getAsString();
    // `[w = std::move(w)]` or `[&w = w]`: the holder reads as the writer.
    if (CarrierName == U->R.Writer->getDeclName().getAsString())
      CarrierName.clear();
    else
      Through = " through '" + CarrierName + "'";
  }
  SourceLocation UseLoc = U->At->getBeginLoc();
  if (UseLoc.isInvalid())
    UseLoc = SpawnE->getBeginLoc();
  if (UseLoc.isInvalid())
    return;
  Check.diag(UseLoc, "%select{goroutine|thread|asynchronous task|task}0 uses response writer %1%2 "
                     "but can run after %3 has returned, when %1 is no longer valid")
      << static_cast<unsigned>(Kind.Name) << U->R.Writer << Through << HandlerName
      << U->At->getSourceRange();
  if (!CarrierName.empty() && U->R.Origin.isValid())
    Check.diag(U->R.Origin, "'%0' refers to response writer %1 here", DiagnosticIDs::Note)
        << CarrierName << U->R.Writer;
  if (SpawnE->getBeginLoc().isValid())
    Check.diag(
        SpawnE->getBeginLoc(),
        "%select{goroutine|thread|asynchronous task|task}0 started here"
        "%select{; the handler does not wait for it|; the handler does not wait for it on "
        "every path| and detached; nothing waits for it|; it escapes the handler, which does "
        "not join it|; its future escapes the handler, so nothing waits for it}1",
        DiagnosticIDs::Note)
        << static_cast<unsigned>(Kind.Name) << static_cast<unsigned>(V.Why);
  if (V.Why == Reason::NotWaitedOnEveryPath && V.UnwaitedExit.isValid())
    Check.diag(V.UnwaitedExit,
               "the handler can return here without waiting for the "
               "%select{goroutine|thread|asynchronous task|task}0",
               DiagnosticIDs::Note)
        << static_cast<unsigned>(Kind.Name);
  if (U->R.Writer->getLocation().isValid())
    Check.diag(U->R.Writer->getLocation(), "response writer %0 is valid only until %1 returns",
               DiagnosticIDs::Note)
        << U->R.Writer << HandlerName;
}

} // namespace
} // namespace clang::tidy::goro
