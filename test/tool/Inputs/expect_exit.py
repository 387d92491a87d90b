#!/usr/bin/env python3
"""Runs a command and checks its exit status (lit's `not` cannot tell 1 from 2).

    expect_exit.py STATUS COMMAND [ARGS...]

Passes the command's stdout and stderr through; exits 0 if the command exited
with STATUS, else says what it got and exits 1.
"""
import subprocess
import sys

expected = int(sys.argv[1])
status = subprocess.call(sys.argv[2:])
if status != expected:
    sys.stderr.write("expect_exit: expected exit status %d, got %d: %s\n"
                     % (expected, status, " ".join(sys.argv[2:])))
    sys.exit(1)
