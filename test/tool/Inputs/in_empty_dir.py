#!/usr/bin/env python3
"""Runs a command in a new empty directory outside the build tree.

    in_empty_dir.py COMMAND [ARGS...]

For tests of what a tool does with no compilation database around: the
directory is made under the system's temporary directory (the build tree
has compile_commands.json files above every test's output directory), and
removed afterwards. Fails, saying so, if a compile_commands.json is above it
anyway. Exits with the command's status.
"""
import os
import shutil
import subprocess
import sys
import tempfile

work = tempfile.mkdtemp(prefix="goro-empty-")
try:
    d = work
    while True:
        for name in ("compile_commands.json", "compile_flags.txt"):
            if os.path.exists(os.path.join(d, name)):
                sys.exit("in_empty_dir: %s is above %s; cannot test" % (os.path.join(d, name), work))
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    sys.exit(subprocess.call(sys.argv[1:], cwd=work))
finally:
    shutil.rmtree(work, ignore_errors=True)
