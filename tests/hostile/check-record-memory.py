#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-record-memory.py - sampo-cli's records stay within --record-memory
under hostile input, and nothing vanishes (issue 10, requirement 1).

  check-record-memory.py --sampo-cli CLI --hostile-pcap GEN
                         --mode churn|churn-formats|flood
                         [--n N] [--record-memory SIZE] [--no-rss]

churn: one MPTCP session kept open while N joined subflows churn through it
(hostile-pcap --churn N): every ended join's record waits for the session.
With --record-memory SIZE the records are written early as session parts:
  * JSON: every subflow id exactly once over the session-part and session
    records, N + 1 in all (= subflows_ended); session_parts > 0 in the
    counters line and on standard error with -v, equal to the session-part
    lines and to the session record's "parts";
  * peak RSS (VmHWM, from --stats) under a bound, and less than a third of
    the same run without a bound (--record-memory 0), which holds every
    record.
churn-formats: the same in CSV (N + 1 rows, each subflow id once) and text
(N + 1 subflow lines, the parts before their session).
flood: N MP_JOIN SYNs naming unknown tokens (hostile-pcap --joins N), N
sessions of one subflow each: the text report's session index is sorted
on disk past the bound (--stats: sorted runs), and the report is byte for
byte the one of the run without a bound; N session blocks, in id order.

end-flush: N joined subflows all still open at the end of input (the
default idle timeout), so that the final flush ends N + 1 subflows and
raises about 3 N events at once, more than SAMPO_OPT_MAX_EVENTS (64k):
every subflow is still reported, exactly once, and no event is dropped
(sampo-cli takes its events through the callback); with --pythonpath the
same for Analyzer.read_pcap() and sessions().

--no-rss: do not check the memory figures (sanitizer builds: shadow memory,
freed memory kept in quarantine).  They are printed either way.
"""

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

# Packet times: a join every 20 us; subflows end 10 ms after their last
# packet (window and idle timeout 10 ms), so that the library itself holds
# a few hundred subflows at a time and what grows is the CLI's records.
COMMON = ["--no-progress", "--window", "0.01", "--idle-timeout", "0.01"]
RSS_BOUND_KB = 48 * 1024


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(cli, args, out_path):
    """Run CLI --stats ARGS with stdout to out_path: (stderr, peak RSS in KiB).
    The peak is sampo-cli's own VmHWM (--stats): the rusage of a child
    counts the memory of the process that spawned it too."""
    with open(out_path, "wb") as out:
        p = subprocess.run([cli] + COMMON + ["--stats"] + args, stdout=out,
                           stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("%s %s: status %d\n%s" % (cli, " ".join(args), p.returncode, p.stderr))
    m = re.search(r"stats: peak resident set (\d+) KiB", p.stderr)
    return p.stderr, int(m.group(1)) if m else 0


def json_records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def check_churn(a, tmp, n):
    cap = os.path.join(tmp, "churn.pcap")
    subprocess.run([a.hostile_pcap, cap, "--churn", str(n), "--gap", "20"], check=True)
    total = n + 1  # the joins and the initial subflow

    out = os.path.join(tmp, "b.json")
    err, rss_b = run(a.sampo_cli, ["--format", "json", "-v", "--record-memory", a.record_memory,
                                   cap], out)
    recs = json_records(out)
    ids, parts, finals = {}, [], []
    for r in recs:
        if r["type"] in ("session", "session-part"):
            for sf in r["subflows"]:
                ids[sf["id"]] = ids.get(sf["id"], 0) + 1
            (parts if r["type"] == "session-part" else finals).append(r)
    twice = [i for i, k in ids.items() if k != 1]
    if twice:
        fail("json: subflows written more than once: %s" % twice[:10])
    c = recs[-1]
    if len(ids) != total or c["subflows_ended"] != total or c["subflows_reported"] != total:
        fail("json: %d subflow ids written, %d ended, %d reported; expected %d"
             % (len(ids), c["subflows_ended"], c["subflows_reported"], total))
    if not parts or c.get("session_parts") != len(parts):
        fail("json: %d session-part records, counters say %s" % (len(parts), c.get("session_parts")))
    if len(finals) != 1 or finals[0].get("parts") != len(parts) or \
            finals[0]["subflows_early"] + len(finals[0]["subflows"]) != total or \
            c["subflows_early"] != finals[0]["subflows_early"]:
        fail("json: the session record does not say what went before: %s"
             % {k: v for k, v in finals[0].items() if k != "subflows"})
    if {p["id"] for p in parts} != {finals[0]["id"]} or \
            [p["part"] for p in parts] != list(range(1, len(parts) + 1)):
        fail("json: parts not numbered 1.. for their session")
    m = re.search(r"^\s+session_parts\s+(\d+)$", err, re.M)
    if not m or int(m.group(1)) != len(parts):
        fail("json -v: session_parts not on standard error:\n" + err[-600:])
    print("ok: json, --record-memory %s: %d subflows each once, %d session parts (%d subflows "
          "early), peak RSS %d KiB" % (a.record_memory, total, len(parts), c["subflows_early"],
                                       rss_b))
    del recs, ids, parts, finals

    out = os.path.join(tmp, "u.json")
    _, rss_u = run(a.sampo_cli, ["--format", "json", "--record-memory", "0", cap], out)
    with open(out, "rb") as f:
        data = f.read()
    last = json.loads(data[data.rindex(b"\n", 0, len(data) - 1) + 1:])
    if b'"session-part"' in data or "session_parts" in last or \
            last["subflows_reported"] != total:
        fail("json, no bound: parts written, or subflows missing")
    print("ok: json, no bound: no parts, peak RSS %d KiB" % rss_u)
    if not a.no_rss:
        if rss_b > RSS_BOUND_KB or rss_b * 3 > rss_u:
            fail("peak RSS %d KiB with the bound, %d KiB without (want < %d KiB and < a third)"
                 % (rss_b, rss_u, RSS_BOUND_KB))
        print("ok: peak RSS %d KiB with --record-memory %s, %d KiB without" %
              (rss_b, a.record_memory, rss_u))


def check_churn_formats(a, tmp, n):
    """CSV and text: every subflow once, the parts before their session."""
    cap = os.path.join(tmp, "churn.pcap")
    subprocess.run([a.hostile_pcap, cap, "--churn", str(n), "--gap", "20"], check=True)
    total = n + 1

    out = os.path.join(tmp, "b.csv")
    run(a.sampo_cli, ["--format", "csv", "--record-memory", a.record_memory, cap], out)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    sids = [r["subflow_id"] for r in rows]
    if len(rows) != total or len(set(sids)) != total:
        fail("csv: %d rows, %d subflow ids; expected %d" % (len(rows), len(set(sids)), total))
    print("ok: csv: %d rows, each subflow once" % total)

    out = os.path.join(tmp, "b.txt")
    run(a.sampo_cli, ["--record-memory", a.record_memory, cap], out)
    with open(out) as f:
        text = f.read()
    lines = len(re.findall(r"^  (initial|join|unknown) ", text, re.M))
    tparts = re.findall(r"^session (\d+)  part (\d+)  ", text, re.M)
    final = re.search(r"^session (\d+)  v1 .*  \+ (\d+) parts above \((\d+) subflows\)$", text,
                      re.M)
    if lines != total or not tparts or not final or int(final.group(2)) != len(tparts):
        fail("text: %d subflow lines, %d part blocks, final %s" %
             (lines, len(tparts), final.group(0) if final else None))
    if text.index("session %s  part 1  " % final.group(1)) > final.start():
        fail("text: the parts after their session")
    print("ok: text: %d subflow lines, %d part blocks before their session" % (lines, len(tparts)))


def check_flood(a, tmp, n):
    cap = os.path.join(tmp, "flood.pcap")
    subprocess.run([a.hostile_pcap, cap, "--joins", str(n), "--gap", "20"], check=True)
    outb, outu = os.path.join(tmp, "b.txt"), os.path.join(tmp, "u.txt")
    err, rss_b = run(a.sampo_cli, ["--record-memory", a.record_memory, cap], outb)
    m = re.search(r"text report: (\d+) sorted runs on disk", err)
    if not m or int(m.group(1)) == 0:
        fail("text: the session index was not sorted on disk:\n" + err)
    _, rss_u = run(a.sampo_cli, ["--record-memory", "0", cap], outu)
    with open(outb) as f:
        tb = f.read()
    with open(outu) as f:
        tu = f.read()
    if tb != tu:
        fail("text: the report with a bound differs from the one without")
    ids = [int(x) for x in re.findall(r"^session (\d+)  ", tb, re.M)]
    if len(ids) != n or ids != sorted(ids) or len(set(ids)) != n:
        fail("text: %d session blocks (%d ids), expected %d in id order" %
             (len(ids), len(set(ids)), n))
    if not re.search(r"^%d sessions \(%d subflows\)" % (n, n), tb, re.M):
        fail("text: summary line")
    print("ok: text, %d sessions: index sorted on disk in %s runs, report identical to the "
          "unbounded one; peak RSS %d KiB with --record-memory %s, %d KiB without"
          % (n, m.group(1), rss_b, a.record_memory, rss_u))
    if not a.no_rss and (rss_b > RSS_BOUND_KB or rss_b > rss_u):
        fail("peak RSS %d KiB with the bound, %d KiB without" % (rss_b, rss_u))


def check_end_flush(a, tmp, n):
    cap = os.path.join(tmp, "churn.pcap")
    subprocess.run([a.hostile_pcap, cap, "--churn", str(n), "--gap", "10"], check=True)
    total = n + 1
    out = os.path.join(tmp, "e.json")
    with open(out, "wb") as f:
        p = subprocess.run([a.sampo_cli, "--no-progress", "--format", "json", cap], stdout=f,
                           stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("status %d\n%s" % (p.returncode, p.stderr))
    ids = {}
    for r in json_records(out):
        if r["type"] in ("session", "session-part"):
            for sf in r["subflows"]:
                ids[sf["id"]] = ids.get(sf["id"], 0) + 1
        elif r["type"] == "counters":
            c = r
    if len(ids) != total or any(k != 1 for k in ids.values()) or c["subflows_ended"] != total:
        fail("json: %d subflow ids written (%d more than once), %d ended; expected %d"
             % (len(ids), sum(1 for k in ids.values() if k != 1), c["subflows_ended"], total))
    if c.get("events_dropped", 0) != 0 or c["events"] < 65536:
        fail("json: %d events, %d dropped: the test did not overflow a pulled queue, or the CLI "
             "lost events" % (c["events"], c.get("events_dropped", 0)))
    print("ok: sampo-cli: %d subflows ended by the final flush, each reported once; %d events, "
          "none dropped" % (total, c["events"]))
    if a.pythonpath:
        code = ("import sys, sampo\n"
                "a = sampo.Analyzer()\n"
                "a.read_pcap(sys.argv[1])\n"
                "ids = [sf.id for s in a.sessions() for sf in s.subflows]\n"
                "print(len(ids), len(set(ids)), a.counters().get('events_dropped', 0))\n")
        env = dict(os.environ, PYTHONPATH=a.pythonpath)
        p = subprocess.run(["/usr/bin/python3", "-c", code, cap], capture_output=True, text=True,
                           env=env)
        if p.returncode != 0:
            fail("python: status %d\n%s" % (p.returncode, p.stderr))
        got, uniq, dropped = (int(x) for x in p.stdout.split())
        if got != total or uniq != total or dropped != 0:
            fail("python: %d subflows in sessions() (%d distinct), %d events dropped; expected %d"
                 % (got, uniq, dropped, total))
        print("ok: python: sessions() holds the %d subflows, none dropped" % total)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sampo-cli", required=True)
    ap.add_argument("--hostile-pcap", required=True)
    ap.add_argument("--mode", choices=("churn", "churn-formats", "flood", "end-flush"),
                    required=True)
    ap.add_argument("--pythonpath", help="build/python: check the Python module too")
    ap.add_argument("--n", type=int, default=200000)
    ap.add_argument("--record-memory", default="1M")
    ap.add_argument("--no-rss", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        {"churn": check_churn, "churn-formats": check_churn_formats,
         "flood": check_flood, "end-flush": check_end_flush}[a.mode](a, tmp, a.n)


if __name__ == "__main__":
    main()
