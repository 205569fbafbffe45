#!/usr/bin/python3
"""check-tunnel.py CLI ENCAP CAPTURE TUNNELS [--too-deep]

Puts every packet of CAPTURE inside TUNNELS (tools/encap.py, a
comma-separated list, innermost first), runs sampo-cli --format json on the
plain and on the encapsulated capture, and checks that:
  - the session records (with their subflows) are the same, byte for byte;
  - every counter is the same, but for the wire bytes (the tunnel headers
    add to them), the memory gauges and the decapsulation counters;
  - every packet was decapsulated (decapsulated == packets), each kind of
    header in TUNNELS was removed from every packet (tunnel_<kind>), no
    other kind was, and no tunnel header was refused.
With --too-deep, the tunnels are more than sampo removes: no session, and
every packet counted in tunnel_too_deep.
The encapsulated capture is written to a temporary file, removed after.
"""
import json
import os
import subprocess
import sys
import tempfile

KIND_COUNTERS = {
    'gre': ['gre'], 'gre-opts': ['gre'], 'gre-mpls': ['gre', 'mpls'], 'nvgre': ['gre'],
    'erspan1': ['gre', 'erspan'], 'erspan2': ['gre', 'erspan'], 'erspan3': ['gre', 'erspan'],
    'vxlan': ['vxlan'], 'vxlan6': ['vxlan'], 'geneve': ['geneve'], 'geneve-ip': ['geneve'],
    'mpls': ['mpls'], 'mpls-cw': ['mpls'], 'pppoe': ['pppoe'], 'ipip': ['ip'], 'ip6ip': ['ip'],
}
# the wire bytes grow by the tunnel headers; the memory gauges follow the
# random hash seed (run-golden.sh leaves them out too)
IGNORED = {'bytes', 'decapsulated', 'mem_current', 'mem_peak'}


def run(cli, capture):
    out = subprocess.run([cli, '--no-progress', '--format', 'json', capture],
                         check=True, stdout=subprocess.PIPE).stdout.decode()
    records, counters = [], None
    for line in out.splitlines():
        if json.loads(line).get('type') == 'counters':
            counters = json.loads(line)
        else:
            records.append(line)
    return records, counters


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    too_deep = '--too-deep' in sys.argv
    if len(args) != 4:
        sys.exit(__doc__)
    cli, encap, capture, tunnels = args
    kinds = tunnels.split(',')

    plain, pc = run(cli, capture)
    fd, path = tempfile.mkstemp(suffix='.pcap', prefix='sampo-tunnel-')
    os.close(fd)
    try:
        subprocess.run(['/usr/bin/python3', encap, '--tunnel', tunnels, capture, path], check=True)
        tun, tc = run(cli, path)
    finally:
        os.unlink(path)

    bad = []
    names = [k for k in pc if k.startswith('tunnel_')]
    if too_deep:
        if tun:
            bad.append('%d records, want none' % len(tun))
        if tc['tunnel_too_deep'] != tc['packets']:
            bad.append('tunnel_too_deep %d of %d packets' % (tc['tunnel_too_deep'], tc['packets']))
    else:
        if tun != plain:
            diff = sum(1 for a, b in zip(tun, plain) if a != b) + abs(len(tun) - len(plain))
            bad.append('%d of %d records differ from the plain capture\'s' % (diff, len(plain)))
        want = {'tunnel_' + c for k in kinds for c in KIND_COUNTERS[k]}
        for k, v in pc.items():
            if k in IGNORED or k.startswith('tunnel_'):
                continue
            if tc.get(k) != v:
                bad.append('%s %s, plain %s' % (k, tc.get(k), v))
        if tc['decapsulated'] != tc['packets']:
            bad.append('decapsulated %d of %d packets' % (tc['decapsulated'], tc['packets']))
        for k in names:
            expect = tc['packets'] if k in want else 0
            if tc[k] != expect:
                bad.append('%s %d, want %d' % (k, tc[k], expect))
        if tc['bytes'] <= pc['bytes']:
            bad.append('wire bytes %d, not more than plain %d' % (tc['bytes'], pc['bytes']))
    print('%s: %d packets, %d records (plain %d); %s; wire bytes %d (plain %d)' % (
        tunnels, tc['packets'], len(tun), len(plain),
        ', '.join('%s %d' % (k, tc[k]) for k in ['decapsulated'] + names if tc[k]),
        tc['bytes'], pc['bytes']))
    for b in bad:
        print('FAIL: ' + b)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
