#!/usr/bin/python3
"""Write the seed corpus of fuzz_feed from the captures in data/pcaps.

Each capture becomes a few inputs (one per configuration byte, and one
per mode of fuzz_feed.c: off-path runs, callback, per-packet results,
batches, flush with records) in the format fuzz_feed.c reads: [link type
selector | mode << 3][config] then records of [len hi][len lo][ts step]
[bytes].  mptcp-v0.pcap is also written inside each kind of tunnel that
tools/encap.py builds (tun-KIND-CFG), so that the fuzzer starts from
decapsulated MPTCP traffic too.  Run from the repository root:
    tests/fuzz/make_feed_corpus.py
"""
import os
import struct
import subprocess
import sys
import tempfile

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools')
sys.path.insert(0, TOOLS)
import pcapfile  # noqa: E402  (tools/pcapfile.py)

LINKTYPES = {1: 0, 101: 1, 12: 1, 14: 1, 113: 2, 276: 3, 228: 4, 229: 5}


def packets(path):
    """(link type, [record]), or (None, []) for a file that is not a classic pcap."""
    try:
        with pcapfile.Reader(path) as r:
            return r.linktype, list(r)
    except ValueError:
        return None, []


TUNNELS = ('gre-opts', 'erspan2', 'erspan3', 'vxlan6', 'geneve', 'geneve-ip', 'mpls-cw',
           'pppoe', 'ipip', 'ip6ip', 'mpls,gre', 'vxlan,ipip')


def write_seed(dst, tag, lt, pkts, mode, cfg):
    body = bytearray([LINKTYPES[lt] | mode << 3, cfg])
    for i, rec in enumerate(pkts):
        body += struct.pack('>HB', len(rec.data), 1 if i % 7 == 0 else 0) + rec.data
    with open(os.path.join(dst, tag), 'wb') as f:
        f.write(body)


def tunnel_seeds(src, dst):
    encap = os.path.join(TOOLS, 'encap.py')
    with tempfile.TemporaryDirectory() as tmp:
        for kind in TUNNELS:
            out = os.path.join(tmp, 'x.pcap')
            subprocess.run([sys.executable, encap, '--tunnel', kind,
                            os.path.join(src, 'mptcp-v0.pcap'), out],
                           check=True, stderr=subprocess.DEVNULL)
            lt, pkts = packets(out)
            name = 'tun-%s' % kind.replace(',', '-in-')
            write_seed(dst, name + '-0f', lt, pkts, 0, 0x0f)
            write_seed(dst, name + '-m1f-37', lt, pkts, 0x1f, 0x37)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else 'data/pcaps'
    dst = sys.argv[2] if len(sys.argv) > 2 else 'tests/fuzz/corpus/feed'
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith('.pcap'):
            continue
        lt, pkts = packets(os.path.join(src, name))
        if lt not in LINKTYPES or not pkts or len(pkts) > 400:
            continue
        seeds = [(0, cfg) for cfg in (0x03, 0x00, 0x0f, 0x13, 0x53)]
        # modes: off-path runs, callback, results, batches, flush with records;
        # all of them with the memory cap and allocation failures too
        seeds += [(mode, 0x0f) for mode in (0x01, 0x02, 0x04, 0x08, 0x10)] + [(0x1f, 0x37)]
        for mode, cfg in seeds:
            tag = '%02x' % cfg if not mode else 'm%02x-%02x' % (mode, cfg)
            write_seed(dst, '%s-%s' % (name[:-5], tag), lt, pkts, mode, cfg)
    tunnel_seeds(src, dst)


if __name__ == '__main__':
    main()
