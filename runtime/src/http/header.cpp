// http/header.cpp — goro::http::header: an ordered list of fields whose
// names compare case-insensitively (ASCII), as textproto.MIMEHeader without
// the canonicalization: names keep the spelling they were set or received with.
#include "goro/http.hpp"
#include "parser.hpp"

namespace goro::http {

void header::set(std::string key, std::string value) {
  del(key);
  fields_.emplace_back(std::move(key), std::move(value));
}

void header::add(std::string key, std::string value) {
  fields_.emplace_back(std::move(key), std::move(value));
}

std::string header::get(std::string_view key) const {
  for (const auto& [k, v] : fields_)
    if (goro::detail::equal_fold(k, key))
      return v;
  return {};
}

void header::del(std::string_view key) {
  std::erase_if(fields_, [&](const auto& f) { return goro::detail::equal_fold(f.first, key); });
}

} // namespace goro::http
