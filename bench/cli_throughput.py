#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sampo-cli's throughput on a long capture made of the lab captures, this
build against another (bench/run.sh --base: the base commit's), same run.

The lab captures last a few seconds each and sampo-cli reads one in 10 to
40 ms, of which a few ms are the program's start-up, so timing them one by
one measures start-up and noise as much as reading.  This builds one long
capture (--out, kept if it exists): every data/pcaps/lab-*.pcap, --repeat
times over, each copy shifted in time to start an hour after the previous
one ended (its sessions end by idle timeout before the next begins, as in a
day's capture), about 1 M packets and 125 MB at the default 4.  Then, for
each output format given (--format, default json and text), N runs of each
sampo-cli alternately (new, base, base, new, ...), output to /dev/null, and
prints a Markdown table: median wall and CPU (user + system) time, packets
per second, the spread of each one's runs ((max - min) / median), and the
ratio new / base.  The number of sessions each one reports is checked to
be the same (and, with the default repeat, 4 times the lab captures' true
sessions).  --tsv-new / --tsv-base write every run for bench/compare.py.

Usage: bench/cli_throughput.py NEW_CLI [--base-cli CLI] [--base-label L]
           [--runs N] [--repeat R] [--format F ...] [--out PATH]
           [--tsv-new FILE] [--tsv-base FILE]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, 'tools'))
import pcapfile  # noqa: E402  (tools/pcapfile.py)
import cli_vs_tshark  # noqa: E402  (its timed runs and spreads)
from cli_vs_tshark import spread  # noqa: E402

HOUR_NS = 3600 * 10**9


def build_long(out, repeat):
    """Write the long capture; @return (packets, true sessions)."""
    caps = sorted(glob.glob(os.path.join(TOP, 'data', 'pcaps', 'lab-*.pcap')))
    truth = 0
    for cap in caps:
        with open(cap[:-5] + '.truth.json') as f:
            truth += len(json.load(f)['sessions'])
    n, t_next = 0, 0
    tmp = out + '.tmp'
    with pcapfile.Writer(tmp, nano=True, linktype=pcapfile.LINKTYPE_ETHERNET,
                         snaplen=262144) as w:
        for _ in range(repeat):
            for cap in caps:
                with pcapfile.Reader(cap) as r:
                    recs = list(r)
                shift = t_next - recs[0].ts_ns
                for rec in recs:
                    w.write(rec.ts_ns + shift, rec.data, rec.wirelen)
                n += len(recs)
                t_next = recs[-1].ts_ns + shift + HOUR_NS
    os.replace(tmp, out)
    return n, truth * repeat


def timed(cmd):
    """(wall s, CPU s, peak RSS KiB) of one run, output to /dev/null; a failed run ends this."""
    wall, rss, rc, cpu = cli_vs_tshark.timed(cmd)
    if rc != 0:
        sys.exit('%s: exit status %d' % (' '.join(cmd), rc))
    return wall, cpu, rss


def sessions(cli, cap):
    out = subprocess.run([cli, '--format', 'json', '--no-progress', cap], capture_output=True,
                         text=True, check=True).stdout
    return sum(1 for line in out.splitlines() if line.startswith('{"type":"session"'))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cli')
    ap.add_argument('--base-cli')
    ap.add_argument('--base-label', default='base')
    ap.add_argument('--runs', type=int, default=11)
    ap.add_argument('--repeat', type=int, default=4)
    ap.add_argument('--format', action='append', choices=('json', 'text', 'csv', 'eve'))
    ap.add_argument('--out', default=os.path.join(TOP, 'build-bench', 'lab-long.pcap'))
    ap.add_argument('--tsv-new')
    ap.add_argument('--tsv-base')
    a = ap.parse_args()
    formats = a.format or ['json', 'text']
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    npk, truth = build_long(a.out, a.repeat)
    size = os.path.getsize(a.out)
    found = sessions(a.cli, a.out)
    check = ('%d sessions, as many as the truth files hold' % found) if found == truth else \
        'MISMATCH: %d sessions, %d true' % (found, truth)
    if a.base_cli:
        bfound = sessions(a.base_cli, a.out)
        if bfound != found:
            check += '; the base reports %d' % bfound
    print('The long capture: the %d lab captures, %d times over, an hour apart: %d packets, '
          '%.1f MB; sampo-cli reports %s.' % (len(glob.glob(os.path.join(TOP, 'data', 'pcaps',
                                                                       'lab-*.pcap'))),
                                             a.repeat, npk, size / 1e6, check))
    print()
    if a.base_cli:
        print('| format | sampo-cli wall (median of %d) | %s wall | new / base wall (spreads) '
              '| sampo-cli CPU | %s CPU | new / base CPU (spreads) | sampo pkt/s | %s pkt/s '
              '| peak RSS new / base |' % (a.runs, a.base_label, a.base_label, a.base_label))
        print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    else:
        print('| format | sampo-cli wall (median of %d) | CPU | pkt/s | peak RSS |' % a.runs)
        print('| --- | ---: | ---: | ---: | ---: |')
    tsv = {'new': open(a.tsv_new, 'w') if a.tsv_new else None,
           'base': open(a.tsv_base, 'w') if a.tsv_base and a.base_cli else None}
    for fmt in formats:
        cmd = ['--format', fmt, '--no-progress', a.out]
        s, b = [], []
        for r in range(a.runs):  # new, base, base, new, ...: a drift of the machine hits both
            order = [(s, a.cli), (b, a.base_cli)] if r % 2 == 0 else [(b, a.base_cli), (s, a.cli)]
            for acc, cli in order:
                if cli:
                    acc.append(timed([cli] + cmd))
        for key, runs in (('new', s), ('base', b)):
            if tsv[key]:
                for wall, cpu, rss in runs:
                    tsv[key].write('cli.long.%s.time\t%.6g\ts\tlower\ttimed\tsampo-cli --format %s '
                                   'on the long capture: wall time\n' % (fmt, wall, fmt))
                    tsv[key].write('cli.long.%s.cpu\t%.6g\ts\tlower\ttimed\tsampo-cli --format %s '
                                   'on the long capture: CPU time\n' % (fmt, cpu, fmt))
        ws, cs = [x[0] for x in s], [x[1] for x in s]
        mw, mc = statistics.median(ws), statistics.median(cs)
        if a.base_cli:
            wb, cb = [x[0] for x in b], [x[1] for x in b]
            bw, bc = statistics.median(wb), statistics.median(cb)
            print('| %s | %.3f s | %.3f s | **%.3f** (%.0f %%, %.0f %%) | %.3f s | %.3f s '
                  '| **%.3f** (%.0f %%, %.0f %%) | %.2f M | %.2f M | %.1f / %.1f MiB |'
                  % (fmt, mw, bw, mw / bw, 100 * spread(ws), 100 * spread(wb), mc, bc, mc / bc,
                     100 * spread(cs), 100 * spread(cb), npk / mw / 1e6, npk / bw / 1e6,
                     max(x[2] for x in s) / 1024, max(x[2] for x in b) / 1024))
        else:
            print('| %s | %.3f s | %.3f s | %.2f M | %.1f MiB |'
                  % (fmt, mw, mc, npk / mw / 1e6, max(x[2] for x in s) / 1024))
    for f in tsv.values():
        if f:
            f.close()


if __name__ == '__main__':
    main()
