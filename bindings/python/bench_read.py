#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Throughput of sampo.Analyzer.read_pcap against sampo-cli on one capture.

    PYTHONPATH=build/python /usr/bin/python3 bindings/python/bench_read.py \\
        --cli build/bin/sampo-cli data/pcaps/lab-v1-paper.pcap

Both read the same file with the same options, RUNS times each
(alternating), and the medians are compared:

  python  Analyzer() + read_pcap(PCAP, sample) + close(), timed in this
          process with time.perf_counter();
  cli     sampo-cli --stats: its own run time (context, reading, analysis,
          final report to /dev/null), derived from the packets/s it prints,
          so that process start-up is not counted against it.

The ratio python/cli is what docs/python.md reports (1.0 = as fast).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pcap", nargs="?",
                    default=os.path.join(root, "data", "pcaps", "lab-v1-paper.pcap"))
    ap.add_argument("--cli", default=os.path.join(root, "build", "bin", "sampo-cli"),
                    help="sampo-cli to compare with (default: build/bin/sampo-cli)")
    ap.add_argument("--runs", type=int, default=31, help="runs of each (default 31)")
    ap.add_argument("--sample", default=None, help="sampling spec, e.g. count:100")
    ap.add_argument("--no-events", action="store_true",
                    help="read_pcap(events=False), as sampo-cli without --events")
    args = ap.parse_args()

    # This directory holds the package's sources, without the compiled
    # module: import the built package from PYTHONPATH instead.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    import sampo

    def python_once():
        t0 = time.perf_counter()
        a = sampo.Analyzer()
        r = a.read_pcap(args.pcap, sample=args.sample, events=not args.no_events)
        a.close()
        return time.perf_counter() - t0, r.packets_read

    cmd = [args.cli, "--stats", "--no-progress", "-q", "-o", os.devnull]
    if args.sample:
        cmd += ["--sample", args.sample]
    cmd.append(args.pcap)
    stat_re = re.compile(r"stats: (\d+) packets read, \d+ sampled in [0-9.]+ s \((\d+) packets/s\)")

    def cli_once():
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           check=True)
        wall = time.perf_counter() - t0
        m = stat_re.search(p.stderr)
        if not m:
            sys.exit("bench_read: no --stats line from %s:\n%s" % (args.cli, p.stderr))
        packets, rate = int(m.group(1)), int(m.group(2))
        return packets / rate if rate else 0.0, wall, packets

    python_once()  # warm the page cache and the allocator
    cli_once()
    py, cli, cli_wall = [], [], []
    for _ in range(args.runs):
        t, n_py = python_once()
        py.append(t)
        t, w, n_cli = cli_once()
        cli.append(t)
        cli_wall.append(w)
    if n_py != n_cli:
        sys.exit("bench_read: packet counts differ: python %d, cli %d" % (n_py, n_cli))
    mp, mc, mw = statistics.median(py), statistics.median(cli), statistics.median(cli_wall)
    print("capture   %s (%d packets, %d bytes)%s" % (
        os.path.basename(args.pcap), n_py, os.path.getsize(args.pcap),
        ", sample " + args.sample if args.sample else ""))
    print("runs      %d each, medians" % args.runs)
    print("python    %8.2f ms  %10.0f packets/s  (read_pcap, events=%s)" % (
        mp * 1e3, n_py / mp, not args.no_events))
    print("sampo-cli %8.2f ms  %10.0f packets/s  (--stats; %.2f ms wall with start-up)" % (
        mc * 1e3, n_cli / mc, mw * 1e3))
    print("ratio     %8.3f  (python / sampo-cli; 1.5 is the limit)" % (mp / mc))


if __name__ == "__main__":
    main()
