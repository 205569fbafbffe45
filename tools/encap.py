#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""encap.py - put every packet of a capture inside a tunnel.

Reads a pcap file (Ethernet or raw IP) and writes a pcap (Ethernet) in
which each packet is carried the way a mirror or an overlay would carry
it, to test that sampo finds the same sessions through the tunnel:

  gre        IPv4 | GRE (no optional field) | the IP packet      RFC 2784
  gre-opts   IPv6 | GRE with checksum, key and sequence | IP     RFC 2890
  gre-mpls   IPv4 | GRE 0x8847 | one MPLS label | IP             RFC 4023
  nvgre      IPv4 | GRE with key, 0x6558 | the Ethernet frame    RFC 7637
  erspan1    IPv4 | GRE 0x88be, no sequence number | Ethernet    ERSPAN type I
  erspan2    IPv4 | GRE with sequence, 0x88be | ERSPAN II | Ethernet
  erspan3    IPv6 | GRE with sequence, 0x22eb | ERSPAN III with the
             platform-specific subheader (O set) | Ethernet
  vxlan      IPv4 | UDP 4789 | VXLAN | Ethernet                   RFC 7348
  vxlan6     IPv6 | UDP 4789 | VXLAN | Ethernet
  geneve     IPv4 | UDP 6081 | Geneve with an 8-byte option, 0x6558 |
             Ethernet                                              RFC 8926
  geneve-ip  IPv6 | UDP 6081 | Geneve, protocol 0x0800/0x86dd | IP
  mpls       Ethernet 0x8847 | two labels | IP                     RFC 3032
  mpls-cw    Ethernet 0x8847 | two labels | control word | Ethernet RFC 4448
  pppoe      Ethernet 0x8864 | PPPoE session | PPP 0x0021/0x0057 | IP
  ipip       IPv4 | IP (protocol 4 or 41)                          RFC 2003/4213
  ip6ip      IPv6 | IP (next header 4 or 41)                       RFC 2473

--tunnel takes a comma-separated list, innermost first: "mpls,gre"
puts the MPLS packet inside GRE.  Tunnels that carry IP take the IP
packet out of its Ethernet frame (802.1Q tags too), GRE takes MPLS too;
a frame such a tunnel does not carry (ARP; PPPoE inside IP-in-IP) is
written as it was, and counted on standard error.  Lengths in the new headers (IP total length,
UDP length, PPPoE length) describe the packet as it was on the wire
(the record's original length), so a capture cut by its snap length
stays cut: only the captured bytes are copied, and the new record's
original length grows by the headers added.  Outer IPv4 headers carry a
valid checksum, UDP checksums are 0.  Timestamps and the timestamp
precision are kept.  Only the Python standard library is used.

  tools/encap.py --tunnel vxlan data/pcaps/lab-v1-paper.pcap /tmp/vxlan.pcap
"""

import argparse
import struct
import sys

from pcapfile import Reader, Writer, inet_checksum  # tools/pcapfile.py, beside this file

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = {12, 14, 101}
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229

MAC_OUTER = bytes.fromhex('02000000aa01') + bytes.fromhex('02000000aa02')
MAC_INNER = bytes.fromhex('02000000bb01') + bytes.fromhex('02000000bb02')
OUTER4 = (bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
OUTER6 = (bytes.fromhex('20010db8000000000000000000000001'),
          bytes.fromhex('20010db8000000000000000000000002'))


class Packet:
    """An Ethernet frame: the captured bytes and the length on the wire."""

    def __init__(self, data, wire):
        self.data = data
        self.wire = wire


def payload_of(pkt):
    """(ethertype, captured payload, payload length on the wire) of an
    Ethernet frame, 802.1Q/802.1ad tags skipped; for IP, the IP header's
    own length when captured (Ethernet padding is not IP).  None for a
    frame too short to say."""
    d = pkt.data
    if len(d) < 14:
        return None
    off, typ = 14, struct.unpack('>H', d[12:14])[0]
    while typ in (0x8100, 0x88a8, 0x9100) and len(d) >= off + 4:
        typ = struct.unpack('>H', d[off + 2:off + 4])[0]
        off += 4
    body = d[off:]
    wire = pkt.wire - off
    if typ == 0x0800 and len(body) >= 4 and body[0] >> 4 == 4:
        wire = struct.unpack('>H', body[2:4])[0] or wire
    elif typ == 0x86dd and len(body) >= 6 and body[0] >> 4 == 6:
        plen = struct.unpack('>H', body[4:6])[0]
        wire = 40 + plen if plen else wire
    return typ, body[:wire], wire


def ether(typ, payload, payload_wire, macs=MAC_OUTER):
    return Packet(macs + struct.pack('>H', typ) + payload, 14 + payload_wire)


def ipv4(proto, payload, payload_wire):
    h = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + payload_wire, 0x1234, 0x4000, 64, proto, 0,
                    OUTER4[0], OUTER4[1])
    h = h[:10] + struct.pack('>H', inet_checksum(h)) + h[12:]
    return ether(0x0800, h + payload, 20 + payload_wire)


def ipv6(next_header, payload, payload_wire):
    h = struct.pack('>IHBB', 0x60000000, payload_wire, next_header, 64) + OUTER6[0] + OUTER6[1]
    return ether(0x86dd, h + payload, 40 + payload_wire)


def udp(outer, dport, payload, payload_wire):
    h = struct.pack('>HHHH', 49152 + payload_wire % 16384, dport, 8 + payload_wire, 0)
    return outer(17, h + payload, 8 + payload_wire)


def gre(outer, proto, payload, payload_wire, c=False, k=None, s=None):
    flags = (0x8000 if c else 0) | (0x2000 if k is not None else 0) | (0x1000 if s is not None else 0)
    h = struct.pack('>HH', flags, proto)
    if c:
        h += struct.pack('>HH', 0, 0)  # checksum left 0: not verified by sampo
    if k is not None:
        h += struct.pack('>I', k)
    if s is not None:
        h += struct.pack('>I', s)
    return outer(47, h + payload, len(h) + payload_wire)


GRE_TYPES = (0x0800, 0x86dd, 0x8847, 0x8848)


class Tunnels:
    """One wrapper per tunnel kind: Packet in (an Ethernet frame), Packet out."""

    def __init__(self):
        self.seq = 0
        self.passed = 0  # frames an IP tunnel could not carry

    def l3(self, pkt, wrap, types=(0x0800, 0x86dd)):
        """wrap(payload, wire, ethertype) around the frame's payload when
        its ethertype is one of `types`; other frames are left as they
        were (and counted)."""
        p = payload_of(pkt)
        if p is None or p[0] not in types:
            self.passed += 1
            return pkt
        typ, body, wire = p
        return wrap(body, wire, typ)

    # GRE carries IP and MPLS (RFC 4023) as they are
    def gre(self, pkt):
        return self.l3(pkt, lambda body, w, typ: gre(ipv4, typ, body, w), GRE_TYPES)

    def gre_opts(self, pkt):
        self.seq += 1
        return self.l3(pkt, lambda body, w, typ: gre(ipv6, typ, body, w, c=True, k=0xfeed,
                                                      s=self.seq), GRE_TYPES)

    def gre_mpls(self, pkt):
        def wrap(ip, w, typ):
            label = struct.pack('>I', 2000 << 12 | 0x100 | 64)
            return gre(ipv4, 0x8847, label + ip, 4 + w)
        return self.l3(pkt, wrap)

    def nvgre(self, pkt):
        return gre(ipv4, 0x6558, pkt.data, pkt.wire, k=0x00123400)

    def erspan1(self, pkt):
        return gre(ipv4, 0x88be, pkt.data, pkt.wire)

    def erspan2(self, pkt):
        self.seq += 1
        # version 1, VLAN 0, CoS 0, En 3, T 0, session 5; index 0
        h = struct.pack('>HHI', 0x1000, 0x1805, 0)
        return gre(ipv4, 0x88be, h + pkt.data, 8 + pkt.wire, s=self.seq)

    def erspan3(self, pkt):
        self.seq += 1
        # version 2, VLAN 0, CoS 0, BSO 0, T 0, session 5; timestamp; SGT;
        # P 0, FT 0 (Ethernet), hardware id 1, D 0, Gra 1, O 1; then the
        # platform-specific subheader (platform id 3)
        h = struct.pack('>HHIHBB', 0x2000, 0x0005, self.seq * 1000, 0, 0, 0x13)
        h += struct.pack('>II', 3 << 26, 0)
        return gre(ipv6, 0x22eb, h + pkt.data, len(h) + pkt.wire, s=self.seq)

    def vxlan(self, pkt, outer=ipv4):
        h = struct.pack('>II', 0x08000000, 0x123400)
        return udp(outer, 4789, h + pkt.data, 8 + pkt.wire)

    def vxlan6(self, pkt):
        return self.vxlan(pkt, ipv6)

    def geneve(self, pkt):
        # option: class 0x0102, type 0x80, 4 bytes of data (1 word)
        opt = struct.pack('>HBBI', 0x0102, 0x80, 1, 0xc0ffee)
        h = struct.pack('>BBHI', len(opt) // 4, 0, 0x6558, 0x123400) + opt
        return udp(ipv4, 6081, h + pkt.data, len(h) + pkt.wire)

    def geneve_ip(self, pkt):
        def wrap(ip, w, typ):
            h = struct.pack('>BBHI', 0, 0, typ, 0x123400)
            return udp(ipv6, 6081, h + ip, 8 + w)
        return self.l3(pkt, wrap)

    def mpls(self, pkt):
        def wrap(ip, w, typ):
            labels = struct.pack('>II', 1000 << 12 | 64, 1001 << 12 | 0x100 | 64)
            return ether(0x8847, labels + ip, 8 + w)
        return self.l3(pkt, wrap)

    def mpls_cw(self, pkt):
        self.seq += 1
        h = struct.pack('>III', 1000 << 12 | 64, 1001 << 12 | 0x100 | 64, self.seq & 0xffff)
        return ether(0x8847, h + pkt.data, 12 + pkt.wire)

    def pppoe(self, pkt):
        def wrap(ip, w, typ):
            h = struct.pack('>BBHHH', 0x11, 0, 0x2b2b, 2 + w, 0x0021 if typ == 0x0800 else 0x0057)
            return ether(0x8864, h + ip, 8 + w)
        return self.l3(pkt, wrap)

    def ipip(self, pkt):
        return self.l3(pkt, lambda ip, w, typ: ipv4(4 if typ == 0x0800 else 41, ip, w))

    def ip6ip(self, pkt):
        return self.l3(pkt, lambda ip, w, typ: ipv6(4 if typ == 0x0800 else 41, ip, w))


KINDS = ['gre', 'gre-opts', 'gre-mpls', 'nvgre', 'erspan1', 'erspan2', 'erspan3', 'vxlan',
         'vxlan6', 'geneve', 'geneve-ip', 'mpls', 'mpls-cw', 'pppoe', 'ipip', 'ip6ip']


def main():
    ap = argparse.ArgumentParser(description='Put every packet of a capture inside a tunnel.')
    ap.add_argument('--tunnel', required=True,
                    help='comma-separated, innermost first; one of: ' + ', '.join(KINDS))
    ap.add_argument('input')
    ap.add_argument('output')
    a = ap.parse_args()

    kinds = a.tunnel.split(',')
    for k in kinds:
        if k not in KINDS:
            ap.error('unknown tunnel %r (one of: %s)' % (k, ', '.join(KINDS)))
    t = Tunnels()
    wrappers = [getattr(t, k.replace('-', '_')) for k in kinds]

    n = 0
    with open(a.input, 'rb') as fin, open(a.output, 'wb') as fout:
        try:
            r = Reader(fin)
        except ValueError as err:
            sys.exit('encap.py: %s: %s' % (a.input, err))
        linktype = r.linktype
        if linktype != LINKTYPE_ETHERNET and linktype not in LINKTYPE_RAW \
                and linktype not in (LINKTYPE_IPV4, LINKTYPE_IPV6):
            sys.exit('encap.py: %s: link type %d (Ethernet and raw IP only)' % (a.input, linktype))
        # Same byte order, version and precision; snap length 262144; Ethernet.
        w = Writer(fout, header=r.header, snaplen=262144, linktype=LINKTYPE_ETHERNET)
        for rec in r:   # a record cut by the end of the file is left out
            data, wire = rec.data, rec.wirelen
            if linktype == LINKTYPE_ETHERNET:
                pkt = Packet(data, max(wire, len(data)))
            else:
                typ = 0x86dd if data and data[0] >> 4 == 6 else 0x0800
                pkt = Packet(MAC_INNER + struct.pack('>H', typ) + data, 14 + max(wire, len(data)))
            for wrap in wrappers:
                pkt = wrap(pkt)
            w.write_raw(rec.sec, rec.frac, pkt.data, pkt.wire)
            n += 1
    print('encap.py: %d packets in %s (%s)%s' % (
        n, a.output, ' in '.join(kinds),
        ', %d frames left as they were by a tunnel that does not carry them' % t.passed
        if t.passed else ''), file=sys.stderr)


if __name__ == '__main__':
    main()
