# SPDX-License-Identifier: BSD-3-Clause
"""Flows: "SRC:PORT-DST:PORT" strings (as sampo_flow_format() writes them,
IPv6 addresses in brackets) and (src, src_port, dst, dst_port) tuples."""

import base64
import datetime
import hashlib
import ipaddress
import struct
from collections import namedtuple

from . import _sampo
from ._errors import Error

FlowTuple = namedtuple("FlowTuple", "src src_port dst dst_port")
FlowTuple.__doc__ = """A TCP flow: addresses as strings, ports as ints."""


def flow_tuple(flow):
    """``"10.0.0.1:1000-10.0.0.2:80"`` -> ``FlowTuple("10.0.0.1", 1000, "10.0.0.2", 80)``.

    Parsed by libsampo (``sampo_flow_parse``); raises ``sampo.Error`` when
    the text is not a flow."""
    family, src, sport, dst, dport = _sampo.flow_parse(str(flow))
    return FlowTuple(str(ipaddress.ip_address(src)), sport, str(ipaddress.ip_address(dst)), dport)


def flow_string(src, src_port=None, dst=None, dst_port=None, proto=None):
    """The canonical text of a flow, as the CLI and ``Subflow.flow`` write it.

    Takes ``flow_string("10.0.0.1", 1000, "10.0.0.2", 80)``, one tuple
    ``(src, src_port, dst, dst_port)`` or a 5-tuple with the protocol last
    (6 or "tcp"), a flow string (normalised), or an object with a ``flow``
    attribute (a ``Subflow``).  Addresses may be strings, bytes (4 or 16)
    or ``ipaddress`` objects, in the same family."""
    if src_port is None and dst is None and dst_port is None:
        value = src
        if hasattr(value, "flow") and isinstance(value.flow, str):
            value = value.flow
        if isinstance(value, str):
            return _sampo.flow_format(*_sampo.flow_parse(value))
        try:
            items = tuple(value)
        except TypeError:
            raise TypeError("a flow is a 'SRC:PORT-DST:PORT' string or a "
                            "(src, src_port, dst, dst_port[, proto]) tuple, not %r"
                            % (value,)) from None
        if len(items) == 5:
            src, src_port, dst, dst_port, proto = items
        elif len(items) == 4:
            src, src_port, dst, dst_port = items
        else:
            raise TypeError("a flow tuple has 4 or 5 items, not %d" % len(items))
    if proto is not None and proto not in (6, "tcp", "TCP"):
        raise Error(_sampo.SAMPO_E_INVAL, "only TCP flows are tracked, not protocol %r" % (proto,))
    a, b = _address(src), _address(dst)
    if a.version != b.version:
        raise Error(_sampo.SAMPO_E_INVAL, "addresses of two families: %s and %s" % (a, b))
    return _sampo.flow_format(a.version, a.packed, _port(src_port), b.packed, _port(dst_port))


def _address(value):
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return value
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise Error(_sampo.SAMPO_E_INVAL, "not an IP address: %r" % (value,)) from None


def _port(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a port is an int, not %r" % (value,))
    if not 0 <= value <= 65535:
        raise Error(_sampo.SAMPO_E_INVAL, "port %d out of range 0 to 65535" % value)
    return value


def community_id(flow, seed=0):
    """The Community ID v1 of a TCP flow, as sampo-cli's ``community_id``
    (and Zeek, Suricata, Wireshark) write it: ``"1:"`` + base64 of the
    SHA-1 over seed, the ordered endpoints, protocol 6 and a pad byte
    (https://github.com/corelight/community-id-spec).

    ``flow`` is what ``flow_string()`` takes (a flow string, a tuple, a
    ``Subflow``); ``seed`` is 0..65535.  Written here with hashlib, apart
    from the CLI's libcrypto one, so that each checks the other."""
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= 65535:
        raise Error(_sampo.SAMPO_E_INVAL, "seed %r out of range 0 to 65535" % (seed,))
    _family, src, sport, dst, dport = _sampo.flow_parse(flow_string(flow))
    src, dst = bytes(src), bytes(dst)
    if (src, sport) > (dst, dport):
        src, sport, dst, dport = dst, dport, src, sport
    data = struct.pack("!H", seed) + src + dst + struct.pack("!BBHH", 6, 0, sport, dport)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")


def iso_timestamp(ns):
    """Integer nanoseconds since the epoch as sampo-cli's ``timestamp``:
    ISO 8601 in UTC with 9 decimals, ``"2013-02-25T12:56:35.701161000Z"``."""
    secs, frac = divmod(ns, 1000000000)
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % frac
