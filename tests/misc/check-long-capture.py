#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-long-capture.py - every session of a long capture is reported once.

Builds, from bundled lab captures, a capture hours long: PART1, then the
same PART1 again shifted by an hour (every 5-tuple reused long after its
subflow ended), then PART2 shifted by two hours.  The sessions of the
first part end (closed and idle, or timed out) hours before the input
does, and the second copy's 5-tuples are those of subflows that ended.

Checks, on sampo-cli's JSON records of the whole and of each part alone:
  * the report of the whole is the union of its parts' reports: the same
    sessions (as sets of flows with the method that tied them), each part's
    as many times as it occurs;
  * every subflow id is reported exactly once, and a reused 5-tuple is a
    new subflow (new id) in a new session, never merged into the old one;
  * sessions_reported and subflows_reported count exactly what was written,
    and equal sessions_ended / subflows_ended of the library.

  check-long-capture.py SAMPO_CLI PART1.pcap PART2.pcap [extra sampo-cli options]
"""

import collections
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import pcapfile  # noqa: E402  (tools/pcapfile.py)

HOUR_NS = 3600 * 10**9


def read_pcap(path):
    """(pcapfile.Reader with the header's fields, [(ts_ns, orig, data)])."""
    try:
        with pcapfile.Reader(path) as r:
            return r, [(rec.ts_ns, rec.wirelen, rec.data) for rec in r]
    except ValueError as err:
        sys.exit("%s: %s" % (path, err))


def write_pcap(path, head, recs):
    """Write records as a little-endian nanosecond pcap with head's snap length and link type."""
    with pcapfile.Writer(path, endian="<", nano=True, snaplen=head.snaplen,
                         linktype=head.linktype) as w:
        for ts, orig, data in recs:
            w.write(ts, data, orig)


def shifted(recs, by_ns):
    return [(ts + by_ns, orig, data) for ts, orig, data in recs]


def run(cli, path, extra):
    out = subprocess.run([cli, "--format", "json", "--seed", "1", "--no-progress"] + extra + [path],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit("%s on %s: exit %d\n%s" % (cli, path, out.returncode, out.stderr))
    recs = [json.loads(line) for line in out.stdout.splitlines()]
    return recs


def sessions(recs):
    """Multiset of sessions: (sorted flows, method of each), and subflow ids."""
    ms = collections.Counter()
    ids = []
    for r in recs:
        if r["type"] == "session":
            ms[tuple(sorted((sf["flow"], sf["method"]) for sf in r["subflows"]))] += 1
            ids += [sf["id"] for sf in r["subflows"]]
        elif r["type"] == "unassociated":
            for sf in r["subflows"]:
                ms[(("unassociated", sf["flow"]),)] += 1
                ids.append(sf["id"])
    return ms, ids


def counters(recs):
    c = [r for r in recs if r["type"] == "counters"]
    if len(c) != 1:
        sys.exit("expected one counters record, got %d" % len(c))
    return c[0]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    cli, p1, p2 = sys.argv[1:4]
    extra = sys.argv[4:]
    h1, r1 = read_pcap(p1)
    h2, r2 = read_pcap(p2)
    if h1.linktype != h2.linktype or h1.endian != h2.endian:
        sys.exit("the two parts must have one link type and byte order")
    t0 = r1[0][0]
    # Part 2 starts two hours after part 1, whatever its own time.
    r2 = shifted(r2, t0 + 2 * HOUR_NS - r2[0][0])
    whole = r1 + shifted(r1, HOUR_NS) + r2
    with tempfile.TemporaryDirectory() as d:
        long_path = os.path.join(d, "long.pcap")
        p2_path = os.path.join(d, "part2.pcap")
        write_pcap(long_path, h1, whole)
        write_pcap(p2_path, h2, r2)
        rw = run(cli, long_path, extra)
        ra = run(cli, p1, extra)
        rb = run(cli, p2_path, extra)
    mw, idw = sessions(rw)
    ma, _ = sessions(ra)
    mb, _ = sessions(rb)
    expect = ma + ma + mb
    fails = []
    if mw != expect:
        missing = expect - mw
        extra_s = mw - expect
        fails.append("the whole's sessions are not the union of its parts': %d missing, %d extra"
                     % (sum(missing.values()), sum(extra_s.values())))
        for s in list(missing)[:3]:
            fails.append("  missing: %s" % (s,))
        for s in list(extra_s)[:3]:
            fails.append("  extra:   %s" % (s,))
    dup = [i for i, n in collections.Counter(idw).items() if n > 1]
    if dup:
        fails.append("subflow ids reported more than once: %s" % dup[:10])
    # A reused 5-tuple: each flow of part 1 occurs twice, with two ids in two sessions.
    by_flow = collections.defaultdict(list)
    for r in rw:
        if r["type"] == "session":
            for sf in r["subflows"]:
                by_flow[sf["flow"]].append((sf["id"], r["id"]))
    reused = [f for f, v in by_flow.items() if len(v) >= 2]
    for f in reused:
        sids = [s for _, s in by_flow[f]]
        if len(set(sids)) != len(sids):
            fails.append("reused 5-tuple %s merged into one session: %s" % (f, by_flow[f]))
    c = counters(rw)
    n_sess = sum(1 for r in rw if r["type"] == "session")
    n_sub = sum(len(r["subflows"]) for r in rw if r["type"] == "session")
    if c["sessions_reported"] != n_sess or c["subflows_reported"] != n_sub:
        fails.append("reported counts %d/%d, written %d/%d" % (c["sessions_reported"],
                                                              c["subflows_reported"], n_sess, n_sub))
    if c["sessions_ended"] != n_sess:
        fails.append("sessions_ended %d, sessions written %d" % (c["sessions_ended"], n_sess))
    n_unassoc = sum(len(r["subflows"]) for r in rw if r["type"] == "unassociated")
    if c["subflows_ended"] != n_sub + n_unassoc:
        fails.append("subflows_ended %d, subflows written %d" % (c["subflows_ended"],
                                                                 n_sub + n_unassoc))
    print("long capture: %d packets over %.1f h; %d sessions, %d subflows reported "
          "(parts: %d + %d + %d sessions); %d 5-tuples reused, each a new subflow"
          % (len(whole), (whole[-1][0] - whole[0][0]) / HOUR_NS, n_sess, n_sub,
             sum(ma.values()), sum(ma.values()), sum(mb.values()), len(reused)))
    if not reused:
        fails.append("no 5-tuple was reused: the test did not test reuse")
    if fails:
        print("\n".join(fails))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
