#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Unit tests of tools/pcapfile.py, the classic-pcap reader/writer and Internet checksum that
the project's Python scripts share.

Files are built here with struct, independently of the module's writer: both byte orders,
micro- and nanosecond magic, a record cut in its header or in its bytes, a pcapng section
header, a file too short; then round trips through Writer and Reader; then the checksum on
the RFC 1071 example and a known IPv4 header.

Run: python3 tests/misc/test_pcapfile.py [-v]   (CTest: misc.pcapfile, through run-unittest.py)
"""
import io
import os
import struct
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pcapfile  # noqa: E402

# (sec, frac, data, wirelen); frac below 10^6 so that it reads as microseconds too
RECORDS = [(1700000000, 1, b"\x01\x02\x03", 3),
           (1700000000, 999999, bytes(range(60)), 1514),
           (1700000001, 0, b"", 0)]


def build(endian, nano, records=RECORDS, linktype=1, version=(2, 4), zone=0, sigfigs=0,
          snaplen=65535):
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    b = struct.pack(endian + "IHHiIII", magic, version[0], version[1], zone, sigfigs, snaplen,
                    linktype)
    for sec, frac, data, wire in records:
        b += struct.pack(endian + "IIII", sec, frac, len(data), wire) + data
    return b


def read(raw, **kw):
    with pcapfile.Reader(io.BytesIO(raw), **kw) as r:
        return r, list(r)


class TestReader(unittest.TestCase):
    def test_byte_orders_and_precisions(self):
        for endian in "<>":
            for nano in (False, True):
                with self.subTest(endian=endian, nano=nano):
                    raw = build(endian, nano, linktype=113, version=(2, 4), zone=-3600,
                                sigfigs=7, snaplen=262144)
                    r, recs = read(raw)
                    self.assertEqual((r.endian, r.nano, r.linktype), (endian, nano, 113))
                    self.assertEqual((r.version_major, r.version_minor, r.thiszone, r.sigfigs,
                                      r.snaplen), (2, 4, -3600, 7, 262144))
                    self.assertEqual(r.header, raw[:24])
                    self.assertFalse(r.truncated)
                    self.assertEqual([(x.sec, x.frac, x.data, x.wirelen) for x in recs], RECORDS)
                    unit = 1 if nano else 1000
                    self.assertEqual([x.ts_ns for x in recs],
                                     [s * 10**9 + f * unit for s, f, _, _ in RECORDS])

    def test_magic_bytes(self):
        # the four magics as they stand in a file
        for raw4, endian, nano in ((b"\xd4\xc3\xb2\xa1", "<", False),
                                   (b"\x4d\x3c\xb2\xa1", "<", True),
                                   (b"\xa1\xb2\xc3\xd4", ">", False),
                                   (b"\xa1\xb2\x3c\x4d", ">", True)):
            self.assertEqual(pcapfile.header_info(raw4 + bytes(20)), (endian, nano))

    def test_fcs_bits_masked(self):
        r, _ = read(build("<", False, linktype=0x10000000 | 1))
        self.assertEqual(r.linktype, 1)

    def test_truncated_last_record(self):
        raw = build("<", False)
        two = build("<", False, RECORDS[:2])
        for cut, n, what in ((two[:-1], 1, "truncated packet"),          # the last one's bytes
                             (raw[:-1], 2, "truncated record header"),   # its header
                             (raw + b"\x01\x02\x03", 3, "truncated record header")):
            with self.subTest(what=what, n=n):
                r, recs = read(cut)
                self.assertTrue(r.truncated)
                self.assertEqual([x.data for x in recs], [d for _, _, d, _ in RECORDS[:n]])
                with self.assertRaisesRegex(ValueError, what):
                    read(cut, strict=True)
        r, recs = read(raw[:24])
        self.assertEqual((recs, r.truncated), ([], False))

    def test_pcapng_refused(self):
        for bom in (b"\x4d\x3c\x2b\x1a", b"\x1a\x2b\x3c\x4d"):
            shb = b"\x0a\x0d\x0d\x0a" + struct.pack("<I", 28) + bom + bytes(16)
            with self.assertRaises(ValueError) as cm:
                read(shb)
            self.assertIn("pcapng", str(cm.exception))
            self.assertIn("0a0d0d0a", str(cm.exception))

    def test_not_pcap(self):
        for raw in (b"", b"\xd4\xc3", b"\xd4\xc3\xb2\xa1" + bytes(10), b"GIF89a" + bytes(30)):
            with self.subTest(raw=raw[:8]):
                with self.assertRaisesRegex(ValueError, "not a pcap file"):
                    read(raw)

    def test_path_and_bundled_capture(self):
        path = os.path.join(ROOT, "data", "pcaps", "mptcp-v0.pcap")
        with pcapfile.Reader(path) as r:
            recs = list(r)
        self.assertEqual((r.linktype, r.endian, r.nano, len(recs)), (1, "<", False, 264))
        self.assertTrue(all(len(x.data) <= x.wirelen for x in recs))
        with open(path, "rb") as f:
            self.assertEqual(sum(16 + len(x.data) for x in recs) + 24, len(f.read()))


class TestWriter(unittest.TestCase):
    def test_round_trip(self):
        for endian in "<>":
            for nano in (False, True):
                with self.subTest(endian=endian, nano=nano):
                    buf = io.BytesIO()
                    w = pcapfile.Writer(buf, linktype=101, nano=nano, endian=endian,
                                        snaplen=65535)
                    for sec, frac, data, wire in RECORDS:
                        w.write_raw(sec, frac, data, wire)
                    self.assertEqual(buf.getvalue(), build(endian, nano, linktype=101))
                    r, recs = read(buf.getvalue())
                    self.assertEqual((r.endian, r.nano, r.linktype, r.snaplen),
                                     (endian, nano, 101, 65535))
                    # again from the nanosecond times
                    buf2 = io.BytesIO()
                    w2 = pcapfile.Writer(buf2, header=r.header)
                    for x in recs:
                        w2.write(x.ts_ns, x.data, x.wirelen)
                    self.assertEqual(buf2.getvalue(), buf.getvalue())

    def test_defaults_and_wirelen(self):
        w = pcapfile.Writer(None)
        self.assertEqual(w.header, struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.assertEqual(w.pack(1500000000123456789, b"abcd"),
                         struct.pack("<IIII", 1500000000, 123456, 4, 4) + b"abcd")
        ns = pcapfile.Writer(None, nano=True, endian=">")
        self.assertEqual(ns.pack(1500000000123456789, b"ab", 60),
                         struct.pack(">IIII", 1500000000, 123456789, 2, 60) + b"ab")

    def test_header_kept_and_overridden(self):
        old = build(">", False, linktype=113, version=(2, 4), zone=3600, sigfigs=3, snaplen=96)
        w = pcapfile.Writer(None, header=old[:24])
        self.assertEqual(w.header, old[:24])
        # precision and byte order changed, every other field kept (in the new byte order)
        w = pcapfile.Writer(None, header=old[:24], nano=True, endian="<")
        self.assertEqual(w.header, struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 3600, 3, 96, 113))
        w = pcapfile.Writer(None, header=old[:24], snaplen=262144, linktype=1)
        self.assertEqual(w.header, old[:16] + struct.pack(">II", 262144, 1))
        w = pcapfile.Writer(None, version=(2, 3), thiszone=-60, sigfigs=1)
        self.assertEqual(w.header[4:16], struct.pack("<HHiI", 2, 3, -60, 1))

    def test_path(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.pcap")
            with pcapfile.Writer(p, nano=True, linktype=pcapfile.LINKTYPE_IPV6) as w:
                w.write(5 * 10**9 + 7, b"\x60" + bytes(39))
            with pcapfile.Reader(p) as r:
                recs = list(r)
            self.assertEqual((r.nano, r.linktype, len(recs)), (True, 229, 1))
            self.assertEqual((recs[0].ts_ns, recs[0].wirelen), (5 * 10**9 + 7, 40))


class TestChecksum(unittest.TestCase):
    def test_rfc1071_example(self):
        # RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2, its checksum 220d
        data = bytes.fromhex("0001f203f4f5f6f7")
        self.assertEqual(pcapfile.ones_sum(data), 0xDDF2)
        self.assertEqual(pcapfile.inet_checksum(data), 0x220D)

    def test_ipv4_header(self):
        # 192.168.0.1 -> 192.168.0.199, UDP, total length 115, DF: checksum b861, computed by
        # hand: 4500 + 0073 + 0000 + 4000 + 4011 + c0a8 + 0001 + c0a8 + 00c7 = 2479c,
        # folded 479e, complemented b861
        hdr = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
        self.assertEqual(pcapfile.inet_checksum(hdr), 0xB861)
        full = hdr[:10] + b"\xb8\x61" + hdr[12:]
        self.assertEqual(pcapfile.inet_checksum(full), 0)
        self.assertEqual(pcapfile.ones_sum(full), 0xFFFF)

    def test_odd_length_and_buffers(self):
        self.assertEqual(pcapfile.inet_checksum(b"\x01\x02\x03"),
                         pcapfile.inet_checksum(b"\x01\x02\x03\x00"))
        self.assertEqual(pcapfile.inet_checksum(b"\x01\x02\x03"), ~0x0402 & 0xFFFF)
        data = bytes(range(1, 200))
        self.assertEqual(pcapfile.inet_checksum(bytearray(data)), pcapfile.inet_checksum(data))
        self.assertEqual(pcapfile.inet_checksum(memoryview(data)), pcapfile.inet_checksum(data))
        self.assertEqual(pcapfile.inet_checksum(b""), 0xFFFF)


if __name__ == "__main__":
    unittest.main()
