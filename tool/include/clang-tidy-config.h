//===--- clang-tidy-config.h - configuration of the linked clang-tidy -----===//
//
// ClangTidyForceLinker.h includes this header, which LLVM generates at build
// time and Debian does not ship. It describes the clang-tidy we link against:
// Debian's clang-tidy 19 is built with the static analyzer (its
// clang-analyzer-* checks and the MPI module that needs them are in
// libclangTidy*.a), so the force linker must reference them too.
//
//===----------------------------------------------------------------------===//

#ifndef GORO_TOOL_CLANG_TIDY_CONFIG_H
#define GORO_TOOL_CLANG_TIDY_CONFIG_H

#define CLANG_TIDY_ENABLE_STATIC_ANALYZER 1

#endif // GORO_TOOL_CLANG_TIDY_CONFIG_H
