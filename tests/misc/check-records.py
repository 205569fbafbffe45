#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-records.py - records that join other tools (issue 10, requirement 5).

  check-records.py SAMPO_CLI PCAP... [--tshark]

On each capture:
  - the nested JSON: every subflow has a "community_id" ("1:" + 28 base64
    characters) equal to Python's hashlib one (sampo.community_id is not
    used: this script needs no module), and session and subflows a
    "timestamp" (ISO 8601, UTC, nanoseconds) that is "first";
  - --format eve: one flat record per subflow, nested and unassociated
    alike, each with the EVE keys (timestamp, event_type, src_ip, src_port,
    dest_ip, dest_port, proto "TCP", community_id), its session's id,
    method and confidence, and the same Community ID as the nested record;
  - --format csv with --events and --pairs: three files (OUT.csv,
    OUT.events.csv, OUT.pairs.csv from -o, then the names of
    --events-file/--pairs-file), each read by pandas.read_csv with its
    columns and as many rows as the JSON has subflows, events and pairs;
    CSV to standard output without file names for the other tables is
    refused (status 2);
  - the text report: a legend before the first session that explains the
    a/b columns, one summary line and no counter table; -v adds the
    counter table (and prints no counters on standard error).
With --tshark, the Community IDs (seed 0 and --community-id-seed 1) are also
those tshark computes for the same connections (tshark --enable-protocol
communityid -e communityid; Wireshark 3.4 and later).
"""

import base64
import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CLI = sys.argv[1]
ARGS = sys.argv[2:]
TSHARK = "--tshark" in ARGS
PCAPS = [a for a in ARGS if not a.startswith("--")]
FAILS = []

ISO_NS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
EVE_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$")
CID = re.compile(r"^1:[A-Za-z0-9+/]{27}=$")
EVE_KEYS = ["timestamp", "event_type", "src_ip", "src_port", "dest_ip", "dest_port", "proto",
            "community_id", "mptcp"]


def fail(msg):
    FAILS.append(msg)
    print("FAIL: " + msg)


def run(*args, check=True):
    p = subprocess.run([CLI, "--no-progress", "-q"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        sys.exit("%s: status %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p


def json_lines(*args):
    return [json.loads(l) for l in run(*args).stdout.splitlines()]


def split_flow(flow):
    """"A:P-B:Q" (IPv6 in brackets) -> (A, P, B, Q)."""
    m = re.match(r"^\[?([^\]]+?)\]?:(\d+)-\[?([^\]]+?)\]?:(\d+)$", flow)
    return m.group(1), int(m.group(2)), m.group(3), int(m.group(4))


def community_id(flow, seed=0):
    """The spec's pseudo code, with hashlib (apart from the CLI's libcrypto)."""
    a, p, b, q = split_flow(flow)
    a, b = ipaddress.ip_address(a).packed, ipaddress.ip_address(b).packed
    if (a, p) > (b, q):
        a, p, b, q = b, q, a, p
    data = seed.to_bytes(2, "big") + a + b + bytes([6, 0]) + p.to_bytes(2, "big") + \
        q.to_bytes(2, "big")
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def iso_of(epoch_text, digits):
    """"1361796995.701161000" -> the ISO time the CLI writes."""
    import datetime
    sec, frac = str(epoch_text).split(".")
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=int(sec))
    return t.strftime("%Y-%m-%dT%H:%M:%S") + "." + frac[:digits]


def nested(path, *extra):
    """(sessions, unassociated subflows) of --format json, "first" as text."""
    out = run("--format", "json", *extra, path).stdout
    sessions, unassoc = [], []
    for line in out.splitlines():
        o = json.loads(line, parse_float=str)
        if o["type"] == "session":
            sessions.append(o)
        elif o["type"] == "unassociated":
            unassoc += o["subflows"]
    return sessions, unassoc


def check_nested(name, sessions, unassoc, seed=0):
    n = 0
    for s in sessions:
        if s.get("timestamp") != iso_of(s["first"], 9) + "Z" or not ISO_NS.match(s["timestamp"]):
            fail("%s: session %s: timestamp %r for first %s" % (name, s["id"], s.get("timestamp"),
                                                                s["first"]))
    for sf in [sf for s in sessions for sf in s["subflows"]] + unassoc:
        n += 1
        if sf.get("timestamp") != iso_of(sf["first"], 9) + "Z":
            fail("%s: subflow %s: timestamp %r" % (name, sf["id"], sf.get("timestamp")))
        cid = sf.get("community_id")
        if not cid or not CID.match(cid) or cid != community_id(sf["flow"], seed):
            fail("%s: subflow %s %s: community_id %r, expected %r" %
                 (name, sf["id"], sf["flow"], cid, community_id(sf["flow"], seed)))
    return n


def check_eve(name, path, sessions, unassoc):
    recs = json_lines("--format", "eve", path)
    by_id = {}
    for sf in [sf for s in sessions for sf in s["subflows"]] + unassoc:
        by_id[sf["id"]] = sf
    session_of = {sf["id"]: s for s in sessions for sf in s["subflows"]}
    if len(recs) != len(by_id):
        fail("%s: %d eve records for %d subflows of the nested records" % (name, len(recs),
                                                                            len(by_id)))
    seen = set()
    for r in recs:
        if list(r)[:len(EVE_KEYS)] != EVE_KEYS:
            fail("%s: eve keys %s, expected %s first" % (name, list(r), EVE_KEYS))
            continue
        m = r["mptcp"]
        sf = by_id.get(m["subflow_id"])
        if sf is None or m["subflow_id"] in seen:
            fail("%s: eve record of subflow %s: unknown or twice" % (name, m["subflow_id"]))
            continue
        seen.add(m["subflow_id"])
        a, p, b, q = split_flow(sf["flow"])
        want = {"event_type": "mptcp", "proto": "TCP", "src_ip": a, "src_port": p,
                "dest_ip": b, "dest_port": q, "community_id": sf["community_id"],
                "timestamp": iso_of(sf["first"], 6) + "+0000"}
        got = {k: r[k] for k in want}
        if got != want:
            fail("%s: eve record %s: %s, expected %s" % (name, m["subflow_id"], got, want))
        if not EVE_TS.match(r["timestamp"]):
            fail("%s: eve timestamp %r" % (name, r["timestamp"]))
        s = session_of.get(sf["id"])
        want_s = (int(s["id"]), s["method"], float(s["confidence"])) if s else (None, None, None)
        got_s = (m["session_id"], m["session_method"], m["session_confidence"])
        if got_s != want_s:
            fail("%s: eve record %s: session %s, expected %s" % (name, m["subflow_id"], got_s,
                                                                  want_s))
        if [m["pkts_toserver"], m["pkts_toclient"]] != sf["packets"]:
            fail("%s: eve record %s: packets" % (name, m["subflow_id"]))
    return len(recs)


def check_csv(name, path, tmp):
    import pandas
    js = json_lines("--format", "json", "--events", "--no-token", "--pairs", path)
    n_sub = sum(len(o["subflows"]) for o in js if o["type"] in ("session", "unassociated"))
    n_ev = sum(1 for o in js if o["type"] == "event")
    n_pair = sum(1 for o in js if o["type"] == "pair")
    want = {"subflows": n_sub, "events": n_ev, "pairs": n_pair}
    base = os.path.join(tmp, name.replace(".pcap", ""))
    derived = (base + ".csv", base + ".events.csv", base + ".pairs.csv")
    named = (base + "-s.csv", base + "-e.csv", base + "-p.csv")
    for files, args in ((derived, ("-o", derived[0])),
                        (named, ("-o", named[0], "--events-file", named[1], "--pairs-file",
                                 named[2]))):
        run("--format", "csv", "--events", "--no-token", "--pairs", *args, path)
        for f, kind in zip(files, ("subflows", "events", "pairs")):
            df = pandas.read_csv(f)
            with open(f) as fh:
                header = fh.readline().rstrip("\n").split(",")
            if list(df.columns) != header or len(df) != want[kind]:
                fail("%s: %s: pandas read %d rows, columns %s; expected %d rows, columns %s" %
                     (name, os.path.basename(f), len(df), list(df.columns), want[kind], header))
            key = {"subflows": "community_id", "events": "event", "pairs": "verdict"}[kind]
            if key not in df.columns:
                fail("%s: %s: no column %s" % (name, os.path.basename(f), key))
        sub = pandas.read_csv(files[0])
        if len(sub) and not sub["community_id"].str.match(CID.pattern).all():
            fail("%s: CSV community_id column" % name)
        if len(sub) and pandas.to_datetime(sub["timestamp"]).isna().any():
            fail("%s: CSV timestamp column does not parse" % name)
    print("ok: %s: pandas reads %d subflows, %d events, %d pairs from three files, twice" %
          (name, n_sub, n_ev, n_pair))


def check_text(path):
    out = run(path)
    lines = out.stdout.splitlines()
    first = next((i for i, l in enumerate(lines) if l.startswith("session ")), None)
    legend = [i for i, l in enumerate(lines) if l.startswith("legend:")]
    text = "\n".join(lines)
    if first is None or legend != [0] or legend[0] > first:
        fail("text: the legend is not the first line, before the sessions:\n" + text[:400])
    if "a/b: forward/reverse" not in text or "pkts a/b" not in text:
        fail("text: the legend does not explain a/b")
    summary = [l for l in lines if re.match(r"^\d+ sessions? \(\d+ subflows?\), \d+ unassociated "
                                            r"subflows?; \d+ packets read", l)]
    if len(summary) != 1 or lines[-1] != summary[0]:
        fail("text: one summary line, last: %r" % lines[-3:])
    if "counters" in text:
        fail("text: a counter table without -v")
    v = run("-v", path)
    if "counters (non-zero):" not in v.stdout or "counters" in v.stderr:
        fail("text -v: the counter table in the report, none on standard error")
    if not v.stdout.startswith(out.stdout.rstrip("\n")):
        fail("text -v: the report without -v, then the counters")
    print("ok: text: legend, one summary line, counters only with -v")


def check_refused(path):
    for args in (("--format", "csv", "--events"), ("--format", "csv", "--pairs"),
                 ("--format", "eve", "--events"), ("--format", "eve", "--pairs"),
                 ("--format", "eve", "--interval", "10"), ("--community-id-seed", "65536"),
                 ("--format", "json", "--events-file", "-"),
                 ("--format", "csv", "-o", "x.csv", "--pairs-file", "x.csv")):
        p = run(*args, path, check=False)
        if p.returncode != 2:
            fail("%s: status %d, expected 2" % (" ".join(args), p.returncode))
    print("ok: CSV tables to standard output, eve with events/pairs/interval, seed 65536, two"
          " streams in one file refused")


def tshark_ids(path, seed):
    """{(a, p, b, q): community id} from tshark, both directions."""
    cmd = ["tshark", "-n", "-r", path, "--enable-protocol", "communityid",
           "-o", "communityid.seed:%d" % seed, "-Y", "tcp", "-T", "fields", "-e", "ip.src",
           "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst",
           "-e", "tcp.dstport", "-e", "communityid"]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         check=True).stdout
    ids = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 7 or not f[6]:
            continue
        src, dst = f[0] or f[1], f[3] or f[4]
        # Tunnelled packets list several addresses: the innermost is last.
        src, dst = src.split(",")[-1], dst.split(",")[-1]
        a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
        ids[(a, int(f[2]), b, int(f[5]))] = ids[(b, int(f[5]), a, int(f[2]))] = f[6]
    return ids


def check_tshark(name, path):
    for seed in (0, 1):
        sessions, unassoc = nested(path, "--community-id-seed", str(seed))
        check_nested(name + " seed %d" % seed, sessions, unassoc, seed)
        ids = tshark_ids(path, seed)
        n = 0
        for sf in [sf for s in sessions for sf in s["subflows"]] + unassoc:
            a, p, b, q = split_flow(sf["flow"])
            t = ids.get((ipaddress.ip_address(a), p, ipaddress.ip_address(b), q))
            if t is None:
                fail("%s: tshark has no community id for %s" % (name, sf["flow"]))
            elif t != sf["community_id"]:
                fail("%s seed %d: %s: sampo-cli %s, tshark %s" % (name, seed, sf["flow"],
                                                                   sf["community_id"], t))
            else:
                n += 1
        print("ok: %s: seed %d: %d subflows, Community ID as tshark's" % (name, seed, n))


def main():
    if TSHARK and shutil.which("tshark") is None:
        sys.exit("check-records: tshark not found (scripts/install-deps.sh installs it)")
    try:
        import pandas  # noqa: F401
    except ImportError:
        sys.exit("check-records: pandas not found (python3-pandas; scripts/install-deps.sh)")
    with tempfile.TemporaryDirectory() as tmp:
        for path in PCAPS:
            name = os.path.basename(path)
            sessions, unassoc = nested(path)
            n = check_nested(name, sessions, unassoc)
            e = check_eve(name, path, sessions, unassoc)
            print("ok: %s: %d subflows with community_id and timestamp, %d eve records" %
                  (name, n, e))
            check_csv(name, path, tmp)
            if TSHARK:
                check_tshark(name, path)
        check_text(PCAPS[0])
        check_refused(PCAPS[0])
    if FAILS:
        print("%d failed" % len(FAILS))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
