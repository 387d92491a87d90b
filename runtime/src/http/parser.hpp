// http/parser.hpp — the strict HTTP/1.1 request decoder (no I/O).
//
// A request_decoder owns the connection's receive buffer. The caller reads
// bytes into space()/commit() and calls advance(), which parses as far as the
// buffered bytes allow and reports one event: need_more, head (the request
// line and headers are complete and checked), message (the body is complete
// too), or error (status() is the HTTP status to answer with; the decoder is
// then dead and the connection must close). Bytes after a message stay
// buffered for the next one (pipelining); next_message() starts it.
//
// Why not a library: Debian's HTTP parsers are nodejs' http-parser 2.9.4
// (unmaintained upstream) and llhttp 8.1.0 (sources in node-llhttp), which
// accepts "\r\n\rX" as the end of the headers, chunk data not followed by
// CRLF, a space before the colon and obs-folded lines — request-smuggling
// vectors fixed upstream only later. docs/http.md lists what we checked.
//
// Strictness (RFC 9112), each answered with a status, never a guess:
// lines end in CRLF (a bare CR or LF is 400); no obs-fold (400); field names
// are tokens followed directly by ':' (400); field values have no control
// characters but HTAB (400); the request line is `method SP target SP
// HTTP/d.d` (400), HTTP/1.x only (505); HTTP/1.1 needs exactly one Host
// (400); Content-Length is digits, repeated only with the same value (400);
// Transfer-Encoding is exactly `chunked` (another final coding is 400, other
// codings 501), never with Content-Length (400) nor in HTTP/1.0 (400).
//
// Every limit is checked on the bytes seen so far, so a client cannot make
// the decoder buffer more than the limits allow, and an answer never depends
// on how the input was split into reads (the fuzzer checks that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "goro/http.hpp"

namespace goro::detail {

struct http_limits {
  std::size_t max_header_bytes = 64 * 1024;     // request line + headers + CRLFs; larger: 431
  std::size_t max_line_bytes = 8 * 1024;        // one line without CRLF: 414 (request line), 431
  std::size_t max_headers = 100;                // more: 431
  std::size_t max_body_bytes = 8 * 1024 * 1024; // decoded; larger: 413
};

struct request_head {
  std::string method;
  std::string target; // as sent
  std::string path;   // target's path, percent-decoded
  std::string query;  // target's query, raw, without '?'
  int minor = 1;      // HTTP/1.minor
  goro::http::header headers;
  bool chunked = false;
  std::uint64_t content_length = 0; // without chunked
  bool keep_alive = true;           // what the client asked for
  bool expect_continue = false;     // Expect: 100-continue with a body to come
};

class request_decoder {
public:
  enum class event { need_more, head, message, error };

  explicit request_decoder(const http_limits& limits);
  request_decoder(const request_decoder&) = delete;
  request_decoder& operator=(const request_decoder&) = delete;

  // Room for at least `min` more received bytes; commit(n) after reading n.
  char* space(std::size_t min, std::size_t& room);
  void commit(std::size_t n) noexcept { end_ += n; }

  event advance();

  request_head& head() noexcept { return head_; }
  std::string& body() noexcept { return body_; }
  // After `error`: the status to answer with, and why (for the body).
  int status() const noexcept { return status_; }
  const char* reason() const noexcept { return reason_; }
  // True once a byte of the current message arrived.
  bool in_message() const noexcept { return phase_ != phase::head || consumed_ > 0 || end_ > pos_; }
  // Received bytes not consumed by the current message.
  std::size_t buffered() const noexcept { return end_ - pos_; }
  // After `message`: forgets it (keeps the buffered bytes). The body's
  // storage may be handed in for reuse.
  void next_message(std::string reuse_body = {});

private:
  enum class phase { head, length_body, chunk_line, chunk_data, chunk_crlf, trailer, done, failed };
  enum class line_result { line, need_more, failed };

  event fail(int status, const char* reason);
  line_result take_line(std::size_t budget, int too_long_status, std::string_view& line);
  bool request_line(std::string_view line);
  bool field_line(std::string_view line, bool trailer);
  event head_complete();
  event parse_body();

  http_limits limits_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0;
  std::size_t pos_ = 0; // first unconsumed byte
  std::size_t end_ = 0; // one past the last received byte

  phase phase_ = phase::head;
  std::size_t consumed_ = 0; // head or trailer bytes consumed so far
  std::size_t fields_ = 0;   // header or trailer fields so far
  bool have_request_line_ = false;
  std::size_t line_scanned_ = 0; // bytes of the current partial line found clean
  std::uint64_t remaining_ = 0;  // of the Content-Length body or the current chunk
  request_head head_;
  std::string body_;
  int status_ = 0;
  const char* reason_ = "";
};

// Percent-decodes s ('+' stays '+'); false on a malformed escape.
bool percent_decode(std::string_view s, std::string& out, bool plus_is_space);
// The first value of `key` in an application/x-www-form-urlencoded query.
std::string query_value(std::string_view query, std::string_view key);
// Case-insensitive ASCII comparison.
bool equal_fold(std::string_view a, std::string_view b) noexcept;

} // namespace goro::detail
