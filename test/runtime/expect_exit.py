#!/usr/bin/env python3
"""expect_exit.py CODE CMD [ARGS...]: runs CMD (stdio inherited) and exits 0
if it exited with status CODE, 1 otherwise (saying what it got). lit's `not`
only tells zero from non-zero; the debug runtime's exit codes (66, exitcode=N,
2 for a bad GORO_OPTIONS) are part of its interface."""
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit("usage: expect_exit.py CODE CMD [ARGS...]")
want = int(sys.argv[1])
got = subprocess.call(sys.argv[2:])
if got != want:
    sys.stderr.write("expect_exit.py: %s exited with %d, expected %d\n" % (sys.argv[2], got, want))
    sys.exit(1)
