#!/usr/bin/python3
"""Write the seed corpus of fuzz_decode.

Each input is [selector][frame], as fuzz_decode.c reads it: the low nibble
of the selector picks the link type (0 Ethernet, 1 raw IP, 2 Linux SLL,
3 Linux SLL2, 4 IPv4, 5 IPv6, 6 unsupported), the top two bits the wire
length (0: 0, 1: as captured, 2: 1500 bytes more, 3: half the capture).

Seeds: a few frames of each link type found in the committed captures of
data/pcaps (SYN with MP_CAPABLE, MP_JOIN, DSS, ACK, FIN, RST), the same
IPv4 packets re-framed in every supported link type, and hand-made
frames: IPv6 with extension header chains, 802.1Q / QinQ tags, SLL and
SLL2, IPv4 options and fragments, TSO lengths, cuts at each layer, and
tunnels (tun-*: GRE, ERSPAN I-III, VXLAN, Geneve, MPLS, PPPoE, IP in IP,
nested, 8 and 9 deep, cut and refused).
Run from the repository root:
    tests/fuzz/make_decode_corpus.py
"""
import itertools
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))
import pcapfile  # noqa: E402  (tools/pcapfile.py)

ETH, RAW, SLL, SLL2, IPV4, IPV6, UNSUPPORTED = range(7)
W_ZERO, W_CAP, W_LONGER, W_BELOW = 0x00, 0x40, 0x80, 0xc0
PCAP_LINKTYPES = {1: ETH, 101: RAW, 12: RAW, 14: RAW, 113: SLL, 276: SLL2,
                  228: IPV4, 229: IPV6}
# Committed captures, one per link type at least (lab-v1-paper is large:
# only its first frames are read).
CAPTURES = ['mptcp-v0.pcap', 'mptcp-v1.pcap', 'mptcp-tcprst.pcap',
            'mptcp-aa-echo.pcap', 'mptcp-dss-oobr.pcap', 'lab-v1-paper.pcap']


def packets(path, limit=2000):
    """(link type, [(captured bytes, wire length)] of the first LIMIT records), or (None, [])
    for a file that is not a classic pcap."""
    try:
        with pcapfile.Reader(path) as r:
            return r.linktype, [(rec.data, rec.wirelen) for rec in itertools.islice(r, limit)]
    except ValueError:
        return None, []


def l3_offset(lt, frame):
    """Offset of the IP header in a frame, or None (VLAN tags skipped)."""
    if lt == ETH:
        off, typ = 14, struct.unpack('>H', frame[12:14])[0]
    elif lt == SLL:
        off, typ = 16, struct.unpack('>H', frame[14:16])[0]
    elif lt == SLL2:
        off, typ = 20, struct.unpack('>H', frame[0:2])[0]
    else:
        return 0
    while typ in (0x8100, 0x88a8, 0x9100):
        typ = struct.unpack('>H', frame[off + 2:off + 4])[0]
        off += 4
    return off if typ in (0x0800, 0x86dd) else None


def tcp_kind(ip):
    """A label for the interesting TCP packets of an IP packet, or None."""
    v = ip[0] >> 4
    if v == 4:
        if ip[9] != 6:
            return None
        th = ip[(ip[0] & 15) * 4:]
    elif v == 6:
        if ip[6] != 6:
            return None
        th = ip[40:]
    else:
        return None
    if len(th) < 20:
        return None
    flags, opts = th[13], th[20:(th[12] >> 4) * 4]
    subtypes = set()
    i = 0
    while i < len(opts):
        k = opts[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if k == 30 and i + 2 < len(opts):
            subtypes.add(opts[i + 2] >> 4)
        i += opts[i + 1]
    if flags & 0x04:
        return 'rst'
    if flags & 0x02:
        return 'syn-join' if 1 in subtypes else 'syn-capable' if 0 in subtypes else 'syn'
    if flags & 0x01:
        return 'fin'
    if 3 in subtypes:
        return 'add-addr'
    if 2 in subtypes:
        return 'dss'
    return 'ack'


# ---- hand-made frames -----------------------------------------------------

def tcp(flags=0x10, opts=b'', payload=b'', doff=None):
    opts += b'\x01' * (-len(opts) % 4)
    if doff is None:
        doff = 5 + len(opts) // 4
    return struct.pack('>HHIIBBHHH', 40001, 443, 0x01020304, 0x0a0b0c0d,
                       doff << 4, flags, 65535, 0, 0) + opts + payload


MPC_SYN = bytes([30, 12, 0x01, 0x81]) + bytes(range(1, 9))          # v1 SYN
MPJ_SYN = bytes([30, 12, 0x10, 0x01]) + bytes.fromhex('deadbeef0102030405060708')[:8]
DSS = bytes([30, 20, 0x20, 0x0f]) + struct.pack('>IIIHH', 7, 1000, 1, 100, 0)


def ipv4(l4, proto=6, total=None, frag=0x4000, options=b''):
    options += b'\0' * (-len(options) % 4)
    ihl = 5 + len(options) // 4
    if total is None:
        total = ihl * 4 + len(l4)
    h = struct.pack('>BBHHHBBH4s4s', 0x40 | ihl, 0, total, 1, frag, 64, proto, 0,
                    bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + options
    h = h[:10] + struct.pack('>H', pcapfile.inet_checksum(h)) + h[12:]
    return h + l4


def ext(next_hdr, body_len8=0, fill=0):
    """A generic IPv6 extension header of (body_len8 + 1) * 8 bytes."""
    return bytes([next_hdr, body_len8]) + bytes([fill]) * (6 + 8 * body_len8)


def frag6(next_hdr, offset=0, more=1):
    return struct.pack('>BBHI', next_hdr, 0, (offset << 3) | more, 0x12345678)


def ah(next_hdr, words=4):
    """AH: length in 4-byte units minus 2 (RFC 4302)."""
    return bytes([next_hdr, words - 2]) + bytes(4 * words - 2)


def ipv6(first_next, chain, l4, plen=None):
    payload = chain + l4
    if plen is None:
        plen = len(payload)
    src = bytes.fromhex('20010db8000000000000000000000001')
    dst = bytes.fromhex('20010db8000000000000000000000002')
    return struct.pack('>IHBB', 0x60000000, plen, first_next, 64) + src + dst + payload


def eth(ip, tags=(), ethertype=None):
    if ethertype is None:
        ethertype = 0x0800 if ip[0] >> 4 == 4 else 0x86dd
    types = [t for t, _ in tags] + [ethertype]
    out = bytes.fromhex('020000000002020000000001') + struct.pack('>H', types[0])
    for i, (_, vid) in enumerate(tags):
        out += struct.pack('>HH', vid, types[i + 1])
    return out + ip


def sll(ip, ethertype=None):
    if ethertype is None:
        ethertype = 0x0800 if ip[0] >> 4 == 4 else 0x86dd
    return struct.pack('>HHH8sH', 0, 1, 6, bytes.fromhex('0200000000010000'), ethertype) + ip


def sll2(ip, ethertype=None):
    if ethertype is None:
        ethertype = 0x0800 if ip[0] >> 4 == 4 else 0x86dd
    return struct.pack('>HHIHBB8s', ethertype, 0, 2, 1, 0, 6,
                       bytes.fromhex('0200000000010000')) + ip


def frame_in(lt, ip):
    return {ETH: eth, SLL: sll, SLL2: sll2}.get(lt, lambda x: x)(ip)


def hand_made():
    seeds = {}
    syn4 = ipv4(tcp(0x02, MPC_SYN + b'\x01\x01'))
    dss4 = ipv4(tcp(0x18, DSS, b'x' * 100))
    join6 = ipv6(6, b'', tcp(0x02, MPJ_SYN))
    dss6 = ipv6(6, b'', tcp(0x18, DSS, b'y' * 64))

    # Every link type, IPv4 and IPv6.
    for name, ip in (('syn4', syn4), ('dss4', dss4), ('join6', join6), ('dss6', dss6)):
        for lt, lname in ((ETH, 'eth'), (RAW, 'raw'), (SLL, 'sll'), (SLL2, 'sll2')):
            seeds['%s-%s' % (lname, name)] = (lt | W_CAP, frame_in(lt, ip))
        seeds['ipv4-' + name if ip[0] >> 4 == 4 else 'ipv6-' + name] = \
            ((IPV4 if ip[0] >> 4 == 4 else IPV6) | W_CAP, ip)
    seeds['unsupported-syn4'] = (UNSUPPORTED | W_CAP, eth(syn4))
    seeds['ipv4-linktype-ipv6-packet'] = (IPV4 | W_CAP, join6)
    seeds['ipv6-linktype-ipv4-packet'] = (IPV6 | W_CAP, syn4)
    seeds['raw-version-5'] = (RAW | W_CAP, bytes([0x50]) + syn4[1:])
    seeds['raw-empty'] = (RAW | W_LONGER, b'')

    # 802.1Q, QinQ (802.1ad and the old 0x9100), too many tags, cut tags.
    seeds['eth-vlan-dss4'] = (ETH | W_CAP, eth(dss4, [(0x8100, 100)]))
    seeds['eth-qinq-dss6'] = (ETH | W_CAP, eth(dss6, [(0x88a8, 10), (0x8100, 20)]))
    seeds['eth-qinq9100-syn4'] = (ETH | W_CAP, eth(syn4, [(0x9100, 10), (0x8100, 20)]))
    seeds['eth-4-tags'] = (ETH | W_CAP, eth(syn4, [(0x88a8, 1), (0x8100, 2), (0x8100, 3),
                                                   (0x8100, 4)]))
    seeds['eth-5-tags'] = (ETH | W_CAP, eth(syn4, [(0x8100, i) for i in range(5)]))
    seeds['eth-vlan-cut'] = (ETH | W_LONGER, eth(syn4, [(0x8100, 100)])[:16])
    seeds['eth-vlan-arp'] = (ETH | W_CAP, eth(bytes(28), [(0x8100, 7)], 0x0806))
    seeds['sll-vlan-syn4'] = (SLL | W_CAP, sll(struct.pack('>HH', 5, 0x0800) + syn4, 0x8100))
    seeds['sll2-qinq-join6'] = (SLL2 | W_CAP,
                                sll2(struct.pack('>HH', 5, 0x8100) + struct.pack('>HH', 6, 0x86dd)
                                     + join6, 0x88a8))
    seeds['sll-cut-header'] = (SLL | W_LONGER, sll(syn4)[:15])
    seeds['sll2-cut-header'] = (SLL2 | W_LONGER, sll2(syn4)[:19])
    seeds['sll-ipx'] = (SLL | W_CAP, sll(syn4, 0x8137))

    # IPv6 extension header chains.
    t = tcp(0x18, DSS, b'z' * 32)
    chains = {
        'hbh': (0, ext(6)),
        'hbh-routing-dst': (0, ext(43) + ext(60, 1) + ext(6, 2)),
        'dst-frag-first': (60, ext(44) + frag6(6, 0, 1)),
        'frag-later': (44, frag6(6, 185, 0)),
        'frag-atomic': (44, frag6(6, 0, 0)),
        'ah': (51, ah(6)),
        'ah-long': (51, ah(0, 7) + ext(6)),
        'mh-hip-shim6': (135, ext(139) + ext(140) + ext(6)),
        'esp': (50, b'\0' * 16),
        'no-next': (0, ext(59)),
        'udp-after-hbh': (0, ext(17)),
        'chain-16': (0, b''.join(ext(60) for _ in range(15)) + ext(6)),
        'chain-17': (0, b''.join(ext(60) for _ in range(16)) + ext(6)),
        'ext-longer-than-plen': (0, ext(6, 30)[:16]),  # claims 248 bytes
    }
    for name, (first, chain) in chains.items():
        ip = ipv6(first, chain, t)
        seeds['ipv6-ext-' + name] = (IPV6 | W_CAP, ip)
        seeds['eth-ipv6-ext-' + name] = (ETH | W_CAP, eth(ip))
    ip = ipv6(0, ext(43, 2) + ext(6), t)
    seeds['ipv6-ext-cut-in-chain'] = (IPV6 | W_LONGER, ip[:40 + 8 + 10])
    seeds['ipv6-ext-cut-at-next'] = (IPV6 | W_LONGER, ip[:41])
    seeds['ipv6-cut-fixed'] = (IPV6 | W_LONGER, ip[:39])
    seeds['ipv6-jumbo-plen0'] = (IPV6 | W_LONGER, ipv6(0, ext(6), t, plen=0))
    seeds['ipv6-plen0-wire0'] = (IPV6 | W_ZERO, ipv6(6, b'', t, plen=0))
    seeds['ipv6-version-4'] = (IPV6 | W_CAP, bytes([0x40]) + join6[1:])

    # IPv4: options, fragments, lengths, protocols.
    seeds['ipv4-options-rr'] = (IPV4 | W_CAP, ipv4(tcp(0x10, DSS), options=bytes([7, 11, 4]) + bytes(8)))
    seeds['ipv4-ihl15'] = (IPV4 | W_CAP, ipv4(tcp(0x10, DSS), options=bytes(40)))
    seeds['ipv4-ihl4'] = (IPV4 | W_CAP, bytes([0x44]) + syn4[1:])
    seeds['ipv4-ihl-cut'] = (IPV4 | W_LONGER, ipv4(tcp(), options=bytes(20))[:30])
    seeds['ipv4-frag-first-mf'] = (IPV4 | W_CAP, ipv4(tcp(0x10, DSS), frag=0x2000))
    seeds['ipv4-frag-later'] = (IPV4 | W_CAP, ipv4(tcp(0x10, DSS), frag=0x00b9))
    seeds['ipv4-tso-total0'] = (IPV4 | W_LONGER, ipv4(tcp(0x10, DSS, b'p' * 40), total=0))
    seeds['ipv4-total0-wire0'] = (IPV4 | W_ZERO, ipv4(tcp(0x10, DSS), total=0))
    seeds['ipv4-total0-below'] = (IPV4 | W_BELOW, ipv4(tcp(0x10, DSS), total=0))
    seeds['ipv4-total-below-ihl'] = (IPV4 | W_CAP, ipv4(tcp(), total=12))
    seeds['ipv4-total-short'] = (IPV4 | W_CAP, ipv4(tcp(0x10, DSS), total=30))
    seeds['ipv4-udp'] = (IPV4 | W_CAP, ipv4(bytes(8), proto=17))
    seeds['ipv4-cut-1'] = (IPV4 | W_LONGER, syn4[:1])
    seeds['ipv4-empty'] = (IPV4 | W_LONGER, b'')
    seeds['ipv4-empty-null'] = (IPV4 | 0x10, b'')

    # TCP: data offsets, cuts in the header and in the options.
    seeds['tcp-doff4'] = (IPV4 | W_CAP, ipv4(tcp(0x10, doff=4)))
    seeds['tcp-doff15'] = (IPV4 | W_CAP, ipv4(tcp(0x10, DSS + bytes(20), doff=15)))
    seeds['tcp-doff-past-ip'] = (IPV4 | W_CAP, ipv4(tcp(0x10, doff=15)))
    seeds['tcp-cut-header'] = (IPV4 | W_LONGER, syn4[:30])
    seeds['tcp-cut-options'] = (IPV4 | W_LONGER, dss4[:20 + 20 + 9])
    seeds['tcp-cut-options-eth'] = (ETH | W_LONGER, eth(dss4)[:14 + 40 + 3])
    seeds['tcp-options-dss-prio-rmaddr'] = (
        IPV6 | W_CAP, ipv6(6, b'', tcp(0x10, DSS + bytes([30, 4, 0x50, 0]) + bytes([30, 3, 0x40, 1]))))
    seeds.update(tunnels(syn4, dss4, join6, dss6))
    return seeds


# ---- tunnels --------------------------------------------------------------

def udp(dport, payload, length=None):
    if length is None:
        length = 8 + len(payload)
    return struct.pack('>HHHH', 50000, dport, length, 0) + payload


def gre(proto, payload, c=False, k=None, s=None, flags=0):
    flags |= (0x8000 if c else 0) | (0x2000 if k is not None else 0) | \
        (0x1000 if s is not None else 0)
    h = struct.pack('>HH', flags, proto)
    if c:
        h += bytes(4)
    if k is not None:
        h += struct.pack('>I', k)
    if s is not None:
        h += struct.pack('>I', s)
    return h + payload


def mpls(payload, n=1):
    return b''.join(struct.pack('>I', (100 + i) << 12 | (0x100 if i + 1 == n else 0) | 64)
                    for i in range(n)) + payload


def pppoe(proto, payload, compressed=False):
    p = bytes([proto]) if compressed else struct.pack('>H', proto)
    return struct.pack('>BBHH', 0x11, 0, 0x2b2b, len(p) + len(payload)) + p + payload


VXLAN = struct.pack('>II', 0x08000000, 0x123400)
ERSPAN2 = struct.pack('>HHI', 0x1000, 0x1805, 0)
ERSPAN3 = struct.pack('>HHIHBB', 0x2000, 0x0005, 1000, 0, 0, 0x13) + bytes(8)  # O set


def geneve(proto, payload, words=0):
    opts = (struct.pack('>HBB', 0x0102, 0x80, words - 1) + bytes(4 * (words - 1))) if words else b''
    return struct.pack('>BBHI', words, 0, proto, 0x123400) + opts + payload


def tunnels(syn4, dss4, join6, dss6):
    """Each kind of tunnel sampo removes (lib/wire/decode.c), IPv4 and
    IPv6 outside where it applies, and a few refused ones."""
    e4, e6 = eth(dss4), eth(join6)
    s = {}
    s['tun-gre-4in4'] = (ETH | W_CAP, eth(ipv4(gre(0x0800, dss4), proto=47)))
    s['tun-gre-cks-6in6'] = (ETH | W_CAP, eth(ipv6(47, b'', gre(0x86dd, dss6, c=True, k=7, s=9))))
    s['tun-nvgre'] = (ETH | W_CAP, eth(ipv4(gre(0x6558, e6, k=0x123400), proto=47)))
    s['tun-gre-mpls'] = (ETH | W_CAP, eth(ipv6(47, b'', gre(0x8847, mpls(syn4, 2)))))
    s['tun-erspan1'] = (ETH | W_CAP, eth(ipv4(gre(0x88be, e4), proto=47)))
    s['tun-erspan2'] = (ETH | W_CAP, eth(ipv4(gre(0x88be, ERSPAN2 + e4, s=1), proto=47)))
    s['tun-erspan3'] = (ETH | W_CAP, eth(ipv6(47, b'', gre(0x22eb, ERSPAN3 + e6, s=1))))
    s['tun-vxlan-4'] = (ETH | W_CAP, eth(ipv4(udp(4789, VXLAN + e4), proto=17)))
    s['tun-vxlan-6'] = (ETH | W_CAP, eth(ipv6(17, b'', udp(4789, VXLAN + e6)), [(0x8100, 5)]))
    s['tun-geneve-opts'] = (ETH | W_CAP, eth(ipv4(udp(6081, geneve(0x6558, e6, 3)), proto=17)))
    s['tun-geneve-ip'] = (ETH | W_CAP, eth(ipv6(17, b'', udp(6081, geneve(0x0800, dss4)))))
    s['tun-mpls-3'] = (ETH | W_CAP, eth(mpls(dss6, 3), ethertype=0x8847))
    s['tun-mpls-cw'] = (ETH | W_CAP, eth(mpls(bytes(4) + e4, 2), ethertype=0x8847))
    s['tun-mpls-9'] = (ETH | W_CAP, eth(mpls(dss4, 9), ethertype=0x8848))
    s['tun-pppoe'] = (ETH | W_CAP, eth(pppoe(0x21, dss4), ethertype=0x8864))
    s['tun-pppoe-pfc-6'] = (ETH | W_CAP, eth(pppoe(0x57, join6, True), ethertype=0x8864))
    s['tun-ipip-4in6'] = (IPV6 | W_CAP, ipv6(4, b'', syn4))
    s['tun-ipip-6in4'] = (RAW | W_CAP, ipv4(dss6, proto=41))
    s['tun-sll-vxlan'] = (SLL | W_CAP, sll(ipv4(udp(4789, VXLAN + e4), proto=17)))
    # a nest: MPLS | IPv4 | GRE | IPv6 | VXLAN | Ethernet | PPPoE | IP
    inner = eth(pppoe(0x21, dss4), ethertype=0x8864)
    nest = mpls(ipv4(gre(0x86dd, ipv6(17, b'', udp(4789, VXLAN + inner))), proto=47))
    s['tun-nested'] = (ETH | W_CAP, eth(nest, ethertype=0x8847))
    # 8 IP-in-IP headers pass, 9 do not
    for n in (8, 9):
        p = dss4
        for _ in range(n):
            p = ipv4(p, proto=4)
        s['tun-ipip-depth%d' % n] = (IPV4 | W_CAP, p)
    # cut, refused, malformed
    s['tun-vxlan-cut'] = (ETH | W_LONGER, s['tun-vxlan-4'][1][:14 + 20 + 8 + 5])
    s['tun-gre-cut-inner'] = (ETH | W_LONGER, s['tun-gre-4in4'][1][:14 + 20 + 4 + 30])
    # the outer IP ends inside the inner TCP options (a mirror's short copy):
    # the options are cut there, not at the capture's end
    s['tun-gre-outer-ends-in-options'] = (ETH | W_CAP, eth(ipv4(gre(0x0800, dss4), proto=47,
                                                             total=20 + 4 + 20 + 20 + 10)))
    s['tun-gre-v1'] = (ETH | W_CAP, eth(ipv4(gre(0x880b, dss4, k=1, flags=1), proto=47)))
    s['tun-gre-routing'] = (ETH | W_CAP, eth(ipv4(gre(0x0800, dss4, flags=0x4000), proto=47)))
    s['tun-vxlan-no-i'] = (ETH | W_CAP, eth(ipv4(udp(4789, bytes(8) + e4), proto=17)))
    s['tun-udp-short'] = (ETH | W_CAP, eth(ipv4(udp(4789, VXLAN + e4, length=12), proto=17)))
    s['tun-geneve-v1'] = (ETH | W_CAP, eth(ipv4(udp(6081, b'\x40' + geneve(0x6558, e4)[1:]),
                                                proto=17)))
    s['tun-ppp-lcp'] = (ETH | W_CAP, eth(pppoe(0xc021, bytes(20)), ethertype=0x8864))
    s['tun-erspan3-ft1'] = (ETH | W_CAP, eth(ipv4(gre(0x22eb, ERSPAN3[:10] + b'\x04\x12' + e4,
                                                       s=1), proto=47)))
    return s


def from_captures(src):
    seeds = {}
    for name in CAPTURES:
        path = os.path.join(src, name)
        if not os.path.exists(path):
            continue
        plt, pkts = packets(path)
        lt = PCAP_LINKTYPES.get(plt)
        if lt is None:
            continue
        seen = {}
        for frame, wirelen in pkts:
            off = l3_offset(lt, frame)
            if off is None:
                continue
            kind = tcp_kind(frame[off:])
            if kind is None or seen.get(kind, 0) >= 1:
                continue
            seen[kind] = seen.get(kind, 0) + 1
            base = '%s-%s' % (name[:-5], kind)
            w = W_CAP if wirelen == len(frame) else W_LONGER
            seeds[base] = (lt | w, frame)
            # The same IP packet in the other link types.
            ip = frame[off:]
            for olt, oname in ((ETH, 'eth'), (SLL, 'sll'), (SLL2, 'sll2'), (RAW, 'raw')):
                if olt != lt and kind in ('syn-capable', 'syn-join', 'dss'):
                    seeds['%s-as-%s' % (base, oname)] = (olt | W_CAP, frame_in(olt, ip))
            # Cut as a sampling switch would: 64 and 128 bytes.
            if len(frame) > 64 and kind in ('dss', 'syn-capable'):
                seeds[base + '-cut64'] = (lt | W_LONGER, frame[:64])
    return seeds


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else 'data/pcaps'
    dst = sys.argv[2] if len(sys.argv) > 2 else 'tests/fuzz/corpus/decode'
    os.makedirs(dst, exist_ok=True)
    seeds = from_captures(src)
    seeds.update(hand_made())
    for name, (sel, frame) in sorted(seeds.items()):
        with open(os.path.join(dst, name), 'wb') as f:
            f.write(bytes([sel]) + frame)
    print('%d seeds in %s' % (len(seeds), dst))


if __name__ == '__main__':
    main()
