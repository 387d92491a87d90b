// GORO_OPTIONS output paths accept %p, the process id, and %% for a literal
// '%', so that parallel processes (tests run side by side) each write their
// own files instead of overwriting one. Two runs of a deadlocking program
// with the same options leave two sets of files, each named by its pid
// (printed by the program). In a RUN line lit reads %% as '%'.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env GORO_OPTIONS=log_path=%t.dir/log.%%p,sarif_path=%t.dir/sarif.%%p.json,dot_path=%t.dir/%%%%dot.%%p %expect_exit 66 %t > %t.pid1
// RUN: env GORO_OPTIONS=log_path=%t.dir/log.%%p,sarif_path=%t.dir/sarif.%%p.json,dot_path=%t.dir/%%%%dot.%%p %expect_exit 66 %t > %t.pid2
// RUN: cat %t.pid1 %t.pid2 > %t.names
// RUN: ls %t.dir >> %t.names
// RUN: FileCheck %s --input-file %t.names
// RUN: cat %t.dir/log.* | FileCheck %s --check-prefix=LOG
#include <cstdio>
#include <goro/goro.hpp>
#include <unistd.h>

int main() {
  std::printf("pid %d\n", static_cast<int>(getpid()));
  std::fflush(stdout);
  goro::make_chan<int>().recv();
  return 0;
}
// CHECK: pid [[P1:[0-9]+]]
// CHECK-NEXT: pid [[P2:[0-9]+]]
// CHECK-DAG: {{^}}%dot.[[P1]]{{$}}
// CHECK-DAG: {{^}}%dot.[[P2]]{{$}}
// CHECK-DAG: {{^}}log.[[P1]]{{$}}
// CHECK-DAG: {{^}}log.[[P2]]{{$}}
// CHECK-DAG: {{^}}sarif.[[P1]].json{{$}}
// CHECK-DAG: {{^}}sarif.[[P2]].json{{$}}
// CHECK-NOT: {{.}}
//
// LOG-COUNT-2: {{^/.*}}/output-path-pid.cpp:[[#@LINE-13]]:3: error: deadlock: all goroutines are asleep
