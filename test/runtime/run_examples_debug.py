#!/usr/bin/env python3
"""run_examples_debug.py EXAMPLES_DIR

Runs every example listed in EXAMPLES_DIR/examples.txt as its debug-runtime
build (EXAMPLES_DIR/<name>-debug, see examples/CMakeLists.txt), without
arguments as the main job does, and requires each to exit 0 with an empty
stderr: the examples are the right way to do things, so the debug runtime
must report nothing. Prints one line per example; exits 1 if any failed,
showing its exit status and stderr.
"""
import os
import subprocess
import sys

examples_dir = sys.argv[1]
with open(os.path.join(examples_dir, "examples.txt")) as f:
    names = [line.strip() for line in f if line.strip()]
if not names:
    sys.exit("run_examples_debug.py: examples.txt lists no example")
failed = 0
for name in names:
    program = os.path.join(examples_dir, name + "-debug")
    if not os.path.exists(program):
        print("%s: MISSING %s (built by examples/CMakeLists.txt)" % (name, program))
        failed += 1
        continue
    try:
        run = subprocess.run([program], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=300, cwd=examples_dir)
    except subprocess.TimeoutExpired:
        print("%s: TIMEOUT after 300 s" % name)
        failed += 1
        continue
    stderr = run.stderr.decode(errors="replace")
    if run.returncode != 0 or stderr:
        print("%s: FAILED (exit status %d)" % (name, run.returncode))
        sys.stdout.write("".join("  | " + line + "\n" for line in stderr.splitlines()))
        failed += 1
    else:
        print("%s: clean" % name)
print("examples: %d, failed: %d" % (len(names), failed))
sys.exit(1 if failed else 0)
