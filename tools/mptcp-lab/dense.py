#!/usr/bin/python3
"""dense.py: the dense-DSN stress capture, derived from a real lab capture.

    dense.py SRC.pcap OUT.pcap [--truth SRC.truth.json] [--window BYTES] [--base DSN] [--seed N]

Linux sends 8-byte DSNs drawn from a hash of a random key, so in a real capture the DSN spaces
of distinct sessions are astronomically far apart and never overlap at the first level.  The
paper's kernel sent 4-byte DSNs on long transfers, where distinct sessions do overlap.  This
tool recreates that situation from real traffic, changing nothing but the DSN values:

* every session's two DSN spaces (one per sender; sessions from SRC.truth.json) are shifted
  so that they start at BASE + a random offset in [0, WINDOW) (seeded): all sessions' spaces
  then lie within a few MB of each other and distinct sessions overlap at the first level;
* every DSS option is rewritten with 4-byte DSN and DATA_ACK (flags a and m cleared), the
  values being the low 32 bits of the shifted 64-bit values (a DATA_ACK is shifted like the
  peer's space, which it acknowledges); the option shrinks (26 -> 18 bytes for Linux's
  DATA_ACK + mapping, 12 -> 8 for a DATA_ACK alone) and the freed bytes become NOP options,
  so every TCP header keeps its length and every other byte of the frame stays as it was;
* the first-data MP_CAPABLE (22 or 24 bytes: keys + data-level length) implies the mapping
  DSN = IDSN + 1, which the keys still determine and the shift no longer matches: its data
  mapping is dropped (the option becomes the 20-byte keys-only form followed by NOPs);
* an MP_FAIL's DSN is shifted too (8 bytes kept).

Nothing else is fixed: TCP checksums are left as they were, hence wrong for rewritten
segments (sampo and tshark's defaults do not verify them), and the MP_CAPABLE keys still give
the original IDSNs, which no longer match the DSNs (evidence anchored on keys finds nothing:
this capture is for DSN evidence alone, `--no-token`).  The sessions are the source's:
OUT.lab.json is the source's manifest plus a "derived" record (command, base, window, every
shift); run truth.py on OUT to write OUT.truth.json (tshark still matches joins by token).
"""

import argparse
import hashlib
import json
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mptcplib  # noqa: E402

M64 = (1 << 64) - 1


def idsn_v1(key8):
    return struct.unpack("!Q", hashlib.sha256(key8).digest()[-8:])[0]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="dense.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--truth", help="source truth (default SRC minus .pcap plus .truth.json)")
    ap.add_argument("--window", type=int, default=4 << 20, help="spaces start within this many bytes (4 MiB)")
    ap.add_argument("--base", type=lambda x: int(x, 0), default=0x5A000000,
                    help="lowest new start (64-bit; default 0x5A000000, far from a 32-bit wrap)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    sbase = a.src[:-5] if a.src.endswith(".pcap") else a.src
    obase = a.out[:-5] if a.out.endswith(".pcap") else a.out
    truth = json.load(open(a.truth or sbase + ".truth.json"))
    manifest = json.load(open(sbase + ".lab.json"))
    p = mptcplib.Pcap(a.src)
    rng = random.Random(a.seed)

    # flows -> (session, initiator endpoint)
    sub = {}
    for s in truth["sessions"]:
        for f in s["subflows"]:
            h, port = mptcplib.split_ep(f.split("-")[0])
            fam = socket.AF_INET6 if ":" in h else socket.AF_INET
            sub[mptcplib.flow_key(f)] = (s["id"], (socket.inet_pton(fam, h), port))

    def where(t):
        m = sub.get(mptcplib.packet_key(t))
        if m is None:
            return None, None
        fam = socket.AF_INET6 if ":" in t.src else socket.AF_INET
        return m[0], (0 if (socket.inet_pton(fam, t.src), t.sport) == m[1] else 1)

    # pass 1: the old base of each space: IDSN from the MP_CAPABLE keys (first data byte is
    # IDSN + 1), else the lowest DSN or peer DATA_ACK seen, minus 1
    keys, low = {}, {}
    for rec in p.records:
        d = rec[3]
        t = mptcplib.decode_tcp(p.linktype, d)
        if t is None:
            continue
        sid, dr = where(t)
        if sid is None:
            continue
        for st, o, ln in mptcplib.mptcp_options(d, t):
            if st == 0 and ln >= 12:
                syn, ack = t.flags & 0x02, t.flags & 0x10
                if syn and ack:                             # SYN/ACK: the listener's key
                    keys.setdefault((sid, 1), d[o + 4:o + 12])
                elif not syn and ln >= 20:                  # ACK / first data: both keys
                    keys.setdefault((sid, 0), d[o + 4:o + 12])
                    keys.setdefault((sid, 1), d[o + 12:o + 20])
            elif st == 2:
                dss = mptcplib.parse_dss(d, o, ln)
                if dss is None:
                    continue
                if dss.dsn is not None and dss.dsn8:
                    low[(sid, dr)] = min(low.get((sid, dr), M64), dss.dsn)
                if dss.ack is not None and dss.ack8:
                    low[(sid, 1 - dr)] = min(low.get((sid, 1 - dr), M64), dss.ack)
    if manifest.get("mptcp_version", 1) != 1:
        sys.exit("dense.py: only MPTCP v1 sources (SHA-256 IDSNs) are supported")
    shifts, delta = [], {}
    for s in truth["sessions"]:
        for dr in (0, 1):
            k = (s["id"], dr)
            if k in keys:
                old, how = idsn_v1(keys[k]), "idsn-from-key"
            elif k in low:
                old, how = low[k] - 1, "lowest-dsn"
            else:
                old, how = None, "unused"
            new = a.base + rng.randrange(a.window)
            if old is not None:
                delta[k] = (new - old) & M64
            shifts.append({"session": s["id"], "sender": ("initiator", "listener")[dr], "old_idsn": old,
                           "new_idsn": new, "base_from": how})

    # pass 2: rewrite
    counts = {"dss_rewritten": 0, "dss_without_8byte_fields": 0, "dss_unparsed": 0, "mpc_mapping_dropped": 0,
              "mp_fail_shifted": 0, "packets_changed": 0, "packets_outside_sessions": 0}
    out_recs = []
    for rec in p.records:
        d = rec[3]
        t = mptcplib.decode_tcp(p.linktype, d)
        if t is None:
            out_recs.append(rec)
            continue
        sid, dr = where(t)
        mopts = mptcplib.mptcp_options(d, t)
        if sid is None:
            if mopts:
                counts["packets_outside_sessions"] += 1
            out_recs.append(rec)
            continue
        b = bytearray(d)
        changed = False
        for st, o, ln in mopts:
            if st == 2:
                dss = mptcplib.parse_dss(d, o, ln)
                if dss is None:
                    counts["dss_unparsed"] += 1
                    continue
                if not (dss.ack8 or dss.dsn8):
                    counts["dss_without_8byte_fields"] += 1
                fl = dss.flags & ~0x0A & 0xFF
                body = bytearray([30, 0, d[o + 2], fl])
                if dss.ack is not None:
                    body += struct.pack("!I", (dss.ack + delta.get((sid, 1 - dr), 0)) & 0xFFFFFFFF)
                if dss.dsn is not None:
                    body += struct.pack("!I", (dss.dsn + delta.get((sid, dr), 0)) & 0xFFFFFFFF)
                    body += struct.pack("!IH", dss.ssn, dss.dlen)
                    if dss.csum:
                        body += d[o + ln - 2:o + ln]
                body[1] = len(body)
                body += b"\x01" * (ln - len(body))
                b[o:o + ln] = body
                counts["dss_rewritten"] += 1
                changed = True
            elif st == 0 and ln in (22, 24) and not (t.flags & 0x02):
                b[o + 1] = 20
                b[o + 20:o + ln] = b"\x01" * (ln - 20)
                counts["mpc_mapping_dropped"] += 1
                changed = True
            elif st == 6 and ln == 12:
                v = struct.unpack_from("!Q", d, o + 4)[0]
                struct.pack_into("!Q", b, o + 4, (v + delta.get((sid, dr), 0)) & M64)
                counts["mp_fail_shifted"] += 1
                changed = True
        if changed:
            counts["packets_changed"] += 1
            out_recs.append([rec[0], rec[1], rec[2], bytes(b)])
        else:
            out_recs.append(rec)
    p.write(a.out, out_recs)

    m = dict(manifest)
    m["capture"] = dict(manifest["capture"], file=os.path.basename(a.out), bytes=os.path.getsize(a.out))
    m["derived"] = {"from": os.path.basename(a.src), "tool": "dense.py",
                    "command": ["tools/mptcp-lab/dense.py"] + (sys.argv[1:] if argv is None else list(argv)),
                    "base": a.base, "window": a.window, "seed": a.seed, "counts": counts, "shifts": shifts,
                    "note": "DSS rewritten to 4-byte DSN/DATA_ACK (+NOPs), spaces shifted into "
                            "[base, base+window); TCP checksums not recomputed; MP_CAPABLE keys unchanged "
                            "(their IDSNs no longer match the DSNs)"}
    with open(obase + ".lab.json", "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")
    print("dense: %s -> %s: %d packets, %d sessions, %s" % (a.src, a.out, len(out_recs), len(truth["sessions"]),
                                                            json.dumps(counts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
