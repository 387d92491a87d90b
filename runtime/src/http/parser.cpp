// http/parser.cpp — the strict HTTP/1.1 request decoder (see parser.hpp).
//
// Invariants: every byte before pos_ belongs to a finished line or to the
// body; nothing is parsed twice. A line is judged only when its '\n' arrived,
// except that a line (or a head) that can no longer fit its limit fails as
// soon as that is certain: both answers are the same ones the complete input
// would get, which keeps the decoder's answers independent of read sizes.
#include "parser.hpp"

#include <algorithm>
#include <cstring>

namespace goro::detail {
namespace {

// RFC 9110 tchar: the characters of tokens (methods, field names).
constexpr bool is_tchar(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  switch (c) {
  case '!':
  case '#':
  case '$':
  case '%':
  case '&':
  case '\'':
  case '*':
  case '+':
  case '-':
  case '.':
  case '^':
  case '_':
  case '`':
  case '|':
  case '~':
    return true;
  default:
    return false;
  }
}

// field-value characters: VCHAR, obs-text, SP, HTAB.
constexpr bool is_value_char(unsigned char c) noexcept {
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

// request-target characters: visible ASCII.
constexpr bool is_target_char(unsigned char c) noexcept {
  return c > 0x20 && c < 0x7f;
}

bool is_token(std::string_view s) noexcept {
  if (s.empty())
    return false;
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c)))
      return false;
  return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Calls f for each comma-separated element of a list field, trimmed; empty
// elements are skipped (RFC 9110 §5.6.1).
template <class F>
void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = trim_ows(list.substr(0, comma));
    if (!item.empty())
      f(item);
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
}

// Parses 1*DIGIT; values beyond 2^63 saturate (they exceed every limit).
bool parse_length(std::string_view s, std::uint64_t& out) noexcept {
  if (s.empty())
    return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    if (v > (std::uint64_t{1} << 62))
      v = std::uint64_t{1} << 63;
    else
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

} // namespace

bool equal_fold(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z')
      x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = static_cast<char>(y - 'A' + 'a');
    if (x != y)
      return false;
  }
  return true;
}

bool percent_decode(std::string_view s, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size())
        return false;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0)
        return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

std::string query_value(std::string_view query, std::string_view key) {
  std::string name;
  std::string value;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty())
      continue;
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!percent_decode(raw_name, name, true) || name != key)
      continue;
    if (!percent_decode(raw_value, value, true))
      continue; // Go skips malformed pairs too
    return value;
  }
  return {};
}

request_decoder::request_decoder(const http_limits& limits) : limits_(limits) {}

char* request_decoder::space(std::size_t min, std::size_t& room) {
  if (cap_ - end_ < min) {
    if (pos_ > 0) {
      std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (cap_ - end_ < min) {
      std::size_t cap = std::max({cap_ * 2, end_ + min, std::size_t{4096}});
      std::unique_ptr<char[]> bigger(new char[cap]);
      if (end_ > 0)
        std::memcpy(bigger.get(), buf_.get(), end_);
      buf_ = std::move(bigger);
      cap_ = cap;
    }
  }
  room = cap_ - end_;
  return buf_.get() + end_;
}

request_decoder::event request_decoder::fail(int status, const char* reason) {
  phase_ = phase::failed;
  status_ = status;
  reason_ = reason;
  return event::error;
}

void request_decoder::next_message(std::string reuse_body) {
  phase_ = phase::head;
  consumed_ = 0;
  fields_ = 0;
  have_request_line_ = false;
  line_scanned_ = 0;
  remaining_ = 0;
  head_ = request_head{};
  body_ = std::move(reuse_body);
  body_.clear();
  if (pos_ == end_)
    pos_ = end_ = 0;
}

// Takes the next complete line (without CRLF) of a head or trailer section
// that may still use `budget` bytes. Bytes are judged in order and the first
// certain fault wins, so the answer never depends on how the input was split:
// a bare LF (400) at the LF, a bare CR (400) at the byte after it, a line
// longer than max_line_bytes (too_long_status) at its first excess byte, a
// section beyond its budget (431) at the budget.
request_decoder::line_result request_decoder::take_line(std::size_t budget, int too_long_status,
                                                        std::string_view& line) {
  const char* start = buf_.get() + pos_;
  std::size_t avail = end_ - pos_;
  std::size_t window = std::min(avail, budget);
  std::size_t max_before = limits_.max_line_bytes + 1; // bytes before the LF, CR included
  std::size_t i = line_scanned_;
  if (i == 0) {
    // Fast path: a complete, clean line.
    const void* nl = window == 0 ? nullptr : std::memchr(start, '\n', window);
    if (nl != nullptr) {
      auto before = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
      if (before >= 1 && before <= max_before && start[before - 1] == '\r' &&
          std::memchr(start, '\r', before - 1) == nullptr) {
        line = std::string_view(start, before - 1);
        pos_ += before + 1;
        consumed_ += before + 1;
        return line_result::line;
      }
    }
  }
  for (; i < window; ++i) {
    char c = start[i];
    if (c == '\n') {
      if (i == 0 || start[i - 1] != '\r') {
        fail(400, "line not terminated by CRLF");
        return line_result::failed;
      }
      line = std::string_view(start, i - 1);
      pos_ += i + 1;
      consumed_ += i + 1;
      line_scanned_ = 0;
      return line_result::line;
    }
    if (i >= max_before) {
      fail(too_long_status, too_long_status == 414   ? "request line too long"
                            : too_long_status == 431 ? "header line too long"
                                                     : "chunk line too long");
      return line_result::failed;
    }
    if (i > 0 && start[i - 1] == '\r') {
      fail(400, "bare CR in line");
      return line_result::failed;
    }
  }
  line_scanned_ = i;
  if (avail >= budget) {
    fail(431, "request headers too large");
    return line_result::failed;
  }
  return line_result::need_more;
}

bool request_decoder::request_line(std::string_view line) {
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    fail(400, "malformed request line");
    return false;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view rest = line.substr(sp1 + 1);
  std::size_t sp2 = rest.find(' ');
  if (!is_token(method) || sp2 == std::string_view::npos) {
    fail(400, "malformed request line");
    return false;
  }
  std::string_view target = rest.substr(0, sp2);
  std::string_view version = rest.substr(sp2 + 1);
  if (target.empty() || version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      version[5] < '0' || version[5] > '9' || version[6] != '.' || version[7] < '0' ||
      version[7] > '9') {
    fail(400, "malformed request line");
    return false;
  }
  for (char c : target)
    if (!is_target_char(static_cast<unsigned char>(c))) {
      fail(400, "invalid character in request target");
      return false;
    }
  if (version[5] != '1') {
    fail(505, "HTTP version not supported");
    return false;
  }
  head_.method.assign(method);
  head_.target.assign(target);
  head_.minor = version[7] - '0';
  head_.keep_alive = head_.minor >= 1;

  // origin-form "/p?q", absolute-form "http://host/p?q", asterisk-form "*".
  std::string_view path_query = target;
  if (target == "*") {
    if (method != "OPTIONS") {
      fail(400, "'*' target for a method other than OPTIONS");
      return false;
    }
    head_.path = "*";
    return true;
  }
  if (target.front() != '/') {
    std::string_view scheme_end = "://";
    std::size_t p = target.find(scheme_end);
    bool http = p != std::string_view::npos && (equal_fold(target.substr(0, p), "http") ||
                                                equal_fold(target.substr(0, p), "https"));
    if (!http) {
      fail(400, "malformed request target");
      return false;
    }
    std::size_t slash = target.find('/', p + scheme_end.size());
    path_query = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (path_query.find('#') != std::string_view::npos) {
    fail(400, "fragment in request target");
    return false;
  }
  std::size_t q = path_query.find('?');
  std::string_view raw_path = path_query.substr(0, q);
  if (q != std::string_view::npos)
    head_.query.assign(path_query.substr(q + 1));
  if (!percent_decode(raw_path, head_.path, false) || head_.path.find('\0') != std::string::npos) {
    fail(400, "malformed escape in request path");
    return false;
  }
  if (head_.path.empty())
    head_.path = "/";
  return true;
}

bool request_decoder::field_line(std::string_view line, bool trailer) {
  if (line.front() == ' ' || line.front() == '\t') {
    fail(400, "obsolete line folding");
    return false;
  }
  if (++fields_ > limits_.max_headers) {
    fail(431, trailer ? "too many trailer fields" : "too many header fields");
    return false;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    fail(400, "malformed header field");
    return false;
  }
  std::string_view value = trim_ows(line.substr(colon + 1));
  for (char c : value)
    if (!is_value_char(static_cast<unsigned char>(c))) {
      fail(400, "invalid character in header value");
      return false;
    }
  if (!trailer)
    head_.headers.add(std::string(line.substr(0, colon)), std::string(value));
  return true;
}

request_decoder::event request_decoder::head_complete() {
  int hosts = 0;
  bool have_length = false;
  bool have_te = false;
  bool te_chunked_last = false;
  bool te_other = false;
  bool te_chunked_twice = false;
  std::uint64_t length = 0;
  bool close = false;
  bool keep_alive = false;
  for (const auto& [key, value] : head_.headers.fields()) {
    if (equal_fold(key, "Host")) {
      ++hosts;
    } else if (equal_fold(key, "Content-Length")) {
      std::uint64_t n = 0;
      if (!parse_length(value, n))
        return fail(400, "invalid Content-Length");
      if (have_length && n != length)
        return fail(400, "conflicting Content-Length fields");
      have_length = true;
      length = n;
    } else if (equal_fold(key, "Transfer-Encoding")) {
      have_te = true;
      bool bad = false;
      for_each_element(value, [&](std::string_view coding) {
        if (!is_token(coding) && coding.find(';') == std::string_view::npos)
          bad = true;
        if (equal_fold(coding, "chunked")) {
          te_chunked_twice = te_chunked_twice || te_chunked_last;
          te_chunked_last = true;
        } else {
          if (te_chunked_last)
            te_chunked_twice = true; // a coding after chunked: chunked is not final
          te_chunked_last = false;
          te_other = true;
        }
      });
      if (bad)
        return fail(400, "malformed Transfer-Encoding");
    } else if (equal_fold(key, "Connection")) {
      for_each_element(value, [&](std::string_view option) {
        if (equal_fold(option, "close"))
          close = true;
        else if (equal_fold(option, "keep-alive"))
          keep_alive = true;
      });
    } else if (equal_fold(key, "Expect")) {
      if (!equal_fold(value, "100-continue"))
        return fail(417, "unsupported expectation");
      head_.expect_continue = true;
    }
  }
  if (hosts > 1 || (hosts == 0 && head_.minor >= 1))
    return fail(400, hosts > 1 ? "more than one Host field" : "missing Host field");
  if (have_te) {
    if (head_.minor == 0)
      return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (have_length)
      return fail(400, "both Transfer-Encoding and Content-Length");
    if (!te_chunked_last || te_chunked_twice)
      return fail(400, "chunked is not the final transfer coding");
    if (te_other)
      return fail(501, "unsupported transfer coding");
  }
  if (close)
    head_.keep_alive = false;
  else if (head_.minor == 0 && keep_alive)
    head_.keep_alive = true;
  if (have_te) {
    head_.chunked = true;
    phase_ = phase::chunk_line;
  } else if (length > 0) {
    if (length > limits_.max_body_bytes)
      return fail(413, "request body too large");
    head_.content_length = length;
    remaining_ = length;
    phase_ = phase::length_body;
  } else {
    phase_ = phase::done;
  }
  head_.expect_continue = head_.expect_continue && head_.minor >= 1 && phase_ != phase::done;
  consumed_ = 0;
  fields_ = 0;
  return event::head;
}

request_decoder::event request_decoder::advance() {
  if (phase_ == phase::failed)
    return event::error;
  if (phase_ == phase::head) {
    for (;;) {
      std::string_view line;
      line_result r =
          take_line(limits_.max_header_bytes - consumed_, have_request_line_ ? 431 : 414, line);
      if (r == line_result::failed)
        return event::error;
      if (r == line_result::need_more)
        return event::need_more;
      if (line.empty()) {
        if (have_request_line_)
          return head_complete();
        continue; // blank lines before the request line are ignored (RFC 9112 §2.2)
      }
      if (!have_request_line_) {
        if (!request_line(line))
          return event::error;
        have_request_line_ = true;
      } else if (!field_line(line, false)) {
        return event::error;
      }
    }
  }
  return parse_body();
}

request_decoder::event request_decoder::parse_body() {
  for (;;) {
    switch (phase_) {
    case phase::done:
      return event::message;
    case phase::failed:
      return event::error;
    case phase::head:
      return event::need_more; // not reached: advance() parses heads
    case phase::length_body:
    case phase::chunk_data: {
      std::size_t take = static_cast<std::size_t>(
          std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(end_ - pos_)));
      body_.append(buf_.get() + pos_, take);
      pos_ += take;
      remaining_ -= take;
      if (remaining_ > 0)
        return event::need_more;
      phase_ = phase_ == phase::length_body ? phase::done : phase::chunk_crlf;
      break;
    }
    case phase::chunk_crlf: {
      std::size_t avail = end_ - pos_;
      if (avail >= 1 && buf_[pos_] != '\r')
        return fail(400, "chunk data not followed by CRLF");
      if (avail < 2)
        return event::need_more;
      if (buf_[pos_ + 1] != '\n')
        return fail(400, "chunk data not followed by CRLF");
      pos_ += 2;
      phase_ = phase::chunk_line;
      break;
    }
    case phase::chunk_line: {
      std::string_view line;
      line_result r = take_line(SIZE_MAX, 400, line);
      if (r == line_result::failed)
        return event::error;
      if (r == line_result::need_more)
        return event::need_more;
      std::size_t digits = 0;
      std::uint64_t size = 0;
      while (digits < line.size() && hex_value(line[digits]) >= 0) {
        if (digits == 15)
          return fail(400, "chunk size too large");
        size = size * 16 + static_cast<std::uint64_t>(hex_value(line[digits]));
        ++digits;
      }
      if (digits == 0)
        return fail(400, "malformed chunk size");
      // chunk-ext: BWS ";" ...; we accept any visible text after the ';'.
      std::string_view ext = line.substr(digits);
      std::string_view lead = ext.substr(0, ext.find_first_not_of(" \t"));
      ext.remove_prefix(lead.size());
      if (!ext.empty()) {
        if (ext.front() != ';')
          return fail(400, "malformed chunk size");
        for (char c : ext)
          if (!is_value_char(static_cast<unsigned char>(c)))
            return fail(400, "invalid character in chunk extension");
      } else if (!lead.empty()) {
        return fail(400, "malformed chunk size");
      }
      if (size > limits_.max_body_bytes - std::min(limits_.max_body_bytes, body_.size()))
        return fail(413, "request body too large");
      consumed_ = 0;
      if (size == 0) {
        fields_ = 0;
        phase_ = phase::trailer;
      } else {
        remaining_ = size;
        phase_ = phase::chunk_data;
      }
      break;
    }
    case phase::trailer: {
      std::string_view line;
      line_result r = take_line(limits_.max_header_bytes - consumed_, 431, line);
      if (r == line_result::failed)
        return event::error;
      if (r == line_result::need_more)
        return event::need_more;
      if (line.empty()) {
        phase_ = phase::done;
        break;
      }
      if (!field_line(line, true))
        return event::error;
      break;
    }
    }
  }
}

} // namespace goro::detail
