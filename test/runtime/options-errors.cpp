// GORO_OPTIONS is checked when the program starts: an unknown or malformed
// option stops it before main with a message naming the option and exit
// status 2; nothing is silently ignored.
//
// REQUIRES: goro-debug
// RUN: %cxx %goro_cxxflags %s %goro_debug -o %t
// RUN: %t | FileCheck %s --check-prefix=RAN
// RUN: env GORO_OPTIONS= %t | FileCheck %s --check-prefix=RAN
// RAN: main ran
//
// RUN: env GORO_OPTIONS=halt_on_eror=1 %expect_exit 2 %t > %t.out 2> %t.err
// RUN: count 0 < %t.out
// RUN: FileCheck %s --check-prefix=UNKNOWN --input-file %t.err
// UNKNOWN: goro: GORO_OPTIONS: unknown option 'halt_on_eror' (known options: sarif_path, log_path, dot_path, exitcode, halt_on_error, leak_check_at_exit, detect_deadlocks, detect_lock_order, ignore, sched)
//
// RUN: env GORO_OPTIONS=exitcode=abc %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=EXITCODE
// RUN: env GORO_OPTIONS=exitcode=256 %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=EXITCODE
// RUN: env GORO_OPTIONS=exitcode=-1 %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=EXITCODE
// EXITCODE: goro: GORO_OPTIONS: option 'exitcode' expects an integer from 0 to 255, got '{{abc|256|-1}}'
//
// RUN: env GORO_OPTIONS=leak_check_at_exit=yes %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=BOOL
// BOOL: goro: GORO_OPTIONS: option 'leak_check_at_exit' expects 0 or 1, got 'yes'
//
// RUN: env GORO_OPTIONS=detect_deadlocks %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=NOVALUE
// NOVALUE: goro: GORO_OPTIONS: 'detect_deadlocks' is not NAME=VALUE
//
// RUN: env GORO_OPTIONS=sched=random %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=SCHED
// SCHED: goro: GORO_OPTIONS: option 'sched' expects 'default' or 'random:SEED', got 'random'
// RUN: env GORO_OPTIONS=sched=random:x1 %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=SEED
// SEED: goro: GORO_OPTIONS: option 'sched' expects 'default' or 'random:SEED' with an integer SEED, got 'random:x1'
//
// RUN: env "GORO_OPTIONS=ignore='worker;main" %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=QUOTE
// QUOTE: goro: GORO_OPTIONS: unterminated quote in 'ignore='worker;main'
//
// RUN: env GORO_OPTIONS=sarif_path= %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: goro: GORO_OPTIONS: option 'sarif_path' expects a file name
// RUN: env GORO_OPTIONS=log_path=%t.no/such/dir/log %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=NODIR
// NODIR: goro: GORO_OPTIONS: option 'log_path': cannot write '{{.*}}.no/such/dir/log' ({{.*}}.no/such/dir: No such file or directory)
//
// Output paths know %p (the pid) and %% ('%'), nothing else (lit reads %% as '%'):
// RUN: env GORO_OPTIONS=log_path=%t.%%d.log %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=PLACEHOLDER
// PLACEHOLDER: goro: GORO_OPTIONS: option 'log_path': unknown placeholder '%d' in '{{.*}}.%d.log' (%p is the process id, %% a literal '%')
// RUN: env GORO_OPTIONS=dot_path=%t.dot%% %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=TRAILING
// TRAILING: goro: GORO_OPTIONS: option 'dot_path': '%' at the end in '{{.*}}.dot%' (%p is the process id, %% a literal '%')
// RUN: env GORO_OPTIONS=sarif_path=%t.dir%%%%p/%%P.json %expect_exit 2 %t 2>&1 | FileCheck %s --check-prefix=UPPER
// UPPER: goro: GORO_OPTIONS: option 'sarif_path': unknown placeholder '%P' in '{{.*}}.dir%%p/%P.json'
//
// Well-formed values, several options at once, quoted values with commas:
// RUN: env "GORO_OPTIONS=exitcode=0,halt_on_error=true,leak_check_at_exit=false,detect_deadlocks=1,detect_lock_order=0,sched=default,log_path='%t,log',ignore='a,b;c'" %t | FileCheck %s --check-prefix=RAN
#include <cstdio>
#include <goro/goro.hpp>

int main() {
  auto done = goro::make_chan<int>();
  goro::go([done] { done.close(); });
  done.recv();
  std::printf("main ran\n");
  return 0;
}
