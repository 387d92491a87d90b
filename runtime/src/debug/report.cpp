// debug/report.cpp — text, SARIF 2.1.0 and Graphviz output of findings.
//
// Invariants: `mu` serializes emitters and guards `all`; text for one finding
// is written in one piece so concurrent findings never interleave. Outputs
// are plain files rewritten whole, so a crash between findings still leaves
// a valid SARIF file behind.
#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string_view>

#include <unistd.h>

#include "options.hpp"

namespace goro::detail {
namespace {

struct rule_info {
  const char* id;
  const char* name;
  const char* summary;
};

// The public rule ids (docs/runtime.md has one section per id).
constexpr rule_info rules[] = {
    {"goro-leak", "GoroutineLeak",
     "A goroutine is blocked forever: nothing can wake it, or it was still blocked at exit."},
    {"goro-deadlock", "Deadlock",
     "Every goroutine and every thread inside a goro primitive is asleep, and nothing pending "
     "can wake them."},
    {"goro-lock-order-inversion", "LockOrderInversion",
     "Mutexes are acquired in orders that form a cycle: goroutines taking them concurrently can "
     "deadlock."},
    {"goro-send-on-closed", "SendOnClosedChannel", "A value was sent on a closed channel."},
    {"goro-close-of-closed", "CloseOfClosedChannel", "A closed channel was closed again."},
    {"goro-close-of-nil", "CloseOfNilChannel", "The nil channel was closed."},
    {"goro-negative-wait-group", "NegativeWaitGroupCounter",
     "A wait_group's counter went below zero (more done() than add())."},
    {"goro-unlock-of-unlocked", "UnlockOfUnlockedMutex",
     "A mutex that was not locked was unlocked."},
    {"goro-response-after-return", "ResponseAfterReturn",
     "An HTTP response_writer was used after its handler returned."},
};

struct state {
  std::mutex mu;
  std::vector<finding> all;
};
state& the_state() {
  static auto* s = new state; // never destroyed: findings are flushed during exit
  return *s;
}

std::string location_text(const debug::site& s) {
  if (s.file.empty())
    return "<unknown>:0:0";
  return s.file + ":" + std::to_string(s.line) + ":" + std::to_string(s.column);
}

std::string frame_text(const symbol_frame& f) {
  std::string out = f.function.empty() ? "<unknown>" : f.function;
  if (!f.file.empty())
    out += " " + f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column);
  return out;
}

std::string render_text(const finding& f) {
  std::string out = location_text(f.where) + ": error: " + f.message + " [" + f.rule + "]\n";
  for (const report_note& n : f.notes)
    out += location_text(n.where) + ": note: " + n.message + "\n";
  if (options().sched_random)
    out += "goro: note: scheduled with sched=random:" + std::to_string(options().sched_seed) +
           " (set GORO_OPTIONS=sched=random:" + std::to_string(options().sched_seed) +
           " to replay)\n";
  for (const report_stack& s : f.stacks) {
    out += "    " + s.title + ":\n";
    int i = 0;
    for (const symbol_frame& fr : s.frames)
      out += "      #" + std::to_string(i++) + " " + frame_text(fr) + "\n";
  }
  return out;
}

// ---- JSON

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out + "\"";
}

std::string file_uri(const std::string& path) {
  std::string out = path.empty() || path[0] != '/' ? "" : "file://";
  for (char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

std::string physical_location(const std::string& file, std::uint32_t line, std::uint32_t column) {
  std::string out = "{\"artifactLocation\":{\"uri\":" + json_string(file_uri(file)) + "}";
  if (line > 0) {
    out += ",\"region\":{\"startLine\":" + std::to_string(line);
    if (column > 0)
      out += ",\"startColumn\":" + std::to_string(column);
    out += "}";
  }
  return out + "}";
}

std::string location_json(const debug::site& s, const std::string& message, int id) {
  std::string out = "{";
  if (id >= 0)
    out += "\"id\":" + std::to_string(id) + ",";
  if (!s.file.empty())
    out += "\"physicalLocation\":" + physical_location(s.file, s.line, s.column) + ",";
  if (!s.function.empty())
    out += "\"logicalLocations\":[{\"fullyQualifiedName\":" + json_string(s.function) +
           ",\"kind\":\"function\"}],";
  if (!message.empty())
    out += "\"message\":{\"text\":" + json_string(message) + "},";
  if (out.back() == ',')
    out.pop_back();
  return out + "}";
}

int rule_index(const std::string& id) {
  for (std::size_t i = 0; i < std::size(rules); ++i)
    if (id == rules[i].id)
      return static_cast<int>(i);
  return -1;
}

std::string render_sarif(const std::vector<finding>& all) {
  std::string out;
  out += "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n";
  out += "  \"version\": \"2.1.0\",\n  \"runs\": [{\n";
  out += "    \"tool\": {\"driver\": {\"name\": \"goro-debug-runtime\", \"version\": \"0.1.0\",";
  out += " \"informationUri\": \"https://github.com/goro-cpp/goro\", \"rules\": [";
  for (std::size_t i = 0; i < std::size(rules); ++i) {
    const rule_info& r = rules[i];
    out += std::string(i ? "," : "") + "\n      {\"id\": " + json_string(r.id) +
           ", \"name\": " + json_string(r.name) +
           ", \"shortDescription\": {\"text\": " + json_string(r.summary) +
           "}, \"help\": {\"text\": " +
           json_string(std::string(r.summary) + " See docs/runtime.md#" + r.id + ".") +
           "}, \"defaultConfiguration\": {\"level\": \"error\"}}";
  }
  out += "]}},\n";
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  std::string program = n > 0 ? std::string(exe, static_cast<std::size_t>(n)) : "";
  out += "    \"invocations\": [{\"executionSuccessful\": true";
  if (!program.empty())
    out += ", \"executableLocation\": {\"uri\": " + json_string(file_uri(program)) + "}";
  out += "}],\n";
  out += "    \"results\": [";
  for (std::size_t i = 0; i < all.size(); ++i) {
    const finding& f = all[i];
    out += std::string(i ? "," : "") + "\n      {\"ruleId\": " + json_string(f.rule);
    if (int idx = rule_index(f.rule); idx >= 0)
      out += ", \"ruleIndex\": " + std::to_string(idx);
    out += ", \"level\": \"error\", \"message\": {\"text\": " + json_string(f.message) + "}";
    out += ", \"locations\": [" + location_json(f.where, "", -1) + "]";
    if (!f.notes.empty()) {
      out += ", \"relatedLocations\": [";
      for (std::size_t k = 0; k < f.notes.size(); ++k)
        out += std::string(k ? "," : "") +
               location_json(f.notes[k].where, f.notes[k].message, static_cast<int>(k + 1));
      out += "]";
    }
    if (!f.stacks.empty()) {
      out += ", \"stacks\": [";
      for (std::size_t k = 0; k < f.stacks.size(); ++k) {
        const report_stack& s = f.stacks[k];
        out += std::string(k ? "," : "") + "{\"message\": {\"text\": " + json_string(s.title) +
               "}, \"frames\": [";
        for (std::size_t j = 0; j < s.frames.size(); ++j) {
          const symbol_frame& fr = s.frames[j];
          debug::site site{fr.file, fr.line, fr.column, fr.function};
          out += std::string(j ? "," : "") + "{\"location\": " + location_json(site, "", -1) + "}";
        }
        out += "]}";
      }
      out += "]";
    }
    if (!f.properties.empty() || options().sched_random) {
      out += ", \"properties\": {";
      bool first = true;
      for (const auto& [k, v] : f.properties) {
        out += std::string(first ? "" : ", ") + json_string(k) + ": " + json_string(v);
        first = false;
      }
      if (options().sched_random)
        out += std::string(first ? "" : ", ") +
               "\"sched\": " + json_string("random:" + std::to_string(options().sched_seed));
      out += "}";
    }
    out += "}";
  }
  out += "\n    ]\n  }]\n}\n";
  return out;
}

std::string dot_id(const std::string& s) {
  return json_string(s);
}

std::string render_dot(const std::vector<finding>& all) {
  std::string out = "digraph goro {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n";
  int cluster = 0;
  for (const finding& f : all) {
    if (f.graph.empty())
      continue;
    out += "  subgraph cluster_" + std::to_string(cluster) +
           " {\n    label=" + dot_id("[" + f.rule + "] " + f.message) + ";\n";
    // Node ids are prefixed by the cluster, so the same mutex in two findings
    // is drawn twice; each node is declared once per cluster.
    std::vector<std::string> declared;
    auto node = [&](const std::string& name) {
      std::string id = "c" + std::to_string(cluster) + ":" + name;
      if (std::find(declared.begin(), declared.end(), id) == declared.end()) {
        declared.push_back(id);
        out += "    " + dot_id(id) + " [label=" + dot_id(name) + "];\n";
      }
      return id;
    };
    for (const report_edge& e : f.graph) {
      std::string from = node(e.from);
      std::string to = node(e.to);
      out += "    " + dot_id(from) + " -> " + dot_id(to) + " [label=" + dot_id(e.label) + "];\n";
    }
    out += "  }\n";
    ++cluster;
  }
  return out + "}\n";
}

void write_file(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "goro: cannot write %s\n", path.c_str());
    return;
  }
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    std::fprintf(stderr, "goro: cannot write %s\n", path.c_str());
}

void write_text(const std::string& text) {
  if (options().log_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
    return;
  }
  std::string path = output_path(options().log_path);
  FILE* f = std::fopen(path.c_str(), "a");
  if (f == nullptr) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    return;
  }
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

void flush_locked(const std::vector<finding>& all) {
  if (!options().sarif_path.empty())
    write_file(output_path(options().sarif_path), render_sarif(all));
  if (!options().dot_path.empty())
    write_file(output_path(options().dot_path), render_dot(all));
}

} // namespace

void emit(finding f) {
  state& s = the_state();
  bool halt = false;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    write_text(render_text(f));
    s.all.push_back(std::move(f));
    halt = options().halt_on_error;
    // Rewritten at once: a misuse panic that nobody catches ends the program
    // in std::terminate, before any exit handler could write the files.
    flush_locked(s.all);
  }
  if (halt)
    std::_Exit(options().exitcode);
}

std::size_t findings_emitted() noexcept {
  state& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.all.size();
}

void flush_outputs() noexcept {
  state& s = the_state();
  std::lock_guard<std::mutex> lock(s.mu);
  try {
    flush_locked(s.all);
  } catch (...) {
  }
}

[[noreturn]] void stop_with_findings() noexcept {
  flush_outputs();
  std::fflush(nullptr);
  std::_Exit(options().exitcode);
}

bool site_ignored(const debug::site& s, const std::vector<std::string>& extra) {
  std::string text = s.file + ":" + std::to_string(s.line) + " " + s.function;
  auto matches = [&](const std::vector<std::string>& patterns) {
    for (const std::string& p : patterns)
      if (!p.empty() && text.find(p) != std::string::npos)
        return true;
    return false;
  };
  return matches(options().ignore) || matches(extra);
}

} // namespace goro::detail
