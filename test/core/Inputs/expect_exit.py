#!/usr/bin/env python3
"""expect_exit.py CODE COMMAND [ARGS...]

Runs COMMAND, passing its stdout and stderr through, and exits 0 when it
exited with status CODE, 1 otherwise (with a note on stderr). lit's `not`
only tells zero from non-zero; the runtime's contract names exact statuses
(2 for a malformed environment variable)."""
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: expect_exit.py CODE COMMAND [ARGS...]")
    want = int(sys.argv[1])
    got = subprocess.run(sys.argv[2:]).returncode
    if got != want:
        print(f"expect_exit.py: exit status {got}, expected {want}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
