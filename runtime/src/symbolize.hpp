// symbolize.hpp — turning code addresses into user-code source locations.
//
// Addresses are captured cheaply (a return address per spawn or wait) and
// symbolized only when something is printed, by a long-lived llvm-symbolizer
// process (as the sanitizers do). binutils' addr2line misreads the DWARF 5
// clang 19 emits, and llvm-symbolizer also reports inlined frames, which is
// what turns "inside goro::go" into "main.cpp:12". Without a symbolizer the
// function name from the dynamic symbol table is used.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "goro/debug.hpp"

namespace goro::detail {

struct symbol_frame {
  std::string function;
  std::string file; // "" when unknown
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

// The frames at a return address, innermost (inlined) first. Cached.
std::vector<symbol_frame> symbolize_return_address(void* pc);
// The global variable that contains `addr` ("name", or "name+offset" inside
// it), from the dynamic symbol table or the symbolizer's DATA query (which
// also knows internal-linkage variables); "" for the stack and the heap.
std::string data_symbol(const void* addr);
// True for files that belong to goro itself or to the C++ standard library:
// reports skip them to land on the user's line.
bool is_library_file(std::string_view file) noexcept;
// The first frame at pc that lies in user code (see is_library_file).
debug::site user_site(void* pc);

// A site from a std::source_location. Compilers record the path as given on
// the command line, often relative; IDEs and SARIF viewers need it absolute.
// A relative path is resolved from the debug info of `hints` (return
// addresses in the same code), from paths resolved before, or against the
// current directory when that file exists there.
debug::site site_from_location(const std::source_location& loc, void* const* hints = nullptr,
                               int nhints = 0);

} // namespace goro::detail
