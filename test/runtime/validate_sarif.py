#!/usr/bin/env python3
"""validate_sarif.py --schema SCHEMA FILE

Validates FILE, a SARIF log written by the debug runtime (GORO_OPTIONS=
sarif_path=FILE), against the official SARIF 2.1.0 JSON schema (Debian's
python3-jsonschema; the schema is fetched by scripts/setup.sh, never committed),
then checks what the schema leaves optional but viewers need: every result
names a rule of the driver, has a level, a message and a location with an
absolute file URI and a start line; related locations have unique ids.

On success prints a digest of the results for FileCheck, one block per result:

    result 0: ruleId=goro-leak ruleIndex=0 level=error
      message: goroutine leak: ...
      location: file:///abs/leak.cpp:12:5
      related 1: file:///abs/leak.cpp:10:3: the goroutine was created here
      stack 0: goroutine 2 [chan send]: file:///abs/leak.cpp:7:8 in leaky()...
      properties: certain=false count=3

Exits non-zero with a message on the first problem.
"""
import argparse
import json
import sys
import urllib.parse

try:
    import jsonschema
except ImportError:
    sys.exit("validate_sarif.py: python3-jsonschema is missing (scripts/setup.sh installs it)")


def fail(message):
    sys.exit("validate_sarif.py: " + message)


def where(physical):
    """uri:line:column of a physicalLocation (':?' for a missing part)."""
    uri = physical.get("artifactLocation", {}).get("uri", "?")
    region = physical.get("region", {})
    return "%s:%s:%s" % (uri, region.get("startLine", "?"), region.get("startColumn", "?"))


def check_location(loc, what):
    physical = loc.get("physicalLocation")
    if physical is None:
        fail("%s has no physicalLocation" % what)
    uri = physical.get("artifactLocation", {}).get("uri", "")
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme != "file" or not parsed.path.startswith("/"):
        fail("%s: uri %r is not an absolute file URI" % (what, uri))
    line = physical.get("region", {}).get("startLine", 0)
    if line < 1:
        fail("%s: no region.startLine" % what)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("file")
    args = parser.parse_args()
    try:
        with open(args.schema) as f:
            schema = json.load(f)
    except OSError as e:
        fail("cannot read the SARIF schema %s (%s): run scripts/setup.sh, which fetches it "
             "with npm into .cache/sarif/" % (args.schema, e.strerror))
    with open(args.file) as f:
        log = json.load(f)

    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    if errors:
        for e in errors[:10]:
            path = "/".join(str(p) for p in e.absolute_path)
            sys.stderr.write("schema: %s: %s\n" % (path or "<root>", e.message))
        fail("%s is not valid SARIF 2.1.0 (%d schema errors)" % (args.file, len(errors)))

    if log.get("version") != "2.1.0":
        fail("version is %r, not 2.1.0" % log.get("version"))
    if len(log["runs"]) != 1:
        fail("expected one run, got %d" % len(log["runs"]))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    rules = [r["id"] for r in driver.get("rules", [])]
    print("tool: %s, %d rules" % (driver["name"], len(rules)))
    for i, result in enumerate(run.get("results", [])):
        rule = result.get("ruleId")
        if rule not in rules:
            fail("result %d: ruleId %r is not one of the driver's rules" % (i, rule))
        index = result.get("ruleIndex")
        if index is not None and rules[index] != rule:
            fail("result %d: ruleIndex %d names %r, not %r" % (i, index, rules[index], rule))
        if result.get("level") not in ("error", "warning", "note"):
            fail("result %d: level %r" % (i, result.get("level")))
        if not result.get("message", {}).get("text"):
            fail("result %d: no message text" % i)
        if not result.get("locations"):
            fail("result %d: no locations" % i)
        check_location(result["locations"][0], "result %d location" % i)
        print("result %d: ruleId=%s ruleIndex=%s level=%s" % (i, rule, index, result["level"]))
        print("  message: %s" % result["message"]["text"])
        print("  location: %s" % where(result["locations"][0]["physicalLocation"]))
        ids = set()
        for rel in result.get("relatedLocations", []):
            rid = rel.get("id")
            if rid in ids:
                fail("result %d: related location id %r used twice" % (i, rid))
            ids.add(rid)
            text = rel.get("message", {}).get("text", "")
            if "physicalLocation" in rel:
                print("  related %s: %s: %s" % (rid, where(rel["physicalLocation"]), text))
            else:
                print("  related %s: <unknown>: %s" % (rid, text))
        for k, stack in enumerate(result.get("stacks", [])):
            frames = stack.get("frames", [])
            first = "no frames"
            if frames:
                loc = frames[0].get("location", {})
                name = ""
                if loc.get("logicalLocations"):
                    name = " in " + loc["logicalLocations"][0].get("fullyQualifiedName", "")
                first = (where(loc["physicalLocation"]) if "physicalLocation" in loc
                         else "<unknown>") + name
            print("  stack %d: %s: %s" % (k, stack.get("message", {}).get("text", ""), first))
        props = result.get("properties", {})
        if props:
            print("  properties: " + " ".join("%s=%s" % (k, props[k]) for k in sorted(props)))
    print("results: %d" % len(run.get("results", [])))


if __name__ == "__main__":
    main()
