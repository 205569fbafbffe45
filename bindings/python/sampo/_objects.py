# SPDX-License-Identifier: BSD-3-Clause
"""Snapshots of libsampo state: Subflow, Session, Event, Pair, ReadResult.

They are plain frozen dataclasses, detached from the analyzer: they keep
their values after more packets are fed or the analyzer is closed.  Field
names and values follow sampo-cli's JSON output (``--format json``)."""

import dataclasses
import ipaddress
from dataclasses import dataclass, field
from typing import Optional, Tuple

from . import _sampo
from ._flows import FlowTuple, community_id, flow_tuple, iso_timestamp

_UNKNOWN_VERSION = 255


def _seconds(ns):
    return ns / 1e9


def _version(v):
    return v if v <= 1 else None


def _pair(v):
    return (v[0], v[1])


@dataclass(frozen=True)
class _Snapshot:
    def to_dict(self):
        """The fields as a dict (nested snapshots as dicts too)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Subflow(_Snapshot):
    """One TCP subflow of an MPTCP session, with its statistics.

    Pairs are (forward, reverse): forward is from the flow's source (the
    initiator when ``initiator_known``) to its destination."""

    id: int                     #: subflow id, stable while it is tracked
    flow: Optional[str]         #: "SRC:PORT-DST:PORT", as sampo_flow_format() writes it
    session: int                #: id of its session, 0 when not associated
    role: str                   #: "initial" (MP_CAPABLE), "join" (MP_JOIN) or "unknown"
    version: Optional[int]      #: MPTCP version 0 or 1, None when unknown
    method: str                 #: how it was tied to its session: "token", "key-dsn", ...
    confidence: float           #: confidence of that tie (1.0 for tokens)
    packets: Tuple[int, int]    #: packets seen (as sampled) per direction
    bytes: Tuple[int, int]      #: payload bytes per direction
    dss_packets: Tuple[int, int]  #: packets carrying a DSN mapping, per direction
    #: DSN span [lo, hi) per direction, None when no DSN was seen
    dsn: Tuple[Optional[Tuple[int, int]], Optional[Tuple[int, int]]]
    dsn_bits: Tuple[int, int]   #: 32 or 64 per direction, 0 when no DSN was seen
    addr_id: Tuple[Optional[int], Optional[int]]  #: address ids of source and destination
    first: float                #: time of the first packet, seconds
    last: float                 #: time of the last packet, seconds
    initiator_known: bool       #: a SYN was seen, so ``flow`` starts at the initiator
    backup: bool                #: backup priority (MP_JOIN B flag or MP_PRIO)
    fallback: bool              #: fell back to plain TCP
    closed: bool
    close_reason: str           #: "none", "fin", "rst", "data-fin", "fastclose", ...
    reinjections: int           #: segments also seen on a sibling subflow
    #: estimated packets and bytes on the wire per direction: each sampled packet
    #: counts for the 1-in-N rate it was sampled at
    est_packets: Tuple[int, int]
    est_bytes: Tuple[int, int]
    first_ns: int = field(repr=False)  #: ``first`` in integer nanoseconds
    last_ns: int = field(repr=False)   #: ``last`` in integer nanoseconds

    @property
    def is_initial(self):
        return self.role == "initial"

    @property
    def is_join(self):
        return self.role == "join"

    @property
    def tuple(self) -> FlowTuple:
        """(src, src_port, dst, dst_port) of ``flow``."""
        return flow_tuple(self.flow)

    @property
    def community_id(self) -> Optional[str]:
        """Community ID v1 of ``flow`` with seed 0, as sampo-cli's
        ``community_id`` (``sampo.community_id(sf, seed)`` for another
        seed); None without a flow."""
        return community_id(self.flow) if self.flow else None

    @property
    def timestamp(self) -> str:
        """``first`` as sampo-cli's ``timestamp``: ISO 8601, UTC, nanoseconds."""
        return iso_timestamp(self.first_ns)

    @property
    def total_packets(self):
        return self.packets[0] + self.packets[1]

    @property
    def total_bytes(self):
        return self.bytes[0] + self.bytes[1]

    @classmethod
    def _from_native(cls, d):
        if d["is_initial"]:
            role = "initial"
        elif d["is_join"]:
            role = "join"
        else:
            role = "unknown"
        bits = _pair(d["dsn_bits"])
        dsn = tuple((d["dsn_lo"][i], d["dsn_hi"][i]) if bits[i] else None for i in (0, 1))
        return cls(
            id=d["id"], flow=d["flow"], session=d["session"], role=role,
            version=_version(d["version"]), method=_sampo.sampo_method_name(d["method"]),
            confidence=d["confidence"], packets=_pair(d["packets"]), bytes=_pair(d["bytes"]),
            dss_packets=_pair(d["dss_packets"]), dsn=dsn, dsn_bits=bits,
            addr_id=tuple(a if a >= 0 else None for a in d["addr_id"]),
            first=_seconds(d["first_ns"]), last=_seconds(d["last_ns"]),
            initiator_known=d["initiator_known"], backup=d["backup"], fallback=d["fallback"],
            closed=d["closed"], close_reason=_sampo.sampo_close_reason_name(d["close_reason"]),
            reinjections=d["reinjections"], est_packets=_pair(d["est_packets"]),
            est_bytes=_pair(d["est_bytes"]), first_ns=d["first_ns"], last_ns=d["last_ns"])


def _cli_order(sf):
    """sampo-cli's order of the subflows of a session: initial first, then
    by first packet, flow text, id."""
    return (sf.role != "initial", sf.first_ns, sf.flow or "?", sf.id)


@dataclass(frozen=True)
class Session(_Snapshot):
    """One MPTCP session and its subflows (in sampo-cli's order)."""

    id: int
    version: Optional[int]      #: MPTCP version 0 or 1, None when unknown
    method: str                 #: weakest method that ties its subflows
    confidence: float           #: lowest confidence among those ties
    closed: bool
    close_reason: str
    first: float                #: seconds
    last: float                 #: seconds
    packets: int
    bytes: int
    est_packets: int            #: sampling-rate scaled estimates, as per subflow
    est_bytes: int
    keys_known: Tuple[bool, bool]  #: (initiator's key, listener's key) seen
    tokens: Tuple[Optional[str], Optional[str]]  #: tokens as 8 hex digits, None if unknown
    subflows: Tuple[Subflow, ...]
    first_ns: int = field(repr=False)
    last_ns: int = field(repr=False)

    @property
    def timestamp(self) -> str:
        """``first`` as sampo-cli's ``timestamp``: ISO 8601, UTC, nanoseconds."""
        return iso_timestamp(self.first_ns)

    @property
    def flows(self):
        """The subflows' flow strings, in order."""
        return [sf.flow for sf in self.subflows]

    @classmethod
    def _from_native(cls, d, subflows):
        keys = _pair(d["keys_known"])
        tokens = tuple("%08x" % d["token"][i] if d["token"][i] or keys[i] else None
                       for i in (0, 1))
        return cls(
            id=d["id"], version=_version(d["version"]),
            method=_sampo.sampo_method_name(d["method"]), confidence=d["confidence"],
            closed=d["closed"], close_reason=_sampo.sampo_close_reason_name(d["close_reason"]),
            first=_seconds(d["first_ns"]), last=_seconds(d["last_ns"]), packets=d["packets"],
            bytes=d["bytes"], est_packets=d["est_packets"], est_bytes=d["est_bytes"],
            keys_known=keys, tokens=tokens,
            subflows=tuple(sorted(subflows, key=_cli_order)),
            first_ns=d["first_ns"], last_ns=d["last_ns"])


# Which members mean something for which event type (sampo-cli's
# fmt_event.c); the others are None.
_EV_FIELDS = {
    _sampo.SAMPO_EV_SESSION_OPENED: {"session", "flow", "version"},
    _sampo.SAMPO_EV_SUBFLOW_JOINED: {"session", "other_session", "flow", "method", "backup"},
    _sampo.SAMPO_EV_VERDICT_REVISED: {"session", "flow", "peer", "method", "verdict", "old_verdict"},
    _sampo.SAMPO_EV_CONFLICT: {"session", "other_session", "flow", "peer", "method", "verdict"},
    _sampo.SAMPO_EV_SESSION_CLOSED: {"session", "reason"},
    _sampo.SAMPO_EV_ADD_ADDR: {"session", "flow", "addr", "addr_id"},
    _sampo.SAMPO_EV_REMOVE_ADDR: {"session", "flow", "addr_id"},
    _sampo.SAMPO_EV_MP_PRIO: {"session", "flow", "backup", "addr_id"},
    _sampo.SAMPO_EV_MP_FAIL: {"session", "flow", "dsn"},
    _sampo.SAMPO_EV_FALLBACK: {"session", "flow"},
    _sampo.SAMPO_EV_SUBFLOW_CLOSED: {"session", "flow", "reason"},
    _sampo.SAMPO_EV_SUBFLOW_END: {"session", "flow", "method", "reason"},
    _sampo.SAMPO_EV_SESSION_END: {"session", "method", "reason", "version"},
}
_VERDICTS = {0: "undecided", 1: "same", 2: "distinct"}


@dataclass(frozen=True)
class Event(_Snapshot):
    """One libsampo event.  Members that do not apply to the event type are
    None (the same members sampo-cli prints for it)."""

    type: str                   #: "session-opened", "subflow-joined", ...
    ts: float                   #: packet time, seconds
    session: Optional[int] = None
    other_session: Optional[int] = None  #: session merged away / in conflict
    flow: Optional[str] = None
    peer: Optional[str] = None
    method: Optional[str] = None
    confidence: Optional[float] = None
    verdict: Optional[str] = None
    old_verdict: Optional[str] = None
    reason: Optional[str] = None        #: close reason name
    version: Optional[int] = None
    addr: Optional[str] = None          #: ADD_ADDR address
    port: Optional[int] = None          #: ADD_ADDR port
    echo: Optional[bool] = None
    addr_id: Optional[int] = None
    backup: Optional[bool] = None
    dsn: Optional[int] = None           #: MP_FAIL DSN
    ts_ns: int = field(default=0, repr=False)
    code: int = field(default=0, repr=False)  #: SAMPO_EV_* value of ``type``

    @classmethod
    def _from_native(cls, d):
        code = d["type"]
        want = _EV_FIELDS.get(code, {"session", "flow"})
        kw = {}
        if "session" in want:
            kw["session"] = d["session"]
        if "other_session" in want and d["other_session"]:
            kw["other_session"] = d["other_session"]
        if "flow" in want:
            kw["flow"] = d["flow"]
        if "peer" in want:
            kw["peer"] = d["peer"]
        if "method" in want:
            kw["method"] = _sampo.sampo_method_name(d["method"])
            kw["confidence"] = d["confidence"]
        if "verdict" in want:
            kw["verdict"] = _VERDICTS.get(d["verdict"], "unknown")
        if "old_verdict" in want:
            kw["old_verdict"] = _VERDICTS.get(d["old_verdict"], "unknown")
        if "reason" in want:
            kw["reason"] = _sampo.sampo_close_reason_name(d["reason"])
        if "version" in want:
            kw["version"] = _version(d["version"])
        if "addr" in want:
            kw["addr"] = str(ipaddress.ip_address(d["addr"])) if d["addr"] else None
            kw["port"] = d["addr_port"] or None
            kw["echo"] = d["echo"]
        if "addr_id" in want:
            kw["addr_id"] = d["addr_id"]
        if "backup" in want:
            kw["backup"] = d["backup"]
        if "dsn" in want:
            kw["dsn"] = d["dsn"]
        name = _sampo.sampo_event_name(code) or "unknown"
        return cls(type=name, ts=_seconds(d["ts_ns"]), ts_ns=d["ts_ns"], code=code, **kw)


@dataclass(frozen=True)
class Pair(_Snapshot):
    """The DSN association's verdict on one pair of subflows
    (``sampo_ctx_next_pair``): only pairs the DSN analysis examined are
    listed, not token ties nor pairs whose DSN ranges are far apart."""

    subflows: Tuple[int, int]   #: subflow ids, lower first
    flows: Tuple[Optional[str], Optional[str]]  #: their flows, None once not tracked
    verdict: str                #: "same", "distinct" or "undecided"
    method: str                 #: the evidence that decided it
    confidence: float           #: confidence of the verdict
    reinjections: int           #: segments found on both at the last evaluation
    updated: float              #: packet time of the last change, seconds
    updated_ns: int = field(repr=False)

    @classmethod
    def _from_native(cls, d):
        return cls(subflows=_pair(d["subflow_id"]), flows=_pair(d["flow"]),
                   verdict=_VERDICTS.get(d["verdict"], "unknown"),
                   method=_sampo.sampo_method_name(d["method"]), confidence=d["confidence"],
                   reinjections=d["reinjections"], updated=_seconds(d["updated_ns"]),
                   updated_ns=d["updated_ns"])


@dataclass(frozen=True)
class ReadResult(_Snapshot):
    """What ``Analyzer.read_pcap()`` did (sampo-cli's counters of the same names)."""

    packets_read: int           #: records read from the file
    packets_sampled: int        #: kept by the sampler and fed
    packets_undecodable: int    #: fed but dropped (truncated, malformed, link type...)
    packets_not_tcp: int        #: fed but not TCP (or a non-first IP fragment)
    rates_clamped: int          #: sampling rates (file's x sampler's) held at 2^32 - 1
    linktype: int               #: SAMPO_LINKTYPE_* of the file
    truncated: bool             #: the file ended in the middle of a record
    error: str                  #: why it was truncated, else ""
