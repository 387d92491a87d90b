//===--- Progress.cpp - the progress line of goro-tidy --------------------===//
//
// See Progress.h. The line is cut to the terminal's width so it never wraps
// (a wrapped line cannot be rewritten with a carriage return).
//
//===----------------------------------------------------------------------===//

#include "Progress.h"

#include "SourceFiles.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

namespace goro::tidy {

Progress::Progress(unsigned Total, std::string Root)
    : Enabled(llvm::sys::Process::StandardErrIsDisplayed()), Total(Total), Root(std::move(Root)) {}

void Progress::started(llvm::StringRef File) {
  ++Started;
  if (!Enabled)
    return;
  std::string Relative = relativeTo(Root, File);
  std::string Line = "[" + std::to_string(Started) + "/" + std::to_string(Total) + "] " +
                     (Relative.empty() ? File.str() : Relative);
  unsigned Width = llvm::sys::Process::StandardErrColumns();
  if (Width > 1 && Line.size() >= Width)
    Line.resize(Width - 1);
  llvm::errs() << "\r" << Line << "\x1b[K";
  llvm::errs().flush();
  Shown = true;
}

void Progress::clear() {
  if (!Enabled || !Shown)
    return;
  llvm::errs() << "\r\x1b[K";
  llvm::errs().flush();
  Shown = false;
}

} // namespace goro::tidy
