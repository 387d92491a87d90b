#!/usr/bin/env python3
"""Runs a program built with -fsanitize=thread and checks TSan's verdict.

  tsan_run.py clean CMD...  passes when CMD exits 0 and printed no TSan report
                            (its stdout is passed through);
  tsan_run.py race CMD...   passes when TSan reported (exit code 66); prints
                            CMD's stderr to stdout for FileCheck.

TSAN_OPTIONS gets exitcode=66 (a report is told apart from the program's own
failures) and halt_on_error=0 (a race test shows every report of its run).
"""
import os
import subprocess
import sys

REPORT = "WARNING: ThreadSanitizer"


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("clean", "race"):
        sys.exit("usage: tsan_run.py clean|race CMD...")
    mode, cmd = sys.argv[1], sys.argv[2:]
    env = dict(os.environ)
    env["TSAN_OPTIONS"] = " ".join(
        filter(None, [env.get("TSAN_OPTIONS", ""), "exitcode=66", "halt_on_error=0"]))
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       errors="replace")
    reported = REPORT in p.stderr
    if mode == "clean":
        sys.stdout.write(p.stdout)
        sys.stderr.write(p.stderr)
        if reported or p.returncode != 0:
            sys.exit("tsan_run: expected a clean run, got exit code %d%s" %
                     (p.returncode, " and a TSan report" if reported else ""))
        return
    sys.stdout.write(p.stderr)
    if p.returncode != 66 or not reported:
        sys.stderr.write(p.stdout)
        sys.exit("tsan_run: expected a TSan report (exit code 66), got exit code %d" %
                 p.returncode)


if __name__ == "__main__":
    main()
