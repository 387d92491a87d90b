//===--- Finding.h - one diagnostic, as goro-tidy reports it ----*- C++ -*-===//
//
// A finding is a warning of a check with its notes, independent of clang's
// SourceManager: absolute file paths, 1-based lines and byte columns, byte
// offsets. Findings come from clang-tidy (per TU) and from the whole-program
// lock-order merge; the SARIF writer and the baseline read only this.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_FINDING_H
#define GORO_TOOL_FINDING_H

#include <cstdint>
#include <string>
#include <vector>

namespace goro::tidy {

struct Location {
  std::string File; ///< absolute and normalized; empty: no location
  unsigned Line = 0;
  unsigned Col = 0;
  unsigned Offset = 0;
};

struct Note {
  Location Where;
  std::string Message;
};

enum class BaselineState : std::uint8_t { None, New, Unchanged };

struct Finding {
  std::string Check;
  std::string Message;
  Location Where;
  std::vector<Note> Notes;
  bool IsError = false; ///< a warning upgraded by WarningsAsErrors
  BaselineState Baseline = BaselineState::None;
};

} // namespace goro::tidy

#endif // GORO_TOOL_FINDING_H
