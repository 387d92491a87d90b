// Request-scoped values in a context: the request id and the user id travel
// with the context through every function and goroutine that handles the
// request, instead of being threaded through every signature.
//
// Seed: 001 "Context with Values" (contextWithValues, processRequest,
// authenticateUser).
//
// Notice: value<T>(key) returns nullptr when the key is absent *or* holds
// another type, like Go's `v, ok := ctx.Value(key).(int)`. Always check it.
// (Go keys are unexported types to avoid collisions; here, prefix string keys
// with your package's name.)
#include <goro/goro.hpp>

#include <cstdio>
#include <string>

namespace {

constexpr const char* user_id_key = "example.user_id";
constexpr const char* request_id_key = "example.request_id";

void authenticate_user(const goro::context& ctx) {
  if (const int* user_id = ctx.value<int>(user_id_key))
    std::printf("authenticating user %d\n", *user_id);
  else
    std::printf("no user id in context\n");
}

void process_request(const goro::context& ctx) {
  const std::string* request_id = ctx.value<std::string>(request_id_key);
  std::printf("processing request %s\n", request_id ? request_id->c_str() : "(none)");
  authenticate_user(ctx);

  // A goroutine handling part of the request sees the same values.
  goro::wait_group wg;
  wg.add(1);
  goro::go([&wg, ctx] {
    goro::defer done([&] { wg.done(); });
    const int* user_id = ctx.value<int>(user_id_key);
    std::printf("audit log: user %d\n", user_id ? *user_id : -1);
  });
  wg.wait();
}

} // namespace

int main() {
  goro::context ctx = goro::with_value(goro::background(), request_id_key, std::string("req-7"));
  ctx = goro::with_value(ctx, user_id_key, 12345);
  process_request(ctx);

  // A lookup with the wrong type finds nothing, like a failed type assertion.
  std::printf("user id as a string: %s\n",
              ctx.value<std::string>(user_id_key) ? "found" : "not found (it is an int)");

  // Without the values, the same code takes its "absent" paths.
  process_request(goro::background());
  return 0;
}
