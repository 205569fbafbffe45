# SPDX-License-Identifier: BSD-3-Clause
"""pcapfile - classic pcap files read and written, and the Internet checksum.

The one copy that the project's Python scripts (tools/, tools/mptcp-lab/,
tests/) share.  Standard library only.

Reader(path or binary file): the global header (either byte order,
microsecond or nanosecond magic; pcapng is refused with a ValueError that
names its magic), then, iterated once, one Record per packet:

    with pcapfile.Reader('in.pcap') as r:
        for rec in r:                    # rec.ts_ns, rec.data, rec.wirelen
            ...                          # rec.sec, rec.frac as in the file

A record cut by the end of the file (its header or its bytes) is left out,
as libpcap does, and r.truncated says so; with strict=True it raises
ValueError instead.  r.linktype is the header's link type without the FCS
bits (the low 28 bits); r.header is the 24 header bytes as they were.

Writer(path or binary file, ...): a global header, then records.  Every
header field can be given (endian, nano, version=(major, minor), thiszone,
sigfigs, snaplen, linktype); header=BYTES (a Reader's header) supplies the
ones not given, so that a file can be rewritten with the header it had:

    with pcapfile.Writer('out.pcap', nano=True, linktype=pcapfile.LINKTYPE_ETHERNET) as w:
        w.write(ts_ns, frame)                      # wirelen = len(frame)
        w.write_raw(sec, frac, frame, wirelen)     # time fields as given

Writer(None, ...) writes nothing: w.header and w.pack(...) give the bytes.

inet_checksum(bytes): the Internet checksum (RFC 1071) of the bytes, an odd
length padded with a zero byte; ones_sum(bytes): the folded ones' complement
sum it is the complement of.
"""

import struct

MAGIC_US = 0xA1B2C3D4          # as read in the file's own byte order
MAGIC_NS = 0xA1B23C4D
MAGIC_PCAPNG = 0x0A0D0D0A      # a pcapng Section Header Block (either byte order)

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

DEFAULT_SNAPLEN = 262144

_HEADER = "IHHiIII"             # magic, version major, minor, thiszone, sigfigs, snaplen, linktype
_RECORD = "IIII"                # seconds, fraction, captured length, original length


def header_info(hdr):
    """(endian '<' or '>', nano) of a 24-byte pcap global header; ValueError when its magic
    is not a classic pcap one (pcapng named as such) or it is shorter."""
    if len(hdr) >= 4:
        magic = struct.unpack("<I", hdr[:4])[0]
        swapped = struct.unpack(">I", hdr[:4])[0]
        if magic == MAGIC_PCAPNG:
            raise ValueError("a pcapng file (magic %08x), not a classic pcap: "
                             "convert it with editcap -F pcap" % magic)
        if magic not in (MAGIC_US, MAGIC_NS) and swapped not in (MAGIC_US, MAGIC_NS):
            raise ValueError("not a pcap file (magic %08x)" % magic)
    if len(hdr) < 24:
        raise ValueError("not a pcap file (%d bytes, shorter than a pcap header)" % len(hdr))
    if magic in (MAGIC_US, MAGIC_NS):
        return "<", magic == MAGIC_NS
    return ">", swapped == MAGIC_NS


class Record:
    """One packet: ts_ns (nanoseconds), data (the captured bytes), wirelen (the original
    length), and the time fields as the file has them: sec and frac (microseconds, or
    nanoseconds in a nanosecond file)."""

    __slots__ = ("ts_ns", "data", "wirelen", "sec", "frac")

    def __init__(self, ts_ns, data, wirelen, sec, frac):
        self.ts_ns, self.data, self.wirelen, self.sec, self.frac = ts_ns, data, wirelen, sec, frac

    def __repr__(self):
        return "Record(ts_ns=%d, %d bytes, wirelen=%d)" % (self.ts_ns, len(self.data), self.wirelen)


class _File:
    """A path, opened here and closed by close() (or the with statement), or a file object,
    used as it is and left open."""

    def _open(self, src, mode):
        self._own = isinstance(src, (str, bytes)) or hasattr(src, "__fspath__")
        self._f = open(src, mode) if self._own else src

    def close(self):
        if self._own:
            self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Reader(_File):
    """A classic pcap file, read once, record by record (see the module's docstring)."""

    def __init__(self, src, strict=False):
        self._open(src, "rb")
        self.strict = strict
        self.truncated = False
        try:
            hdr = self._f.read(24)
            e, self.nano = header_info(hdr)
        except BaseException:
            self.close()
            raise
        self.header = hdr
        self.endian = e
        (_, self.version_major, self.version_minor, self.thiszone, self.sigfigs, self.snaplen,
         lt) = struct.unpack(e + _HEADER, hdr)
        self.linktype = lt & 0x0FFFFFFF
        self._rec = struct.Struct(e + _RECORD)

    def __iter__(self):
        read, unpack, nano = self._f.read, self._rec.unpack, self.nano
        while True:
            rh = read(16)
            if len(rh) < 16:
                if rh:
                    self._cut("truncated record header")
                return
            sec, frac, caplen, wirelen = unpack(rh)
            data = read(caplen)
            if len(data) < caplen:
                self._cut("truncated packet")
                return
            yield Record(sec * 1000000000 + (frac if nano else frac * 1000), data, wirelen,
                         sec, frac)

    def _cut(self, what):
        self.truncated = True
        if self.strict:
            raise ValueError(what)


class Writer(_File):
    """A classic pcap file written record by record (see the module's docstring).

    Defaults where neither an argument nor header= gives a field: little-endian, microsecond,
    version 2.4, thiszone and sigfigs 0, snaplen DEFAULT_SNAPLEN, Ethernet."""

    def __init__(self, dst, linktype=None, nano=None, endian=None, snaplen=None, header=None,
                 version=None, thiszone=None, sigfigs=None):
        fields = ["<", False, 2, 4, 0, 0, DEFAULT_SNAPLEN, LINKTYPE_ETHERNET]
        if header is not None:
            he, hnano = header_info(header)
            fields = [he, hnano] + list(struct.unpack(he + _HEADER, header[:24])[1:])
        if version is not None:
            fields[2:4] = version
        for i, v in ((0, endian), (1, nano), (4, thiszone), (5, sigfigs), (6, snaplen),
                     (7, linktype)):
            if v is not None:
                fields[i] = v
        e, self.nano = fields[0], fields[1]
        if e not in ("<", ">"):
            raise ValueError("endian must be '<' or '>', not %r" % (e,))
        self.endian = e
        self.header = struct.pack(e + _HEADER, MAGIC_NS if self.nano else MAGIC_US, *fields[2:])
        self._rec = struct.Struct(e + _RECORD)
        self._open(dst, "wb")
        if self._f is not None:
            self._f.write(self.header)

    def pack_raw(self, sec, frac, data, wirelen=None):
        """The bytes of a record with its time fields as given (frac in the file's unit)."""
        n = len(data)
        return self._rec.pack(sec, frac, n, n if wirelen is None else wirelen) + data

    def pack(self, ts_ns, data, wirelen=None):
        """The bytes of a record at ts_ns nanoseconds (cut to microseconds in a microsecond
        file); wirelen defaults to len(data)."""
        sec, ns = divmod(ts_ns, 1000000000)
        return self.pack_raw(sec, ns if self.nano else ns // 1000, data, wirelen)

    def write_raw(self, sec, frac, data, wirelen=None):
        self._f.write(self.pack_raw(sec, frac, data, wirelen))

    def write(self, ts_ns, data, wirelen=None):
        self._f.write(self.pack(ts_ns, data, wirelen))


def ones_sum(data):
    """The ones' complement sum of DATA's big-endian 16-bit words (an odd length padded with
    a zero byte), folded to 16 bits."""
    b = bytes(data)
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def inet_checksum(data):
    """The Internet checksum (RFC 1071) of DATA: the complement of ones_sum(DATA)."""
    return ~ones_sum(data) & 0xFFFF
