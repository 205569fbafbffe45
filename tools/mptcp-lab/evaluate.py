#!/usr/bin/python3
"""evaluate.py: score sampo's subflow association on a capture, under sampling, against truth.

    evaluate.py CAPTURE [--sample SPEC] [--no-token] [--sampo-cli PATH] [--truth T.json]
                        [--no-wireshark] [--json OUT.json] [-q]

The protocol of docs/algorithm.md section 6:

* the universe is EVERY true MPTCP subflow of CAPTURE (NAME.truth.json); every unordered pair
  of them is a case, truly "same" when both are in one true session.  A true subflow with no
  sampled packet stays in the universe (its true pairs are false negatives);
* sampo-cli sees the sampled packets only: `sampo-cli --format json --events --pairs
  [--sample SPEC] [--no-token] CAPTURE` (--pairs is left out when this sampo-cli lacks it);
  a pair is predicted "same" when both subflows are in one reported session;
* TP/FP/TN/FN, accuracy, precision, recall; recall over the pairs whose two subflows each have
  at least 2 sampled DSS packets (dss_packets[0] + dss_packets[1] >= 2 in sampo's output);
* calibration: every {"type":"pair"} line of --pairs, in bands of reported confidence
  (0.5-0.9, 0.9-0.99, 0.99-0.999, 0.999-1): a "same" verdict is an error when the pair is not
  truly same, a "distinct" one when it is; "undecided" verdicts are counted apart;
* time to the final correct verdict of each truly-same pair that ends in one session: the time
  of the last event (session-opened / subflow-joined) that put the two subflows together,
  minus the later of their first packets in the FULL capture (when the subflows started);
  pairs never correctly joined are left out and counted;
* the Wireshark reference: the same sampling done here in Python, exactly as
  tools/sampo-cli/sampler.c does it (count:N keeps the packets of 0-based index i with
  i % N == N-1; time:USEC the first packet of each slot floor(ts_ns / (USEC*1000)) after the
  last kept slot), written as a pcap, given to `tshark -o mptcp.analyze_mptcp:TRUE` and
  scored the same way (same session = same mptcp.stream; Wireshark uses keys and tokens,
  i.e. it is a token association).  The packet count sampled here is checked against
  sampo-cli's own "packets_sampled" counter in the same run.

Flows are matched on an orientation-free key (the two endpoints sorted), since sampo writes a
flow initiator first when it knows the initiator and higher port first otherwise.
Standard library only.  Exit status 0, 2 on error.
"""

import argparse
import collections
import decimal
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mptcplib  # noqa: E402

BANDS = [(0.5, 0.9), (0.9, 0.99), (0.99, 0.999), (0.999, 1.0000001)]
BAND_NAMES = ["0.5-0.9", "0.9-0.99", "0.99-0.999", "0.999-1"]


# --------------------------------------------------------------------------------------------
# sampling, exactly as sampo-cli does it
# --------------------------------------------------------------------------------------------

def parse_spec(spec):
    """'count:N' | 'time:USEC' | None -> (mode, n)."""
    if not spec or spec in ("none", "count:1"):
        return ("none", 1)
    mode, _, v = spec.partition(":")
    if mode not in ("count", "time") or not v.isdigit() or int(v) < 1:
        raise ValueError("sampling spec must be count:N or time:USEC, not %r" % spec)
    return (mode, int(v))


def sample_indices(pcap, spec):
    """Indices of the records sampo-cli's sampler keeps (tools/sampo-cli/sampler.c)."""
    mode, n = parse_spec(spec)
    if mode == "none":
        return list(range(len(pcap.records)))
    if mode == "count":
        return list(range(n - 1, len(pcap.records), n))
    slot_ns, keep, last = n * 1000, [], None
    for i, r in enumerate(pcap.records):
        slot = pcap.ts_ns(r) // slot_ns
        if last is None or slot > last:
            keep.append(i)
            last = slot
    return keep


# --------------------------------------------------------------------------------------------
# per-capture facts
# --------------------------------------------------------------------------------------------

class Truth:
    """A truth file alone (NAME.truth.json, format in docs/lab.md): the universe of true subflows
    and the session of each.  Enough to score an output already produced (score_output)."""

    def __init__(self, truth_path):
        with open(truth_path) as f:
            self.truth = json.load(f)
        self.session_of = {}                      # flow key -> true session id
        self.name_of = {}                         # flow key -> truth's flow string
        for s in self.truth["sessions"]:
            for f in s["subflows"]:
                k = mptcplib.flow_key(f)
                self.session_of[k] = s["id"]
                self.name_of[k] = f
        self.universe = sorted(self.session_of, key=lambda k: self.name_of[k])
        self.true_pairs = sum(1 for a, b in itertools.combinations(self.universe, 2)
                              if self.session_of[a] == self.session_of[b])


class Capture(Truth):
    """A capture read once: records, decoded flow keys, truth, first packet of each subflow."""

    def __init__(self, path, truth_path=None):
        self.path = path
        base = path[:-5] if path.endswith(".pcap") else path
        Truth.__init__(self, truth_path or base + ".truth.json")
        self.pcap = mptcplib.Pcap(path)
        self.keys = []                            # per record: flow key or None
        self.dss = []                             # per record: carries a DSS mapping
        self.first_ns = {}
        for r in self.pcap.records:
            t = mptcplib.decode_tcp(self.pcap.linktype, r[3])
            if t is None:
                self.keys.append(None)
                self.dss.append(False)
                continue
            k = mptcplib.packet_key(t)
            self.keys.append(k)
            has = False
            for st, o, ln in mptcplib.mptcp_options(r[3], t):
                if st == 2:
                    d = mptcplib.parse_dss(r[3], o, ln)
                    has = has or (d is not None and d.dsn is not None)
            self.dss.append(has)
            if k in self.session_of and k not in self.first_ns:
                self.first_ns[k] = self.pcap.ts_ns(r)


# --------------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------------

def ratio(a, b):
    return a / b if b else None


def confusion(cap, same_pred, eligible):
    """same_pred(a, b) -> bool over the universe of cap (a Truth); eligible: set of flow keys."""
    c = collections.Counter()
    for a, b in itertools.combinations(cap.universe, 2):
        truly = cap.session_of[a] == cap.session_of[b]
        pred = same_pred(a, b)
        c[("tp" if pred else "fn") if truly else ("fp" if pred else "tn")] += 1
        if truly and a in eligible and b in eligible:
            c["e_tp" if pred else "e_fn"] += 1
    n = c["tp"] + c["fp"] + c["tn"] + c["fn"]
    return {"tp": c["tp"], "fp": c["fp"], "tn": c["tn"], "fn": c["fn"], "pairs": n,
            "accuracy": ratio(c["tp"] + c["tn"], n), "precision": ratio(c["tp"], c["tp"] + c["fp"]),
            "recall": ratio(c["tp"], c["tp"] + c["fn"]),
            "eligible": {"subflows": len(eligible), "true_pairs": c["e_tp"] + c["e_fn"], "tp": c["e_tp"],
                         "fn": c["e_fn"], "recall": ratio(c["e_tp"], c["e_tp"] + c["e_fn"])}}


def cli_has_pairs(cli, _cache={}):
    if cli not in _cache:
        r = subprocess.run([cli, "--help"], capture_output=True, text=True)
        _cache[cli] = "--pairs" in (r.stdout + r.stderr)
    return _cache[cli]


def run_sampo(cap, cli, spec, no_token, extra=()):
    mode, n = parse_spec(spec)
    cmd = [cli, "--format", "json", "--events", "--no-progress"]
    pairs = cli_has_pairs(cli)
    if pairs:
        cmd.append("--pairs")
    if mode != "none":
        cmd.append("--sample=%s:%d" % (mode, n))
    if no_token:
        cmd.append("--no-token")
    cmd.extend(extra)
    cmd.append(cap.path)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()[-400:]))
    out = parse_output(r.stdout)
    out["command"] = cmd
    out["pairs_available"] = pairs
    return out


def parse_output(text):
    """sampo-cli's JSON lines (--format json, with or without --events and --pairs) -> sessions
    (flow key -> session id), subflows (flow key -> its record, associated or not), events,
    pairs, counters.  With --events, a subflow that ended before the final report (evicted,
    expired) counts with the session its end-of-life record names.  Lines of other types (a
    golden's "exit" line) are ignored."""
    out = {"sessions": {}, "subflows": {}, "events": [], "pairs": [], "counters": {}}
    ended_session, ended = {}, {}
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        o = json.loads(line, parse_float=decimal.Decimal)     # exact timestamps
        ty = o.get("type")
        if ty == "session":
            for sf in o["subflows"]:
                k = mptcplib.flow_key(sf["flow"])
                out["sessions"][k] = o["id"]
                out["subflows"][k] = sf
        elif ty == "unassociated":
            for sf in o["subflows"]:
                out["subflows"][mptcplib.flow_key(sf["flow"])] = sf
        elif ty == "event":
            out["events"].append(o)
            if o.get("event") == "subflow-end" and "flow" in o:
                # A subflow's end-of-life record (--events): its session as it
                # ended, for a subflow that ended (evicted, expired) before the
                # final report.
                k = mptcplib.flow_key(o["flow"])
                ended_session.setdefault(k, o.get("session"))
                ended.setdefault(k, o)
        elif ty == "pair":
            out["pairs"].append(o)
        elif ty == "counters":
            out["counters"] = o
    for k, sid in ended_session.items():
        if k not in out["subflows"] and sid:
            out["sessions"][k] = sid
            out["subflows"][k] = ended[k]
    return out


def run_wireshark(cap, idx, tshark="tshark"):
    """Wireshark's association of the sampled packets: flow key -> group."""
    fd, tmp = tempfile.mkstemp(suffix=".pcap", prefix="sampo-eval-")
    os.close(fd)
    try:
        cap.pcap.write(tmp, [cap.pcap.records[i] for i in idx])
        cmd = [tshark, "-n", "-r", tmp, "-o", "mptcp.analyze_mptcp:TRUE", "-Y", "tcp", "-T", "fields",
               "-E", "separator=\t", "-E", "occurrence=f", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src",
               "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "mptcp.stream"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("tshark failed: %s" % r.stderr.strip()[-300:])
    finally:
        os.unlink(tmp)
    streams = {}
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) < 8 or not f[0]:
            continue
        st = streams.setdefault(f[0], {"key": None, "m": set()})
        if st["key"] is None:
            src, dst = f[1] or f[2], f[4] or f[5]
            st["key"] = mptcplib.flow_key("%s-%s" % (mptcplib.fmt_ep(src, f[3]), mptcplib.fmt_ep(dst, f[6])))
        if f[7]:
            st["m"].add(int(f[7]))
    group = {}
    for sid, st in streams.items():
        group[st["key"]] = ("m", min(st["m"])) if st["m"] else ("t", sid)
    return group


def time_to_correct(cap, events, final_session):
    """Seconds from the later start of a truly-same pair to the last event that put it together,
    for pairs together at the end; and how many truly-same pairs never end together."""
    where = {}
    together_since = {}
    same_pairs = [(a, b) for a, b in itertools.combinations(cap.universe, 2)
                  if cap.session_of[a] == cap.session_of[b]]
    partners = collections.defaultdict(list)
    for a, b in same_pairs:
        partners[a].append(b)
        partners[b].append(a)
    for ev in events:
        if ev.get("event") not in ("session-opened", "subflow-joined") or "flow" not in ev:
            continue
        k = mptcplib.flow_key(ev["flow"])
        where[k] = ev.get("session")
        ts_ns = int(decimal.Decimal(ev["ts"]) * 1000000000)
        for p in partners.get(k, ()):
            pair = tuple(sorted((k, p)))
            if where.get(p) is not None and where.get(p) == where[k]:
                if together_since.get(pair) is None:
                    together_since[pair] = ts_ns          # they just came together
            else:
                together_since[pair] = None               # apart (again)
    values, never = [], 0
    for a, b in same_pairs:
        fa, fb = final_session.get(a), final_session.get(b)
        t = together_since.get(tuple(sorted((a, b))))
        if fa is None or fa != fb or t is None:
            never += 1
            continue
        start = max(cap.first_ns.get(a, 0), cap.first_ns.get(b, 0))
        values.append(max(0.0, (t - start) / 1e9))
    values.sort()
    return {"seconds": [round(v, 6) for v in values], "never": never,
            "median": statistics.median(values) if values else None}


def calibration(cap, pairs):
    bands = [{"band": n, "lo": lo, "verdicts": 0, "same": 0, "distinct": 0, "errors": 0, "expected_errors": 0.0}
             for n, (lo, _) in
             zip(BAND_NAMES, BANDS)]
    extra = collections.Counter()
    for p in pairs:
        fl = p.get("flows") or []
        if len(fl) != 2:
            extra["malformed"] += 1
            continue
        a, b = mptcplib.flow_key(fl[0]), mptcplib.flow_key(fl[1])
        if a not in cap.session_of or b not in cap.session_of:
            extra["outside_truth"] += 1
            continue
        v = p.get("verdict")
        if v not in ("same", "distinct"):
            extra["undecided"] += 1
            continue
        conf = float(p.get("confidence") or 0.0)
        truly = cap.session_of[a] == cap.session_of[b]
        err = (v == "same") != truly
        for bd, (lo, hi) in zip(bands, BANDS):
            if lo <= conf < hi:
                bd["verdicts"] += 1
                bd[v] += 1
                bd["errors"] += err
                bd["expected_errors"] += 1.0 - conf          # what the confidences promise
                break
        else:
            extra["below_0.5"] += 1
            extra["below_0.5_errors"] += err
    for bd in bands:
        bd["error_rate"] = ratio(bd["errors"], bd["verdicts"])
        bd["promised"] = round(1 - bd["lo"], 6)                  # Φ >= lo promises error <= 1 - lo
        bd["ok"] = None if not bd["verdicts"] else bd["error_rate"] <= bd["promised"]
    return {"bands": bands, **dict(extra)}


def score_output(truth, out):
    """The pair scoring of one sampo-cli output (parse_output) against truth (a Truth or Capture):
    a pair of true subflows is predicted same when both are in one reported session; eligible
    subflows have dss_packets[0] + dss_packets[1] >= 2 in the output.  Every scorer of this
    project (evaluate, evaluate-all, tests/golden/check-truth.py) goes through here."""
    eligible = set(k for k in truth.universe
                   if sum((out["subflows"].get(k) or {}).get("dss_packets") or [0, 0]) >= 2)
    sess = out["sessions"]
    r = confusion(truth, lambda a, b: a in sess and sess.get(a) == sess.get(b), eligible)
    r["reported_subflows"] = len(out["subflows"])
    r["reported_not_in_truth"] = sum(1 for k in out["subflows"] if k not in truth.session_of)
    return r


def evaluate(cap, spec, no_token, cli, wireshark=True, tshark="tshark", ws_cache=None, extra=()):
    """One run: CAPTURE under SPEC, DSN evidence only (no_token) or all.  ws_cache (a dict)
    keeps Wireshark's result per spec, which does not depend on the evidence setting."""
    idx = sample_indices(cap.pcap, spec)
    sampled = collections.Counter()
    sampled_dss = collections.Counter()
    for i in idx:
        k = cap.keys[i]
        if k in cap.session_of:
            sampled[k] += 1
            sampled_dss[k] += cap.dss[i]
    per_sub = [sampled.get(k, 0) for k in cap.universe]
    res = {"capture": os.path.basename(cap.path), "spec": spec or "none",
           "evidence": "dsn" if no_token else "all", "packets": len(cap.pcap.records), "packets_sampled": len(idx),
           "subflows": len(cap.universe), "sessions": len(cap.truth["sessions"]), "true_pairs": cap.true_pairs,
           "sampled_per_subflow": {"median": statistics.median(per_sub) if per_sub else 0,
                                   "min": min(per_sub, default=0), "max": max(per_sub, default=0),
                                   "none": sum(1 for x in per_sub if x == 0)}}
    s = run_sampo(cap, cli, spec, no_token, extra)
    cli_sampled = s["counters"].get("packets_sampled")
    res["sampler_check"] = {"python": len(idx), "sampo_cli": cli_sampled, "match": cli_sampled == len(idx)}
    sess = s["sessions"]
    res["sampo"] = score_output(cap, s)
    res["sampo"]["command"] = " ".join(os.path.basename(x) if i == 0 else x for i, x in enumerate(s["command"]))
    res["sampo"]["time_to_correct"] = time_to_correct(cap, s["events"], sess)
    res["sampo"]["calibration"] = calibration(cap, s["pairs"]) if s["pairs_available"] else None
    res["sampo"]["pair_lines"] = len(s["pairs"])
    if wireshark:
        key = (cap.path, spec or "none")
        if ws_cache is not None and key in ws_cache:
            res["wireshark"] = ws_cache[key]
        else:
            g = run_wireshark(cap, idx, tshark)
            elig_ws = set(k for k in cap.universe if sampled_dss.get(k, 0) >= 2)
            res["wireshark"] = confusion(cap, lambda a, b: a in g and g.get(a) == g.get(b), elig_ws)
            if ws_cache is not None:
                ws_cache[key] = res["wireshark"]
    return res


# --------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------

def pct(x):
    return "-" if x is None else "%.1f%%" % (100 * x)


def table(res):
    lines = ["%s, sampling %s, evidence %s: %d of %d packets sampled; %d true subflows in %d sessions, "
             "%d pairs (%d truly same); sampled packets per subflow: median %s, %d subflows with none"
             % (res["capture"], res["spec"], res["evidence"], res["packets_sampled"], res["packets"],
                res["subflows"], res["sessions"], res["sampo"]["pairs"], res["true_pairs"],
                res["sampled_per_subflow"]["median"], res["sampled_per_subflow"]["none"]),
             "", "| association | TP | FP | TN | FN | accuracy | precision | recall | recall (>=2 DSS) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for who in ("sampo", "wireshark"):
        r = res.get(who)
        if r is None:
            continue
        lines.append("| %s | %d | %d | %d | %d | %s | %s | %s | %s (%d pairs) |" % (
            who, r["tp"], r["fp"], r["tn"], r["fn"], pct(r["accuracy"]), pct(r["precision"]), pct(r["recall"]),
            pct(r["eligible"]["recall"]), r["eligible"]["true_pairs"]))
    t = res["sampo"]["time_to_correct"]
    lines += ["", "time to final correct verdict: %d pairs, median %s s, %d never joined"
              % (len(t["seconds"]), "-" if t["median"] is None else "%.3f" % t["median"], t["never"])]
    cal = res["sampo"]["calibration"]
    if cal is None:
        lines += ["calibration: this sampo-cli has no --pairs"]
    else:
        lines += ["", "| confidence | verdicts | same | distinct | errors | expected errors (sum of 1-Φ) | error rate "
                  "| promised at most | ok |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for b in cal["bands"]:
            lines.append("| %s | %d | %d | %d | %d | %.2f | %s | %s | %s |" % (
                b["band"], b["verdicts"], b["same"], b["distinct"], b["errors"], b["expected_errors"],
                "-" if b["error_rate"] is None else "%.4f" % b["error_rate"], b["promised"],
                "-" if b["ok"] is None else ("yes" if b["ok"] else "NO")))
        rest = {k: v for k, v in cal.items() if k != "bands"}
        if rest:
            lines.append("other pair lines: %s" % rest)
    sc = res["sampler_check"]
    lines.append("sampler check: python %d, sampo-cli %s packets sampled: %s"
                 % (sc["python"], sc["sampo_cli"], "match" if sc["match"] else "MISMATCH"))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="evaluate.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("capture")
    ap.add_argument("--sample", help="count:N or time:USEC (default: every packet)")
    ap.add_argument("--no-token", action="store_true", help="DSN evidence only (sampo-cli --no-token)")
    ap.add_argument("--sampo-cli", default=os.environ.get("SAMPO_CLI", "build/bin/sampo-cli"))
    ap.add_argument("--truth", help="default: CAPTURE minus .pcap plus .truth.json")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--no-wireshark", action="store_true", help="skip the Wireshark reference")
    ap.add_argument("--json", help="write the result as JSON here ('-': standard output)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no table")
    a = ap.parse_args(argv)
    try:
        parse_spec(a.sample)
        cap = Capture(a.capture, a.truth)
        res = evaluate(cap, a.sample, a.no_token, a.sampo_cli, not a.no_wireshark, a.tshark)
    except (OSError, ValueError, RuntimeError) as e:
        print("evaluate.py: error: %s" % e, file=sys.stderr)
        return 2
    if a.json == "-":
        json.dump(res, sys.stdout)
        sys.stdout.write("\n")
    elif a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    if not a.quiet and a.json != "-":
        print(table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
