#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sflow-export.py - play an sFlow v5 agent over a capture.

Reads a pcap file as the traffic an interface sees, samples it the way an
sFlow agent does, and writes a pcap of the UDP datagrams the agent would
send to its collector (sflow.org "sFlow Version 5"):

  * 1-in-N count-based sampling with a random skip: after each sample the
    number of packets to let pass is drawn uniformly from [1, 2N-1]
    (mean N) by a generator seeded with --seed, so runs repeat exactly;
    N=1 samples every packet;
  * each sampled packet becomes a flow sample (compact format 1, or
    expanded format 3 with --expanded) with sampling_rate N, sample_pool
    (packets seen so far), drops 0, input/output interfaces, a raw packet
    header record (header_protocol 1 = Ethernet; 11/12 = IPv4/IPv6 for raw
    IP captures and Linux cooked captures, whose cooked header is dropped;
    a cooked packet that is not IP is counted and not exported) cut to --header-bytes (default 128) with frame_length and
    stripped as agents send them (Ethernet: frame_length counts the 4-byte
    FCS, stripped = 4), and an extended switch record (skipped by sampo);
  * samples are packed several to a datagram (at most --max-samples and
    --datagram-bytes of payload); a datagram leaves when it is full, when
    its oldest sample is --flush seconds old, or at the end of the input;
    its timestamp is then (the time of its last sample, or oldest sample
    + flush interval);
  * an interface counters sample (format 2) goes out with the first
    datagram and every --counter-interval seconds after (0: never);
  * datagrams carry agent address --agent (IPv4 or IPv6), sub-agent id,
    consecutive sequence numbers from 1 and the agent uptime, and are
    sent over UDP to --collector port --port inside Ethernet.

The output is a nanosecond pcap.  Only the Python standard library is used.

  tools/sflow-export.py -N 1 data/pcaps/mptcp-v0.pcap data/pcaps/sflow-mptcp-v0.pcap
"""

import argparse
import ipaddress
import random
import struct
import sys

import pcapfile  # tools/pcapfile.py, beside this file

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = {12, 14, 101}
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL = 113   # 16-byte cooked header, protocol at 14
LINKTYPE_LINUX_SLL2 = 276  # 20-byte cooked header, protocol at 0

HP_ETHERNET = 1
HP_IPV4 = 11
HP_IPV6 = 12

FCS_LEN = 4
BOOT_OFFSET_MS = 60000  # the agent has been up one minute at the first packet


def read_pcap(path):
    """Yield (linktype, ts_ns, caplen bytes, orig_len) from a classic pcap."""
    try:
        with pcapfile.Reader(path, strict=True) as r:
            for rec in r:
                yield r.linktype, rec.ts_ns, rec.data, rec.wirelen
    except ValueError as err:
        sys.exit(f"{path}: {err}")


def header_protocol(linktype, data):
    """(header_protocol, bytes of link header to drop), or (None, 0).

    Ethernet is exported as Ethernet; raw IP as IPv4 or IPv6; a Linux
    cooked capture has no sFlow header protocol, so its IP packet is
    exported as IPv4 or IPv6 without the cooked header."""
    if linktype == LINKTYPE_ETHERNET:
        return HP_ETHERNET, 0
    if linktype == LINKTYPE_IPV4:
        return HP_IPV4, 0
    if linktype == LINKTYPE_IPV6:
        return HP_IPV6, 0
    skip = {LINKTYPE_LINUX_SLL: 16, LINKTYPE_LINUX_SLL2: 20}.get(linktype)
    if skip is None and linktype not in LINKTYPE_RAW:
        return None, 0
    skip = skip or 0
    if len(data) > skip:
        hp = {4: HP_IPV4, 6: HP_IPV6}.get(data[skip] >> 4)
        if hp is not None:
            return hp, skip
    return None, 0


class Agent:
    def __init__(self, args):
        self.args = args
        self.agent = ipaddress.ip_address(args.agent)
        if args.collector:
            self.collector = ipaddress.ip_address(args.collector)
        else:
            self.collector = ipaddress.ip_address(
                "192.0.2.100" if self.agent.version == 4 else "2001:db8::100")
        if self.collector.version != self.agent.version:
            sys.exit("--agent and --collector must be of the same IP version")
        self.rng = random.Random(args.seed)
        self.skip = self.next_skip()
        self.pool = 0             # packets seen by the data source
        self.sample_seq = 0       # flow samples of the data source
        self.counter_seq = 0      # counter samples of the data source
        self.datagram_seq = 0
        self.pending = []         # encoded samples of the next datagram
        self.pending_bytes = 0
        self.first_ts = None      # time of the oldest pending sample
        self.last_ts = None
        self.boot_ns = None
        self.next_counters = None
        self.out = []             # (ts_ns, frame)
        self.stats = {"packets": 0, "sampled": 0, "datagrams": 0, "counter_samples": 0,
                      "not_ip": 0}

    def next_skip(self):
        n = self.args.rate
        return 1 if n == 1 else self.rng.randint(1, 2 * n - 1)

    # -- encoding ------------------------------------------------------------

    def flow_sample(self, proto, data, orig_len):
        a = self.args
        hdr = data[: a.header_bytes]
        if proto == HP_ETHERNET:
            frame_length, stripped = orig_len + FCS_LEN, FCS_LEN
        else:
            frame_length, stripped = orig_len, 0
        pad = b"\0" * (-len(hdr) % 4)
        raw = struct.pack("!IIII", proto, frame_length, stripped, len(hdr)) + hdr + pad
        records = [struct.pack("!II", 1, len(raw)) + raw]
        switch = struct.pack("!IIII", a.vlan, 0, a.vlan, 0)  # extended_switch (0,1001)
        records.append(struct.pack("!II", 1001, len(switch)) + switch)
        self.sample_seq += 1
        if a.expanded:
            body = struct.pack("!IIIIIIIIIII", self.sample_seq, 0, a.if_index, a.rate,
                               self.pool, 0, 0, a.if_index, 0, a.out_if_index, len(records))
            fmt = 3
        else:
            body = struct.pack("!IIIIIIII", self.sample_seq, a.if_index & 0xFFFFFF, a.rate,
                               self.pool, 0, a.if_index, a.out_if_index, len(records))
            fmt = 1
        body += b"".join(records)
        return struct.pack("!II", fmt, len(body)) + body

    def counter_sample(self):
        a = self.args
        self.counter_seq += 1
        # generic interface counters (0,1): 88 bytes
        # ifIndex ifType ifSpeed ifDirection ifStatus, then the in and out
        # octets (64 bits) and packet/error counters (32 bits), promiscuous
        generic = struct.pack("!IIQII" "Q6I" "Q6I", a.if_index, 6, 1000000000, 1, 3,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        assert len(generic) == 88
        rec = struct.pack("!II", 1, len(generic)) + generic
        body = struct.pack("!III", self.counter_seq, a.if_index & 0xFFFFFF, 1) + rec
        self.stats["counter_samples"] += 1
        return struct.pack("!II", 2, len(body)) + body

    def datagram(self, ts_ns, samples):
        self.datagram_seq += 1
        uptime = (BOOT_OFFSET_MS + (ts_ns - self.boot_ns) // 1000000) & 0xFFFFFFFF
        atype = 1 if self.agent.version == 4 else 2
        head = struct.pack("!II", 5, atype) + self.agent.packed
        head += struct.pack("!IIII", self.args.sub_agent, self.datagram_seq, uptime, len(samples))
        return head + b"".join(samples)

    def frame(self, payload):
        a = self.args
        udp_len = 8 + len(payload)
        src, dst = self.agent.packed, self.collector.packed
        if self.agent.version == 4:
            pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
        else:
            pseudo = src + dst + struct.pack("!IxxxB", udp_len, 17)
        udp = struct.pack("!HHHH", a.src_port, a.port, udp_len, 0) + payload
        ck = pcapfile.inet_checksum(pseudo + udp) or 0xFFFF
        udp = udp[:6] + struct.pack("!H", ck) + udp[8:]
        if self.agent.version == 4:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, self.datagram_seq & 0xFFFF,
                             0x4000, 64, 17, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", pcapfile.inet_checksum(ip)) + ip[12:]
            ethertype = 0x0800
        else:
            ip = struct.pack("!IHBB16s16s", 0x60000000, udp_len, 17, 64, src, dst)
            ethertype = 0x86DD
        eth = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
        return eth + struct.pack("!H", ethertype) + ip + udp

    # -- agent behaviour -----------------------------------------------------

    def flush(self, ts_ns):
        if not self.pending:
            return
        samples = self.pending
        if self.args.counter_interval > 0 and ts_ns >= self.next_counters:
            samples = [self.counter_sample()] + samples
            self.next_counters = ts_ns + int(self.args.counter_interval * 1e9)
        self.out.append((ts_ns, self.frame(self.datagram(ts_ns, samples))))
        self.stats["datagrams"] += 1
        self.pending, self.pending_bytes, self.first_ts = [], 0, None

    def packet(self, linktype, ts_ns, data, orig_len):
        a = self.args
        if self.boot_ns is None:
            self.boot_ns = ts_ns
            self.next_counters = ts_ns
        flush_ns = int(a.flush * 1e9)
        if self.first_ts is not None and ts_ns - self.first_ts >= flush_ns:
            self.flush(self.first_ts + flush_ns)
        self.stats["packets"] += 1
        self.pool += 1
        self.skip -= 1
        if self.skip > 0:
            return
        self.skip = self.next_skip()
        proto, skip = header_protocol(linktype, data)
        if proto is None:
            if linktype in (LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6,
                            LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2) or linktype in LINKTYPE_RAW:
                self.stats["not_ip"] += 1  # e.g. ARP in a cooked capture: not exported
                return
            sys.exit(f"unsupported link type {linktype}: Ethernet, raw IP, IPv4, IPv6,"
                     " Linux SLL and SLL2 only")
        sample = self.flow_sample(proto, data[skip:], orig_len - skip)
        # room for the datagram header (40) and a counter sample (116)
        room = a.datagram_bytes - 40 - (116 if a.counter_interval > 0 else 0)
        if self.pending and (len(self.pending) >= a.max_samples
                             or self.pending_bytes + len(sample) > room):
            self.flush(self.last_ts)
        self.pending.append(sample)
        self.pending_bytes += len(sample)
        self.stats["sampled"] += 1
        if self.first_ts is None:
            self.first_ts = ts_ns
        self.last_ts = ts_ns
        if len(self.pending) >= a.max_samples:
            self.flush(ts_ns)

    def finish(self):
        if self.pending:
            self.flush(self.last_ts)


def write_pcap(path, frames):
    with pcapfile.Writer(path, nano=True, snaplen=65535, linktype=LINKTYPE_ETHERNET) as w:
        for ts_ns, frame in frames:
            w.write(ts_ns, frame)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="pcap to sample (Ethernet, raw IP, IPv4, IPv6, Linux SLL/SLL2)")
    p.add_argument("output", help="pcap of sFlow datagrams to write")
    p.add_argument("-N", "--rate", type=int, default=1, help="sample 1 in N packets (default 1)")
    p.add_argument("--seed", type=int, default=1, help="seed of the random skip (default 1)")
    p.add_argument("--header-bytes", type=int, default=128,
                   help="bytes of each packet kept (default 128)")
    p.add_argument("--max-samples", type=int, default=8, help="samples per datagram (default 8)")
    p.add_argument("--datagram-bytes", type=int, default=1400,
                   help="most bytes of sFlow payload per datagram (default 1400)")
    p.add_argument("--flush", type=float, default=1.0,
                   help="send a datagram once its oldest sample is this old (s, default 1)")
    p.add_argument("--counter-interval", type=float, default=30.0,
                   help="seconds between counter samples, 0 = none (default 30)")
    p.add_argument("--expanded", action="store_true", help="expanded flow samples (format 3)")
    p.add_argument("--agent", default="192.0.2.1", help="agent address (default 192.0.2.1)")
    p.add_argument("--collector", help="collector address (default 192.0.2.100 / 2001:db8::100)")
    p.add_argument("--port", type=int, default=6343, help="collector UDP port (default 6343)")
    p.add_argument("--src-port", type=int, default=50343, help="agent UDP port (default 50343)")
    p.add_argument("--sub-agent", type=int, default=0, help="sub-agent id (default 0)")
    p.add_argument("--if-index", type=int, default=1, help="ifIndex sampled (default 1)")
    p.add_argument("--out-if-index", type=int, default=2, help="output ifIndex (default 2)")
    p.add_argument("--vlan", type=int, default=1, help="VLAN of the extended switch record")
    p.add_argument("-q", "--quiet", action="store_true", help="no summary on standard error")
    args = p.parse_args()
    if args.rate < 1 or args.header_bytes < 1 or args.max_samples < 1 or args.flush <= 0:
        p.error("-N, --header-bytes and --max-samples must be >= 1, --flush > 0")
    if args.datagram_bytes < 400 or args.datagram_bytes > 65000:
        p.error("--datagram-bytes must be from 400 to 65000")
    if args.header_bytes > args.datagram_bytes - 200:
        p.error("--header-bytes does not fit in --datagram-bytes")

    agent = Agent(args)
    for linktype, ts_ns, data, orig in read_pcap(args.input):
        agent.packet(linktype, ts_ns, data, orig)
    agent.finish()
    write_pcap(args.output, agent.out)
    if not args.quiet:
        s = agent.stats
        print(f"sflow-export: {s['packets']} packets, {s['sampled']} sampled 1 in {args.rate}, "
              f"{s['datagrams']} datagrams, {s['counter_samples']} counter samples"
              + (f", {s['not_ip']} sampled packets not IP (not exported)" if s["not_ip"] else ""),
              file=sys.stderr)


if __name__ == "__main__":
    main()
