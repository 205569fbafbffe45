#!/usr/bin/python3
"""sampo-cli against Wireshark's tshark on the same capture, in one run.

For each capture: N timed runs of
    sampo-cli --format json CAPTURE
and M timed runs of
    tshark -r CAPTURE -o mptcp.analyze_mptcp:TRUE -T fields -e tcp.stream -e mptcp.stream
(the reference association), median wall time and peak RSS of each (from
wait4), packets per second, and the ratio.  sampo's sessions are checked
against CAPTURE's ground truth (NAME.truth.json) in the same run, so the
figure is the time of a correct answer.  Prints a Markdown section.

Usage: bench/cli_vs_tshark.py SAMPO_CLI CAPTURE... [--runs N] [--tshark-runs M]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def timed(cmd):
    """Run cmd with output to /dev/null: (seconds, peak RSS in KiB, exit status)."""
    with open(os.devnull, 'wb') as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
    return dt, ru.ru_maxrss, os.waitstatus_to_exitcode(status)


def packet_count(cli, capture):
    out = subprocess.run([cli, '--format', 'json', '--no-progress', capture],
                         capture_output=True, text=True, check=True).stdout
    sessions, counters = [], {}
    for line in out.splitlines():
        o = json.loads(line)
        if o['type'] == 'session':
            sessions.append(sorted(sf['flow'] for sf in o['subflows']))
        elif o['type'] == 'counters':
            counters = o
    return counters.get('packets_read', 0), sorted(sessions)


def truth_check(capture, sessions):
    path = capture.rsplit('.', 1)[0] + '.truth.json'
    if not os.path.exists(path):
        return 'no ground truth'
    truth = json.load(open(path))
    want = sorted(sorted(s['subflows']) for s in truth['sessions'])
    if want == sessions:
        return 'exactly the %d true sessions' % len(want)
    return 'MISMATCH: %d sessions, %d true' % (len(sessions), len(want))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cli')
    ap.add_argument('captures', nargs='+')
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--tshark-runs', type=int, default=3)
    a = ap.parse_args()
    print('| capture | packets | sampo-cli (median of %d) | tshark (median of %d) | '
          'sampo pkt/s | tshark pkt/s | speed-up | sampo peak RSS | tshark peak RSS | sampo result |'
          % (a.runs, a.tshark_runs))
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    worst = None
    for cap in a.captures:
        npk, sessions = packet_count(a.cli, cap)
        check = truth_check(cap, sessions)
        s = [timed([a.cli, '--format', 'json', '--no-progress', cap]) for _ in range(a.runs)]
        t = [timed(['tshark', '-r', cap, '-o', 'mptcp.analyze_mptcp:TRUE', '-T', 'fields',
                    '-e', 'tcp.stream', '-e', 'mptcp.stream']) for _ in range(a.tshark_runs)]
        if any(x[2] for x in s) or any(x[2] for x in t):
            sys.exit('a run failed')
        ms, mt = statistics.median(x[0] for x in s), statistics.median(x[0] for x in t)
        ratio = mt / ms
        worst = ratio if worst is None else min(worst, ratio)
        print('| %s | %d | %.3f s | %.3f s | %.2f M | %.3f M | **%.0fx** | %.1f MiB | %.1f MiB | %s |' % (
            os.path.basename(cap), npk, ms, mt, npk / ms / 1e6, npk / mt / 1e6, ratio,
            max(x[1] for x in s) / 1024, max(x[1] for x in t) / 1024, check))
    print()
    print('Smallest speed-up: %.0fx.' % worst)


if __name__ == '__main__':
    main()
