// Pitfall: channels closed on some paths only, never closed, closed by their
// receiver, or closed twice (goro-unclosed-channel).
//
// A word counter in the shape of the seeds' pipeline and worker pool:
// parse() is a generator stage, a pool of workers counts the words of each
// line, first_problem() asks every line at once and keeps the first answer,
// and write_report() sends the summary. It is wrong on purpose, four times:
//
//  1. parse() gives up on a binary line without closing its output, so the
//     range-for over its channel blocks forever (Go: `defer close(out)`).
//  2. summarize() never closes `jobs`: after the last line every worker
//     blocks in its range-for, wg.wait() never returns, and neither does
//     summarize().
//  3. first_problem() closes `problems` after the first answer while the
//     other checkers may still send: their send panics.
//  4. write_report() closes `out` and its goro::defer closes it again.
//
// Not built by CMake. See the findings with:
//   clang-tidy-19 --load build/default/checkers/goro-tidy.so \
//     --checks='-*,goro-unclosed-channel' examples/pitfalls/unclosed-channel.cpp \
//     -- -std=c++20 -Iruntime/include
// The fixes: `goro::defer close_out([&] { out.close(); });` at the top of
// parse()'s goroutine; `jobs.close();` after the send loop in summarize();
// no close in first_problem() (a buffered channel needs none; a context
// tells the checkers to stop); only the defer in write_report().
#include <goro/goro.hpp>

#include <chrono>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

struct line {
  int number;
  std::string text;
};

// Stage 1: the non-empty lines, numbered. Gives up on binary input.
goro::recv_chan<line> parse(std::vector<std::string> input) {
  auto out = goro::make_chan<line>();
  goro::go([out, input = std::move(input)] {
    int number = 0;
    for (const std::string& text : input) {
      ++number;
      if (text.find('\0') != std::string::npos)
        return; // 1: `out` stays open
      if (!text.empty())
        out.send(line{number, text});
    }
    out.close();
  });
  return out;
}

int count_words(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  int n = 0;
  while (in >> word)
    ++n;
  return n;
}

// Stage 2: a pool of workers counts the words of each line.
int summarize(goro::recv_chan<line> lines, int workers) {
  auto jobs = goro::make_chan<line>(16);
  auto counts = goro::make_chan<int>(16);
  goro::wait_group wg;
  for (int w = 0; w < workers; ++w) {
    wg.add(1);
    goro::go([&wg, jobs, counts] {
      for (line l : jobs) // 2: nothing closes `jobs`
        counts.send(count_words(l.text));
      wg.done();
    });
  }
  goro::go([&wg, counts] {
    wg.wait();
    counts.close();
  });
  for (line l : lines)
    jobs.send(std::move(l));
  int total = 0;
  for (int c : counts)
    total += c;
  return total;
}

// Checks every line concurrently; the first problem found wins.
std::optional<std::string> first_problem(const std::vector<std::string>& input) {
  auto problems = goro::make_chan<std::string>(4);
  for (const std::string& text : input)
    goro::go([problems, text] {
      if (text.size() > 72)
        problems.send("line too long: " + text.substr(0, 20) + "...");
    });
  std::optional<std::string> first;
  goro::select(goro::on_recv(problems, [&](std::optional<std::string> p) { first = std::move(p); }),
               goro::on_recv(goro::after(std::chrono::milliseconds(100)), [](auto) {}));
  problems.close(); // 3: the other checkers may still send
  return first;
}

void write_report(goro::send_chan<std::string> out, int total) {
  goro::defer close_out([&] { out.close(); });
  out.send("words: " + std::to_string(total));
  out.close(); // 4: the defer closes `out` again
}

} // namespace

int main() {
  std::vector<std::string> input = {"the quick brown fox", "", "jumps over", "the lazy dog"};
  int total = summarize(parse(input), 4);
  auto report = goro::make_chan<std::string>(4);
  goro::go(write_report, report, total);
  for (const std::string& text : report)
    std::puts(text.c_str());
  if (std::optional<std::string> problem = first_problem(input))
    std::puts(problem->c_str());
}
