"""mptcplib: the small pieces of pcap and MPTCP handling that the lab's Python tools share.

Standard library only.  Classic pcap (micro- and nanosecond, either byte order) in and out,
through tools/pcapfile.py;
Ethernet (802.1Q/QinQ), Linux SLL/SLL2 and raw-IP link types; IPv4 and IPv6 (extension
headers skipped); TCP options, and the MPTCP DSS option in both its 8-byte and 4-byte forms.
Used by truth.py (reinjection check), evaluate.py (sampling, sampled pcaps, subflow start
times) and dense.py (the dense-DSN rewrite).
"""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pcapfile  # noqa: E402  (tools/pcapfile.py: classic pcap in and out)


class Pcap:
    """A classic pcap file read whole: header fields and a list of records.

    records: [ts_sec, ts_frac, orig_len, bytes]; ts_frac is in microseconds or, when
    self.nano, nanoseconds.  ts_ns(rec) gives the time in nanoseconds as sampo-cli computes
    it (sec * 1e9 + frac * 1000 for microsecond files)."""

    def __init__(self, path):
        try:
            r = pcapfile.Reader(path)     # a cut last record is left out, as libpcap does
        except ValueError as err:
            raise ValueError("%s: %s" % (path, err)) from None
        with r:
            self.records = [[rec.sec, rec.frac, rec.wirelen, rec.data] for rec in r]
        self.endian, self.nano, self.linktype = r.endian, r.nano, r.linktype
        self.vmaj, self.vmin, self.zone, self.sigfigs, self.snaplen = (
            r.version_major, r.version_minor, r.thiszone, r.sigfigs, r.snaplen)

    def ts_ns(self, rec):
        return rec[0] * 1000000000 + (rec[1] if self.nano else rec[1] * 1000)

    def write(self, path, records=None):
        """Write records (default: all) with this file's header, byte order and resolution."""
        with pcapfile.Writer(path, endian=self.endian, nano=self.nano, version=(self.vmaj, self.vmin),
                             thiszone=self.zone, sigfigs=self.sigfigs, snaplen=self.snaplen,
                             linktype=self.linktype) as w:
            for sec, frac, orig, data in (self.records if records is None else records):
                w.write_raw(sec, frac, data, orig)


def l3_offset(linktype, d):
    """(ethertype, offset of the IP header) or None."""
    if linktype == 1:                                   # Ethernet, 802.1Q / QinQ
        if len(d) < 14:
            return None
        off, et = 14, struct.unpack_from("!H", d, 12)[0]
        while et in (0x8100, 0x88A8) and len(d) >= off + 4:
            et = struct.unpack_from("!H", d, off + 2)[0]
            off += 4
        return et, off
    if linktype == 276:                                 # LINUX_SLL2
        return (struct.unpack_from("!H", d, 0)[0], 20) if len(d) >= 20 else None
    if linktype == 113:                                 # LINUX_SLL
        return (struct.unpack_from("!H", d, 14)[0], 16) if len(d) >= 16 else None
    if linktype in (101, 228, 229, 12, 14):             # raw IP
        return ((0x0800 if d[0] >> 4 == 4 else 0x86DD), 0) if d else None
    raise ValueError("unsupported link type %d" % linktype)


class Tcp:
    """One decoded TCP packet: addresses, ports, flags, seq/ack, payload length, and where its
    options are in the frame (so that they can be rewritten in place)."""
    __slots__ = ("src", "dst", "sport", "dport", "flags", "seq", "ack", "paylen", "tcp_off", "doff", "opts")


def decode_tcp(linktype, d, orig_len=None):
    """Decode a frame down to TCP; None when it is not a (first-fragment) TCP packet."""
    r = l3_offset(linktype, d)
    if r is None:
        return None
    et, off = r
    if et == 0x0800:
        if len(d) < off + 20:
            return None
        ihl = (d[off] & 0x0F) * 4
        if d[off + 9] != 6 or struct.unpack_from("!H", d, off + 6)[0] & 0x1FFF:
            return None
        iplen = struct.unpack_from("!H", d, off + 2)[0]
        src = socket.inet_ntop(socket.AF_INET, d[off + 12:off + 16])
        dst = socket.inet_ntop(socket.AF_INET, d[off + 16:off + 20])
        l4len = iplen - ihl
        off += ihl
    elif et == 0x86DD:
        if len(d) < off + 40:
            return None
        nh = d[off + 6]
        l4len = struct.unpack_from("!H", d, off + 4)[0]
        src = socket.inet_ntop(socket.AF_INET6, d[off + 8:off + 24])
        dst = socket.inet_ntop(socket.AF_INET6, d[off + 24:off + 40])
        off += 40
        while nh in (0, 43, 60, 44) and len(d) >= off + 8:
            if nh == 44:
                if struct.unpack_from("!H", d, off + 2)[0] & 0xFFF8:
                    return None
                nh, off, l4len = d[off], off + 8, l4len - 8
            else:
                ln = (d[off + 1] + 1) * 8
                nh, off, l4len = d[off], off + ln, l4len - ln
        if nh != 6:
            return None
    else:
        return None
    if len(d) < off + 20:
        return None
    t = Tcp()
    t.src, t.dst = src, dst
    t.sport, t.dport, t.seq, t.ack = struct.unpack_from("!HHII", d, off)
    t.doff = (d[off + 12] >> 4) * 4
    t.flags = d[off + 13]
    t.tcp_off = off
    t.paylen = max(0, l4len - t.doff)
    t.opts = []
    i, end = off + 20, min(off + t.doff, len(d))
    while i < end:
        kind = d[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= end:
            break
        ln = d[i + 1]
        if ln < 2 or i + ln > end:
            break
        t.opts.append((kind, i, ln))       # offset i is absolute in the frame
        i += ln
    return t


def mptcp_options(d, t):
    """[(subtype, offset, length)] of the MPTCP options (kind 30) of a decoded packet."""
    return [(d[o + 2] >> 4, o, ln) for kind, o, ln in t.opts if kind == 30 and ln >= 3]


class Dss:
    __slots__ = ("flags", "ack", "ack8", "dsn", "dsn8", "ssn", "dlen", "csum", "fin")


def parse_dss(d, off, ln):
    """Parse a DSS option at d[off:off+ln]; None when its length does not fit its flags."""
    if ln < 4:
        return None
    fl = d[off + 3]
    s = Dss()
    s.flags = fl
    s.fin = bool(fl & 0x10)
    s.ack8, s.dsn8 = bool(fl & 0x02), bool(fl & 0x08)
    need = 4 + ((8 if s.ack8 else 4) if fl & 0x01 else 0) + ((14 if s.dsn8 else 10) if fl & 0x04 else 0)
    if ln not in (need, need + 2) or (ln == need + 2 and not fl & 0x04):
        return None
    s.csum = ln == need + 2
    p = off + 4
    s.ack = s.dsn = s.ssn = s.dlen = None
    if fl & 0x01:
        if s.ack8:
            s.ack = struct.unpack_from("!Q", d, p)[0]
            p += 8
        else:
            s.ack = struct.unpack_from("!I", d, p)[0]
            p += 4
    if fl & 0x04:
        if s.dsn8:
            s.dsn = struct.unpack_from("!Q", d, p)[0]
            p += 8
        else:
            s.dsn = struct.unpack_from("!I", d, p)[0]
            p += 4
        s.ssn, s.dlen = struct.unpack_from("!IH", d, p)
    return s


def fmt_ep(host, port):
    return ("[%s]:%s" % (host, port)) if ":" in host else ("%s:%s" % (host, port))


def split_ep(ep):
    """'[fd00::1]:80' / '10.0.0.1:80' -> (host, port)."""
    host, _, port = ep.rpartition(":")
    return host.strip("[]"), int(port)


def flow_key(s):
    """Orientation-free key of "SRC:PORT-DST:PORT" (either direction gives the same key).
    Addresses are normalised through inet_pton so that two spellings of one IPv6 address match."""
    a, b = s.split("-")
    eps = []
    for ep in (a, b):
        h, p = split_ep(ep)
        fam = socket.AF_INET6 if ":" in h else socket.AF_INET
        eps.append((socket.inet_pton(fam, h), p))
    return tuple(sorted(eps))


def packet_key(t):
    """flow_key of a decoded packet's connection."""
    fam = socket.AF_INET6 if ":" in t.src else socket.AF_INET
    return tuple(sorted(((socket.inet_pton(fam, t.src), t.sport), (socket.inet_pton(fam, t.dst), t.dport))))


def _overlaps(iv, s, e):
    import bisect
    starts, ends = iv
    i = bisect.bisect_left(starts, e) - 1
    return i >= 0 and ends[i] > s


def _insert(iv, s, e):
    import bisect
    starts, ends = iv
    i = bisect.bisect_left(starts, s)
    if i > 0 and ends[i - 1] >= s:            # merge with the left neighbour
        i -= 1
        s = starts[i]
        e = max(e, ends[i])
        del starts[i], ends[i]
    while i < len(starts) and starts[i] <= e:  # and with every right neighbour it reaches
        e = max(e, ends[i])
        del starts[i], ends[i]
    starts.insert(i, s)
    ends.insert(i, e)


def reinjections(pcap, sessions):
    """Data sent on two subflows of one session: the wire fact behind reinjection.

    pcap: a Pcap.  sessions: {session id: [subflow "SRC:PORT-DST:PORT", initiator first]}.
    For every data packet with a DSS mapping, its bytes' DSN range is
    [map_dsn + (seq - ISN - map_ssn), + payload) (ISN from the SYN of that direction); a packet
    is a reinjection when part of that range was already sent on ANOTHER subflow of the same
    session, in the same direction (retransmissions on the same subflow do not count).  Also
    counts mappings (DSN, data-level length) that appear identical on two subflows.
    Returns {"packets", "bytes", "identical_mappings", "overlapping_mappings", "by_session",
    "no_isn"}."""
    sub = {}
    for sid, subs in sessions.items():
        for s in subs:
            a, b = s.split("-")
            h, p = split_ep(a)
            fam = socket.AF_INET6 if ":" in h else socket.AF_INET
            sub[flow_key(s)] = (sid, (socket.inet_pton(fam, h), p))
    isn = {}
    sent = {}          # (sid, dir) -> {subflow: intervals}
    maps = {}          # (sid, dir, dsn, dlen) -> set of subflows
    mspan = {}         # (sid, dir) -> {subflow: intervals of mappings}
    out = {"packets": 0, "bytes": 0, "identical_mappings": 0, "overlapping_mappings": 0,
           "by_session": {}, "no_isn": 0}
    seen_map = set()
    for rec in pcap.records:
        d = rec[3]
        t = decode_tcp(pcap.linktype, d)
        if t is None:
            continue
        k = packet_key(t)
        m = sub.get(k)
        if m is None:
            continue
        sid, init_ep = m
        fam = socket.AF_INET6 if ":" in t.src else socket.AF_INET
        direction = 0 if (socket.inet_pton(fam, t.src), t.sport) == init_ep else 1
        if t.flags & 0x02:
            isn[(k, direction)] = t.seq
        for st, o, ln in mptcp_options(d, t):
            if st != 2:
                continue
            dss = parse_dss(d, o, ln)
            if dss is None or dss.dsn is None or not dss.dlen:
                continue
            mk = (sid, direction, dss.dsn, dss.dlen)
            if (mk, k) not in seen_map:
                seen_map.add((mk, k))
                owners = maps.setdefault(mk, set())
                owners.add(k)
                if len(owners) == 2:
                    out["identical_mappings"] += 1
                ivs = mspan.setdefault((sid, direction), {})
                if any(_overlaps(iv, dss.dsn, dss.dsn + dss.dlen) for kk, iv in ivs.items() if kk != k):
                    out["overlapping_mappings"] += 1
                _insert(ivs.setdefault(k, ([], [])), dss.dsn, dss.dsn + dss.dlen)
            if t.paylen == 0:
                continue
            base = isn.get((k, direction))
            if base is None:
                out["no_isn"] += 1
                continue
            rel = (t.seq - base) % (1 << 32)
            s = dss.dsn + (rel - dss.ssn) % (1 << 32)
            e = s + t.paylen
            ivs = sent.setdefault((sid, direction), {})
            over = 0
            for kk, iv in ivs.items():
                if kk != k and _overlaps(iv, s, e):
                    over = 1
                    break
            if over:
                out["packets"] += 1
                out["bytes"] += t.paylen
                out["by_session"][sid] = out["by_session"].get(sid, 0) + 1
            _insert(ivs.setdefault(k, ([], [])), s, e)
    return out
