// http_request_fuzzer.cpp — libFuzzer target for the HTTP/1.1 request decoder
// (runtime/src/http/parser.hpp), built with -fsanitize=fuzzer,address.
//
// Input: two control bytes, then the bytes a client sends. Byte 0 picks the
// limits (small ones reach every limit path), byte 1 seeds how the bytes are
// split into reads. Properties checked, beyond "no crash, no ASan report":
//   - the decoder's answers (every request, every error status) are the
//     same whether the bytes arrive at once or in arbitrary pieces;
//   - every request it accepts respects the limits and the grammar: token
//     method and field names, no CR/LF/NUL in values, body within the limit,
//     body length equal to Content-Length when one was given.
// A violation aborts with a message, so libFuzzer saves the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "http/parser.hpp"

namespace {

using goro::detail::http_limits;
using goro::detail::request_decoder;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "http_request_fuzzer: property violated: %s\n", what);
  std::abort();
}

bool is_tchar(unsigned char c) {
  return std::isalnum(c) != 0 || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

void check_request(const http_limits& limits, request_decoder& d) {
  const auto& h = d.head();
  if (h.method.empty())
    violated("empty method");
  for (unsigned char c : h.method)
    if (!is_tchar(c))
      violated("method is not a token");
  if (h.path.empty())
    violated("empty path");
  if (h.headers.fields().size() > limits.max_headers)
    violated("more fields than max_headers");
  for (const auto& [k, v] : h.headers.fields()) {
    if (k.empty())
      violated("empty field name");
    for (unsigned char c : k)
      if (!is_tchar(c))
        violated("field name is not a token");
    for (unsigned char c : v)
      if (c == '\r' || c == '\n' || c == '\0')
        violated("CR, LF or NUL in a field value");
  }
  if (d.body().size() > limits.max_body_bytes)
    violated("body beyond max_body_bytes");
  if (!h.chunked && d.body().size() != h.content_length)
    violated("body length differs from Content-Length");
}

// Feeds `data` in pieces whose sizes come from `seed` (0: all at once) and
// returns a transcript of what the decoder said.
std::string transcript(const http_limits& limits, std::string_view data, std::uint32_t seed) {
  request_decoder d(limits);
  std::string out;
  std::size_t at = 0;
  std::uint32_t rng = seed * 2654435761u + 1;
  while (at < data.size()) {
    std::size_t piece = data.size() - at;
    if (seed != 0) {
      rng = rng * 1103515245u + 12345u;
      piece = std::min<std::size_t>(piece, 1 + (rng >> 16) % 64);
    }
    std::size_t room = 0;
    char* p = d.space(piece, room);
    std::memcpy(p, data.data() + at, piece);
    d.commit(piece);
    at += piece;
    for (;;) {
      request_decoder::event ev = d.advance();
      if (ev == request_decoder::event::need_more)
        break;
      if (ev == request_decoder::event::error) {
        out += "error " + std::to_string(d.status()) + " " + d.reason() + "\n";
        return out;
      }
      if (ev == request_decoder::event::head) {
        const auto& h = d.head();
        out += "head " + h.method + " " + h.target + " path=" + h.path + " query=" + h.query +
               " minor=" + std::to_string(h.minor) + " chunked=" + std::to_string(h.chunked) +
               " length=" + std::to_string(h.content_length) +
               " keep=" + std::to_string(h.keep_alive) +
               " expect=" + std::to_string(h.expect_continue) + "\n";
        for (const auto& [k, v] : h.headers.fields())
          out += "  " + k + ": " + v + "\n";
        continue;
      }
      check_request(limits, d);
      out += "body " + std::to_string(d.body().size()) + " " + d.body() + "\n";
      d.next_message();
    }
  }
  out += d.in_message() ? "partial\n" : "idle\n";
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2)
    return 0;
  http_limits limits;
  switch (bytes[0] & 3) {
  case 0:
    break; // the server's defaults
  case 1:
    limits = {256, 64, 4, 64};
    break;
  case 2:
    limits = {1024, 128, 8, 1024};
    break;
  case 3:
    limits = {64, 16, 2, 8};
    break;
  }
  std::string_view data(reinterpret_cast<const char*>(bytes) + 2, size - 2);
  std::string whole = transcript(limits, data, 0);
  std::string split = transcript(limits, data, bytes[1] + 1u);
  if (whole != split) {
    std::fprintf(stderr, "--- at once:\n%s--- in pieces:\n%s", whole.c_str(), split.c_str());
    violated("the answers depend on how the input was split");
  }
  return 0;
}
