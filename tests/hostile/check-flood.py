#!/usr/bin/python3
"""check-flood.py: a lab capture under a crafted flood keeps its true sessions.

  check-flood.py --sampo-cli CLI --hostile-pcap TOOL --capture LAB.pcap --crowd N
                 [--one] [--gap US] [--max-memory 64M] [--min-ratio 0.9] [-- CLI ARGS...]

Runs sampo-cli (DSN evidence only, --events: subflows that ended before the
final report count with their end-of-life record) on the capture alone and on
the capture merged with N crowd flows (tests/common/hostile.h, written by
hostile-pcap), under the memory cap, and scores both against the capture's
truth with tools/mptcp-lab/evaluate.py's scoring.  Fails unless, under the
flood, pair precision is 1.0 and pair recall is at least MIN_RATIO of the
recall without the flood.  Prints both, and the counters that tell what the
flood cost (evictions, candidate searches bounded, pairs capped).
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "mptcp-lab"))
import evaluate as ev  # noqa: E402


def run(cli, capture, mem, extra):
    cmd = [cli, "--no-progress", "--format", "json", "--no-token", "--events",
           "--max-memory", mem] + extra + [capture]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("check-flood: %s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr[-500:]))
    return ev.parse_output(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sampo-cli", required=True)
    ap.add_argument("--hostile-pcap", required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--crowd", type=int, required=True)
    ap.add_argument("--one", action="store_true")
    ap.add_argument("--gap", default="450")
    ap.add_argument("--max-memory", default="64M")
    ap.add_argument("--min-ratio", type=float, default=0.9)
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    truth = ev.Truth(a.capture[:-len(".pcap")] + ".truth.json")
    with tempfile.TemporaryDirectory(prefix="sampo-flood-") as tmp:
        flood = os.path.join(tmp, "flood.pcap")
        cmd = [a.hostile_pcap, flood, "--crowd", str(a.crowd), "--gap", a.gap, "--merge", a.capture]
        if a.one:
            cmd.append("--one")
        subprocess.run(cmd, check=True)
        base = ev.score_output(truth, run(a.sampo_cli, a.capture, "0", a.extra))
        out = run(a.sampo_cli, flood, a.max_memory, a.extra)
    got = ev.score_output(truth, out)
    c = out["counters"]
    print("without the flood: precision %s, recall %s (TP %d, FN %d)"
          % (base["precision"], base["recall"], base["tp"], base["fn"]))
    print("with %d crowd flows (%s), max-memory %s: precision %s, recall %s (TP %d, FP %d, FN %d)"
          % (a.crowd, "1 packet each" if a.one else "4 packets each", a.max_memory,
             got["precision"], got["recall"], got["tp"], got["fp"], got["fn"]))
    print("counters: " + ", ".join("%s %s" % (k, c.get(k)) for k in (
        "packets", "subflows_created", "subflows_evicted", "subflows_ended", "mem_peak",
        "assoc_skipped", "candidates_bounded", "forgeable_capped", "pairs_dropped")))
    ok = got["fp"] == 0 and got["tp"] > 0 and got["recall"] >= a.min_ratio * base["recall"]
    print("%s: precision 1.0 and recall >= %.2f x %.4f" % ("PASS" if ok else "FAIL", a.min_ratio,
                                                          base["recall"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
