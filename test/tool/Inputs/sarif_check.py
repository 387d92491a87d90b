#!/usr/bin/env python3
"""Validates a SARIF log against the SARIF 2.1.0 schema and prints its fields.

    sarif_check.py [--schema PATH] FILE

The schema is the OASIS one (sarif-2.1.0-rtm.5.json), fetched by
scripts/fetch-sarif-schema.sh into .cache/sarif/ of the source tree; its
absence is an error, never a silent pass. After validation every leaf of the
log is printed on a line of its own, as `PATH = VALUE` with VALUE in JSON:

    runs[0].results[0].ruleId = "goro-lock-order-inversion"
    runs[0].results[0].locations[0].physicalLocation.region.startLine = 5

so that a test can check the log field by field with FileCheck. Exits 1 on a
schema violation (each printed with its path) or an unreadable file.
"""
import argparse
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "..", "..", ".cache", "sarif",
                              "sarif-2.1.0-rtm.5.json")


def leaves(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, "%s.%s" % (path, key) if path else key)
    elif isinstance(value, list):
        if not value:
            yield path, []
        for i, item in enumerate(value):
            yield from leaves(item, "%s[%d]" % (path, i))
    else:
        yield path, value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", default=os.environ.get("GORO_SARIF_SCHEMA", DEFAULT_SCHEMA))
    parser.add_argument("file")
    args = parser.parse_args()

    if not os.path.exists(args.schema):
        sys.exit("sarif_check: no SARIF schema at %s: run scripts/fetch-sarif-schema.sh"
                 % os.path.normpath(args.schema))
    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    try:
        with open(args.file, encoding="utf-8") as f:
            log = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("sarif_check: cannot read %s: %s" % (args.file, e))

    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in e.absolute_path)
        print("sarif_check: %s: %s: %s" % (args.file, where or "(root)", e.message),
              file=sys.stderr)
    if errors:
        sys.exit(1)
    print("sarif_check: valid SARIF %s" % log.get("version"))
    for path, value in leaves(log, ""):
        print("%s = %s" % (path, json.dumps(value)))


if __name__ == "__main__":
    main()
