#!/usr/bin/env python3
"""Runs one goro check over a lit test file and verifies its diagnostics.

Usage (through lit's %check_goro_tidy substitution):

    %check_goro_tidy [--check-suffix=S] [--config=YAML] FILE CHECK TMP [-- CLANG_ARGS...]

The test file is both input and expectations, following clang-tidy's
conventions:

  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: ... [goro-check]
  // CHECK-FIXES: {{^}}  fixed line{{$}}

Steps:
  1. Copy FILE to TMP.cpp with every `// CHECK-...` comment blanked, keeping
     line numbers (so the fixed file has no expectations in it).
  2. Run clang-tidy-19 with the goro plugin, only CHECK enabled, with -fix.
  3. FileCheck clang-tidy's output against the CHECK-MESSAGES lines; every
     warning or error not matched fails the test (-implicit-check-not). A
     file without CHECK-MESSAGES lines must produce no warning at all.
  4. FileCheck the fixed TMP.cpp against the CHECK-FIXES lines, if any.

A crash of clang-tidy, or a compile error in the test file, fails the test.
"""

import argparse
import os
import re
import subprocess
import sys


def fail(message, output=""):
    sys.stderr.write("check_goro_tidy: " + message + "\n")
    if output:
        sys.stderr.write("---- clang-tidy output ----\n" + output + "\n")
    sys.exit(1)


def run_filecheck(filecheck, input_file, checks_file, prefix, extra):
    cmd = [filecheck, "-input-file=" + input_file, checks_file, "-check-prefix=" + prefix]
    cmd += extra
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        fail("FileCheck " + prefix + " failed:\n" + proc.stdout)


def main():
    argv = sys.argv[1:]
    clang_args = []
    if "--" in argv:
        at = argv.index("--")
        argv, clang_args = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser()
    parser.add_argument("--clang-tidy", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--include", required=True)
    parser.add_argument("--filecheck", default="FileCheck")
    parser.add_argument("--check-suffix", default="")
    parser.add_argument("--config", default=None)
    parser.add_argument("file")
    parser.add_argument("check")
    parser.add_argument("tmp")
    args = parser.parse_args(argv)

    suffix = "-" + args.check_suffix.upper() if args.check_suffix else ""
    messages_prefix = "CHECK-MESSAGES" + suffix
    fixes_prefix = "CHECK-FIXES" + suffix

    with open(args.file, encoding="utf-8") as f:
        source = f.read()
    has_messages = re.search(r"\b" + re.escape(messages_prefix) + r":", source) is not None
    has_fixes = re.search(r"\b" + re.escape(fixes_prefix) + r":", source) is not None

    # Blank the expectations but keep every line, so line numbers agree.
    cleaned = re.sub(r"//\s*CHECK-[A-Z0-9-]+:[^\n]*", "//", source)
    tmp_cpp = args.tmp + ".cpp"
    os.makedirs(os.path.dirname(os.path.abspath(tmp_cpp)), exist_ok=True)
    with open(tmp_cpp, "w", encoding="utf-8") as f:
        f.write(cleaned)

    # --format-style=none: fixes are checked as the check writes them, not as
    # the repository's .clang-format would reflow them.
    cmd = [args.clang_tidy, "--load=" + args.plugin, "--checks=-*," + args.check,
           "--fix", "--quiet", "--format-style=none"]
    if args.config is not None:
        cmd.append("--config=" + args.config)
    cmd += [tmp_cpp, "--", "-std=c++20", "-I" + args.include] + clang_args
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout
    if proc.returncode < 0 or "Stack dump" in output or "PLEASE submit a bug report" in output:
        fail("clang-tidy crashed (status %d)" % proc.returncode, output)
    if re.search(r"error: .*\[clang-diagnostic-error\]", output):
        fail("the test file does not compile", output)

    messages_file = args.tmp + ".msg"
    with open(messages_file, "w", encoding="utf-8") as f:
        f.write(output)

    if has_messages:
        run_filecheck(args.filecheck, messages_file, args.file, messages_prefix,
                      ["-implicit-check-not={{warning|error}}:"])
    elif re.search(r"(warning|error):", output):
        fail("no CHECK-MESSAGES lines, but clang-tidy reported something", output)

    if has_fixes:
        run_filecheck(args.filecheck, tmp_cpp, args.file, fixes_prefix, ["-strict-whitespace"])


if __name__ == "__main__":
    main()
