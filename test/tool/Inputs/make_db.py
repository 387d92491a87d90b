#!/usr/bin/env python3
"""Writes DIR/compile_commands.json: one entry per FILE (relative to DIR),
compiled in DIR with FLAGS (in which @DIR@ stands for DIR).

    make_db.py DIR "FLAGS" FILE...
"""
import json
import os
import sys

root = os.path.abspath(sys.argv[1])
flags = sys.argv[2].replace("@DIR@", root).split()
entries = [{"directory": root, "file": f,
            "arguments": ["clang++"] + flags + ["-c", f, "-o", f + ".o"]}
           for f in sys.argv[3:]]
with open(os.path.join(root, "compile_commands.json"), "w") as out:
    json.dump(entries, out, indent=1)
