# SPDX-License-Identifier: BSD-3-Clause
"""sampo.Analyzer: one libsampo context with a Pythonic interface."""

import math
import os
import warnings

from . import _sampo
from ._errors import Error, FileError
from ._flows import flow_string
from ._objects import Event, Pair, ReadResult, Session, Subflow, _cli_order

_INT64_MAX = (1 << 63) - 1
_MAX_NS = (1 << 64) - 1
# The default flow hash seed: None, a random hash key for every Analyzer,
# as sampo-cli without --seed (the output never depends on it).  An int
# fixes the hash layout, for reproducible tests; 0x5a4d50 was the default
# before the hash was keyed by a random key.
DEFAULT_SEED = None


def _seconds_ns(name, value):
    """Seconds (int or float) to integer ns, as sampo-cli's --window parses them."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s: seconds as an int or float, not %r" % (name, value))
    if not math.isfinite(value) or not -9.2e9 < value < 9.2e9:
        raise Error(_sampo.SAMPO_E_RANGE, "%s=%r: not a finite number of seconds" % (name, value))
    ns = value * 1e9
    return int(math.copysign(math.floor(abs(ns) + 0.5), ns))  # llround(), as sampo-cli


def _real(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s: a number, not %r" % (name, value))
    return float(value)


def _size(name, value):
    """Bytes as an int, or a string with a K, M, G or T suffix ("64M")."""
    if isinstance(value, str):
        text = value.strip()
        shift = {"k": 10, "m": 20, "g": 30, "t": 40}.get(text[-1:].lower(), 0)
        digits = text[:-1] if shift else text
        if not digits.isdigit():
            raise Error(_sampo.SAMPO_E_INVAL,
                        "%s=%r: bytes, with an optional K, M, G or T suffix" % (name, value))
        value = int(digits) << shift
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s: bytes as an int or a string like '64M', not %r" % (name, value))
    if not 0 <= value <= _INT64_MAX:
        raise Error(_sampo.SAMPO_E_RANGE, "%s=%r: out of range" % (name, value))
    return value


def _int(name, value, lo=-(1 << 63), hi=_INT64_MAX):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s: an int, not %r" % (name, value))
    if not lo <= value <= hi:
        raise Error(_sampo.SAMPO_E_RANGE, "%s=%r: out of range [%d, %d]" % (name, value, lo, hi))
    return value


def _ts_ns(ts):
    """A packet time: int nanoseconds, or float seconds."""
    if isinstance(ts, bool):
        raise TypeError("ts: int nanoseconds or float seconds, not %r" % (ts,))
    if isinstance(ts, int):
        ns = ts
    elif isinstance(ts, float):
        if not math.isfinite(ts):
            raise Error(_sampo.SAMPO_E_INVAL, "ts=%r: not a time" % (ts,))
        ns = int(round(ts * 1e9))
    else:
        raise TypeError("ts: int nanoseconds or float seconds, not %r" % (ts,))
    if not 0 <= ns <= _MAX_NS:
        raise Error(_sampo.SAMPO_E_INVAL, "ts=%r: outside 0 to 2**64-1 ns" % (ts,))
    return ns


class Analyzer:
    """One libsampo analysis context.

    Options are those of sampo-cli, in seconds where the library takes ns;
    the defaults are sampo-cli's (``seed=N`` fixes the flow hash layout, so
    that runs, memory figures included, are reproducible; the default,
    ``seed=None``, draws a random hash key, as a flood of colliding flows
    cannot then be aimed at the table):

    ``window``          association period in seconds (0.5)
    ``min_confidence``  least confidence Φ for a join (0.99)
    ``token``           use MP_CAPABLE keys and MP_JOIN tokens (True)
    ``dsn``             use DSN evidence (True)
    ``idle_timeout``    seconds after which an idle subflow is forgotten (15)
    ``max_memory``      memory cap in bytes, 0 = none; int or "64M" (None:
                        the library's default, 1 GiB)
    ``seed``            flow hash seed (None: a random key)

    and, left at the library's defaults unless given: ``retention`` (DSN
    retention, s), ``max_subflows``, ``sampling_rate`` (1-in-N rate of
    packets that declare none, as sampo-cli --rate), ``max_segments``,
    ``max_events`` (events kept for ``events()``), ``gap_steepness``,
    ``hysteresis``, ``source_quota`` (percent of the subflow table one
    source may hold under pressure, as sampo-cli --source-quota).  A value out of range raises ``sampo.Error``.

    The native context is freed with the object, by ``close()`` or at the
    end of a ``with`` block.  An Analyzer may be used from any thread, but
    by one at a time (``read_pcap`` marks it busy while it runs without the
    GIL, and calls from other threads meanwhile raise ``sampo.Error``).
    """

    def __init__(self, window=0.5, min_confidence=0.99, token=True, dsn=True,
                 idle_timeout=15.0, max_memory=None, seed=DEFAULT_SEED, *, retention=None,
                 max_subflows=None, sampling_rate=None, max_segments=None, max_events=None,
                 gap_steepness=None, hysteresis=None, source_quota=None):
        self._ctx = None
        ctx = _sampo.Context()
        opts = [
            ("window", _sampo.SAMPO_OPT_WINDOW_NS, _seconds_ns("window", window)),
            ("min_confidence", _sampo.SAMPO_OPT_MIN_CONFIDENCE,
             _real("min_confidence", min_confidence)),
            ("token", _sampo.SAMPO_OPT_TOKEN_EVIDENCE, 1 if token else 0),
            ("dsn", _sampo.SAMPO_OPT_DSN_EVIDENCE, 1 if dsn else 0),
            ("idle_timeout", _sampo.SAMPO_OPT_IDLE_TIMEOUT_NS,
             _seconds_ns("idle_timeout", idle_timeout)),
            ("seed", _sampo.SAMPO_OPT_HASH_SEED, 0 if seed is None else _int("seed", seed)),
        ]
        if max_memory is not None:
            opts.append(("max_memory", _sampo.SAMPO_OPT_MAX_MEMORY, _size("max_memory", max_memory)))
        if retention is not None:
            opts.append(("retention", _sampo.SAMPO_OPT_RETENTION_NS,
                         _seconds_ns("retention", retention)))
        for name, opt, value in (("max_subflows", _sampo.SAMPO_OPT_MAX_SUBFLOWS, max_subflows),
                                 ("sampling_rate", _sampo.SAMPO_OPT_SAMPLING_RATE, sampling_rate),
                                 ("max_segments", _sampo.SAMPO_OPT_MAX_SEGMENTS, max_segments),
                                 ("max_events", _sampo.SAMPO_OPT_MAX_EVENTS, max_events),
                                 ("source_quota", _sampo.SAMPO_OPT_SOURCE_QUOTA, source_quota)):
            if value is not None:
                opts.append((name, opt, _int(name, value)))
        for name, opt, value in (("gap_steepness", _sampo.SAMPO_OPT_GAP_STEEPNESS, gap_steepness),
                                 ("hysteresis", _sampo.SAMPO_OPT_HYSTERESIS, hysteresis)):
            if value is not None:
                opts.append((name, opt, _real(name, value)))
        for name, opt, value in opts:
            try:
                if isinstance(value, float):
                    ctx.set_option_real(opt, value)
                else:
                    ctx.set_option(opt, value)
            except Error as e:
                raise Error(e.code, "%s: %s" % (name, e.message or e)) from None
        self._ctx = ctx

    # ---- life cycle ----------------------------------------------------

    def close(self):
        """Free the native context now.  Idempotent; any later call raises
        ``sampo.Error``."""
        if self._ctx is not None:
            self._ctx.close()  # raises while another thread reads with it
            self._ctx = None

    @property
    def closed(self):
        return self._ctx is None

    def __enter__(self):
        self._native()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        if self._ctx is None:
            return "<sampo.Analyzer closed>"
        return "<sampo.Analyzer: %d packets fed>" % self._ctx.counter(_sampo.SAMPO_CNT_PACKETS)

    def _native(self):
        if self._ctx is None:
            raise Error(_sampo.SAMPO_E_INVAL, "the analyzer is closed")
        return self._ctx

    # ---- options -------------------------------------------------------

    def options(self):
        """The context's options: {library name: value}, e.g. {"window_ns": 500000000, ...}."""
        ctx = self._native()
        out = {}
        for opt in sorted(getattr(_sampo, k) for k in dir(_sampo)
                          if k.startswith("SAMPO_OPT_") and not k.startswith("SAMPO_OPTTYPE_")):
            b = _sampo.option_bounds(opt)
            out[b["name"]] = (ctx.get_option_real(opt) if b["type"] == "real"
                              else ctx.get_option(opt))
        return out

    def set_min_confidence(self, value):
        """Change Φ; unlike the other options, allowed at any time."""
        self._native().set_option_real(_sampo.SAMPO_OPT_MIN_CONFIDENCE,
                                       _real("min_confidence", value))

    def set_source_rate(self, source_id, rate):
        """Declare that packets from ``source_id`` were sampled 1 in ``rate``."""
        self._native().set_source_rate(source_id, rate)

    # ---- input ---------------------------------------------------------

    def feed(self, data, ts, linktype=_sampo.SAMPO_LINKTYPE_ETHERNET, sampling_rate=0,
             wirelen=None, source_id=0):
        """Analyse one packet.

        ``data``: the captured bytes from the link header on (bytes,
        bytearray, memoryview); ``ts``: packet time, int nanoseconds or
        float seconds; ``linktype``: ``sampo.LINKTYPE_*``;
        ``sampling_rate``: 1 in N this packet was sampled at (0: the
        source's or the context's default); ``wirelen``: length on the
        wire (None: ``len(data)``).

        Returns 0 when the packet was decoded (MPTCP or not), or the
        negative ``SAMPO_E_*`` code telling why it was dropped
        (``sampo.strerror(code)``); dropped packets are counted, not
        errors.  Events it causes are kept for ``events()``.
        """
        if wirelen is None:
            wirelen = 0
        return self._native().feed(data, _ts_ns(ts), linktype, sampling_rate, wirelen, source_id)

    def advance(self, ts):
        """Move the context clock to ``ts`` without a packet (runs due windows)."""
        self._native().advance(_ts_ns(ts))

    def flush(self):
        """End of input: run the association once more (final verdicts)."""
        self._native().flush()

    def end(self):
        """End of input for good, as sampo-cli ends its input: every subflow
        and session still open ends (``close_reason`` "flush") and is
        recorded, so that ``sessions()`` is then exactly sampo-cli's session
        records.  The context is empty afterwards (``lookup()`` finds
        nothing); more packets start new subflows and sessions."""
        self._native().end()

    def read_pcap(self, path, sample=None, rate=None, *, filter=None, events=True, flush=True,
                  strict=False):
        """Read a pcap or pcapng file through libpcap and analyse it, in C
        and with the GIL released, exactly as ``sampo-cli`` does.

        ``sample``: None (every packet), ``"count:N"`` (packets N, 2N,
        3N, ...), ``"time:USEC"`` (the first packet of every USEC
        microseconds of packet time) or ``"prob:P[:SEED]"`` (each packet
        with probability P, deterministic for a seed, default 1): the same
        packets as ``sampo-cli --sample SPEC``, fed with the same sampling
        rate.  ``rate``: the capture was already sampled 1 in N (sampo-cli
        --rate); it must be given before the first packet, or equal the
        ``sampling_rate`` the analyzer was made with.  ``filter``: a BPF
        expression, as tcpdump takes it.  ``events``: keep the events for
        ``events()`` (False: discard them, as sampo-cli does without
        --events).  ``flush``: end of input (False to read more files into
        the same analysis).  A capture cut in the middle of a record is
        analysed up to the cut with a warning (``strict=True``: raise
        ``sampo.Error``).

        Returns a ``ReadResult`` with the packet counts.
        """
        ctx = self._native()
        if sample is not None and not isinstance(sample, str):
            raise TypeError("sample: None or a string like 'count:100', not %r" % (sample,))
        if filter is not None and not isinstance(filter, str):
            raise TypeError("filter: a BPF expression string, not %r" % (filter,))
        input_rate = 1
        if rate is not None:
            input_rate = _int("rate", rate, 1, 0xFFFFFFFF)
            try:
                ctx.set_option(_sampo.SAMPO_OPT_SAMPLING_RATE, input_rate)
            except Error as e:
                if e.code != _sampo.SAMPO_E_ACTIVE or \
                        ctx.get_option(_sampo.SAMPO_OPT_SAMPLING_RATE) != input_rate:
                    raise Error(e.code, "rate: %s" % (e.message or e)) from None
        try:
            d = ctx.read_pcap(path, sample, input_rate, filter, 1 if events else 0,
                              1 if flush else 0)
        except FileError as e:
            e.filename = os.fspath(path)
            raise
        result = ReadResult(**d)
        if result.truncated:
            if strict:
                raise Error(_sampo.SAMPO_E_TRUNCATED, result.error)
            warnings.warn(result.error, RuntimeWarning, stacklevel=2)
        return result

    # ---- output --------------------------------------------------------

    def events(self):
        """Iterate over the pending events, oldest first, removing them."""
        ctx = self._native()
        while True:
            d = ctx.next_event()
            if d is None:
                return
            yield Event._from_native(d)

    @property
    def pending_events(self):
        """Number of events waiting for ``events()``."""
        return self._native().pending_events()

    def _subflows(self, session_id):
        ctx = self._native()
        out = []
        cursor = 0
        while True:
            r = ctx.next_subflow(session_id, cursor)
            if r is None:
                return out
            cursor, d = r
            out.append(Subflow._from_native(d))

    def _session(self, d):
        """An open session: its tracked subflows and those that ended in it."""
        subs = self._subflows(d["id"])
        subs += [Subflow._from_native(x) for x in self._native().ended_of(d["id"])]
        return Session._from_native(d, sorted(subs, key=_cli_order))

    def _ended(self):
        return [Session._from_native(d, sorted((Subflow._from_native(x) for x in subs),
                                               key=_cli_order))
                for d, subs in self._native().ended_sessions()]

    def sessions(self):
        """Every session the input held, by id, each with all its subflows
        (list of ``Session``): those still open in the context, and those
        that ended (closed and idle, timed out, evicted), with the final
        records of their subflows, as sampo-cli reports them.  The ended
        ones are kept until ``clear_ended()``."""
        ctx = self._native()
        out = self._ended()
        cursor = 0
        while True:
            r = ctx.next_session(cursor)
            if r is None:
                return sorted(out, key=lambda s: s.id)
            cursor, d = r
            out.append(self._session(d))

    def session(self, session_id):
        """The ``Session`` of that id (open or ended), or None."""
        d = self._native().session(session_id)
        if d is not None:
            return self._session(d)
        for s in self._ended():
            if s.id == session_id:
                return s
        return None

    def clear_ended(self):
        """Forget the records of the sessions and subflows that ended so far
        (``sessions()`` keeps them otherwise: memory grows with the input)."""
        self._native().clear_ended()

    def lookup(self, flow):
        """The ``Subflow`` of ``flow`` (either orientation; a string or a
        tuple, see ``sampo.flow_string``), or None when it is not a tracked
        MPTCP subflow."""
        d = self._native().lookup(flow_string(flow))
        return None if d is None else Subflow._from_native(d)

    def session_of(self, flow):
        """The ``Session`` the connection ``flow`` belongs to, or None
        (unknown flow, or a subflow not associated with a session)."""
        sf = self.lookup(flow)
        if sf is None or sf.session == 0:
            return None
        return self.session(sf.session)

    def subflows(self):
        """Every tracked subflow, associated or not, by id (list of ``Subflow``)."""
        return self._subflows(0)

    def unassociated(self):
        """Subflows that belong to no session, tracked or ended, in sampo-cli's order."""
        ended = [Subflow._from_native(x) for x in self._native().ended_unassociated()]
        return sorted([sf for sf in self._subflows(0) if sf.session == 0] + ended, key=_cli_order)

    def pairs(self):
        """The pair verdicts of the last association run, by subflow ids
        (list of ``Pair``)."""
        ctx = self._native()
        out = []
        cursor = 0
        while True:
            r = ctx.next_pair(cursor)
            if r is None:
                return out
            cursor, d = r
            out.append(Pair._from_native(d))

    def counters(self):
        """Every library counter: {name: value} ("packets", "tcp_mptcp", ...).
        ``events_dropped`` also counts events dropped because more than
        ``max_events`` were waiting for ``events()``."""
        ctx = self._native()
        c = ctx.counters()
        c["events_dropped"] += ctx.events_dropped()
        return c

    # ---- pandas --------------------------------------------------------

    def sessions_frame(self):
        """A pandas DataFrame, one row per session."""
        pd = _pandas()
        cols = ["session", "version", "method", "confidence", "closed", "close_reason",
                "first", "last", "packets", "bytes", "n_subflows", "token_initiator",
                "token_listener", "key_initiator", "key_listener"]
        rows = [(s.id, s.version, s.method, s.confidence, s.closed, s.close_reason, s.first,
                 s.last, s.packets, s.bytes, len(s.subflows), s.tokens[0], s.tokens[1],
                 s.keys_known[0], s.keys_known[1]) for s in self.sessions()]
        df = pd.DataFrame.from_records(rows, columns=cols)
        df["version"] = df["version"].astype("Int64")
        return df

    def subflows_frame(self, unassociated=True):
        """A pandas DataFrame, one row per subflow, with its ``session`` id
        (0 for the unassociated ones, included unless ``unassociated=False``);
        per-direction statistics are split into ``_fwd`` and ``_rev`` columns."""
        pd = _pandas()
        subs = [sf for s in self.sessions() for sf in s.subflows]
        if unassociated:
            subs += self.unassociated()
        cols = ["session", "subflow", "flow", "src", "src_port", "dst", "dst_port", "role",
                "version", "method", "confidence", "packets_fwd", "packets_rev", "bytes_fwd",
                "bytes_rev", "dss_packets_fwd", "dss_packets_rev", "dsn_lo_fwd", "dsn_hi_fwd",
                "dsn_lo_rev", "dsn_hi_rev", "dsn_bits_fwd", "dsn_bits_rev", "addr_id_src",
                "addr_id_dst", "first", "last", "initiator_known", "backup", "fallback",
                "closed", "close_reason", "reinjections"]
        rows = []
        for sf in subs:
            t = sf.tuple if sf.flow else (None, None, None, None)
            dsn = [sf.dsn[i] or (None, None) for i in (0, 1)]
            rows.append((sf.session, sf.id, sf.flow, t[0], t[1], t[2], t[3], sf.role, sf.version,
                         sf.method, sf.confidence, sf.packets[0], sf.packets[1], sf.bytes[0],
                         sf.bytes[1], sf.dss_packets[0], sf.dss_packets[1], dsn[0][0], dsn[0][1],
                         dsn[1][0], dsn[1][1], sf.dsn_bits[0], sf.dsn_bits[1], sf.addr_id[0],
                         sf.addr_id[1], sf.first, sf.last, sf.initiator_known, sf.backup,
                         sf.fallback, sf.closed, sf.close_reason, sf.reinjections))
        df = pd.DataFrame.from_records(rows, columns=cols)
        for c in ("version", "addr_id_src", "addr_id_dst"):
            df[c] = df[c].astype("Int64")
        for c in ("dsn_lo_fwd", "dsn_hi_fwd", "dsn_lo_rev", "dsn_hi_rev"):
            df[c] = df[c].astype("object")  # 64-bit DSNs overflow int64
        return df


def _pandas():
    try:
        import pandas
    except ImportError as e:
        raise ImportError(
            "sampo: sessions_frame() and subflows_frame() need pandas, which is not "
            "installed (Debian: apt-get install python3-pandas)") from e
    return pandas
