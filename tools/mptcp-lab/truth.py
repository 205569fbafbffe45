#!/usr/bin/python3
"""truth.py: ground truth for an mptcp-lab capture.

    truth.py PCAP [--manifest PCAP.lab.json] [--out PCAP.truth.json] [--sampo-cli PATH]

Derives the true MPTCP sessions (each a list of subflows) and the plain TCP flows of PCAP by
independent methods and reports where they disagree:

  tshark    Wireshark's own MPTCP analysis (mptcp.analyze_mptcp): tcp.streams grouped by
            mptcp.stream; an MPTCP subflow Wireshark cannot match forms a session of its own;
            a tcp.stream without MPTCP options is a plain TCP flow.
  manifest  What the kernel told the lab's own sockets (PCAP.lab.json, written by mptcp-lab):
            every flow seen in the capture (read here with a small stdlib pcap reader) is
            assigned to the transfer whose initial subflow it is, or whose sockets listed it
            (MPTCP_SUBFLOW_ADDRS, client and server side), or whose server token its MP_JOIN
            carries, or -- last resort -- the only transfer of its client that was running.
  sampo     (optional, --sampo-cli PATH or $SAMPO_CLI) sampo's own token association, via
            `sampo-cli --format json`; compared for sessions only.

Subflows are written "SRC:PORT-DST:PORT", the initiator (client) first, IPv6 in brackets.
Writes PCAP.truth.json (format: docs/lab.md). Exit status: 0 agree, 1 disagree, 2 error.
Standard library only; needs tshark for the tshark method.
"""

import argparse
import collections
import hashlib
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mptcplib  # noqa: E402  (the lab's shared pcap/MPTCP helpers, beside this file)


fmt_ep = mptcplib.fmt_ep
split_ep = mptcplib.split_ep


def flow_str(src, sport, dst, dport):
    return "%s-%s" % (fmt_ep(src, sport), fmt_ep(dst, dport))


def reverse_flow(s):
    # "A-B" where A and B may contain '-'? They cannot: IPv6 is bracketed, IPv4 has no '-'.
    a, b = s.split("-")
    return "%s-%s" % (b, a)


# --------------------------------------------------------------------------------------------
# method 1: tshark
# --------------------------------------------------------------------------------------------

TSHARK_FIELDS = ["frame.time_epoch", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
                 "tcp.dstport", "mptcp.stream", "tcp.flags.syn", "tcp.flags.ack", "tcp.options.mptcp.subtype"]


def method_tshark(pcap, tshark="tshark"):
    cmd = [tshark, "-n", "-r", pcap, "-o", "mptcp.analyze_mptcp:TRUE",
           "-o", "mptcp.intersubflows_retransmission:TRUE", "-Y", "tcp",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tshark failed: %s" % r.stderr.strip()[-500:])
    streams = {}
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) < len(TSHARK_FIELDS) or not f[1]:
            continue
        ts, stream, ip4s, ip6s, sport, ip4d, ip6d, dport, mstream, syn, ack, subtypes = f[:12]
        src = (ip4s or ip6s).split(",")[0]
        dst = (ip4d or ip6d).split(",")[0]
        sport, dport = sport.split(",")[0], dport.split(",")[0]
        st = streams.get(stream)
        if st is None:
            st = streams[stream] = {"first": float(ts), "tuple": (src, sport, dst, dport), "syn": None,
                                    "syn_subtypes": set(), "mstreams": set(), "mptcp": False, "packets": 0}
        st["packets"] += 1
        if mstream:
            st["mstreams"].update(x for x in mstream.split(",") if x)
        subs = set(x for x in subtypes.split(",") if x)
        if subs:
            st["mptcp"] = True
        if syn in ("1", "True") and ack in ("0", "False") and st["syn"] is None:
            st["syn"] = (src, sport, dst, dport)
            st["syn_subtypes"] = subs
    sessions = collections.OrderedDict()
    tcp_flows = []
    notes = []
    for sid, st in sorted(streams.items(), key=lambda kv: kv[1]["first"]):
        tup = st["syn"] or guess_initiator(st["tuple"])
        if st["syn"] is None:
            notes.append("tcp.stream %s: no SYN in the capture, initiator guessed" % sid)
        fs = flow_str(*tup)
        if st["mstreams"]:
            key = ("mptcp.stream", min(st["mstreams"], key=int))
            if len(st["mstreams"]) > 1:
                notes.append("tcp.stream %s has several mptcp.stream values %s" % (sid, sorted(st["mstreams"])))
        elif st["mptcp"]:
            key = ("tcp.stream", sid)         # MPTCP options but Wireshark could not match it
            notes.append("tcp.stream %s (%s): MPTCP subflow without mptcp.stream" % (sid, fs))
        else:
            tcp_flows.append(fs)
            continue
        s = sessions.setdefault(key, {"subflows": [], "initial": None, "first": st["first"]})
        s["subflows"].append(fs)
        if "0" in st["syn_subtypes"] and s["initial"] is None:
            s["initial"] = fs
    out = []
    for key, s in sessions.items():
        out.append({"subflows": s["subflows"], "initial": s["initial"] or s["subflows"][0], "first": s["first"],
                    "wireshark": "%s=%s" % key})
    return {"sessions": out, "tcp_flows": tcp_flows, "notes": notes, "seconds": round(time.time() - t0, 2),
            "tcp_streams": len(streams)}


def guess_initiator(tup):
    src, sport, dst, dport = tup
    # no SYN seen: the lab's servers listen on low, fixed ports; clients use ephemeral ones
    return tup if int(sport) > int(dport) else (dst, dport, src, sport)


# --------------------------------------------------------------------------------------------
# a small pcap reader (stdlib): per-flow facts the manifest method needs
# --------------------------------------------------------------------------------------------

def read_pcap(path):
    """Yield (ts, src, dst, sport, dport, flags, [(subtype, option bytes)]) for every TCP
    packet, decoded by the lab's shared helpers (mptcplib)."""
    p = mptcplib.Pcap(path)
    for rec in p.records:
        d = rec[3]
        t = mptcplib.decode_tcp(p.linktype, d, rec[2])
        if t is None:
            continue
        opts = [(sub, bytes(d[o:o + ln])) for sub, o, ln in mptcplib.mptcp_options(d, t)]
        yield p.ts_ns(rec) / 1e9, t.src, t.dst, t.sport, t.dport, t.flags, opts


def pcap_flows(path):
    """Per 5-tuple: initiator, first/last time, SYN kind, MP_JOIN token, keys seen."""
    flows = {}
    packets = 0
    for ts, src, dst, sport, dport, flags, opts in read_pcap(path):
        packets += 1
        key = frozenset(((src, sport), (dst, dport)))
        fl = flows.get(key)
        if fl is None:
            fl = flows[key] = {"first": ts, "last": ts, "tuple": (src, sport, dst, dport), "syn": None,
                               "syn_kind": None, "join_token": None, "mptcp": False, "packets": 0,
                               "server_key": None, "client_key": None}
        fl["packets"] += 1
        fl["last"] = ts
        syn, ack = flags & 0x02, flags & 0x10
        if opts:
            fl["mptcp"] = True
        for sub, body in opts:
            if syn and not ack and fl["syn"] is None:
                fl["syn"] = (src, sport, dst, dport)
                fl["syn_kind"] = {0: "MP_CAPABLE", 1: "MP_JOIN"}.get(sub, "other")
                if sub == 1 and len(body) >= 12:
                    fl["join_token"] = body[4:8].hex()
            elif sub == 0 and syn and ack and len(body) >= 12:
                fl["server_key"] = body[4:12]
            elif sub == 0 and not syn and len(body) >= 20 and fl["client_key"] is None:
                fl["client_key"] = body[4:12]
        if syn and not ack and fl["syn"] is None:
            fl["syn"] = (src, sport, dst, dport)
            fl["syn_kind"] = fl["syn_kind"] or "TCP"
    for fl in flows.values():
        fl["str"] = flow_str(*(fl["syn"] or guess_initiator(fl["tuple"])))
    return flows, packets


def key_token(key):
    """MPTCP v1 token: the most significant 32 bits of SHA-256(key)."""
    return hashlib.sha256(key).digest()[:4].hex() if key else None


# --------------------------------------------------------------------------------------------
# method 2: the lab manifest
# --------------------------------------------------------------------------------------------

def method_manifest(pcap, manifest):
    flows, packets = pcap_flows(pcap)
    transfers = manifest["transfers"]
    client_of_addr = {}
    for c in manifest["clients"]:
        for a in c["addresses"]:
            client_of_addr[a] = c["name"]
    by_initial, by_kernel, by_token = {}, {}, {}
    for t in transfers:
        if t.get("local") and t.get("remote"):
            by_initial["%s-%s" % (t["local"], t["remote"])] = t
        if t["kind"] != "mptcp":
            continue
        for s in t.get("subflows_kernel") or []:
            by_kernel.setdefault(s, t)
        for s in t.get("server_subflows_kernel") or []:
            by_kernel.setdefault(reverse_flow(s), t)
        if t.get("server_token"):
            by_token[t["server_token"]] = t
    rules = collections.Counter()
    assigned = collections.OrderedDict((t["id"], []) for t in transfers)
    unassigned, notes = [], []
    for fl in sorted(flows.values(), key=lambda x: x["first"]):
        s = fl["str"]
        t, how = by_initial.get(s), "initial"
        if t is None:
            t, how = by_kernel.get(s), "kernel-subflow-list"
        if t is None and fl["join_token"]:
            t, how = by_token.get(fl["join_token"]), "mp_join-token"
        if t is None:
            client = client_of_addr.get(split_ep(s.split("-")[0])[0])
            cands = [x for x in transfers if x["client"] == client and x["kind"] == ("mptcp" if fl["mptcp"] else "tcp")]
            if len(cands) > 1:
                cands = [x for x in cands if x.get("start") and x.get("end")
                         and x["start"] - 0.5 <= fl["first"] <= x["end"] + 0.5]
                how = "client-address+time"
            else:
                how = "client-address"
            t = cands[0] if len(cands) == 1 else None
        if t is None:
            unassigned.append(s)
            continue
        if t["kind"] == "mptcp" and not fl["mptcp"]:
            notes.append("%s: assigned to MPTCP transfer %d but carries no MPTCP option" % (s, t["id"]))
        rules[how] += 1
        assigned[t["id"]].append(fl)
    sessions, tcp_flows, token_checks = [], [], collections.Counter()
    in_capture = set(fl["str"] for fl in flows.values())
    not_captured = {}
    for t in transfers:
        # subflows the client's kernel listed that never reached the server's capture (e.g. an
        # MP_JOIN SYN dropped by --loss on a session that ended before the SYN was resent)
        miss = [x for x in (t.get("subflows_kernel") or []) if x not in in_capture]
        if miss:
            not_captured[str(t["id"])] = miss
        fls = assigned[t["id"]]
        if not fls:
            notes.append("transfer %d (%s, %s %s): no flow in the capture" % (t["id"], t["client"], t["kind"], t.get("local")))
            continue
        if t["kind"] == "tcp":
            if len(fls) > 1:
                notes.append("TCP transfer %d has %d flows" % (t["id"], len(fls)))
            tcp_flows.extend(f["str"] for f in fls)
            continue
        initial = "%s-%s" % (t["local"], t["remote"]) if t.get("local") else fls[0]["str"]
        subs = [f["str"] for f in fls]
        subs.sort(key=lambda x: (x != initial,))
        # the tokens the kernel reported must be the ones the keys on the wire give
        init = next((f for f in fls if f["str"] == initial), None)
        if init is not None:
            for who, k, tok in (("client", init["client_key"], t.get("token")),
                                ("server", init["server_key"], t.get("server_token"))):
                if k is None or tok is None:
                    token_checks["%s_unchecked" % who] += 1
                elif key_token(k) == tok:
                    token_checks["%s_ok" % who] += 1
                else:
                    token_checks["%s_mismatch" % who] += 1
                    notes.append("transfer %d: %s token %s from the kernel, %s from the key on the wire"
                                 % (t["id"], who, tok, key_token(k)))
        if t.get("ss_token") and t.get("token") and t["ss_token"] != t["token"]:
            notes.append("transfer %d: ss token %s != MPTCP_INFO token %s" % (t["id"], t["ss_token"], t["token"]))
        sessions.append({"subflows": subs, "initial": initial, "first": min(f["first"] for f in fls),
                         "transfer": t["id"], "client": t["client"],
                         "token": t.get("token"), "server_token": t.get("server_token"),
                         "kernel_subflows": len(set(t.get("subflows_kernel") or []))})
    sessions.sort(key=lambda s: s["first"])
    return {"sessions": sessions, "tcp_flows": tcp_flows, "unassigned": unassigned, "rules": dict(rules),
            "kernel_subflows_not_captured": not_captured,
            "token_checks": dict(token_checks), "notes": notes, "packets": packets, "flows": len(flows)}


# --------------------------------------------------------------------------------------------
# method 3 (hook): sampo's own association
# --------------------------------------------------------------------------------------------

def method_sampo(pcap, cli):
    """Third method (hook): sampo's own token association, run as `CLI --format json PCAP`.

    sampo-cli prints JSON lines; each {"type": "session", "subflows": [{"flow":
    "SRC:PORT-DST:PORT", "role": "initial" | ...}, ...]} is one session (same subflow notation
    as here). Converted to the common form {"sessions": [{"subflows", "initial", "first"}],
    "tcp_flows": [], "notes": [...]}. sampo does not list plain TCP flows, so only sessions are
    compared. Adapt this function if sampo-cli's output changes; return None to leave it out.
    """
    r = subprocess.run([cli, "--format", "json", pcap], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("sampo-cli failed (%d): %s" % (r.returncode, r.stderr.strip()[-300:]))
    sessions, notes = [], []
    for line in r.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        if o.get("type") != "session":
            continue
        subs = [x["flow"] if isinstance(x, dict) else x for x in o.get("subflows", [])]
        if not subs:
            continue
        initial = next((x["flow"] for x in o["subflows"] if isinstance(x, dict) and x.get("role") == "initial"),
                       subs[0])
        if o.get("method") and o.get("method") != "token":
            notes.append("sampo session %s: method %s, confidence %s" % (o.get("id"), o.get("method"),
                                                                        o.get("confidence")))
        sessions.append({"subflows": subs, "initial": initial, "first": o.get("first", 0)})
    return {"sessions": sessions, "tcp_flows": [], "notes": notes}


# --------------------------------------------------------------------------------------------
# wire checks: reinjections, MPTCP options present
# --------------------------------------------------------------------------------------------

SUBTYPES = {0: "MP_CAPABLE", 1: "MP_JOIN", 2: "DSS", 3: "ADD_ADDR", 4: "REMOVE_ADDR", 5: "MP_PRIO",
            6: "MP_FAIL", 7: "MP_FASTCLOSE", 8: "MP_TCPRST"}


def wire_checks(pcap, sessions, tshark="tshark"):
    """What the capture shows beyond the partition: MPTCP options by subtype (e.g. MP_PRIO for a
    backup scenario), DSS forms, and reinjections (data sent on two subflows of one session),
    counted by mptcplib.reinjections() and, independently, by Wireshark's inter-subflow
    retransmission analysis (frames with mptcp.reinjection_of)."""
    p = mptcplib.Pcap(pcap)
    opts, dss_forms = collections.Counter(), collections.Counter()
    for rec in p.records:
        t = mptcplib.decode_tcp(p.linktype, rec[3])
        if t is None:
            continue
        for st, o, ln in mptcplib.mptcp_options(rec[3], t):
            opts[SUBTYPES.get(st, str(st))] += 1
            if st == 2:
                dss_forms[str(ln)] += 1
    re = mptcplib.reinjections(p, {s["id"]: s["subflows"] for s in sessions})
    re["by_session"] = {str(k): v for k, v in sorted(re["by_session"].items())}
    cmd = [tshark, "-n", "-r", pcap, "-o", "mptcp.analyze_mptcp:TRUE", "-o", "mptcp.analyze_mappings:TRUE",
           "-o", "mptcp.intersubflows_retransmission:TRUE", "-Y", "mptcp.reinjection_of",
           "-T", "fields", "-e", "frame.number"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    re["tshark_frames"] = len(r.stdout.split()) if r.returncode == 0 else None
    return {"mptcp_options": dict(sorted(opts.items())), "dss_option_lengths": dict(sorted(dss_forms.items())),
            "reinjections": re}


# --------------------------------------------------------------------------------------------
# comparison and output
# --------------------------------------------------------------------------------------------

def compare(results, compare_tcp):
    """results: {source: {"sessions": [...], "tcp_flows": [...]}} -> list of disagreements."""
    dis = []
    srcs = list(results)
    setsof = {k: {frozenset(s["subflows"]): s for s in v["sessions"]} for k, v in results.items()}
    allsess = set().union(*[set(v) for v in setsof.values()]) if setsof else set()
    for fs in sorted(allsess, key=lambda x: sorted(x)):
        have = [k for k in srcs if fs in setsof[k]]
        if len(have) != len(srcs):
            dis.append({"type": "session", "subflows": sorted(fs), "in": have,
                        "not_in": [k for k in srcs if k not in have]})
    for k in srcs:
        inits = {}
        for s in results[k]["sessions"]:
            inits[frozenset(s["subflows"])] = s["initial"]
        for j in srcs:
            if j <= k:
                continue
            for fs, init in inits.items():
                other = {frozenset(s["subflows"]): s["initial"] for s in results[j]["sessions"]}.get(fs)
                if other is not None and other != init:
                    dis.append({"type": "initial", "subflows": sorted(fs), k: init, j: other})
    tcp_sources = [k for k in srcs if compare_tcp.get(k, True)]
    tsets = {k: set(results[k]["tcp_flows"]) for k in tcp_sources}
    for f in sorted(set().union(*tsets.values()) if tsets else set()):
        have = [k for k in tcp_sources if f in tsets[k]]
        if len(have) != len(tcp_sources):
            dis.append({"type": "tcp_flow", "flow": f, "in": have,
                        "not_in": [k for k in tcp_sources if k not in have]})
    return dis


def main(argv=None):
    p = argparse.ArgumentParser(prog="truth.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pcap")
    p.add_argument("--manifest", help="lab manifest (default: PCAP minus .pcap plus .lab.json)")
    p.add_argument("--out", help="output (default: PCAP minus .pcap plus .truth.json)")
    p.add_argument("--tshark", default="tshark")
    p.add_argument("--sampo-cli", default=os.environ.get("SAMPO_CLI"),
                   help="also run sampo's association as a third method (hook; env SAMPO_CLI)")
    p.add_argument("-q", "--quiet", action="store_true")
    a = p.parse_args(argv)
    base = a.pcap[:-5] if a.pcap.endswith(".pcap") else a.pcap
    manifest_path = a.manifest or base + ".lab.json"
    out_path = a.out or base + ".truth.json"
    try:
        with open(manifest_path) as f:
            manifest = json.load(f)
        results = collections.OrderedDict()
        results["tshark"] = method_tshark(a.pcap, a.tshark)
        results["manifest"] = method_manifest(a.pcap, manifest)
        if a.sampo_cli:
            r = method_sampo(a.pcap, a.sampo_cli)
            if r is not None:
                results["sampo"] = r
    except Exception as e:                       # noqa: BLE001
        print("truth.py: error: %s" % e, file=sys.stderr)
        return 2
    dis = compare(results, {"sampo": False})
    man = results["manifest"]
    for s in man["unassigned"]:
        dis.append({"type": "unassigned", "flow": s, "in": [], "not_in": ["manifest"],
                    "detail": "a flow of the capture no transfer of the manifest accounts for"})
    # the published sessions: Wireshark's partition, annotated from the manifest
    ms = {frozenset(s["subflows"]): s for s in man["sessions"]}
    ms_by_sub = {sub: s for s in man["sessions"] for sub in s["subflows"]}
    sessions = []
    for i, s in enumerate(sorted(results["tshark"]["sessions"], key=lambda x: x["first"]), 1):
        e = {"id": i, "subflows": s["subflows"], "initial": s["initial"]}
        m = ms.get(frozenset(s["subflows"])) or ms_by_sub.get(s["initial"])
        if m:
            e.update(transfer=m["transfer"], client=m["client"], token=m["token"], server_token=m["server_token"])
        sessions.append(e)
    expected = manifest.get("options", {}).get("subflows")
    hist = collections.Counter(len(s["subflows"]) for s in sessions)
    odd = [s["id"] for s in sessions if expected and len(s["subflows"]) != expected]
    tcpdump = manifest.get("capture", {}).get("tcpdump", {})
    doc = collections.OrderedDict([
        ("capture", os.path.basename(a.pcap)),
        ("mptcp_version", manifest.get("mptcp_version", 1)),
        ("sessions", sessions),
        ("tcp_flows", results["tshark"]["tcp_flows"]),
        ("disagreements", dis),
        ("sources", list(results)),
        ("counts", {"packets": man["packets"], "flows": man["flows"], "sessions": len(sessions),
                    "subflows": sum(len(s["subflows"]) for s in sessions), "tcp_flows": len(results["tshark"]["tcp_flows"]),
                    "subflows_per_session": {str(k): v for k, v in sorted(hist.items())},
                    "by_source": {k: {"sessions": len(v["sessions"]), "tcp_flows": len(v["tcp_flows"])}
                                  for k, v in results.items()}}),
        ("checks", {"expected_subflows_per_session": expected,
                    "sessions_with_other_subflow_count": odd,
                    "manifest_assignment_rules": man["rules"],
                    "token_checks": man["token_checks"],
                    "kernel_subflows_not_captured": man["kernel_subflows_not_captured"],
                    "incomplete_transfers": [t["id"] for t in manifest["transfers"] if not t.get("complete")],
                    "tcpdump_dropped": sum((v.get("dropped_by_kernel") or 0) for v in tcpdump.values()),
                    "tshark_seconds": results["tshark"]["seconds"],
                    "wire": wire_checks(a.pcap, sessions, a.tshark)}),
        ("notes", {k: v["notes"] for k, v in results.items() if v.get("notes")}),
    ])
    with open(out_path + ".tmp", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(out_path + ".tmp", out_path)
    if not a.quiet:
        c = doc["counts"]
        print("truth: %s: %d packets, %d sessions (%d subflows; per session %s), %d plain TCP flows"
              % (doc["capture"], c["packets"], c["sessions"], c["subflows"], c["subflows_per_session"], c["tcp_flows"]))
        print("  sources %s: %s; manifest rules %s; tokens %s"
              % ("+".join(results), "AGREE" if not dis else "%d DISAGREEMENTS" % len(dis), man["rules"], man["token_checks"]))
        w = doc["checks"]["wire"]
        print("  wire: MPTCP options %s; reinjections: %d packets (%d bytes) on another subflow, %d identical "
              "mappings on two subflows, tshark flags %s frames"
              % (w["mptcp_options"], w["reinjections"]["packets"], w["reinjections"]["bytes"],
                 w["reinjections"]["identical_mappings"], w["reinjections"]["tshark_frames"]))
        if odd:
            print("  sessions without %s subflows: %s" % (expected, odd))
        if man["kernel_subflows_not_captured"]:
            print("  subflows the client kernel opened but the capture lacks, by transfer: %s"
                  % man["kernel_subflows_not_captured"])
        for d in dis[:10]:
            print("  disagreement: %s" % json.dumps(d))
        print("  wrote %s" % out_path)
    return 0 if not dis else 1


if __name__ == "__main__":
    sys.exit(main())
