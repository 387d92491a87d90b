#!/usr/bin/env python3
"""goro-sarif-merge: many SARIF 2.1.0 logs into one, with one run per tool.

    goro-sarif-merge -o OUT.sarif INPUT...     (INPUT: a .sarif file, or a
                                               directory: its *.sarif files)

Why: the debug runtime writes one log per process (GORO_OPTIONS=sarif_path=),
so a test suite leaves one log per test, and GitHub code scanning refuses an
upload with several runs of the same tool in one category. This joins the
runs of each tool (by tool.driver.name) into one run:

  - rules: the union, by id, in order of first appearance; every result's
    ruleIndex is renumbered to match;
  - results: all of them, in input order, with exact duplicates (the same
    finding reported by two processes, byte for byte) kept once;
  - invocations: all of them (one per process: its exit, its notifications);
  - every other run property (originalUriBaseIds, columnKind, ...) must be
    the same in every run of a tool, or the logs cannot be joined without
    changing what they say: that is an error.

Inputs are read in the order given, a directory's files sorted by name, so
the output does not depend on the file system. Exit status: 0 written; 2 bad
usage or input (unreadable, not JSON, not SARIF 2.1.0, runs that disagree,
no input log at all), with a message naming the file.
"""

import argparse
import json
import os
import sys

PROG = "goro-sarif-merge"


class InputError(Exception):
    pass


def inputs(paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n.endswith(".sarif"))
            files.extend(os.path.join(path, n) for n in names)
        elif os.path.exists(path):
            files.append(path)
        else:
            raise InputError("%s: no such file or directory" % path)
    if not files:
        raise InputError("no SARIF log among the inputs (%s)" % ", ".join(paths))
    return files


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
    except OSError as e:
        raise InputError("%s: cannot read: %s" % (path, e.strerror))
    except ValueError as e:
        raise InputError("%s: not JSON: %s" % (path, e))
    if not isinstance(log, dict) or log.get("version") != "2.1.0" or not isinstance(
            log.get("runs"), list):
        raise InputError("%s: not a SARIF 2.1.0 log (no \"version\": \"2.1.0\" and \"runs\")"
                         % path)
    for i, run in enumerate(log["runs"]):
        name = run.get("tool", {}).get("driver", {}).get("name") if isinstance(run, dict) else None
        if not isinstance(name, str):
            raise InputError("%s: runs[%d] has no tool.driver.name" % (path, i))
    return log


def merge(files):
    merged = {}  # tool name -> the merged run
    order = []
    state = {}   # tool name -> (rule ids -> index, seen results, first file)
    schema = None
    for path in files:
        log = load(path)
        schema = schema or log.get("$schema")
        for run in log["runs"]:
            driver = run["tool"]["driver"]
            name = driver["name"]
            rules = driver.get("rules", [])
            if name not in merged:
                out = {k: v for k, v in run.items() if k not in ("results", "invocations")}
                out["tool"] = dict(run["tool"])
                out["tool"]["driver"] = {k: v for k, v in driver.items() if k != "rules"}
                out["tool"]["driver"]["rules"] = []
                out["invocations"] = []
                out["results"] = []
                merged[name] = out
                order.append(name)
                state[name] = ({}, set(), path)
            out = merged[name]
            rule_index, seen, first = state[name]
            for key in set(run) | set(out):
                if key in ("tool", "results", "invocations"):
                    continue
                if run.get(key) != out.get(key):
                    raise InputError("%s: the %s run's \"%s\" differs from the one in %s: these "
                                     "logs cannot be joined into one run" % (path, name, key, first))
            for rule in rules:
                if rule.get("id") not in rule_index:
                    rule_index[rule.get("id")] = len(out["tool"]["driver"]["rules"])
                    out["tool"]["driver"]["rules"].append(rule)
            out["invocations"].extend(run.get("invocations", []))
            for result in run.get("results", []):
                result = dict(result)
                rule_id = result.get("ruleId")
                if rule_id is None and "ruleIndex" in result and result["ruleIndex"] < len(rules):
                    rule_id = result["ruleId"] = rules[result["ruleIndex"]].get("id")
                if rule_id in rule_index:
                    result["ruleIndex"] = rule_index[rule_id]
                else:
                    result.pop("ruleIndex", None)
                key = json.dumps(result, sort_keys=True)
                if key in seen:
                    continue
                seen.add(key)
                out["results"].append(result)
    log = {"$schema": schema or "https://json.schemastore.org/sarif-2.1.0.json",
           "version": "2.1.0", "runs": [merged[n] for n in order]}
    return log


def main():
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", required=True, help="the merged log")
    parser.add_argument("inputs", nargs="+", help=".sarif files, or directories of them")
    args = parser.parse_args()
    try:
        log = merge(inputs(args.inputs))
    except InputError as e:
        print("%s: error: %s" % (PROG, e), file=sys.stderr)
        return 2
    try:
        with open(args.output + ".tmp", "w", encoding="utf-8") as f:
            json.dump(log, f, indent=2)
            f.write("\n")
        os.replace(args.output + ".tmp", args.output)
    except OSError as e:
        print("%s: error: cannot write %s: %s" % (PROG, args.output, e.strerror), file=sys.stderr)
        return 2
    runs = ", ".join("%s: %d results" % (r["tool"]["driver"]["name"], len(r["results"]))
                     for r in log["runs"])
    print("%s: %s (%s)" % (PROG, args.output, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
