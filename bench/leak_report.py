#!/usr/bin/env python3
"""bench/leak_report.py — times the debug runtime's exit leak report.

Runs build/bench/bench/goro_leak_report N (default 1000000) ROUNDS times and
prints, per run, from `main` returning: when the report's first line arrives
on stderr (collection, grouping, symbolizing, printing), and when the process
is gone (plus the kernel's teardown of its memory: N goroutine stacks). Also
the whole process's CPU time. Not a test.

    cmake --build build/bench --target goro_leak_report
    python3 bench/leak_report.py [N] [ROUNDS]
"""
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# LEAK_REPORT_PROGRAM: another build of the program (e.g. an older runtime's).
PROGRAM = os.environ.get("LEAK_REPORT_PROGRAM",
                         os.path.join(ROOT, "build", "bench", "bench", "goro_leak_report"))


def run(n):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([PROGRAM, str(n)], stderr=subprocess.PIPE)
    main_returned = report_out = None
    lines = []
    for raw in proc.stderr:
        now = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        line = raw.decode(errors="replace")
        lines.append(line)
        if line.startswith("main returns at "):
            main_returned = int(line.split()[-1])
        elif report_out is None and "error: goroutine leak" in line:
            report_out = now
    status = proc.wait()
    gone = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if main_returned is None or report_out is None:
        sys.exit("leak_report.py: no report; stderr was:\n" + "".join(lines[-20:]))
    return {
        "status": status,
        "report_s": (report_out - main_returned) / 1e9,
        "gone_s": (gone - main_returned) / 1e9,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "first_line": next(l for l in lines if "error:" in l).strip(),
    }


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for i in range(rounds):
        r = run(n)
        load = os.getloadavg()[0]
        print(f"run {i + 1}: report printed {r['report_s']:.2f} s after main returned, "
              f"process gone after {r['gone_s']:.2f} s (exit {r['status']}); "
              f"process CPU {r['cpu_s']:.1f} s; load {load:.1f}")
    print(r["first_line"])


if __name__ == "__main__":
    main()
