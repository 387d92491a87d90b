// symbolize.cpp — a client of llvm-symbolizer (see symbolize.hpp).
//
// Invariants: one symbolizer child process per program, started on first
// use, spoken to under `mu` with llvm-symbolizer's stdin protocol
// ("module" 0xoffset per line; the answer ends with an empty line). Results
// are cached by address. If the child cannot be started or dies, symbolization
// degrades to dladdr() names and never fails the program.
#include "symbolize.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include <cxxabi.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace goro::detail {
namespace {

struct symbolizer {
  std::mutex mu;
  bool tried = false;
  pid_t pid = -1;
  FILE* to = nullptr;
  FILE* from = nullptr;
  std::unordered_map<void*, std::vector<symbol_frame>> cache;
};

symbolizer& instance() {
  static auto* s = new symbolizer; // never destroyed: reports are printed during exit
  return *s;
}

bool executable(const std::string& path) {
  return access(path.c_str(), X_OK) == 0;
}

std::string find_in_path(const char* name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr)
    return {};
  std::string_view rest(path);
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (executable(candidate))
      return candidate;
    if (colon == std::string_view::npos)
      break;
    rest.remove_prefix(colon + 1);
  }
  return {};
}

// GORO_SYMBOLIZER_PATH, else llvm-symbolizer(-19) from PATH, else LLVM 19's
// usual install locations. A GORO_SYMBOLIZER_PATH that names no executable
// is reported (once: this runs once per program) and the search goes on.
std::string symbolizer_path() {
  if (const char* p = std::getenv("GORO_SYMBOLIZER_PATH"); p != nullptr && *p != '\0') {
    if (executable(p))
      return p;
    std::fprintf(stderr,
                 "goro: GORO_SYMBOLIZER_PATH=%s is not an executable; looking for "
                 "llvm-symbolizer in PATH instead\n",
                 p);
  }
  for (const char* name : {"llvm-symbolizer-19", "llvm-symbolizer"})
    if (std::string p = find_in_path(name); !p.empty())
      return p;
  for (const char* p : {"/usr/lib/llvm-19/bin/llvm-symbolizer", "/usr/bin/llvm-symbolizer-19"})
    if (executable(p))
      return p;
  return {};
}

void start_symbolizer(symbolizer& s) {
  s.tried = true;
  std::string path = symbolizer_path();
  if (path.empty())
    return;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0)
    return;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::string demangle = "--demangle";
  std::string inlining = "--inlining=true";
  std::string style = "--output-style=LLVM";
  char* argv[] = {path.data(), demangle.data(), inlining.data(), style.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    return;
  }
  s.pid = pid;
  s.to = fdopen(in[1], "w");
  s.from = fdopen(out[0], "r");
}

void stop(symbolizer& s) {
  if (s.to != nullptr)
    std::fclose(s.to);
  if (s.from != nullptr)
    std::fclose(s.from);
  s.to = s.from = nullptr;
  s.pid = -1;
}

// Sends one request; on failure stops the symbolizer. A symbolizer that died
// must not kill us with SIGPIPE, and the program's SIGPIPE disposition is not
// ours to change: SIGPIPE is blocked in this thread while writing (and while
// closing, which may flush), and one raised by our own write is discarded.
bool send_request(symbolizer& s, const char* module, std::uintptr_t offset) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  bool ok = std::fprintf(s.to, "\"%s\" 0x%zx\n", module, static_cast<std::size_t>(offset)) >= 0 &&
            std::fflush(s.to) == 0;
  if (!ok) {
    stop(s);
    sigpending(&pending);
    if (!was_pending && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{};
      while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return ok;
}

std::vector<symbol_frame> ask_symbolizer(symbolizer& s, const char* module, std::uintptr_t offset) {
  std::vector<symbol_frame> frames;
  if (!s.tried)
    start_symbolizer(s);
  if (s.to == nullptr)
    return frames;
  if (!send_request(s, module, offset))
    return frames;
  char line[4096];
  symbol_frame current;
  bool have_function = false;
  while (std::fgets(line, sizeof line, s.from) != nullptr) {
    std::size_t len = std::strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (len == 0)
      return frames; // end of this answer
    if (!have_function) {
      current = symbol_frame{};
      current.function = std::strcmp(line, "??") == 0 ? "" : line;
      have_function = true;
      continue;
    }
    // file:line:column (the file may itself contain ':')
    std::string text(line);
    auto last = text.rfind(':');
    auto prev = last == std::string::npos ? std::string::npos : text.rfind(':', last - 1);
    if (prev != std::string::npos) {
      current.file = text.substr(0, prev);
      current.line = static_cast<std::uint32_t>(std::strtoul(text.c_str() + prev + 1, nullptr, 10));
      current.column =
          static_cast<std::uint32_t>(std::strtoul(text.c_str() + last + 1, nullptr, 10));
    }
    if (current.file == "??")
      current.file.clear();
    frames.push_back(current);
    have_function = false;
  }
  stop(s); // EOF: the symbolizer went away
  return frames;
}

// llvm-symbolizer's DATA query: the global variable containing an address
// (from the full symbol table, so internal-linkage variables too). The answer
// is "name", "start size", usually "file:line" of the declaration, then an
// empty line.
bool ask_data(symbolizer& s, const char* module, std::uintptr_t offset, std::string* name,
              std::uintptr_t* start) {
  if (!s.tried)
    start_symbolizer(s);
  if (s.to == nullptr)
    return false;
  if (std::fprintf(s.to, "DATA \"%s\" 0x%zx\n", module, static_cast<std::size_t>(offset)) < 0 ||
      std::fflush(s.to) != 0) {
    stop(s);
    return false;
  }
  char line[4096];
  int n = 0;
  bool ok = false;
  while (std::fgets(line, sizeof line, s.from) != nullptr) {
    std::size_t len = std::strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (len == 0)
      return ok;
    if (n == 0 && std::strcmp(line, "??") != 0) {
      *name = line;
      ok = true;
    } else if (n == 1 && ok) {
      *start = static_cast<std::uintptr_t>(std::strtoull(line, nullptr, 10));
    }
    ++n;
  }
  stop(s);
  return false;
}

std::string demangled(const char* name) {
  // Only mangled names: __cxa_demangle reads a plain C name such as "a" or
  // "b" as a type code (signed char, bool).
  if (std::strncmp(name, "_Z", 2) != 0)
    return name;
  int status = 0;
  char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string out = status == 0 && d != nullptr ? d : name;
  std::free(d);
  return out;
}

} // namespace

std::vector<symbol_frame> symbolize_return_address(void* pc) {
  if (pc == nullptr)
    return {};
  symbolizer& s = instance();
  std::lock_guard<std::mutex> lock(s.mu);
  if (auto it = s.cache.find(pc); it != s.cache.end())
    return it->second;
  // A return address points after the call; pc - 1 lies within the call.
  auto addr = reinterpret_cast<std::uintptr_t>(pc) - 1;
  Dl_info info{};
  link_map* map = nullptr;
  std::vector<symbol_frame> frames;
  if (dladdr1(reinterpret_cast<void*>(addr), &info, reinterpret_cast<void**>(&map),
              RTLD_DL_LINKMAP) != 0 &&
      info.dli_fname != nullptr) {
    std::string module = info.dli_fname;
    if (module.empty() || module.find('/') == std::string::npos) {
      char self[4096];
      ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
      if (n > 0)
        module.assign(self, static_cast<std::size_t>(n));
    }
    std::uintptr_t bias = map != nullptr ? map->l_addr : 0;
    frames = ask_symbolizer(s, module.c_str(), addr - bias);
    if (frames.empty() || (frames.size() == 1 && frames[0].function.empty())) {
      frames.clear();
      if (info.dli_sname != nullptr)
        frames.push_back(symbol_frame{demangled(info.dli_sname), "", 0, 0});
    }
  }
  s.cache.emplace(pc, frames);
  return frames;
}

std::string data_symbol(const void* addr) {
  if (addr == nullptr)
    return {};
  Dl_info info{};
  link_map* map = nullptr;
  if (dladdr1(addr, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) == 0 ||
      info.dli_fname == nullptr)
    return {};
  auto a = reinterpret_cast<std::uintptr_t>(addr);
  if (info.dli_sname != nullptr && info.dli_saddr != nullptr) {
    // Exported: the dynamic symbol table answers without the symbolizer.
    std::string name = demangled(info.dli_sname);
    auto offset = a - reinterpret_cast<std::uintptr_t>(info.dli_saddr);
    return offset == 0 ? name : name + "+" + std::to_string(offset);
  }
  std::string module = info.dli_fname;
  if (module.empty() || module.find('/') == std::string::npos) {
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0)
      module.assign(self, static_cast<std::size_t>(n));
  }
  std::uintptr_t bias = map != nullptr ? map->l_addr : 0;
  symbolizer& s = instance();
  std::lock_guard<std::mutex> lock(s.mu);
  std::string name;
  std::uintptr_t start = 0;
  if (!ask_data(s, module.c_str(), a - bias, &name, &start))
    return {};
  if (name.starts_with("(anonymous namespace)::"))
    name.erase(0, std::strlen("(anonymous namespace)::"));
  auto offset = a - bias - start;
  return offset == 0 || start == 0 ? name : name + "+" + std::to_string(offset);
}

namespace {

struct path_cache {
  std::mutex mu;
  std::unordered_map<std::string, std::string> absolute; // relative -> absolute
};
path_cache& paths() {
  static auto* p = new path_cache; // never destroyed
  return *p;
}

bool ends_with_path(const std::string& full, std::string_view rel) {
  if (full.size() <= rel.size() || full.compare(full.size() - rel.size(), rel.size(), rel) != 0)
    return false;
  return full[full.size() - rel.size() - 1] == '/';
}

std::string resolve_path(std::string_view file, void* const* hints, int nhints) {
  if (file.empty() || file[0] == '/')
    return std::string(file);
  std::string rel(file);
  while (rel.starts_with("./"))
    rel.erase(0, 2);
  path_cache& cache = paths();
  {
    std::lock_guard<std::mutex> lock(cache.mu);
    if (auto it = cache.absolute.find(rel); it != cache.absolute.end())
      return it->second;
  }
  std::string found;
  for (int i = 0; i < nhints && found.empty(); ++i)
    for (const symbol_frame& f : symbolize_return_address(hints[i]))
      if (ends_with_path(f.file, rel)) {
        found = f.file;
        break;
      }
  if (found.empty()) {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) != nullptr) {
      std::string candidate = std::string(cwd) + "/" + rel;
      if (access(candidate.c_str(), R_OK) == 0)
        found = candidate;
    }
  }
  if (found.empty())
    return rel;
  std::lock_guard<std::mutex> lock(cache.mu);
  cache.absolute.emplace(rel, found);
  return found;
}

} // namespace

debug::site site_from_location(const std::source_location& loc, void* const* hints, int nhints) {
  return debug::site{resolve_path(loc.file_name(), hints, nhints), loc.line(), loc.column(),
                     loc.function_name()};
}

bool is_library_file(std::string_view file) noexcept {
  if (file.empty())
    return true;
  if (file.starts_with("./") || file.find("/csu/") != std::string_view::npos)
    return true; // glibc's own sources (__libc_start_main, ...)
  for (std::string_view marker : {"/include/goro/", "/runtime/src/", "/include/c++/", "/c++/v1/"})
    if (file.find(marker) != std::string_view::npos)
      return true;
  return false;
}

debug::site user_site(void* pc) {
  debug::site site;
  std::vector<symbol_frame> frames = symbolize_return_address(pc);
  for (const symbol_frame& f : frames) {
    if (!is_library_file(f.file)) {
      site.file = f.file;
      site.line = f.line;
      site.column = f.column;
      site.function = f.function;
      return site;
    }
  }
  if (!frames.empty())
    site.function = frames.back().function;
  return site;
}

} // namespace goro::detail
