//===--- Baseline.cpp - known findings that do not fail a run -------------===//
//
// See Baseline.h for the identity of a finding and the file format.
//
//===----------------------------------------------------------------------===//

#include "Baseline.h"

#include "SourceFiles.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace goro::tidy {

namespace json = llvm::json;

static constexpr int BaselineVersion = 1;

std::string BaselineKey::str() const {
  // The parts cannot contain '\0' (they come from text files and messages).
  return Check + '\0' + File + '\0' + Line + '\0' + Message;
}

std::string normalizeMessage(llvm::StringRef Message) {
  std::string Spaced = normalizeLine(Message);
  std::string Result;
  for (size_t I = 0; I < Spaced.size();) {
    // LINE:COL, as in "(lambda at 12:3)": moves with unrelated edits.
    size_t J = I;
    while (J < Spaced.size() && llvm::isDigit(Spaced[J]))
      ++J;
    if (J > I && J + 1 < Spaced.size() && Spaced[J] == ':' && llvm::isDigit(Spaced[J + 1]) &&
        (I == 0 || !llvm::isAlnum(Spaced[I - 1]))) {
      size_t K = J + 1;
      while (K < Spaced.size() && llvm::isDigit(Spaced[K]))
        ++K;
      Result += "N:N";
      I = K;
      continue;
    }
    if (J > I) {
      Result.append(Spaced, I, J - I);
      I = J;
      continue;
    }
    Result += Spaced[I++];
  }
  return Result;
}

llvm::Expected<Baseline> Baseline::load(llvm::StringRef Path) {
  auto Fail = [&](const llvm::Twine &Why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "baseline " + Path + ": " + Why);
  };
  auto Buffer = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer)
    return Fail("cannot read it: " + Buffer.getError().message());
  llvm::Expected<json::Value> V = json::parse((*Buffer)->getBuffer());
  if (!V)
    return Fail("not valid JSON: " + llvm::toString(V.takeError()));
  const json::Object *Root = V->getAsObject();
  if (Root == nullptr)
    return Fail("expected a JSON object with \"version\" and \"findings\"");
  std::optional<int64_t> Version = Root->getInteger("version");
  if (!Version || *Version != BaselineVersion)
    return Fail("unsupported \"version\" (goro-tidy reads version " + llvm::Twine(BaselineVersion) +
                ")");
  const json::Array *Findings = Root->getArray("findings");
  if (Findings == nullptr)
    return Fail("no \"findings\" array");

  llvm::SmallString<256> Directory(Path);
  llvm::sys::path::remove_filename(Directory);
  Baseline B(absolutePath("", Directory.empty() ? "." : Directory.str()));
  for (size_t I = 0; I < Findings->size(); ++I) {
    const json::Object *O = (*Findings)[I].getAsObject();
    auto Field = [&](llvm::StringRef Name) -> std::optional<llvm::StringRef> {
      return O ? O->getString(Name) : std::nullopt;
    };
    std::optional<llvm::StringRef> Check = Field("check"), File = Field("file"),
                                   Line = Field("line"), Message = Field("message");
    std::optional<int64_t> Count = O ? O->getInteger("count") : std::nullopt;
    if (!Check || !File || !Line || !Message || !Count || *Count < 1)
      return Fail("finding " + llvm::Twine(I) +
                  ": expected \"check\", \"file\", \"line\", \"message\" (strings) and "
                  "\"count\" (a positive integer)");
    // Stored normalized; normalizing again keeps hand-edited entries working.
    BaselineKey K{Check->str(), File->str(), normalizeLine(*Line), normalizeMessage(*Message)};
    Entry &E = B.Entries[K.str()];
    E.Key = std::move(K);
    E.Count += static_cast<unsigned>(*Count);
  }
  return B;
}

BaselineKey Baseline::key(llvm::StringRef Check, llvm::StringRef File, llvm::StringRef LineText,
                          llvm::StringRef Message) const {
  std::string Relative = relativeTo(Directory, File);
  return {Check.str(), Relative.empty() ? File.str() : Relative, normalizeLine(LineText),
          normalizeMessage(Message)};
}

bool Baseline::consume(const BaselineKey &K) {
  auto It = Entries.find(K.str());
  if (It == Entries.end() || It->second.Used == It->second.Count)
    return false;
  ++It->second.Used;
  return true;
}

void Baseline::add(const BaselineKey &K) {
  Entry &E = Entries[K.str()];
  E.Key = K;
  ++E.Count;
}

size_t Baseline::unmatched() const {
  size_t N = 0;
  for (const auto &E : Entries)
    N += E.second.Count - E.second.Used;
  return N;
}

size_t Baseline::size() const {
  size_t N = 0;
  for (const auto &E : Entries)
    N += E.second.Count;
  return N;
}

llvm::Error Baseline::write(llvm::StringRef Path) const {
  std::vector<const Entry *> Sorted;
  for (const auto &E : Entries)
    Sorted.push_back(&E.second);
  llvm::sort(Sorted, [](const Entry *A, const Entry *B) {
    return std::tie(A->Key.File, A->Key.Check, A->Key.Line, A->Key.Message) <
           std::tie(B->Key.File, B->Key.Check, B->Key.Line, B->Key.Message);
  });

  auto Fail = [&](std::error_code EC) {
    return llvm::createStringError(EC, "cannot write baseline " + Path + ": " + EC.message());
  };
  llvm::SmallString<256> Temp;
  int FD = -1;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Path + ".tmp-%%%%%%%%", FD, Temp))
    return Fail(EC);
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    // One finding per line: small diffs when findings come and go.
    OS << "{\n  \"version\": " << BaselineVersion << ",\n  \"tool\": \"goro-tidy\",\n"
       << "  \"findings\": [";
    for (size_t I = 0; I < Sorted.size(); ++I) {
      const Entry &E = *Sorted[I];
      OS << (I ? ",\n    " : "\n    ");
      json::OStream J(OS);
      J.object([&] {
        J.attribute("check", E.Key.Check);
        J.attribute("file", E.Key.File);
        J.attribute("line", E.Key.Line);
        J.attribute("message", E.Key.Message);
        J.attribute("count", E.Count);
      });
    }
    OS << (Sorted.empty() ? "]\n}\n" : "\n  ]\n}\n");
    OS.close();
    if (OS.has_error()) {
      std::error_code EC = OS.error();
      OS.clear_error();
      (void)llvm::sys::fs::remove(Temp);
      return Fail(EC);
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Path)) {
    (void)llvm::sys::fs::remove(Temp);
    return Fail(EC);
  }
  return llvm::Error::success();
}

} // namespace goro::tidy
