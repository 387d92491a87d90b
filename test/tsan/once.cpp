// once: the call that runs f happens before every call() returns. The racy
// reader skips call() ("it must be initialised by now").
//
// RUN: %cxx %goro_cxxflags -DSYNC %s %goro_release -o %t.sync
// RUN: %tsan_clean %t.sync | FileCheck %s --check-prefix=SYNC
// RUN: %cxx %goro_cxxflags %s %goro_release -o %t.race
// RUN: %tsan_race %t.race | FileCheck %s
#include <chrono>
#include <cstdio>
#include <goro/goro.hpp>
#include <string>

goro::once init_once;
std::string* config = nullptr;

void load() {
  config = new std::string("port=8080");
}

int main() {
  goro::wait_group wg;
  for (int i = 0; i < 4; ++i) {
    wg.add(1);
    goro::go([&wg, i] {
#ifdef SYNC
      init_once.call([] { load(); });
#else
      if (i != 0)
        init_once.call([] { load(); });
      else
        goro::sleep(std::chrono::milliseconds(5));
#endif
      std::printf("%s\n", config != nullptr ? config->c_str() : "(none)");
      wg.done();
    });
  }
  wg.wait();
  // SYNC-COUNT-4: port=8080
  delete config;
}
// CHECK: WARNING: ThreadSanitizer: data race
// CHECK-DAG: {{#0 load.*}}once.cpp:17
// CHECK-DAG: {{#0 .*}}once.cpp:33
// CHECK: Location is global 'config{{.*}}'
// CHECK: Thread T{{[0-9]+}} 'goroutine {{[0-9]+}} (spawned at once.cpp:24)'
