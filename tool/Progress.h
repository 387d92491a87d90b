//===--- Progress.h - the progress line of goro-tidy ------------*- C++ -*-===//
//
// On a terminal, one line on stderr that is rewritten as files start:
// `[37/412] src/foo.cpp`. Anything else printed to the terminal first clears
// it (clear()), so output never mixes with it. When stderr is not a terminal
// (CI logs, pipes), nothing at all is printed. Main thread only.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_PROGRESS_H
#define GORO_TOOL_PROGRESS_H

#include "llvm/ADT/StringRef.h"
#include <string>

namespace goro::tidy {

class Progress {
public:
  /// \p Total files; \p Root: paths under it are shown relative to it.
  Progress(unsigned Total, std::string Root);
  ~Progress() { clear(); }

  bool enabled() const { return Enabled; }
  /// A file started: shows `[started/total] file`.
  void started(llvm::StringRef File);
  /// Erases the line (before other output); the next started() redraws it.
  void clear();

private:
  bool Enabled;
  unsigned Total;
  unsigned Started = 0;
  std::string Root;
  bool Shown = false;
};

} // namespace goro::tidy

#endif // GORO_TOOL_PROGRESS_H
