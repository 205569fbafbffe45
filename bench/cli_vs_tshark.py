#!/usr/bin/python3
"""sampo-cli against Wireshark's tshark on the same capture, in one run.

For each capture: N timed runs of
    sampo-cli --format json CAPTURE
(with --base-cli, N runs of each sampo-cli, interleaved: new, base, base, new, ...)
and M timed runs of
    tshark -r CAPTURE -o mptcp.analyze_mptcp:TRUE -T fields -e tcp.stream -e mptcp.stream
(the reference association), median wall time and peak RSS of each (from
wait4), packets per second, and the ratio.  sampo's sessions are checked
against CAPTURE's ground truth (NAME.truth.json) in the same run, so the
figure is the time of a correct answer.  Prints a Markdown section.

--base-cli CLI puts another build of sampo-cli (bench/run.sh --base: the base
commit's) beside the first, with the ratio of the medians and the spread of
each one's runs, (max - min) / median; --tsv-new / --tsv-base FILE write every
run's wall time and peak RSS for bench/compare.py.

Usage: bench/cli_vs_tshark.py SAMPO_CLI CAPTURE... [--runs N] [--tshark-runs M]
                              [--base-cli CLI] [--base-label L] [--tsv-new FILE] [--tsv-base FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def timed(cmd):
    """Run cmd with output to /dev/null: (seconds, peak RSS in KiB, exit status, CPU seconds)."""
    with open(os.devnull, 'wb') as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
    return dt, ru.ru_maxrss, os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime


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


def spread(xs):
    m = statistics.median(xs)
    return (max(xs) - min(xs)) / m if len(xs) > 1 and m else 0.0


def write_tsv(f, cap, runs):
    if not f:
        return
    name = os.path.basename(cap)
    for dt, rss, *_ in runs:
        f.write('cli.%s.time\t%.6g\ts\tlower\ttimed\tsampo-cli --format json %s: wall time\n' % (name, dt, name))
        f.write('cli.%s.rss\t%.6g\tMiB\tlower\ttimed\tsampo-cli --format json %s: peak RSS\n'
                % (name, rss / 1024, name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cli')
    ap.add_argument('captures', nargs='+')
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--tshark-runs', type=int, default=3)
    ap.add_argument('--base-cli')
    ap.add_argument('--base-label', default='base')
    ap.add_argument('--tsv-new')
    ap.add_argument('--tsv-base')
    a = ap.parse_args()
    tsv_new = open(a.tsv_new, 'w') if a.tsv_new else None
    tsv_base = open(a.tsv_base, 'w') if a.tsv_base and a.base_cli else None
    if a.base_cli:
        print('| capture | packets | sampo-cli (median of %d) | %s sampo-cli (median of %d) | new / base (spreads) '
              '| tshark (median of %d) | sampo pkt/s | tshark pkt/s | speed-up | sampo peak RSS | base peak RSS '
              '| tshark peak RSS | sampo result | base result |' % (a.runs, a.base_label, a.runs, a.tshark_runs))
        print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |')
    else:
        print('| capture | packets | sampo-cli (median of %d) | tshark (median of %d) | '
              'sampo pkt/s | tshark pkt/s | speed-up | sampo peak RSS | tshark peak RSS | sampo result |'
              % (a.runs, a.tshark_runs))
        print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
    worst = None
    for cap in a.captures:
        npk, sessions = packet_count(a.cli, cap)
        check = truth_check(cap, sessions)
        cmd = ['--format', 'json', '--no-progress', cap]
        s, b = [], []
        for r in range(a.runs):  # new, base, base, new, ...: a drift of the machine hits both alike
            order = [(s, a.cli), (b, a.base_cli)] if r % 2 == 0 else [(b, a.base_cli), (s, a.cli)]
            for acc, cli in order:
                if cli:
                    acc.append(timed([cli] + cmd))
        t = [timed(['tshark', '-r', cap, '-o', 'mptcp.analyze_mptcp:TRUE', '-T', 'fields',
                    '-e', 'tcp.stream', '-e', 'mptcp.stream']) for _ in range(a.tshark_runs)]
        if any(x[2] for x in s + b) or any(x[2] for x in t):
            sys.exit('a run failed')
        write_tsv(tsv_new, cap, s)
        write_tsv(tsv_base, cap, b)
        ms, mt = statistics.median(x[0] for x in s), statistics.median(x[0] for x in t)
        ratio = mt / ms
        worst = ratio if worst is None else min(worst, ratio)
        if a.base_cli:
            _, bsessions = packet_count(a.base_cli, cap)
            mb = statistics.median(x[0] for x in b)
            print('| %s | %d | %.3f s | %.3f s | %.2f (%.0f %%, %.0f %%) | %.3f s | %.2f M | %.3f M | **%.0fx** '
                  '| %.1f MiB | %.1f MiB | %.1f MiB | %s | %s |' % (
                      os.path.basename(cap), npk, ms, mb, ms / mb, 100 * spread([x[0] for x in s]),
                      100 * spread([x[0] for x in b]), mt, npk / ms / 1e6, npk / mt / 1e6, ratio,
                      max(x[1] for x in s) / 1024, max(x[1] for x in b) / 1024, max(x[1] for x in t) / 1024,
                      check, truth_check(cap, bsessions)))
        else:
            print('| %s | %d | %.3f s | %.3f s | %.2f M | %.3f M | **%.0fx** | %.1f MiB | %.1f MiB | %s |' % (
                os.path.basename(cap), npk, ms, mt, npk / ms / 1e6, npk / mt / 1e6, ratio,
                max(x[1] for x in s) / 1024, max(x[1] for x in t) / 1024, check))
    print()
    print('Smallest speed-up: %.0fx.' % worst)
    for f in (tsv_new, tsv_base):
        if f:
            f.close()


if __name__ == '__main__':
    main()
