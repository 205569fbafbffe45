#!/usr/bin/python3
"""check-ctest-run.py JUNIT [--build-dir DIR --labels L1,L2,...]

The CI guard of scripts/run-tests.sh: did every test CI meant to run actually run?

JUNIT is what `ctest --output-junit JUNIT` wrote. Fails (exit 1), listing them, when a test
was skipped (SKIP_RETURN_CODE, SKIP_REGULAR_EXPRESSION: a missing tool or module), disabled,
or otherwise not run, or when no test ran at all. In CI every dependency is installed by
scripts/install-deps.sh, so a skip there is a broken setup, not a pass.

With --build-dir and --labels, also fails when one of the labels has no test registered in
that build tree (`ctest --show-only=json-v1`): tests that configuring left out (the Python
bindings without SWIG or the Python headers, the ABI tests without the shared library) are
not skipped, they are missing.

Exit status: 0 all ran, 1 not, 2 error (unreadable JUNIT, ctest failure). Standard library only.
"""

import argparse
import collections
import json
import subprocess
import sys
import xml.etree.ElementTree as ET


def not_run(junit):
    """(tests in the file, [(name, why)] of those that did not run)."""
    root = ET.parse(junit).getroot()
    cases = root.iter("testcase")
    total, bad = 0, []
    for c in cases:
        total += 1
        status = c.get("status", "run")
        if status == "run" or status == "fail":      # a failure is ctest's own exit status
            continue
        sk = c.find("skipped")
        why = sk.get("message") if sk is not None else (c.findtext("system-out") or status).strip()
        bad.append((c.get("name"), "%s (%s)" % (status, why)))
    return total, bad


def labels_registered(build_dir):
    p = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build_dir, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("ctest --show-only=json-v1 in %s: %s" % (build_dir, p.stderr.strip()))
    count = collections.Counter()
    for t in json.loads(p.stdout).get("tests", []):
        for prop in t.get("properties", []):
            if prop.get("name") == "LABELS":
                count.update(prop.get("value") or [])
    return count


def main(argv=None):
    ap = argparse.ArgumentParser(prog="check-ctest-run.py", description=__doc__.split("\n\n")[1])
    ap.add_argument("junit")
    ap.add_argument("--build-dir")
    ap.add_argument("--labels", help="comma-separated labels that must each have a test registered")
    a = ap.parse_args(argv)
    if bool(a.build_dir) != bool(a.labels):
        ap.error("--build-dir and --labels go together")
    try:
        total, bad = not_run(a.junit)
        count = labels_registered(a.build_dir) if a.build_dir else None
    except (OSError, ET.ParseError, RuntimeError, ValueError) as e:
        print("check-ctest-run: error: %s" % e, file=sys.stderr)
        return 2
    fail = False
    if total == 0:
        print("check-ctest-run: FAIL: no test ran (%s)" % a.junit)
        fail = True
    if bad:
        print("check-ctest-run: FAIL: %d of %d test(s) did not run; CI runs them all "
              "(scripts/install-deps.sh installs what they need):" % (len(bad), total))
        for name, why in bad:
            print("  %s: %s" % (name, why))
        fail = True
    if count is not None:
        missing = [lb for lb in a.labels.split(",") if lb and not count.get(lb)]
        if missing:
            print("check-ctest-run: FAIL: no test registered in %s with label(s) %s: configuring left them "
                  "out (see its cmake output; scripts/install-deps.sh)" % (a.build_dir, ", ".join(missing)))
            fail = True
    if fail:
        return 1
    print("check-ctest-run: all %d test(s) ran%s" % (total, "" if count is None else
                                                     "; labels registered: %s" % a.labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
