#!/usr/bin/python3
"""dense.py: DSN-crowding stress captures, derived from a real lab capture.

    dense.py SRC.pcap OUT.pcap [--truth SRC.truth.json] [--window BYTES] [--base DSN] [--seed N]
                               [--keep-width] [--fit]

Linux sends 8-byte DSNs drawn from a hash of a random key, so in a real capture the DSN spaces
of distinct sessions are astronomically far apart and never overlap at the first level.  This
tool moves them close together from real traffic, changing nothing but DSN values (and, with
--keep-width, the TCP checksums that cover them).  Two modes:

Default, the dense-DSN stress (lab-v1-dense.pcap).  The paper's kernel sent 4-byte DSNs on
long transfers, where distinct sessions do overlap; this recreates it:

* every session's two DSN spaces (one per sender; sessions from SRC.truth.json) are shifted
  so that they start at BASE + a random offset in [0, WINDOW) (seeded): all sessions' spaces
  then lie within a few MB of each other and distinct sessions overlap at the first level;
* every DSS option is rewritten with 4-byte DSN and DATA_ACK (flags a and m cleared), the
  values being the low 32 bits of the shifted 64-bit values (a DATA_ACK is shifted like the
  peer's space, which it acknowledges); the option shrinks (26 -> 18 bytes for Linux's
  DATA_ACK + mapping, 12 -> 8 for a DATA_ACK alone) and the freed bytes become NOP options,
  so every TCP header keeps its length and every other byte of the frame stays as it was.

--keep-width, the crowded 64-bit stress (lab-v1-crowd64.pcap).  What an adversary choosing
keys whose IDSNs collide, a middlebox rewriting DSNs, or a poor IDSN generator would show: 8-byte
DSNs that are NOT uniform over 2^64.  Every DSN and DATA_ACK field keeps its width (8 or 4 bytes)
and its place; only its value is shifted (a 4-byte field modulo 2^32, consistently with the
8-byte value it abbreviates).  No option changes length, no NOP is added.

Both modes:

* the old start of a space is the IDSN that the MP_CAPABLE keys give (first data byte = IDSN
  + 1), else the lowest 8-byte DSN or peer DATA_ACK seen, minus 1;
* --fit: the offset of each space is drawn in [0, WINDOW - SPAN) instead, SPAN being that
  space's whole extent (from its old start to the highest DSN end or DATA_ACK seen in it,
  4-byte values included), so that every space lies wholly inside [BASE, BASE + WINDOW);
  distinct sessions may or may not overlap, as the draws fall;
* the first-data MP_CAPABLE (22 or 24 bytes: keys + data-level length) implies the mapping
  DSN = IDSN + 1, which the keys still determine and the shift no longer matches: its data
  mapping is dropped (the option becomes the 20-byte keys-only form followed by NOPs); the
  keys are left alone;
* an MP_FAIL's DSN is shifted like the space it points into, the peer's (MP_FAIL is sent by
  the receiver of the data that failed its checksum).

Checksums.  Default mode: TCP checksums are left as they were.  --keep-width: for every
rewritten segment, a checksum field holding the offload partial sum (the pseudo-header sum,
which Linux leaves in packets captured on a veth with TX checksum offload: every segment the
lab's captures show, except kernel-made RSTs) is kept, since the pseudo-header does not change;
a valid checksum of a segment captured whole is recomputed; any other (a segment cut by the snap
length, so its payload is not there) is updated incrementally over the changed header bytes
(RFC 1624, eqn. 3), which is exact when the original was right.  A DSS checksum, when present
with an 8-byte DSN, is updated the same way.

The MP_CAPABLE keys still give the original IDSNs, which no longer match the DSNs (evidence
anchored on keys finds nothing: these captures are for DSN evidence alone, `--no-token`).  The
sessions are the source's: OUT.lab.json is the source's manifest plus a "derived" record
(command, base, window, seed, counts, every shift); run truth.py on OUT to write OUT.truth.json
(tshark still matches joins by token).
"""

import argparse
import hashlib
import json
import os
import random
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
import mptcplib  # noqa: E402
from pcapfile import ones_sum as osum  # noqa: E402  (tools/pcapfile.py)

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def idsn_v1(key8):
    return struct.unpack("!Q", hashlib.sha256(key8).digest()[-8:])[0]


# --------------------------------------------------------------------------------------------
# Internet checksums (--keep-width)
# --------------------------------------------------------------------------------------------

def incremental(check, old, new):
    """RFC 1624 eqn. 3: the checksum after the words summed in OLD became NEW: ~(~HC + ~m + m')."""
    s = (~check & 0xFFFF) + (~osum(old) & 0xFFFF) + osum(new)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pseudo_header(t):
    n = t.doff + t.paylen
    if ":" in t.src:
        return (socket.inet_pton(socket.AF_INET6, t.src) + socket.inet_pton(socket.AF_INET6, t.dst) +
                struct.pack("!IxxxB", n, 6))
    return socket.inet_pton(socket.AF_INET, t.src) + socket.inet_pton(socket.AF_INET, t.dst) + struct.pack("!xBH", 6, n)


def fix_tcp_checksum(old, b, t):
    """Bring the TCP checksum of B (OLD with some option bytes changed) in line; returns what was
    done: 'offload_partial_kept', 'recomputed' or 'updated_incrementally'."""
    c = t.tcp_off + 16
    field = struct.unpack_from("!H", old, c)[0]
    ph = pseudo_header(t)
    if field == osum(ph):
        return "offload_partial_kept"
    end = t.tcp_off + t.doff + t.paylen
    if end <= len(old) and osum(ph + old[t.tcp_off:end]) == 0xFFFF:
        seg = bytearray(b[t.tcp_off:end])
        seg[16:18] = b"\0\0"
        struct.pack_into("!H", b, c, ~osum(ph + seg) & 0xFFFF)
        return "recomputed"
    hend = min(t.tcp_off + t.doff, len(old))
    ho, hn = bytearray(old[t.tcp_off:hend]), bytearray(b[t.tcp_off:hend])
    ho[16:18] = hn[16:18] = b"\0\0"
    struct.pack_into("!H", b, c, incremental(field, ho, hn))
    return "updated_incrementally"


# --------------------------------------------------------------------------------------------
# the two rewrites of a DSS option
# --------------------------------------------------------------------------------------------

def narrow_dss(d, b, o, ln, dss, d_ack, d_dsn):
    """Default mode: DSS at d[o:o+ln] rewritten into b in the 4-byte form plus NOPs."""
    fl = dss.flags & ~0x0A & 0xFF
    body = bytearray([30, 0, d[o + 2], fl])
    if dss.ack is not None:
        body += struct.pack("!I", (dss.ack + d_ack) & M32)
    if dss.dsn is not None:
        body += struct.pack("!I", (dss.dsn + d_dsn) & M32)
        body += struct.pack("!IH", dss.ssn, dss.dlen)
        if dss.csum:
            body += d[o + ln - 2:o + ln]
    body[1] = len(body)
    body += b"\x01" * (ln - len(body))
    b[o:o + ln] = body


def shift_dss(b, o, ln, dss, d_ack, d_dsn, counts):
    """--keep-width: every field of the DSS at b[o:o+ln] shifted in place, widths kept.
    Returns the new values as [(value, width in bytes)]."""
    p, out = o + 4, []
    if dss.ack is not None:
        if dss.ack8:
            v = (dss.ack + d_ack) & M64
            struct.pack_into("!Q", b, p, v)
        else:
            v = (dss.ack + d_ack) & M32
            struct.pack_into("!I", b, p, v)
        counts["ack8_shifted" if dss.ack8 else "ack4_shifted"] += 1
        out.append((v, 8 if dss.ack8 else 4))
        p += 8 if dss.ack8 else 4
    if dss.dsn is not None:
        old = bytes(b[p:p + (8 if dss.dsn8 else 4)])
        if dss.dsn8:
            v = (dss.dsn + d_dsn) & M64
            struct.pack_into("!Q", b, p, v)
        else:
            v = (dss.dsn + d_dsn) & M32
            struct.pack_into("!I", b, p, v)
        counts["dsn8_shifted" if dss.dsn8 else "dsn4_shifted"] += 1
        out.append((v, 8 if dss.dsn8 else 4))
        if dss.csum:
            if dss.dsn8:        # the DSS checksum's pseudo-header holds the 64-bit DSN
                cs = struct.unpack_from("!H", b, o + ln - 2)[0]
                struct.pack_into("!H", b, o + ln - 2, incremental(cs, old, b[p:p + 8]))
                counts["dss_checksum_updated"] += 1
            else:               # its 64-bit DSN is not on the wire: cannot be updated
                counts["dss_checksum_not_updated"] += 1
    return out


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="dense.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--truth", help="source truth (default SRC minus .pcap plus .truth.json)")
    ap.add_argument("--window", type=lambda x: int(x, 0), default=4 << 20,
                    help="spaces start within this many bytes (default 4 MiB; with --fit: lie wholly within)")
    ap.add_argument("--base", type=lambda x: int(x, 0), default=0x5A000000,
                    help="lowest new start (64-bit; default 0x5A000000, far from a 32-bit wrap)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-width", action="store_true",
                    help="keep every DSN and DATA_ACK field's width (8-byte DSNs stay 8 bytes): shift values only")
    ap.add_argument("--fit", action="store_true",
                    help="draw each space's offset in [0, WINDOW - its span): whole spaces inside the window")
    a = ap.parse_args(argv)
    if not 0 <= a.base <= M64 or a.window < 1 or a.base + a.window - 1 > M64:
        ap.error("--base and --window must describe a region inside [0, 2^64)")
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
    # IDSN + 1), else the lowest DSN or peer DATA_ACK seen, minus 1; and every position seen in
    # each space (DSN, DSN + length, DATA_ACK, MP_FAIL; with their width) for its span
    keys, low, points = {}, {}, {}
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
                if dss.dsn is not None:
                    w = 8 if dss.dsn8 else 4
                    points.setdefault((sid, dr), []).extend([(dss.dsn, w), (dss.dsn + dss.dlen, w)])
                if dss.ack is not None:
                    points.setdefault((sid, 1 - dr), []).append((dss.ack, 8 if dss.ack8 else 4))
            elif st == 6 and ln == 12:
                points.setdefault((sid, 1 - dr), []).append((struct.unpack_from("!Q", d, o + 4)[0], 8))
    if manifest.get("mptcp_version", 1) != 1:
        sys.exit("dense.py: only MPTCP v1 sources (SHA-256 IDSNs) are supported")

    def span(k, old):
        """Highest position of space k past its old start (widths respected); positions before
        the start (none expected) are counted apart."""
        top, before = 0, 0
        for v, w in points.get(k, ()):
            m = M64 if w == 8 else M32
            r = (v - old) & m
            if r > m >> 1:
                before += 1
            else:
                top = max(top, r)
        return top, before

    shifts, delta, before_start = [], {}, 0
    for s in truth["sessions"]:
        for dr in (0, 1):
            k = (s["id"], dr)
            if k in keys:
                old, how = idsn_v1(keys[k]), "idsn-from-key"
            elif k in low:
                old, how = low[k] - 1, "lowest-dsn"
            else:
                old, how = None, "unused"
            ext = None
            if a.fit and old is not None:
                ext, bad = span(k, old)
                before_start += bad
                if ext >= a.window:
                    sys.exit("dense.py: session %d %s space spans %d bytes, not less than --window %d"
                             % (s["id"], ("initiator", "listener")[dr], ext, a.window))
                new = a.base + rng.randrange(a.window - ext)
            else:
                new = a.base + rng.randrange(a.window)
            if old is not None:
                delta[k] = (new - old) & M64
            rec = {"session": s["id"], "sender": ("initiator", "listener")[dr], "old_idsn": old,
                   "new_idsn": new, "base_from": how}
            if a.fit:
                rec["span"] = ext
                rec["new_end"] = None if ext is None else new + ext
            shifts.append(rec)

    # pass 2: rewrite
    if a.keep_width:
        counts = {"dss_shifted": 0, "dsn8_shifted": 0, "dsn4_shifted": 0, "ack8_shifted": 0, "ack4_shifted": 0,
                  "dss_checksum_updated": 0, "dss_checksum_not_updated": 0, "dss_unparsed": 0,
                  "mpc_mapping_dropped": 0, "mp_fail_shifted": 0, "packets_changed": 0,
                  "packets_outside_sessions": 0, "values_outside_window": 0, "positions_before_start": before_start,
                  "tcp_checksum": {"offload_partial_kept": 0, "recomputed": 0, "updated_incrementally": 0}}
    else:
        counts = {"dss_rewritten": 0, "dss_without_8byte_fields": 0, "dss_unparsed": 0, "mpc_mapping_dropped": 0,
                  "mp_fail_shifted": 0, "packets_changed": 0, "packets_outside_sessions": 0}
        if a.fit:
            counts["positions_before_start"] = before_start

    def in_window(v, w):
        return ((v - a.base) & (M64 if w == 8 else M32)) < a.window

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
        d_own, d_peer = delta.get((sid, dr), 0), delta.get((sid, 1 - dr), 0)
        for st, o, ln in mopts:
            if st == 2:
                dss = mptcplib.parse_dss(d, o, ln)
                if dss is None:
                    counts["dss_unparsed"] += 1
                    continue
                if a.keep_width:
                    new = shift_dss(b, o, ln, dss, d_peer, d_own, counts)
                    counts["dss_shifted"] += 1
                    if a.fit:
                        counts["values_outside_window"] += sum(1 for v, w in new if not in_window(v, w))
                else:
                    if not (dss.ack8 or dss.dsn8):
                        counts["dss_without_8byte_fields"] += 1
                    narrow_dss(d, b, o, ln, dss, d_peer, d_own)
                    counts["dss_rewritten"] += 1
                changed = True
            elif st == 0 and ln in (22, 24) and not (t.flags & 0x02):
                b[o + 1] = 20
                b[o + 20:o + ln] = b"\x01" * (ln - 20)
                counts["mpc_mapping_dropped"] += 1
                changed = True
            elif st == 6 and ln == 12:
                v = struct.unpack_from("!Q", d, o + 4)[0]
                struct.pack_into("!Q", b, o + 4, (v + d_peer) & M64)
                counts["mp_fail_shifted"] += 1
                changed = True
        if changed and a.keep_width and bytes(b) != d:
            counts["tcp_checksum"][fix_tcp_checksum(d, b, t)] += 1
        if changed:
            counts["packets_changed"] += 1
            out_recs.append([rec[0], rec[1], rec[2], bytes(b)])
        else:
            out_recs.append(rec)
    p.write(a.out, out_recs)

    m = dict(manifest)
    m["capture"] = dict(manifest["capture"], file=os.path.basename(a.out), bytes=os.path.getsize(a.out))
    if a.keep_width:
        note = ("DSN and DATA_ACK values shifted in place, every field keeping its width (4-byte ones modulo "
                "2^32); spaces shifted into [base, base+window)%s; first-data MP_CAPABLE mappings dropped; "
                "MP_CAPABLE keys unchanged (their IDSNs no longer match the DSNs); TCP checksums: offload partial "
                "sums kept, valid ones of whole segments recomputed, others updated incrementally (RFC 1624)"
                % (" wholly (each offset drawn in [0, window - span))" if a.fit else " (starts only)"))
    else:
        note = ("DSS rewritten to 4-byte DSN/DATA_ACK (+NOPs), spaces shifted into "
                "[base, base+window); TCP checksums not recomputed; MP_CAPABLE keys unchanged "
                "(their IDSNs no longer match the DSNs)")
    m["derived"] = {"from": os.path.basename(a.src), "tool": "dense.py",
                    "command": ["tools/mptcp-lab/dense.py"] + (sys.argv[1:] if argv is None else list(argv)),
                    "base": a.base, "window": a.window, "seed": a.seed, "counts": counts, "shifts": shifts,
                    "note": note}
    if a.keep_width or a.fit:
        m["derived"]["keep_width"], m["derived"]["fit"] = a.keep_width, a.fit
    with open(obase + ".lab.json", "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")
    print("dense: %s -> %s: %d packets, %d sessions, %s" % (a.src, a.out, len(out_recs), len(truth["sessions"]),
                                                            json.dumps(counts)))
    if counts.get("values_outside_window"):
        print("dense.py: %d shifted values fell outside [base, base + window)" % counts["values_outside_window"],
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
