#!/usr/bin/python3
"""check-truth.py: sampo-cli scored against a lab capture's truth, with pass/fail bounds.

    check-truth.py --sampo-cli PATH --capture NAME.pcap [--sample count:N|time:USEC] [--no-token]
                   [--min-precision P] [--max-band-error] [--truth NAME.truth.json]

Runs the scoring of tools/mptcp-lab/evaluate.py (imported, not repeated here; Wireshark
reference off) on one capture under one sampling spec and evidence setting, prints its table,
and fails when

* the pair precision TP / (TP + FP) is below --min-precision (default 0.99); a run that
  predicts no pair "same" has no precision and no false positive: it passes this check;
* with --max-band-error: a calibration band of the --pairs verdicts is not within its promise,
  as evaluate.py decides it (a band [lo, hi) promises an error rate of at most 1 - lo; the band
  fails when its error rate is above that; a band without verdicts promises nothing). Needs a
  sampo-cli with --pairs.

Exit status: 0 pass, 1 fail, 2 error (bad arguments, missing truth, sampo-cli failure).
Standard library only; run with /usr/bin/python3.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "mptcp-lab")
sys.path.insert(0, LAB)
import evaluate as ev  # noqa: E402  (tools/mptcp-lab/evaluate.py)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="check-truth.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sampo-cli", required=True)
    ap.add_argument("--capture", required=True, help="a lab capture with NAME.truth.json beside it")
    ap.add_argument("--truth", help="default: CAPTURE minus .pcap plus .truth.json")
    ap.add_argument("--sample", help="count:N or time:USEC (default: every packet)")
    ap.add_argument("--no-token", action="store_true", help="DSN evidence only (sampo-cli --no-token)")
    ap.add_argument("--min-precision", type=float, default=0.99, help="least pair precision (default 0.99)")
    ap.add_argument("--max-band-error", action="store_true",
                    help="also fail when a calibration band errs more than it promises")
    a = ap.parse_args(argv)
    try:
        ev.parse_spec(a.sample)
        cap = ev.Capture(a.capture, a.truth)
        res = ev.evaluate(cap, a.sample, a.no_token, a.sampo_cli, wireshark=False)
    except (OSError, ValueError, RuntimeError) as e:
        print("check-truth.py: error: %s" % e, file=sys.stderr)
        return 2
    print(ev.table(res))
    print()

    failures = []
    r = res["sampo"]
    prec = r["precision"]
    print("pair precision: %s (TP %d, FP %d), bound >= %g; recall %s"
          % ("undefined (no pair predicted same)" if prec is None else "%.4f" % prec, r["tp"], r["fp"],
             a.min_precision, "-" if r["recall"] is None else "%.4f" % r["recall"]))
    if prec is not None and prec < a.min_precision:
        failures.append("pair precision %.4f < %g (%d false positives)" % (prec, a.min_precision, r["fp"]))
    if a.max_band_error:
        cal = r["calibration"]
        if cal is None:
            print("check-truth.py: error: this sampo-cli has no --pairs, calibration cannot be checked",
                  file=sys.stderr)
            return 2
        for b in cal["bands"]:
            if b["ok"] is False:
                failures.append("band %s: error rate %.4f (%d of %d verdicts) > promised %g"
                                % (b["band"], b["error_rate"], b["errors"], b["verdicts"], b["promised"]))
        print("calibration: %d band(s) with verdicts, %d outside their promise"
              % (sum(1 for b in cal["bands"] if b["verdicts"]), sum(1 for b in cal["bands"] if b["ok"] is False)))
    label = "%s, sampling %s, evidence %s" % (res["capture"], res["spec"], res["evidence"])
    if failures:
        print("FAIL %s:" % label)
        for f in failures:
            print("  " + f)
        return 1
    print("PASS %s" % label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
