#!/usr/bin/python3
"""check-truth.py: sampo-cli scored against a capture's truth, with pass/fail bounds.

    check-truth.py --sampo-cli PATH --capture NAME.pcap [--sample count:N|time:USEC] [--no-token]
                   [--min-precision P] [--max-band-error] [--truth NAME.truth.json]
    check-truth.py --output OUT.json --truth NAME.truth.json --floors FLOORS.json --key NAME.CONFIG
                   [--min-precision P] [--max-band-error]

Scores with tools/mptcp-lab/evaluate.py's scoring (imported, not repeated here: evaluate.Truth,
parse_output, score_output, calibration; Wireshark reference off).

The first form runs sampo-cli on one capture under one sampling spec and evidence setting
(evaluate.py's run, with --events and --pairs), prints evaluate.py's table. The second form
scores an output already produced (what tests/golden/run-golden.sh got from sampo-cli for a
golden test; --format json, with or without --events and --pairs) against the truth, without
reading the capture, and checks it against the floors of entry KEY of FLOORS.json
(tests/golden/expected/floors.json).

It fails (exit 1) when

* the pair precision TP / (TP + FP) is below --min-precision (default 0.99 in the first form,
  none in the second); a run that predicts no pair "same" has no precision and no false
  positive: it passes this check;
* with --floors: the pair precision or recall is below the entry's "precision" or "recall"
  (here an undefined precision, nothing predicted same, counts as 1.0: no false positive; an
  undefined recall, no truly-same pair in the truth, as 1.0), or the entry is missing;
* with --max-band-error: a calibration band of the --pairs verdicts is not within its promise,
  as evaluate.py decides it (a band [lo, hi) promises an error rate of at most 1 - lo; the band
  fails when its error rate is above that; a band without verdicts promises nothing). Needs a
  sampo-cli with --pairs (first form) or an output made with --pairs (second form).

Floors are changed by hand only (never by SAMPO_UPDATE_GOLDEN=1): see the "about" of
tests/golden/expected/floors.json. A measurement above its floor is reported (a floor that can
be raised), not failed.

Exit status: 0 pass, 1 fail, 2 error (bad arguments, missing truth or floors file, sampo-cli
failure). Standard library only; run with /usr/bin/python3.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "mptcp-lab")
sys.path.insert(0, LAB)
import evaluate as ev  # noqa: E402  (tools/mptcp-lab/evaluate.py)

FLOOR_METRICS = ("precision", "recall")


def fmt(x):
    return "-" if x is None else "%.6f" % x


def floor_value(x):
    """A metric as the floors compare it: undefined (no denominator) is 1.0."""
    return 1.0 if x is None else x


def check_floors(r, floors_path, key, failures):
    with open(floors_path) as f:
        floors = json.load(f)["floors"]
    measured = {m: floor_value(r[m]) for m in FLOOR_METRICS}
    entry = floors.get(key)
    if entry is None:
        failures.append("no floor for %s in %s: add one by hand, deliberately (measured: %s)"
                        % (key, floors_path, json.dumps({m: int(measured[m] * 1e6) / 1e6 for m in FLOOR_METRICS})))
        return
    for m in FLOOR_METRICS:
        if m not in entry:
            failures.append("floor %s of %s is missing in %s" % (m, key, floors_path))
            continue
        lo = float(entry[m])
        if measured[m] < lo:
            failures.append("pair %s %s < floor %s (%s; TP %d, FP %d, FN %d)"
                            % (m, fmt(measured[m]), fmt(lo), key, r["tp"], r["fp"], r["fn"]))
        elif measured[m] > lo + 1e-6:
            print("note: pair %s %s is above its floor %s (%s): the floor may be raised, by hand"
                  % (m, fmt(measured[m]), fmt(lo), key))


def check_bands(cal, failures):
    for b in cal["bands"]:
        if b["ok"] is False:
            failures.append("band %s: error rate %.4f (%d of %d verdicts) > promised %g"
                            % (b["band"], b["error_rate"], b["errors"], b["verdicts"], b["promised"]))
    print("calibration: %d band(s) with verdicts, %d outside their promise"
          % (sum(1 for b in cal["bands"] if b["verdicts"]), sum(1 for b in cal["bands"] if b["ok"] is False)))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="check-truth.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sampo-cli", help="run this sampo-cli on --capture (first form)")
    ap.add_argument("--capture", help="a capture with NAME.truth.json beside it (first form)")
    ap.add_argument("--output", help="score this sampo-cli JSON output instead (second form)")
    ap.add_argument("--truth", help="default: CAPTURE minus .pcap plus .truth.json")
    ap.add_argument("--sample", help="count:N or time:USEC (default: every packet)")
    ap.add_argument("--no-token", action="store_true", help="DSN evidence only (sampo-cli --no-token)")
    ap.add_argument("--min-precision", type=float,
                    help="least pair precision (default 0.99 in the first form, none in the second)")
    ap.add_argument("--floors", help="floors file (tests/golden/expected/floors.json)")
    ap.add_argument("--key", help="the floors entry, NAME.CONFIG (with --floors)")
    ap.add_argument("--max-band-error", action="store_true",
                    help="also fail when a calibration band errs more than it promises")
    a = ap.parse_args(argv)
    if a.output is None and (a.sampo_cli is None or a.capture is None):
        ap.error("give --sampo-cli and --capture, or --output")
    if a.output is not None and (a.truth is None and a.capture is None):
        ap.error("--output needs --truth (or --capture, whose truth is beside it)")
    if (a.floors is None) != (a.key is None):
        ap.error("--floors and --key go together")
    min_precision = a.min_precision if a.min_precision is not None else (None if a.output else 0.99)
    try:
        if a.output is not None:
            truth = ev.Truth(a.truth or (a.capture[:-5] if a.capture.endswith(".pcap") else a.capture)
                             + ".truth.json")
            with open(a.output) as f:
                out = ev.parse_output(f.read())
            r = ev.score_output(truth, out)
            cal = ev.calibration(truth, out["pairs"]) if out["pairs"] else None
            label = a.key or os.path.basename(a.output)
            print("%s: %d true subflows, %d pairs (%d truly same); %d subflows reported, %d not in the truth"
                  % (label, len(truth.universe), r["pairs"], truth.true_pairs, r["reported_subflows"],
                     r["reported_not_in_truth"]))
        else:
            ev.parse_spec(a.sample)
            cap = ev.Capture(a.capture, a.truth)
            res = ev.evaluate(cap, a.sample, a.no_token, a.sampo_cli, wireshark=False)
            r = res["sampo"]
            cal = r["calibration"]
            label = "%s, sampling %s, evidence %s" % (res["capture"], res["spec"], res["evidence"])
            print(ev.table(res))
            print()
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        print("check-truth.py: error: %s" % e, file=sys.stderr)
        return 2

    failures = []
    prec = r["precision"]
    print("pair precision: %s (TP %d, FP %d)%s; recall %s (TP %d, FN %d); recall over subflows with >= 2 DSS: %s"
          % ("undefined (no pair predicted same)" if prec is None else "%.4f" % prec, r["tp"], r["fp"],
             "" if min_precision is None else ", bound >= %g" % min_precision,
             "-" if r["recall"] is None else "%.4f" % r["recall"], r["tp"], r["fn"],
             "-" if r["eligible"]["recall"] is None else "%.4f" % r["eligible"]["recall"]))
    if min_precision is not None and prec is not None and prec < min_precision:
        failures.append("pair precision %.4f < %g (%d false positives)" % (prec, min_precision, r["fp"]))
    if a.floors:
        try:
            check_floors(r, a.floors, a.key, failures)
        except (OSError, ValueError, KeyError) as e:
            print("check-truth.py: error: floors %s: %s" % (a.floors, e), file=sys.stderr)
            return 2
    if a.max_band_error:
        if cal is None:
            print("check-truth.py: error: no {\"type\":\"pair\"} lines (a sampo-cli without --pairs, or an "
                  "output made without it): calibration cannot be checked", file=sys.stderr)
            return 2
        check_bands(cal, failures)
    if failures:
        print("FAIL %s:" % label)
        for f in failures:
            print("  " + f)
        return 1
    print("PASS %s" % label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
