//===--- Sarif.cpp - SARIF 2.1.0 output of goro-tidy ----------------------===//
//
// See Sarif.h for the shape of the log and why.
//
//===----------------------------------------------------------------------===//

#include "Sarif.h"

#include "Baseline.h"
#include "SourceFiles.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include <map>

namespace goro::tidy {

namespace json = llvm::json;

namespace {

struct CheckDoc {
  const char *Name;
  const char *Markdown;
};

const CheckDoc CheckDocs[] = {
#include "GoroCheckDocs.inc"
};

constexpr llvm::StringLiteral InformationUri = "https://github.com/goro-cpp/goro";

/// The first paragraph after the page's title, as one line.
std::string firstParagraph(llvm::StringRef Markdown) {
  std::string Result;
  llvm::StringRef Rest = Markdown;
  bool InParagraph = false;
  while (!Rest.empty()) {
    llvm::StringRef Line;
    std::tie(Line, Rest) = Rest.split('\n');
    Line = Line.trim();
    if (Line.starts_with("#") || (Line.empty() && !InParagraph))
      continue;
    if (Line.empty())
      break;
    if (InParagraph)
      Result += ' ';
    Result += Line.str();
    InParagraph = true;
  }
  return Result;
}

std::string firstSentence(llvm::StringRef Paragraph) {
  size_t End = Paragraph.find(". ");
  return (End == llvm::StringRef::npos ? Paragraph : Paragraph.take_front(End + 1)).str();
}

/// "goro-lock-order-inversion" -> "LockOrderInversion" (as the debug
/// runtime names its rules); other checks keep their module:
/// "bugprone-use-after-move" -> "BugproneUseAfterMove".
std::string ruleName(llvm::StringRef Check) {
  Check.consume_front("goro-");
  std::string Name;
  bool Upper = true;
  for (char C : Check) {
    if (!llvm::isAlnum(C)) {
      Upper = true;
      continue;
    }
    Name += Upper ? llvm::toUpper(C) : C;
    Upper = false;
  }
  return Name;
}

/// Percent-encodes what may not appear in a URI path.
std::string encodePath(llvm::StringRef Path) {
  std::string Out;
  for (unsigned char C : Path) {
    if (llvm::isAlnum(static_cast<char>(C)) || C == '/' || C == '-' || C == '_' || C == '.' ||
        C == '~')
      Out += static_cast<char>(C);
    else
      Out += llvm::formatv("%{0:X-2}", static_cast<unsigned>(C)).str();
  }
  return Out;
}

std::string fileUri(llvm::StringRef AbsolutePath) { return "file://" + encodePath(AbsolutePath); }

std::string directoryUri(llvm::StringRef AbsoluteDir) {
  std::string Uri = fileUri(AbsoluteDir);
  if (Uri.back() != '/')
    Uri += '/';
  return Uri;
}

class Writer {
public:
  Writer(json::OStream &J, const SarifRun &Run, SourceFiles &Files)
      : J(J), Run(Run), Files(Files) {}

  void write() {
    collectRules();
    J.object([&] {
      J.attribute("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
      J.attribute("version", "2.1.0");
      J.attributeArray("runs", [&] { J.object([&] { run(); }); });
    });
  }

private:
  void collectRules() {
    for (const std::string &R : Run.Rules)
      addRule(R);
    for (const Finding &F : Run.Findings)
      addRule(F.Check);
  }
  void addRule(llvm::StringRef Check) {
    if (RuleIndex.try_emplace(Check, Rules.size()).second)
      Rules.push_back(Check.str());
  }

  void run() {
    J.attributeObject("tool", [&] {
      J.attributeObject("driver", [&] {
        J.attribute("name", "goro-tidy");
        J.attribute("version", GORO_VERSION);
        J.attribute("informationUri", InformationUri);
        J.attributeArray("rules", [&] {
          for (const std::string &R : Rules)
            rule(R);
        });
      });
    });
    J.attributeArray("invocations", [&] { J.object([&] { invocation(); }); });
    J.attributeObject("originalUriBaseIds", [&] {
      J.attributeObject("SRCROOT", [&] { J.attribute("uri", directoryUri(Run.SourceRoot)); });
    });
    J.attribute("columnKind", "utf16CodeUnits");
    J.attributeArray("results", [&] {
      std::map<std::string, unsigned> Occurrences;
      for (const Finding &F : Run.Findings)
        result(F, Occurrences);
    });
  }

  void rule(llvm::StringRef Check) {
    RuleHelp Help = ruleHelp(Check);
    J.object([&] {
      J.attribute("id", Check);
      J.attribute("name", ruleName(Check));
      J.attributeObject("shortDescription", [&] { J.attribute("text", Help.ShortDescription); });
      J.attributeObject("fullDescription", [&] { J.attribute("text", Help.FullDescription); });
      J.attributeObject("help", [&] {
        J.attribute("text", Help.HelpText);
        if (!Help.HelpMarkdown.empty())
          J.attribute("markdown", Help.HelpMarkdown);
      });
      J.attribute("helpUri", Help.HelpUri);
      J.attributeObject("defaultConfiguration", [&] { J.attribute("level", "warning"); });
    });
  }

  void invocation() {
    J.attribute("executionSuccessful", Run.ExecutionSuccessful);
    J.attributeArray("arguments", [&] {
      for (const std::string &A : Run.Arguments)
        J.value(A);
    });
    J.attributeObject("workingDirectory",
                      [&] { J.attribute("uri", directoryUri(Run.WorkingDirectory)); });
    J.attributeArray("toolExecutionNotifications", [&] {
      for (const ToolNotification &N : Run.Notifications)
        J.object([&] {
          J.attributeObject("descriptor", [&] { J.attribute("id", N.Id); });
          J.attribute("level", "error");
          J.attributeObject("message", [&] { J.attribute("text", N.Message); });
          if (!N.Where.File.empty())
            J.attributeArray("locations", [&] { J.object([&] { physicalLocation(N.Where); }); });
        });
    });
  }

  void physicalLocation(const Location &L) {
    J.attributeObject("physicalLocation", [&] {
      std::string Relative = relativeTo(Run.SourceRoot, L.File);
      J.attributeObject("artifactLocation", [&] {
        if (Relative.empty()) {
          J.attribute("uri", fileUri(L.File));
        } else {
          J.attribute("uri", encodePath(Relative));
          J.attribute("uriBaseId", "SRCROOT");
        }
      });
      if (L.Line == 0)
        return;
      const SourceFile *File = Files.get(L.File);
      J.attributeObject("region", [&] {
        J.attribute("startLine", L.Line);
        if (L.Col > 0)
          J.attribute("startColumn", File ? File->utf16Column(L.Line, L.Col) : L.Col);
        if (File && !File->line(L.Line).empty())
          J.attributeObject("snippet", [&] { J.attribute("text", File->line(L.Line)); });
      });
    });
  }

  void result(const Finding &F, std::map<std::string, unsigned> &Occurrences) {
    J.object([&] {
      J.attribute("ruleId", F.Check);
      J.attribute("ruleIndex", static_cast<int64_t>(RuleIndex.lookup(F.Check)));
      J.attribute("level", F.IsError ? "error" : "warning");
      J.attributeObject("message", [&] { J.attribute("text", F.Message); });
      if (!F.Where.File.empty())
        J.attributeArray("locations", [&] { J.object([&] { physicalLocation(F.Where); }); });
      if (!F.Notes.empty())
        J.attributeArray("relatedLocations", [&] {
          for (size_t I = 0; I < F.Notes.size(); ++I)
            J.object([&] {
              J.attribute("id", static_cast<int64_t>(I + 1));
              if (!F.Notes[I].Where.File.empty())
                physicalLocation(F.Notes[I].Where);
              J.attributeObject("message", [&] { J.attribute("text", F.Notes[I].Message); });
            });
        });
      J.attributeObject("partialFingerprints", [&] {
        const SourceFile *File = F.Where.File.empty() ? nullptr : Files.get(F.Where.File);
        Baseline Root(Run.SourceRoot);
        std::string Key =
            Root.key(F.Check, F.Where.File, File ? File->line(F.Where.Line) : "", F.Message).str();
        unsigned Occurrence = Occurrences[Key]++;
        J.attribute("goroTidy/v1",
                    llvm::formatv("{0:x-16}:{1}", llvm::xxh3_64bits(Key), Occurrence).str());
      });
      if (F.Baseline != BaselineState::None)
        J.attribute("baselineState", F.Baseline == BaselineState::New ? "new" : "unchanged");
      if (F.Baseline == BaselineState::Unchanged)
        J.attributeArray("suppressions", [&] {
          J.object([&] {
            J.attribute("kind", "external");
            J.attribute("justification", "listed in the baseline " + Run.BaselinePath);
          });
        });
    });
  }

  json::OStream &J;
  const SarifRun &Run;
  SourceFiles &Files;
  std::vector<std::string> Rules;
  llvm::StringMap<size_t> RuleIndex;
};

} // namespace

std::vector<std::string> documentedGoroChecks() {
  std::vector<std::string> Names;
  for (const CheckDoc &D : CheckDocs)
    Names.push_back(D.Name);
  return Names;
}

RuleHelp ruleHelp(llvm::StringRef Check) {
  RuleHelp Help;
  for (const CheckDoc &D : CheckDocs) {
    if (Check != D.Name)
      continue;
    std::string Paragraph = firstParagraph(D.Markdown);
    Help.ShortDescription = firstSentence(Paragraph);
    Help.FullDescription = Paragraph;
    Help.HelpUri = (InformationUri + "/blob/main/docs/checks/" + Check + ".md").str();
    Help.HelpText = Paragraph + " Documentation: docs/checks/" + Check.str() + ".md.";
    Help.HelpMarkdown = D.Markdown;
    return Help;
  }
  if (Check.starts_with("goro-")) {
    Help.ShortDescription = "goro check '" + Check.str() + "'.";
    Help.HelpUri = (InformationUri + "/tree/main/docs/checks").str();
  } else if (Check.starts_with("clang-diagnostic-")) {
    Help.ShortDescription = "Clang compiler warning -W" + Check.drop_front(17).str() + ".";
    Help.HelpUri =
        "https://clang.llvm.org/docs/DiagnosticsReference.html#w" + Check.drop_front(17).lower();
  } else if (Check.starts_with("clang-analyzer-")) {
    Help.ShortDescription = "Clang Static Analyzer checker '" + Check.drop_front(15).str() + "'.";
    Help.HelpUri = "https://clang.llvm.org/docs/analyzer/checkers.html";
  } else {
    auto [Module, Name] = Check.split('-');
    Help.ShortDescription = "clang-tidy check '" + Check.str() + "'.";
    Help.HelpUri =
        ("https://clang.llvm.org/extra/clang-tidy/checks/" + Module + "/" + Name + ".html").str();
  }
  Help.FullDescription = Help.ShortDescription;
  Help.HelpText = Help.ShortDescription + " Documentation: " + Help.HelpUri;
  return Help;
}

llvm::Error writeSarif(llvm::StringRef Path, const SarifRun &Run, SourceFiles &Files) {
  auto Fail = [&](std::error_code EC) {
    return llvm::createStringError(EC, "cannot write SARIF to " + Path + ": " + EC.message());
  };
  llvm::SmallString<256> Temp;
  int FD = -1;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Path + ".tmp-%%%%%%%%", FD, Temp))
    return Fail(EC);
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    {
      json::OStream J(OS, /*IndentSize=*/2);
      Writer(J, Run, Files).write();
    }
    OS << '\n';
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
