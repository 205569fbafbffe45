#!/usr/bin/python3
"""Figures of two versions side by side, with the noise of the same run.

Reads the figures that the benchmarks wrote (--tsv of bench_assoc and
bench_latency, cli_vs_tshark.py's --tsv-*, the instruction counts of
bench/run.sh), one directory per version.  A line is one sample:

    key  value  unit  lower|higher  timed|exact  label     (tab-separated)

A key seen several times (repeated rounds) has several samples.  For every key:

  - the median of each version's samples and the ratio new / base;
  - "worse by": (new - base) / base when lower is better, (base - new) / new
    when higher is better (a rate), so that +5 % means 5 % slower either way;
  - exact figures (instruction counts, memory, sessions found) do not vary
    between runs: any difference is real;
  - timed figures (wall and CPU times) do: the noise of a figure is the spread
    of one version's rounds, (max - min) / median, the larger of the two
    versions'.  A difference is beyond the noise when it is larger than that
    noise AND the samples do not overlap (every round of one version is worse
    than every round of the other); otherwise it is within the noise.  With
    one round each there is no noise estimate.
  - every figure more than THRESHOLD worse by the medians is flagged: a
    regression when the difference is exact or beyond the noise, inconclusive
    when it is within the noise.

Prints a Markdown table and a summary line; --status FILE gets
"regressions N", "inconclusive N" and the summary.

Usage: bench/compare.py BASE_DIR NEW_DIR [--base-label L] [--new-label L] [--threshold 0.05] [--status FILE]
"""
import argparse
import glob
import os
import statistics
import sys


def load(d):
    """{key: {'samples': [...], 'unit', 'lower', 'exact', 'label'}}, keys in first-seen order."""
    figs = {}
    for path in sorted(glob.glob(os.path.join(d, '*.tsv'))):
        with open(path) as f:
            for line in f:
                parts = line.rstrip('\n').split('\t')
                if len(parts) < 6:
                    continue
                key, value, unit, better, kind, label = parts[:6]
                try:
                    v = float(value)
                except ValueError:
                    continue
                e = figs.setdefault(key, {'samples': [], 'unit': unit, 'lower': better == 'lower',
                                          'exact': kind == 'exact', 'label': label})
                e['samples'].append(v)
    return figs


def spread(samples):
    if len(samples) < 2:
        return None
    m = statistics.median(samples)
    return (max(samples) - min(samples)) / m if m else 0.0


def fmt(v, unit):
    if v is None:
        return '-'
    a = abs(v)
    if unit == 'instructions' or a >= 1e5:
        return '{:,.0f}'.format(v)
    if a >= 100:
        return '%.0f' % v
    if a >= 10:
        return '%.1f' % v
    if a >= 1:
        return '%.2f' % v
    return '%.3g' % v


def pct(x):
    return ('%.2f %%' if abs(x) < 0.01 else '%.1f %%') % (100 * x)


SECTIONS = [
    ('assoc.', 'Association from scratch (bench_assoc)'),
    ('pcap.', 'Packets per second from memory (bench_assoc)'),
    ('mem.', 'Memory (bench_assoc)'),
    ('lat.', 'Feed latency in steady state (bench_latency)'),
    ('instr.', 'Instructions (callgrind)'),
    ('cli.', 'sampo-cli on the lab captures (cli_vs_tshark.py)'),
]


def section_of(key):
    for i, (prefix, _) in enumerate(SECTIONS):
        if key.startswith(prefix):
            return i
    return len(SECTIONS)


def compare(b, n, thr):
    """(ratio, worse, sb, sn, noise, kind, flagged, text) for one figure in both versions.
    kind: 'same', 'exact', 'beyond', 'within', 'unknown'."""
    mb, mn = statistics.median(b['samples']), statistics.median(n['samples'])
    sb, sn = spread(b['samples']), spread(n['samples'])
    exact = b['exact'] and n['exact']
    if mb == mn:
        worse = 0.0
    elif n['lower']:
        worse = (mn - mb) / mb if mb else float('inf')
    else:
        worse = (mb - mn) / mn if mn else float('inf')
    ratio = mn / mb if mb else float('inf')
    noise = 0.0 if exact else max(x for x in (sb, sn, 0.0) if x is not None)
    if worse == 0:
        kind = 'same'
    elif exact:
        kind = 'exact'
    elif sb is None and sn is None:
        kind = 'unknown'
    else:
        # every sample of the worse version worse than every sample of the other
        bad, good = (n['samples'], b['samples']) if worse > 0 else (b['samples'], n['samples'])
        apart = min(bad) > max(good) if n['lower'] else max(bad) < min(good)
        kind = 'beyond' if abs(worse) > noise and apart else 'within'
    what = '%s %s' % (pct(abs(worse)), 'worse' if worse > 0 else 'better')
    text = {'same': 'same',
            'exact': what + ' (exact figure)',
            'unknown': what + ', noise unknown (one round each)',
            'beyond': what + ', beyond the noise (%s)' % pct(noise),
            'within': what + ', within the noise (%s)' % pct(noise)}[kind]
    flagged = worse > thr
    if flagged:
        text = '**> %d %% worse**: ' % round(100 * thr) + text
    return ratio, worse, sb, sn, noise, kind, flagged, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('base_dir')
    ap.add_argument('new_dir')
    ap.add_argument('--base-label', default='base')
    ap.add_argument('--new-label', default='new')
    ap.add_argument('--threshold', type=float, default=0.05)
    ap.add_argument('--status')
    a = ap.parse_args()
    base, new = load(a.base_dir), load(a.new_dir)
    keys = list(new) + [k for k in base if k not in new]
    keys.sort(key=section_of)  # stable: first-seen order within a section
    thr = a.threshold
    regress, inconclusive, better = [], [], []
    n_exact = n_timed = only_new = only_base = 0
    exact_worst = 0.0
    spreads = []
    rows = {}
    for k in keys:
        b, n = base.get(k), new.get(k)
        e = n or b
        label = '%s (%s)' % (e['label'], e['unit'])
        if not b or not n:
            only_new += bool(n)
            only_base += bool(b)
            s = spread(e['samples'])
            med = statistics.median(e['samples'])
            rows.setdefault(section_of(k), []).append('| %s | %s | %s | - | %s | %s | %s |' % (
                label, fmt(med if b else None, e['unit']), fmt(med if n else None, e['unit']),
                '-' if not b or s is None else pct(s), '-' if not n or s is None else pct(s),
                'this tree only' if n else 'base only'))
            continue
        ratio, worse, sb, sn, noise, kind, flagged, text = compare(b, n, thr)
        if b['exact'] and n['exact']:
            n_exact += 1
            exact_worst = max(exact_worst, abs(worse))
        else:
            n_timed += 1
            spreads += [x for x in (sb, sn) if x is not None]
        if flagged:
            (regress if kind in ('exact', 'beyond') else inconclusive).append(k)
        elif worse < -thr and kind in ('exact', 'beyond'):
            better.append(k)
        rows.setdefault(section_of(k), []).append('| %s | %s | %s | %.3f | %s | %s | %s |' % (
            label, fmt(statistics.median(b['samples']), e['unit']), fmt(statistics.median(n['samples']), e['unit']),
            ratio, '-' if sb is None else pct(sb), '-' if sn is None else pct(sn), text))

    print('| figure | %s | %s | new / base | spread base | spread new | verdict |' % (a.base_label, a.new_label))
    print('| --- | ---: | ---: | ---: | ---: | ---: | --- |')
    for i in sorted(rows):
        print('| **%s** | | | | | | |' % (SECTIONS[i][1] if i < len(SECTIONS) else 'Other'))
        for r in rows[i]:
            print(r)
    print()
    t = round(100 * thr)
    noise_note = ''
    if spreads:
        noise_note = ('; the median spread of the timed figures with repeated runs is %s, so that smaller '
                      'differences of time are not resolved by this run' % pct(statistics.median(spreads)))
    summary = ('Summary against %s: %d figures compared. Exact (instructions, memory, sessions found): %d, '
               '%d more than %d %% worse, largest difference %s. Timed: %d, %d more than %d %% worse beyond the '
               'noise%s, %d more than %d %% worse by the medians but within the noise (inconclusive)%s, %d more '
               'than %d %% better beyond the noise%s. Only in this tree: %d; only in the base: %d.' % (
                   a.base_label, n_exact + n_timed, n_exact,
                   sum(1 for k in regress if new[k]['exact']), t, pct(exact_worst),
                   n_timed, sum(1 for k in regress if not new[k]['exact']), t,
                   (' (' + ', '.join(k for k in regress if not new[k]['exact']) + ')')
                   if any(not new[k]['exact'] for k in regress) else '',
                   len(inconclusive), t, (' (' + ', '.join(inconclusive) + ')') if inconclusive else '',
                   len(better), t, noise_note, only_new, only_base))
    exact_regress = [k for k in regress if new[k]['exact']]
    if exact_regress:
        summary = summary.replace('%d more than %d %% worse, largest' % (len(exact_regress), t),
                                  '%d more than %d %% worse (%s), largest' % (len(exact_regress), t,
                                                                              ', '.join(exact_regress)))
    print('**' + summary + '**')
    print()
    if a.status:
        with open(a.status, 'w') as f:
            f.write('regressions %d\ninconclusive %d\ncompared %d\nsummary %s\n' % (
                len(regress), len(inconclusive), n_exact + n_timed, summary))


if __name__ == '__main__':
    sys.exit(main())
