// RUN: %check_goro_tidy %s goro-response-after-return %t
// RUN: %check_goro_tidy --check-suffix=USER --config="{CheckOptions: {goro-response-after-return.ResponseTypes: 'goro::http::response_writer;web::response', goro-response-after-return.SpawnFunctions: '::goro::go;::goro::errgroup::go;::goro::errgroup::try_go;::std::thread;::std::jthread;::std::async;::web::pool::submit'}}" %s goro-response-after-return %t -- -DUSER_FRAMEWORK_ONLY
//
// goro-response-after-return: work that can outlive an HTTP handler must not
// use the handler's response writer. The first RUN uses the defaults; the
// second adds a user framework's response type and thread pool and compiles
// only the last section (USER_FRAMEWORK_ONLY), which the first RUN compiles
// too, to show that without the options nothing there is a handler or a spawn.

#include <goro/goro.hpp>

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using goro::http::request;
using goro::http::response_writer;

std::string encode(const std::vector<int>& users);
void log_count(std::size_t n);
void respond(response_writer* w, std::string body);
void respond_ref(response_writer& w);
void finish(goro::wait_group& wg);
int status_of(response_writer& w);

#ifndef USER_FRAMEWORK_ONLY

// ---- The seed's mistake: a fire-and-forget goroutine writes the response.
void get_users(response_writer& w, const request& r) {
  std::vector<int> users{1, 2, 3};
  goro::go([&] {
    w.write(encode(users));
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine uses response writer 'w' but can run after handler 'get_users' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:33: note: response writer 'w' is valid only until handler 'get_users' returns
  });
}

// Fine (the seed's fix): respond first, then start background work that
// does not touch w.
void get_users_fixed(response_writer& w, const request& r) {
  std::vector<int> users{1, 2, 3};
  w.headers().set("Content-Type", "application/json");
  w.write(encode(users));
  goro::go([users] { log_count(users.size()); });
}

// Fine: [&] could capture w, but the goroutine never uses it.
void capture_all_without_use(response_writer& w, const request& r) {
  std::vector<int> users{1, 2, 3};
  w.write(encode(users));
  goro::go([&] { log_count(users.size()); });
}

// Fine: the writer is used only by the handler itself.
void writer_only_in_handler(response_writer& w, const request& r) {
  goro::go([] { log_count(0); });
  w.write("done");
}

// ---- How the writer gets into the goroutine: captures.
void explicit_reference_capture(response_writer& w, const request& r) {
  goro::go([&w] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: goroutine uses response writer 'w' but can run after handler 'explicit_reference_capture' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:50: note: response writer 'w' is valid only until handler 'explicit_reference_capture' returns
}

// goro's response_writer is a handle: a copy is the same response.
void copy_capture(response_writer& w, const request& r) {
  goro::go([w]() mutable { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:28: warning: goroutine uses response writer 'w' but can run after handler 'copy_capture' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:36: note: response writer 'w' is valid only until handler 'copy_capture' returns
}

void init_capture_pointer(response_writer& w, const request& r) {
  goro::go([p = &w] { p->write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: goroutine uses response writer 'w' through 'p' but can run after handler 'init_capture_pointer' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:13: note: 'p' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-5]]:44: note: response writer 'w' is valid only until handler 'init_capture_pointer' returns
}

// An init-capture that keeps the writer's name is still the writer.
void init_capture_same_name(response_writer& w, const request& r) {
  goro::go([w = w]() mutable { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:32: warning: goroutine uses response writer 'w' but can run after handler 'init_capture_same_name' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:46: note: response writer 'w' is valid only until handler 'init_capture_same_name' returns
}

// An array of pointers to the writer.
void through_array(response_writer& w, const request& r) {
  response_writer* outs[] = {&w};
  goro::go([outs] { outs[0]->write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' through 'outs' but can run after handler 'through_array' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:20: note: 'outs' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:37: note: response writer 'w' is valid only until handler 'through_array' returns
}

// Fine: a value computed from the writer at the spawn is not the writer.
void init_capture_value(response_writer& w, const request& r) {
  goro::go([status = status_of(w)] { log_count(status); });
}

// Fine: w is only named in an unevaluated operand.
void unevaluated_use(response_writer& w, const request& r) {
  goro::go([&] { log_count(sizeof(w)); });
}

// A reference into the writer is as short-lived as the writer.
void header_reference(response_writer& w, const request& r) {
  goro::http::header& h = w.headers();
  goro::go([&h] { h.set("X-Late", "1"); });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: goroutine uses response writer 'w' through 'h' but can run after handler 'header_reference' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:23: note: 'h' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:40: note: response writer 'w' is valid only until handler 'header_reference' returns
}

void writer_pointer_parameter(response_writer* w, const request& r) {
  goro::go([w] { w->write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:18: warning: goroutine uses response writer 'w' but can run after handler 'writer_pointer_parameter' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:48: note: response writer 'w' is valid only until handler 'writer_pointer_parameter' returns
}

// ---- Spawn arguments: goro::go(f, args...) copies args for later.
void address_as_argument(response_writer& w, const request& r) {
  goro::go(respond, &w, std::string("late"));
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' but can run after handler 'address_as_argument' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:43: note: response writer 'w' is valid only until handler 'address_as_argument' returns
}

void ref_as_argument(response_writer& w, const request& r) {
  goro::go(respond_ref, std::ref(w));
// CHECK-MESSAGES: :[[@LINE-1]]:25: warning: goroutine uses response writer 'w' but can run after handler 'ref_as_argument' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:39: note: response writer 'w' is valid only until handler 'ref_as_argument' returns
}

// The spawned lambda receives the writer as its argument.
void lambda_parameter_argument(response_writer& w, const request& r) {
  goro::go([](response_writer& out) { out.write("late"); }, std::ref(w));
// CHECK-MESSAGES: :[[@LINE-1]]:61: warning: goroutine uses response writer 'w' but can run after handler 'lambda_parameter_argument' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:49: note: response writer 'w' is valid only until handler 'lambda_parameter_argument' returns
}

// Fine: only values are passed.
void value_arguments_only(response_writer& w, const request& r) {
  std::vector<int> users{1, 2, 3};
  w.write(encode(users));
  goro::go(log_count, users.size());
}

// ---- Through locals that hold the writer.
void through_local_pointer(response_writer& w, const request& r) {
  response_writer* out = &w;
  goro::go([out] { out->write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: goroutine uses response writer 'w' through 'out' but can run after handler 'through_local_pointer' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:20: note: 'out' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:45: note: response writer 'w' is valid only until handler 'through_local_pointer' returns
}

void through_local_reference(response_writer& w, const request& r) {
  response_writer& out = w;
  goro::go([&out] { out.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' through 'out' but can run after handler 'through_local_reference' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:20: note: 'out' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:47: note: response writer 'w' is valid only until handler 'through_local_reference' returns
}

struct job_context {
  response_writer* w = nullptr;
  std::vector<int> users;
};

void through_struct_field(response_writer& w, const request& r) {
  job_context ctx{&w, {1, 2, 3}};
  goro::go([ctx] { ctx.w->write(encode(ctx.users)); });
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: goroutine uses response writer 'w' through 'ctx.w' but can run after handler 'through_struct_field' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:15: note: 'ctx.w' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:44: note: response writer 'w' is valid only until handler 'through_struct_field' returns
}

void through_assigned_field(response_writer& w, const request& r) {
  job_context ctx;
  ctx.w = &w;
  goro::go([&ctx] { ctx.w->write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' through 'ctx.w' but can run after handler 'through_assigned_field' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'ctx.w' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-7]]:46: note: response writer 'w' is valid only until handler 'through_assigned_field' returns
}

// Fine: the struct holds the writer, but the goroutine reads only another
// field.
void struct_other_field(response_writer& w, const request& r) {
  job_context ctx{&w, {1, 2, 3}};
  w.write(encode(ctx.users));
  goro::go([ctx] { log_count(ctx.users.size()); });
}

void through_container(response_writer& w, const request& r) {
  std::vector<response_writer*> outs;
  outs.push_back(&w);
  goro::go([outs] { outs[0]->write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' through 'outs' but can run after handler 'through_container' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'outs' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-7]]:41: note: response writer 'w' is valid only until handler 'through_container' returns
}

// ---- Through a member of *this, from a [this] lambda.
class user_service {
public:
  void get(response_writer& w, const request& r) {
    out_ = &w;
    goro::go([this] { out_->write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: goroutine uses response writer 'w' through 'out_' but can run after handler 'get' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'out_' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:29: note: response writer 'w' is valid only until handler 'get' returns
  }

  void get_via_method(response_writer& w, const request& r) {
    out_ = &w;
    goro::go([this] { flush(); });
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: goroutine uses response writer 'w' through 'out_' but can run after handler 'get_via_method' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'out_' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:40: note: response writer 'w' is valid only until handler 'get_via_method' returns
  }

  void get_member_pointer(response_writer& w, const request& r) {
    out_ = &w;
    goro::go(&user_service::flush, this);
// CHECK-MESSAGES: :[[@LINE-1]]:36: warning: goroutine uses response writer 'w' through 'out_' but can run after handler 'get_member_pointer' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: 'out_' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:44: note: response writer 'w' is valid only until handler 'get_member_pointer' returns
  }

  // Fine: a [this] lambda that reads only other members.
  void get_other_member(response_writer& w, const request& r) {
    out_ = &w;
    w.write("done");
    goro::go([this] { log_count(hits_); });
  }

  // A member function handler with its own capture of w.
  void get_capture(response_writer& w, const request& r) {
    goro::go([&] { w.write(std::to_string(hits_)); });
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: goroutine uses response writer 'w' but can run after handler 'get_capture' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:37: note: response writer 'w' is valid only until handler 'get_capture' returns
  }

private:
  void flush() { out_->write("late"); }
  response_writer* out_ = nullptr;
  std::size_t hits_ = 0;
};

// ---- A lambda stored first, spawned later.
void stored_lambda(response_writer& w, const request& r) {
  auto send = [&w] { w.write("late"); };
  goro::go(send);
// CHECK-MESSAGES: :[[@LINE-2]]:22: warning: goroutine uses response writer 'w' but can run after handler 'stored_lambda' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-5]]:37: note: response writer 'w' is valid only until handler 'stored_lambda' returns
}

void stored_std_function(response_writer& w, const request& r) {
  std::function<void()> send = [&] { w.write("late"); };
  goro::go(std::move(send));
// CHECK-MESSAGES: :[[@LINE-2]]:38: warning: goroutine uses response writer 'w' but can run after handler 'stored_std_function' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-5]]:43: note: response writer 'w' is valid only until handler 'stored_std_function' returns
}

// A closure that uses w, called by the goroutine.
void closure_called_by_goroutine(response_writer& w, const request& r) {
  auto send = [&w] { w.write("late"); };
  goro::go([send] { send(); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' through 'send' but can run after handler 'closure_called_by_goroutine' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:8: note: 'send' refers to response writer 'w' here
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-6]]:51: note: response writer 'w' is valid only until handler 'closure_called_by_goroutine' returns
}

// Fine: the stored lambda does not use the writer.
void stored_lambda_without_writer(response_writer& w, const request& r) {
  auto work = [] { log_count(1); };
  w.write("done");
  goro::go(work);
}

// ---- Nested lambdas.
void nested_plain_lambda(response_writer& w, const request& r) {
  goro::go([&] {
    auto send = [&] { w.write("late"); };
// CHECK-MESSAGES: :[[@LINE-1]]:23: warning: goroutine uses response writer 'w' but can run after handler 'nested_plain_lambda' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-5]]:43: note: response writer 'w' is valid only until handler 'nested_plain_lambda' returns
    send();
  });
}

// The outer goroutine is waited for (not reported); the inner one is not.
void nested_goroutine(response_writer& w, const request& r) {
  goro::wait_group wg;
  wg.add(1);
  goro::go([&] {
    goro::go([&] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:20: warning: goroutine uses response writer 'w' but can run after handler 'nested_goroutine' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-7]]:40: note: response writer 'w' is valid only until handler 'nested_goroutine' returns
    wg.done();
  });
  wg.wait();
}

// The inner jthread is joined by the outer goroutine (not reported on its
// own), which is not waited for.
void nested_jthread(response_writer& w, const request& r) {
  goro::go([&] {
    std::jthread t([&] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: goroutine uses response writer 'w' but can run after handler 'nested_jthread' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-5]]:38: note: response writer 'w' is valid only until handler 'nested_jthread' returns
  });
}

// ---- Waiting before the handler returns.
// Fine: both goroutines are waited for before the handler returns.
void wait_group_waited(response_writer& w, const request& r) {
  goro::wait_group wg;
  wg.add(2);
  goro::go([&] {
    w.headers().set("X-Part", "1");
    wg.done();
  });
  goro::go([&] {
    w.headers().set("X-Part", "2");
    wg.done();
  });
  wg.wait();
  w.write("done");
}

void wait_group_skipped_by_early_return(response_writer& w, const request& r) {
  goro::wait_group wg;
  wg.add(1);
  goro::go([&] {
    w.write("part");
    wg.done();
  });
  if (r.query("fast") == "1")
    return;
// CHECK-MESSAGES: :[[@LINE-5]]:5: warning: goroutine uses response writer 'w' but can run after handler 'wait_group_skipped_by_early_return' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-7]]:3: note: goroutine started here; the handler does not wait for it on every path
// CHECK-MESSAGES: :[[@LINE-3]]:5: note: the handler can return here without waiting for the goroutine
// CHECK-MESSAGES: :[[@LINE-12]]:58: note: response writer 'w' is valid only until handler 'wait_group_skipped_by_early_return' returns
  wg.wait();
}

// Fine: every path waits.
void wait_group_on_both_branches(response_writer& w, const request& r) {
  goro::wait_group wg;
  wg.add(1);
  goro::go([&] {
    w.write("part");
    wg.done();
  });
  if (r.query("fast") == "1") {
    wg.wait();
    return;
  }
  wg.wait();
}

// Waiting on a wait_group the goroutine does not know says nothing about it.
void unrelated_wait_group(response_writer& w, const request& r) {
  goro::wait_group mine;
  goro::wait_group theirs;
  mine.add(1);
  goro::go([&w, &mine] {
    w.write("part");
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine uses response writer 'w' but can run after handler 'unrelated_wait_group' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-8]]:44: note: response writer 'w' is valid only until handler 'unrelated_wait_group' returns
    mine.done();
  });
  theirs.wait();
}

// A wait before the goroutine starts does not wait for it.
void wait_before_spawn(response_writer& w, const request& r) {
  goro::wait_group wg;
  wg.wait();
  wg.add(1);
  goro::go([&] {
    w.write("part");
// CHECK-MESSAGES: :[[@LINE-1]]:5: warning: goroutine uses response writer 'w' but can run after handler 'wait_before_spawn' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-8]]:41: note: response writer 'w' is valid only until handler 'wait_before_spawn' returns
    wg.done();
  });
}

// Fine: the scope guard waits when the handler returns.
void waited_by_deferred_wait(response_writer& w, const request& r) {
  goro::wait_group wg;
  goro::defer wait_at_exit([&] { wg.wait(); });
  wg.add(1);
  goro::go([&] {
    w.write("part");
    wg.done();
  });
}

// Fine: a helper that takes the wait_group by reference may wait on it.
void waited_in_helper(response_writer& w, const request& r) {
  goro::wait_group wg;
  wg.add(1);
  goro::go([&] {
    w.write("part");
    wg.done();
  });
  finish(wg);
}

// Fine: goroutines started in a loop, waited for after it.
void waited_in_loop(response_writer& w, const request& r) {
  goro::wait_group wg;
  for (int i = 0; i < 3; ++i) {
    wg.add(1);
    goro::go([&, i] {
      w.write(std::to_string(i));
      wg.done();
    });
  }
  wg.wait();
}

// Fine: errgroup::wait() on every path (the error path returns after it).
void errgroup_waited(response_writer& w, const request& r) {
  auto [g, ctx] = goro::errgroup::with_context(r.context());
  g.go([&] { w.headers().set("X-A", "1"); });
  if (auto err = g.wait()) {
    goro::http::write_error(w, err.message(), 500);
    return;
  }
  w.write("ok");
}

void errgroup_not_waited(response_writer& w, const request& r) {
  goro::errgroup g;
  g.go([&] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:14: warning: goroutine uses response writer 'w' but can run after handler 'errgroup_not_waited' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-5]]:43: note: response writer 'w' is valid only until handler 'errgroup_not_waited' returns
}

// Fine: the handler receives what the goroutine sends after writing.
void channel_received(response_writer& w, const request& r) {
  auto done = goro::make_chan<int>();
  goro::go([&w, done] {
    w.write("part");
    done.send(1);
  });
  done.recv();
}

// Fine: the same wait, through select.
void select_received(response_writer& w, const request& r) {
  auto done = goro::make_chan<int>();
  goro::go([&w, done] {
    w.write("part");
    done.send(1);
  });
  goro::select(goro::on_recv(done, [](std::optional<int>) {}));
}

// Fine: ranging over a channel waits until the goroutine closes it.
void channel_ranged(response_writer& w, const request& r) {
  auto parts = goro::make_chan<int>();
  goro::go([&w, parts] {
    w.write("part");
    parts.close();
  });
  for (int part : parts)
    log_count(part);
}

// Fine: the future of a promise the goroutine fulfils.
void promise_waited(response_writer& w, const request& r) {
  std::promise<void> done;
  auto finished = done.get_future();
  goro::go([&] {
    w.write("part");
    done.set_value();
  });
  finished.get();
}

// ---- std::thread and std::jthread.
void thread_detached(response_writer& w, const request& r) {
  std::thread([&] { w.write("late"); }).detach();
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: thread uses response writer 'w' but can run after handler 'thread_detached' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: thread started here and detached; nothing waits for it
// CHECK-MESSAGES: :[[@LINE-4]]:39: note: response writer 'w' is valid only until handler 'thread_detached' returns
}

void thread_variable_detached(response_writer& w, const request& r) {
  std::thread t(respond_ref, std::ref(w));
// CHECK-MESSAGES: :[[@LINE-1]]:30: warning: thread uses response writer 'w' but can run after handler 'thread_variable_detached' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:15: note: thread started here and detached; nothing waits for it
// CHECK-MESSAGES: :[[@LINE-4]]:48: note: response writer 'w' is valid only until handler 'thread_variable_detached' returns
  t.detach();
}

void jthread_detached(response_writer& w, const request& r) {
  std::jthread t([&] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:24: warning: thread uses response writer 'w' but can run after handler 'jthread_detached' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: thread started here and detached; nothing waits for it
// CHECK-MESSAGES: :[[@LINE-4]]:40: note: response writer 'w' is valid only until handler 'jthread_detached' returns
  t.detach();
}

// Fine: joined before the handler returns.
void thread_joined(response_writer& w, const request& r) {
  std::thread t([&] { w.write("part"); });
  t.join();
}

// Fine: a local std::jthread joins in its destructor.
void jthread_local(response_writer& w, const request& r) {
  std::jthread t([&] { w.write("part"); });
}

// Fine: a detached thread that the handler still waits for through a
// wait_group.
void thread_detached_but_waited(response_writer& w, const request& r) {
  goro::wait_group wg;
  wg.add(1);
  std::thread([&] {
    w.write("part");
    wg.done();
  }).detach();
  wg.wait();
}

// Threads stored outside the handler escape it.
class worker_pool {
public:
  void handle(response_writer& w, const request& r) {
    threads_.push_back(std::thread([&w] { w.write("late"); }));
// CHECK-MESSAGES: :[[@LINE-1]]:43: warning: thread uses response writer 'w' but can run after handler 'handle' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:24: note: thread started here; it escapes the handler, which does not join it
// CHECK-MESSAGES: :[[@LINE-4]]:32: note: response writer 'w' is valid only until handler 'handle' returns
  }
  void handle_moved(response_writer& w, const request& r) {
    std::thread t([&w] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: thread uses response writer 'w' but can run after handler 'handle_moved' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:17: note: thread started here; it escapes the handler, which does not join it
// CHECK-MESSAGES: :[[@LINE-4]]:38: note: response writer 'w' is valid only until handler 'handle_moved' returns
    threads_.push_back(std::move(t));
  }
  // The thread is constructed inside the vector, still stored in a member.
  void handle_emplaced(response_writer& w, const request& r) {
    threads_.emplace_back([&w] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:34: warning: thread uses response writer 'w' but can run after handler 'handle_emplaced' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: thread started here; it escapes the handler, which does not join it
// CHECK-MESSAGES: :[[@LINE-4]]:41: note: response writer 'w' is valid only until handler 'handle_emplaced' returns
  }
  // Fine: local jthreads join before the handler returns.
  void handle_local_threads(response_writer& w, const request& r) {
    std::vector<std::jthread> parts;
    parts.emplace_back([&w] { w.headers().set("X-Part", "1"); });
  }

private:
  std::vector<std::thread> threads_;
};

// ---- std::async: the future's destructor waits, unless the future escapes.
// Fine: the discarded future waits at the end of the statement.
void async_discarded(response_writer& w, const request& r) {
  std::async(std::launch::async, [&] { w.write("part"); });
}

// Fine: the local future waits in its destructor.
void async_local_future(response_writer& w, const request& r) {
  auto f = std::async(std::launch::async, [&] { w.write("part"); });
  log_count(1);
}

// Fine: so do futures in a local container.
void async_local_vector(response_writer& w, const request& r) {
  std::vector<std::future<void>> parts;
  parts.push_back(std::async(std::launch::async, [&] { w.write("part"); }));
}

class async_service {
public:
  void handle(response_writer& w, const request& r) {
    pending_ = std::async(std::launch::async, [&w] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:54: warning: asynchronous task uses response writer 'w' but can run after handler 'handle' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:16: note: asynchronous task started here; its future escapes the handler, so nothing waits for it
// CHECK-MESSAGES: :[[@LINE-4]]:32: note: response writer 'w' is valid only until handler 'handle' returns
  }

private:
  std::future<void> pending_;
};

// ---- Handler shapes.
void lambda_handlers(goro::http::server& srv) {
  srv.handle("/late", [](response_writer& w, const request& r) {
    goro::go([&w] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' but can run after the handler has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:43: note: response writer 'w' is valid only until the handler returns
  });
  srv.handle("/ok", [](response_writer& w, const request& r) {
    w.write("ok");
    goro::go([] { log_count(1); });  // fine: the goroutine does not use w
  });
}

// A generic lambda becomes a handler when server::handle instantiates it.
void generic_lambda_handler(goro::http::server& srv) {
  srv.handle("/generic", [](auto& w, const auto& r) {
    goro::go([&w] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:21: warning: goroutine uses response writer 'w' but can run after the handler has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:5: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:35: note: response writer 'w' is valid only until the handler returns
  });
}

// A handler lambda inside a handler: each spawn belongs to the innermost
// handler around it, and is reported once.
void nested_handlers(response_writer& w, const request& r) {
  auto respond_later = [](response_writer& out) { goro::go([&out] { out.write("late"); }); };
// CHECK-MESSAGES: :[[@LINE-1]]:69: warning: goroutine uses response writer 'out' but can run after the handler has returned, when 'out' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:51: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-3]]:44: note: response writer 'out' is valid only until the handler returns
  respond_later(w);
}

// Fine: not a handler (no response writer parameter).
void not_a_handler(std::string& body) {
  goro::go([&body] { body += "x"; });
}

template <class Writer>
void template_handler(Writer& w, const request& r) {
  goro::go([&w] { w.write("late"); });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: goroutine uses response writer 'w' but can run after handler 'template_handler' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:31: note: response writer 'w' is valid only until handler 'template_handler' returns
}
template void template_handler<response_writer>(response_writer&, const request&);

// Two instantiations, one source location: one warning.
template <int N>
void per_status_handler(response_writer& w, const request& r) {
  goro::go([&w] { w.write(std::to_string(N)); });
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: goroutine uses response writer 'w' but can run after handler 'per_status_handler' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:42: note: response writer 'w' is valid only until handler 'per_status_handler' returns
}
template void per_status_handler<200>(response_writer&, const request&);
template void per_status_handler<404>(response_writer&, const request&);

// Never instantiated: dependent code is not analysed (and must not crash).
template <class Writer>
void uninstantiated_handler(Writer& w, const request& r) {
  goro::go([&w] { w.write("late"); });
}

#define SPAWN(body) goro::go([&] { body; })
void macro_spawn(response_writer& w, const request& r) {
  SPAWN(w.write("late"));
// CHECK-MESSAGES: :[[@LINE-1]]:9: warning: goroutine uses response writer 'w' but can run after handler 'macro_spawn' has returned, when 'w' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES: :[[@LINE-2]]:3: note: goroutine started here; the handler does not wait for it
// CHECK-MESSAGES: :[[@LINE-4]]:35: note: response writer 'w' is valid only until handler 'macro_spawn' returns
}

#endif // USER_FRAMEWORK_ONLY

// ---- A user framework: its response type and thread pool (second RUN line
// adds them to ResponseTypes and SpawnFunctions; by default nothing here is
// a handler or a spawn).
namespace web {
struct request {};
struct response {
  void send(std::string body);
};
struct pool {
  template <class F>
  void submit(F f) { f(); }
  void wait();
};
} // namespace web

void web_detached(web::response& res, const web::request& req) {
  std::thread([&res] { res.send("late"); }).detach();
// CHECK-MESSAGES-USER: :[[@LINE-1]]:24: warning: thread uses response writer 'res' but can run after handler 'web_detached' has returned, when 'res' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES-USER: :[[@LINE-2]]:3: note: thread started here and detached; nothing waits for it
// CHECK-MESSAGES-USER: :[[@LINE-4]]:34: note: response writer 'res' is valid only until handler 'web_detached' returns
}

void web_pool(web::pool& workers, web::response& res, const web::request& req) {
  workers.submit([&res] { res.send("late"); });
// CHECK-MESSAGES-USER: :[[@LINE-1]]:27: warning: task uses response writer 'res' but can run after handler 'web_pool' has returned, when 'res' is no longer valid [goro-response-after-return]
// CHECK-MESSAGES-USER: :[[@LINE-2]]:3: note: task started here; the handler does not wait for it
// CHECK-MESSAGES-USER: :[[@LINE-4]]:50: note: response writer 'res' is valid only until handler 'web_pool' returns
}

void web_pool_waited(web::pool& workers, web::response& res, const web::request& req) {
  workers.submit([&res] { res.send("part"); });
  workers.wait();
}
