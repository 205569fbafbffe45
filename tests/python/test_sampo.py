# SPDX-License-Identifier: BSD-3-Clause
"""Tests of the Python bindings (bindings/python), run by CTest (label
"python") with the package on PYTHONPATH:

    PYTHONPATH=build/python SAMPO_CLI=build/bin/sampo-cli \\
        /usr/bin/python3 -m unittest -v test_sampo          # from tests/python

Environment: SAMPO_CLI (sampo-cli, for the parity tests; skipped without
it), SAMPO_DATA_DIR (default: the repository's data/), SAMPO_NOTEBOOK
(default: examples/notebooks/sampling.ipynb).

CTest runs each class through tests/common/run-unittest.py, which exits with
77 when a test was skipped (sampo-cli, pandas, jupyter-nbconvert, ipykernel or
matplotlib missing): CTest reports it as skipped, and scripts/run-tests.sh
(CI) fails on it.  scripts/install-deps.sh installs everything they need.
"""

import gc
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import warnings

import sampo

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pcapfile  # noqa: E402  (tools/pcapfile.py)

DATA = os.environ.get("SAMPO_DATA_DIR") or os.path.join(ROOT, "data")
PCAPS = sorted(glob.glob(os.path.join(DATA, "pcaps", "*.pcap")))
LAB = os.path.join(DATA, "pcaps", "lab-v1-paper.pcap")
PARITY_SEED = 0x5A4D50  # a fixed hash seed where memory gauges are compared
V0 = os.path.join(DATA, "pcaps", "mptcp-v0.pcap")
CLI = os.environ.get("SAMPO_CLI") or os.path.join(ROOT, "build", "bin", "sampo-cli")
NOTEBOOK = os.environ.get("SAMPO_NOTEBOOK") or os.path.join(
    ROOT, "examples", "notebooks", "sampling.ipynb")


def have_cli():
    return os.access(CLI, os.X_OK)


# ---- sampo-cli's JSON, and the same view of the Python objects -------------

def fmt_real(v):
    """sampo-cli's fmt_real() (writer.c)."""
    if v != v or v in (float("inf"), float("-inf")):
        return "null"
    if v == 0.0:
        return "0.0"
    if v == 1.0:
        return "1.0"
    if abs(1.0 - v) < 1e-6:
        return "%.17g" % v
    return "%.6g" % v


def fmt_ts(ns):
    return "%d.%09d" % (ns // 1000000000, ns % 1000000000)


def run_cli(path, *args, bpf=None):
    """sampo-cli --format json: (sessions, unassociated, counters), floats
    kept as the text the CLI wrote."""
    cmd = [CLI, "--format", "json", "--no-progress", "-q"] + list(args) + [path]
    if bpf:
        cmd.append(bpf)
    out = subprocess.run(cmd,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    sessions, unassoc, counters = [], [], None
    for line in out.splitlines():
        obj = json.loads(line, parse_float=str)
        if obj["type"] == "session":
            sessions.append(obj)
        elif obj["type"] == "unassociated":
            unassoc += obj["subflows"]  # one record per subflow as it ends
        elif obj["type"] == "counters":
            counters = obj
    # Records come as sessions end; Python lists them by id.
    sessions.sort(key=lambda o: o["id"])
    unassoc.sort(key=lambda o: o["id"])
    return sessions, unassoc, counters


def sf_view(sf):
    return {
        "id": sf.id, "flow": sf.flow, "community_id": sf.community_id, "role": sf.role,
        "version": sf.version, "timestamp": sf.timestamp,
        "method": sf.method, "confidence": fmt_real(sf.confidence),
        "packets": list(sf.packets), "bytes": list(sf.bytes),
        "est_packets": list(sf.est_packets), "est_bytes": list(sf.est_bytes),
        "dss_packets": list(sf.dss_packets),
        "dsn": [list(d) if d else None for d in sf.dsn], "dsn_bits": list(sf.dsn_bits),
        "addr_id": list(sf.addr_id), "first": fmt_ts(sf.first_ns), "last": fmt_ts(sf.last_ns),
        "initiator_known": sf.initiator_known, "backup": sf.backup, "fallback": sf.fallback,
        "closed": sf.closed, "close_reason": sf.close_reason, "reinjections": sf.reinjections,
    }


def session_view(s):
    return {
        "type": "session", "id": s.id, "version": s.version, "method": s.method,
        "confidence": fmt_real(s.confidence), "closed": s.closed,
        "close_reason": s.close_reason, "timestamp": s.timestamp,
        "first": fmt_ts(s.first_ns), "last": fmt_ts(s.last_ns),
        "packets": s.packets, "bytes": s.bytes, "est_packets": s.est_packets,
        "est_bytes": s.est_bytes, "keys_known": list(s.keys_known),
        "tokens": list(s.tokens), "subflows": [sf_view(sf) for sf in s.subflows],
    }


def read_records(path):
    """(linktype, [(ts_ns, data, wirelen)]) of a classic pcap (tools/pcapfile.py)."""
    with pcapfile.Reader(path) as r:
        return r.linktype, [(rec.ts_ns, rec.data, rec.wirelen) for rec in r]


Event_fields = [f for f in sampo.Event.__dataclass_fields__
                if f not in ("type", "ts", "ts_ns", "code")]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---- the API -------------------------------------------------------------------

class TestApi(unittest.TestCase):
    def test_module(self):
        self.assertEqual(sampo.__version__, sampo.version())
        self.assertRegex(sampo.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(sampo.E_RANGE, -4)
        self.assertEqual(sampo.strerror(sampo.E_RANGE), "value out of range")
        self.assertEqual(sampo.LINKTYPE_ETHERNET, 1)
        names = sampo.counter_names()
        self.assertIn("packets", names)
        self.assertIn("mem_peak", names)
        self.assertEqual(sampo.counter_description("packets"), "packets fed")
        b = sampo.option_bounds(sampo._sampo.SAMPO_OPT_WINDOW_NS)
        self.assertEqual((b["name"], b["type"], b["default"]), ("window_ns", "int", 500000000))

    def test_options(self):
        with sampo.Analyzer(window=1.25, min_confidence=0.5, token=False, idle_timeout=30,
                            max_memory="1M", seed=7, retention=3, max_events=10,
                            hysteresis=0.1) as a:
            o = a.options()
            self.assertEqual(o["window_ns"], 1250000000)
            self.assertEqual(o["min_confidence"], 0.5)
            self.assertEqual(o["token_evidence"], 0)
            self.assertEqual(o["dsn_evidence"], 1)
            self.assertEqual(o["idle_timeout_ns"], 30000000000)
            self.assertEqual(o["max_memory"], 1 << 20)
            self.assertEqual(o["hash_seed"], 7)
            self.assertEqual(o["retention_ns"], 3000000000)
            self.assertEqual(o["max_events"], 10)
            self.assertEqual(o["hysteresis"], 0.1)
        # a random hash key by default (the library's 0), as sampo-cli's
        self.assertIsNone(sampo.DEFAULT_SEED)
        self.assertEqual(sampo.Analyzer().options()["hash_seed"], 0)

    def test_read_and_query(self):
        with sampo.Analyzer() as a:
            r = a.read_pcap(V0)
            self.assertEqual((r.packets_read, r.packets_sampled), (264, 264))
            self.assertFalse(r.truncated)
            sessions = a.sessions()
            self.assertEqual(len(sessions), 1)
            s = sessions[0]
            self.assertEqual((s.id, s.version, s.method, s.confidence), (1, 0, "token", 1.0))
            self.assertEqual(s.tokens[0], "af9706eb")  # data/pcaps/README.md
            self.assertEqual([sf.role for sf in s.subflows], ["initial", "join"])
            flow = s.subflows[1].flow
            self.assertEqual(flow, "10.2.1.2:41221-10.1.2.2:22")
            # session_of: either orientation, string or tuple, 4 or 5 items
            for f in (flow, "10.1.2.2:22-10.2.1.2:41221", ("10.2.1.2", 41221, "10.1.2.2", 22),
                      ("10.1.2.2", 22, "10.2.1.2", 41221, "tcp"), s.subflows[1]):
                self.assertEqual(a.session_of(f).id, 1, f)
            self.assertIsNone(a.session_of("10.9.9.9:1-10.9.9.8:2"))
            self.assertIsNone(a.lookup("10.9.9.9:1-10.9.9.8:2"))
            self.assertEqual(a.lookup(flow).packets, s.subflows[1].packets)
            self.assertEqual(a.session(1), s)
            self.assertIsNone(a.session(99))
            self.assertEqual(a.unassociated(), [])
            self.assertEqual(len(a.subflows()), 2)
            self.assertEqual(s.subflows[1].tuple, ("10.2.1.2", 41221, "10.1.2.2", 22))
            c = a.counters()
            self.assertEqual(list(c), sampo.counter_names())
            self.assertEqual(c["packets"], 264)
            self.assertIsInstance(s.to_dict()["subflows"][0]["packets"], tuple)

    def test_events(self):
        with sampo.Analyzer() as a:
            a.read_pcap(V0)
            self.assertGreater(a.pending_events, 0)
            evs = list(a.events())
            self.assertEqual(a.pending_events, 0)
            self.assertEqual(list(a.events()), [])
            types = [e.type for e in evs]
            self.assertEqual(types[0], "session-opened")
            self.assertIn("subflow-joined", types)
            self.assertIn("session-closed", types)
            j = evs[types.index("subflow-joined")]
            self.assertEqual((j.session, j.method, j.confidence), (1, "token", 1.0))
            self.assertEqual(j.flow, "10.2.1.2:41221-10.1.2.2:22")
            self.assertIsNone(j.reason)
            add = evs[types.index("add-addr")]
            self.assertEqual(add.addr, "10.1.2.2")
            self.assertEqual(sorted(e.ts_ns for e in evs), [e.ts_ns for e in evs])
            self.assertEqual(sum(1 for _ in evs), a.counters()["events"])
        with sampo.Analyzer() as a:
            a.read_pcap(V0, events=False)
            self.assertEqual(list(a.events()), [])
            self.assertGreater(a.counters()["events"], 0)

    def test_event_queue_cap(self):
        with sampo.Analyzer(max_events=2) as a:
            a.read_pcap(V0)
            self.assertEqual(len(list(a.events())), 2)
            c = a.counters()
            self.assertEqual(c["events_dropped"], c["events"] - 2)

    def test_pairs(self):
        with sampo.Analyzer(token=False) as a:
            a.read_pcap(LAB, sample="count:30")
            pairs = a.pairs()
            self.assertTrue(pairs)
            for p in pairs:
                self.assertLess(p.subflows[0], p.subflows[1])
                self.assertIn(p.verdict, ("same", "distinct", "undecided"))
                self.assertTrue(0.0 <= p.confidence <= 1.0)
                for sid, flow in zip(p.subflows, p.flows):
                    if flow is not None:
                        self.assertEqual(a.lookup(flow).id, sid)
            self.assertEqual(pairs, sorted(pairs, key=lambda p: p.subflows))

    def test_feed_equals_read_pcap(self):
        """Packets fed one by one from Python give what read_pcap gives."""
        for path in (V0, LAB):
            linktype, recs = read_records(path)
            # the same hash layout: the memory gauges are compared too
            with sampo.Analyzer(seed=PARITY_SEED) as a, sampo.Analyzer(seed=PARITY_SEED) as b:
                for ts, data, wirelen in recs:
                    a.feed(data, ts, linktype=linktype, wirelen=wirelen)
                a.flush()
                b.read_pcap(path)
                self.assertEqual(a.sessions(), b.sessions())
                self.assertEqual(a.counters(), b.counters())
                self.assertEqual(list(a.events()), list(b.events()))

    def test_feed_values(self):
        _, recs = read_records(V0)
        with sampo.Analyzer() as a:
            ts, data, _ = recs[0]
            self.assertEqual(a.feed(data, ts / 1e9), sampo.OK)   # float seconds
            self.assertEqual(a.feed(bytearray(data), ts + 1), sampo.OK)
            self.assertEqual(a.feed(memoryview(data), ts + 2), sampo.OK)
            self.assertEqual(a.feed(data[:20], ts + 3), sampo.E_TRUNCATED)
            self.assertEqual(a.feed(data, ts + 4, linktype=999), sampo.E_LINKTYPE)
            self.assertEqual(a.counters()["packets"], 5)
            a.advance(ts + 10**9)
            with self.assertRaises(sampo.Error) as cm:
                a.advance(ts)
            self.assertEqual(cm.exception.code, sampo.E_TSBACK)
            with self.assertRaises(TypeError):
                a.feed("text", ts)
            with self.assertRaises(sampo.Error):
                a.feed(data, -1)

    def test_flows(self):
        self.assertEqual(sampo.flow_string("10.0.0.1", 1, "10.0.0.2", 2), "10.0.0.1:1-10.0.0.2:2")
        six = "[2001:db8::1]:80-[2001:db8::2]:443"
        self.assertEqual(sampo.flow_string(("2001:db8::1", 80, "2001:db8::2", 443)), six)
        self.assertEqual(sampo.flow_string(*sampo.flow_tuple(six)), six)
        self.assertEqual(sampo.flow_string(six), six)
        self.assertEqual(sampo.flow_tuple(six).dst_port, 443)
        with self.assertRaises(sampo.Error):
            sampo.flow_string("10.0.0.1", 1, "2001:db8::2", 2)
        with self.assertRaises(sampo.Error):
            sampo.flow_string(("10.0.0.1", 1, "10.0.0.2", 2, 17))
        with self.assertRaises(sampo.Error):
            sampo.flow_tuple("nonsense")

    def test_key_token(self):
        token, idsn = sampo.key_token(1, 1)
        self.assertIsInstance(token, int)
        self.assertLess(token, 1 << 32)
        self.assertNotEqual(sampo.key_token(1, 0), (token, idsn))

    def test_close(self):
        a = sampo.Analyzer()
        a.read_pcap(V0)
        s = a.sessions()
        a.close()
        a.close()
        self.assertTrue(a.closed)
        self.assertEqual(s[0].id, 1)  # snapshots outlive the analyzer
        for call in (a.sessions, a.counters, lambda: a.read_pcap(V0), lambda: list(a.events())):
            with self.assertRaises(sampo.Error):
                call()
        ctx = sampo._sampo.Context()
        ctx.close()
        with self.assertRaises(sampo.Error) as cm:
            ctx.counters()
        self.assertIn("closed", str(cm.exception))

    def test_threads(self):
        """read_pcap releases the GIL: distinct analyzers run in parallel
        with the same results, and a busy analyzer refuses other calls."""
        with sampo.Analyzer() as ref:
            ref.read_pcap(LAB)
            want = ref.sessions()
        got = [None] * 4

        def work(i):
            with sampo.Analyzer() as a:
                a.read_pcap(LAB)
                got[i] = a.sessions()

        ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(got, [want] * 4)

        a = sampo.Analyzer()
        t = threading.Thread(target=a.read_pcap, args=(LAB,))
        busy = 0
        t.start()
        while t.is_alive():
            try:
                a.counters()
            except sampo.Error as e:
                self.assertIn("in use by another thread", e.message)
                busy += 1
        t.join()
        self.assertEqual(a.sessions(), want)
        a.close()


# ---- errors --------------------------------------------------------------------

class TestErrors(unittest.TestCase):
    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(sampo.Error) as cm:
            fn(*args, **kw)
        e = cm.exception
        self.assertEqual(e.code, code, str(e))
        self.assertTrue(str(e).startswith(sampo.strerror(code)), str(e))
        return e

    def test_bad_options(self):
        e = self.assertError(sampo.E_RANGE, sampo.Analyzer, window=-1)
        self.assertIn("window", e.message)
        self.assertEqual(e.name, "RANGE")
        self.assertError(sampo.E_RANGE, sampo.Analyzer, window=float("nan"))
        self.assertError(sampo.E_RANGE, sampo.Analyzer, min_confidence=1.5)
        self.assertError(sampo.E_RANGE, sampo.Analyzer, idle_timeout=0)
        self.assertError(sampo.E_RANGE, sampo.Analyzer, max_memory=1000)   # below 64 KiB
        self.assertError(sampo.E_INVAL, sampo.Analyzer, max_memory="lots")
        self.assertError(sampo.E_RANGE, sampo.Analyzer, max_events=0)
        self.assertError(sampo.E_RANGE, sampo.Analyzer, sampling_rate=0)
        with self.assertRaises(TypeError):
            sampo.Analyzer(window="fast")

    def test_active(self):
        with sampo.Analyzer() as a:
            a.read_pcap(V0)
            self.assertError(sampo.E_ACTIVE, a._native().set_option,
                             sampo._sampo.SAMPO_OPT_WINDOW_NS, 10**9)
            self.assertError(sampo.E_ACTIVE, a.read_pcap, V0, rate=10)
            a.set_min_confidence(0.5)  # allowed at any time
            self.assertError(sampo.E_RANGE, a.set_min_confidence, 2.0)

    def test_bad_sample(self):
        with sampo.Analyzer() as a:
            for spec in ("count:0", "count:-1", "count:x", "time:0", "prob:0", "prob:1.5",
                         "prob:0.5:x", "every:2", "count:4294967296"):
                e = self.assertError(sampo.E_INVAL, a.read_pcap, V0, sample=spec)
                self.assertTrue(e.message, spec)
            self.assertError(sampo.E_RANGE, a.read_pcap, V0, rate=0)
            self.assertEqual(a.counters()["packets"], 0)

    def test_missing_file(self):
        with sampo.Analyzer() as a:
            path = os.path.join(tempfile.gettempdir(), "sampo-no-such-file.pcap")
            e = self.assertError(sampo.E_INVAL, a.read_pcap, path)
            self.assertIsInstance(e, OSError)
            self.assertIsInstance(e, sampo.FileError)
            self.assertEqual(e.errno, 2)
            self.assertEqual(e.filename, path)
            self.assertIn("No such file", str(e))
            e = self.assertError(sampo.E_INVAL, a.read_pcap, tempfile.gettempdir())
            self.assertIsInstance(e, OSError)

    def test_corrupt_file(self):
        with tempfile.TemporaryDirectory() as d, sampo.Analyzer() as a:
            bad = os.path.join(d, "bad.pcap")
            with open(bad, "wb") as f:
                f.write(b"this is not a capture file at all, not even close" * 10)
            e = self.assertError(sampo.E_MALFORMED, a.read_pcap, bad)
            self.assertNotIsInstance(e, OSError)
            empty = os.path.join(d, "empty.pcap")
            open(empty, "wb").close()
            self.assertError(sampo.E_MALFORMED, a.read_pcap, empty)

    def test_truncated_file(self):
        with tempfile.TemporaryDirectory() as d:
            cut = os.path.join(d, "cut.pcap")
            with open(V0, "rb") as f:
                data = f.read()
            with open(cut, "wb") as f:
                f.write(data[:len(data) // 2 + 7])
            with sampo.Analyzer() as a, warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                r = a.read_pcap(cut)
                self.assertTrue(r.truncated)
                self.assertIn("truncated capture", r.error)
                self.assertEqual(len(w), 1)
                self.assertGreater(r.packets_read, 0)
                self.assertEqual(len(a.sessions()), 1)
            with sampo.Analyzer() as a:
                self.assertError(sampo.E_TRUNCATED, a.read_pcap, cut, strict=True)

    def test_unsupported_linktype(self):
        with tempfile.TemporaryDirectory() as d, sampo.Analyzer() as a:
            p = os.path.join(d, "usb.pcap")
            pcapfile.Writer(p, snaplen=65535, linktype=189).close()
            e = self.assertError(sampo.E_LINKTYPE, a.read_pcap, p)
            self.assertIn("unsupported link type", e.message)

    def test_bad_filter(self):
        with sampo.Analyzer() as a:
            e = self.assertError(sampo.E_INVAL, a.read_pcap, V0, filter="port (((")
            self.assertIn("filter", e.message)
            r = a.read_pcap(V0, filter="port 22 and host 10.1.2.2")
            self.assertEqual(r.packets_read, 74)

    def test_bad_flow(self):
        with sampo.Analyzer() as a:
            self.assertError(sampo.E_INVAL, a.session_of, "10.0.0.1-10.0.0.2")
            with self.assertRaises(TypeError):
                a.session_of(42)


# ---- the same results as sampo-cli ------------------------------------------------

class CliCompare:
    def compare(self, path, cli_args=(), sample=None, rate=None, bpf=None, **kw):
        # Both draw a random hash key by default; the memory gauges compared
        # below follow the hash layout, so both get the same seed.
        if "seed" not in kw:
            kw["seed"] = PARITY_SEED
            cli_args = tuple(cli_args) + ("--seed", str(PARITY_SEED))
        sessions, unassoc, counters = run_cli(path, *cli_args, bpf=bpf)
        with sampo.Analyzer(**kw) as a:
            r = a.read_pcap(path, sample=sample, rate=rate, filter=bpf, events=False)
            # What sampo-cli does at the end of its input: every open
            # session ends and is recorded; sessions() then holds them all.
            a.end()
            got = [session_view(s) for s in a.sessions()]
            self.assertEqual(len(got), len(sessions), path)
            for g, w in zip(got, sessions):
                self.assertEqual(g, w, "%s: session %s" % (path, w["id"]))
            self.assertEqual(sorted((sf_view(sf) for sf in a.unassociated()),
                                    key=lambda v: v["id"]), unassoc, path)
            c = a.counters()
            for name in sampo.counter_names():
                self.assertEqual(c[name], counters[name], "%s: counter %s" % (path, name))
            for name in ("packets_read", "packets_sampled", "packets_undecodable",
                         "packets_not_tcp", "rates_clamped"):
                self.assertEqual(getattr(r, name), counters[name], "%s: %s" % (path, name))
        return sessions


@unittest.skipUnless(have_cli(), "sampo-cli not found (set SAMPO_CLI)")
class TestCliParity(CliCompare, unittest.TestCase):
    """On every capture, the same sessions, subflows and counters as sampo-cli."""

    def test_rates_clamped(self):
        """1 in 10^9 times 1 in 100 is held at 2^32 - 1, counted as sampo-cli counts it."""
        path = os.path.join(DATA, "pcaps", "lab-v1-paper.pcap")
        self.compare(path, sample="count:100", rate=1000000000,
                     cli_args=("--sample", "count:100", "--rate", "1000000000"))
        with sampo.Analyzer() as a:
            r = a.read_pcap(path, sample="count:100", rate=1000000000, events=False)
            self.assertEqual(r.rates_clamped, r.packets_sampled)
            self.assertGreater(r.rates_clamped, 0)

    def test_all_captures(self):
        self.assertGreater(len(PCAPS), 1)
        for path in PCAPS:
            with self.subTest(capture=os.path.basename(path)):
                self.compare(path)

    def test_all_captures_no_token(self):
        for path in PCAPS:
            with self.subTest(capture=os.path.basename(path)):
                self.compare(path, ["--no-token"], token=False)

    def test_events(self):
        """The events are those of sampo-cli --events, member for member."""
        for path in PCAPS:
            out = subprocess.run([CLI, "--format", "json", "--no-progress", "-q", "--events",
                                  path], check=True, stdout=subprocess.PIPE, text=True).stdout
            want = [json.loads(l, parse_float=str) for l in out.splitlines()]
            want = [e for e in want if e["type"] == "event"]
            with sampo.Analyzer() as a:
                a.read_pcap(path)
                a.end()  # sampo-cli ends its input: the end-of-life events
                got = list(a.events())
            self.assertEqual(len(got), len(want), path)
            for g, w in zip(got, want):
                self.assertEqual(g.type, w["event"], path)
                self.assertEqual(fmt_ts(g.ts_ns), w["ts"], path)
                keys = set(w) - {"type", "event", "ts", "reason_code"}
                present = {k for k in Event_fields if getattr(g, k) is not None}
                self.assertLessEqual(present, keys, (path, w))
                for k in keys:
                    v = getattr(g, k)
                    self.assertEqual(fmt_real(v) if k == "confidence" else v, w[k], (path, k, w))

    def test_options(self):
        self.compare(LAB, ["--window", "0.2", "--idle-timeout", "3", "--min-confidence", "0.5",
                           "--max-memory", "256K", "--seed", "99"],
                     window=0.2, idle_timeout=3, min_confidence=0.5, max_memory="256K", seed=99)

    def test_lab_has_sessions(self):
        sessions = self.compare(LAB)
        self.assertGreaterEqual(len(sessions), 10)


@unittest.skipUnless(have_cli(), "sampo-cli not found (set SAMPO_CLI)")
class TestSampling(CliCompare, unittest.TestCase):
    """--sample count/time/prob and --rate select and weigh the same packets."""

    def test_specs(self):
        for spec in ("count:1", "count:10", "count:1000", "time:1000", "time:100000",
                     "prob:0.1", "prob:0.02:7", "prob:1", "count:0x10"):
            with self.subTest(sample=spec):
                self.compare(LAB, ["--sample", spec], sample=spec)
                self.compare(LAB, ["--sample", spec, "--no-token"], sample=spec, token=False)

    def test_rate(self):
        self.compare(LAB, ["--rate", "8"], rate=8)
        self.compare(LAB, ["--rate", "8", "--sample", "count:10"], sample="count:10", rate=8)
        self.compare(LAB, ["--rate", "3", "--sample", "time:2000"], sample="time:2000", rate=3)
        self.compare(LAB, ["--rate", "8"], sampling_rate=8)

    def test_counts(self):
        with sampo.Analyzer() as a:
            r = a.read_pcap(LAB, sample="count:100")
        _, _, counters = run_cli(LAB)
        self.assertEqual(r.packets_read, counters["packets_read"])
        self.assertEqual(r.packets_sampled, counters["packets_read"] // 100)

    def test_filter(self):
        self.compare(LAB, ["--sample", "count:3"], sample="count:3", bpf="port 5201")


# ---- memory ----------------------------------------------------------------------

class TestMemory(unittest.TestCase):
    def growth(self, fn, warmup, rounds):
        """RSS growth over `rounds` calls of fn, after `warmup` calls: the
        smaller of two consecutive windows, so that a one-off growth (the
        allocator settling) is not taken for a leak, which grows in both."""
        for _ in range(warmup):
            fn()
        grown = []
        for _ in range(2):
            gc.collect()
            before = rss_bytes()
            for _ in range(rounds):
                fn()
            gc.collect()
            grown.append(rss_bytes() - before)
        return min(grown)

    def test_create_destroy(self):
        def cycle():
            for _ in range(1000):
                a = sampo.Analyzer()
                a.close()
                ctx = sampo._sampo.Context()
                del ctx
                with sampo.Analyzer(seed=None):
                    pass
        grown = self.growth(cycle, 2, 10)  # 10,000 cycles of each kind
        self.assertLess(grown, 1 << 20, "RSS grew by %d bytes" % grown)

    def test_repeated_reads(self):
        def small():
            for _ in range(20):
                with sampo.Analyzer() as a:
                    a.read_pcap(V0, sample="prob:0.5")
                    a.sessions()
                    list(a.events())
                    a.counters()
                a = sampo.Analyzer()
                a.read_pcap(V0)   # not drained, not closed: freed with the object
                del a
        grown = self.growth(small, 3, 20)
        self.assertLess(grown, 1 << 20, "RSS grew by %d bytes" % grown)

        def big():
            with sampo.Analyzer() as a:
                a.read_pcap(LAB)
                a.sessions_frame() if _have_pandas() else a.sessions()
        grown = self.growth(big, 2, 8)
        self.assertLess(grown, 4 << 20, "RSS grew by %d bytes" % grown)

    def test_errors_do_not_leak(self):
        def errors():
            for _ in range(500):
                for call in (lambda: sampo.Analyzer(window=-1),
                             lambda: sampo.Analyzer().read_pcap("/nonexistent/x.pcap"),
                             lambda: sampo.Analyzer().read_pcap(V0, sample="bad")):
                    try:
                        call()
                    except sampo.Error:
                        pass
        grown = self.growth(errors, 2, 10)
        self.assertLess(grown, 1 << 20, "RSS grew by %d bytes" % grown)


# ---- pandas ------------------------------------------------------------------------

def _have_pandas():
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


class TestFrames(unittest.TestCase):
    @unittest.skipUnless(_have_pandas(), "pandas not installed")
    def test_frames(self):
        with sampo.Analyzer() as a:
            a.read_pcap(LAB)
            sessions = a.sessions()
            sf = a.sessions_frame()
            self.assertEqual(list(sf["session"]), [s.id for s in sessions])
            self.assertEqual(list(sf["n_subflows"]), [len(s.subflows) for s in sessions])
            df = a.subflows_frame()
            n = sum(len(s.subflows) for s in sessions) + len(a.unassociated())
            self.assertEqual(len(df), n)
            first = sessions[0].subflows[0]
            row = df.iloc[0]
            self.assertEqual((row["session"], row["flow"], row["packets_fwd"]),
                             (sessions[0].id, first.flow, first.packets[0]))
            self.assertEqual(int(df["packets_fwd"].sum() + df["packets_rev"].sum()),
                             sum(sf.total_packets for s in sessions for sf in s.subflows)
                             + sum(x.total_packets for x in a.unassociated()))
            self.assertEqual(len(a.subflows_frame(unassociated=False)),
                             n - len(a.unassociated()))

    def test_without_pandas(self):
        saved = sys.modules.get("pandas")
        sys.modules["pandas"] = None  # makes `import pandas` raise ImportError
        try:
            with sampo.Analyzer() as a:
                with self.assertRaises(ImportError) as cm:
                    a.sessions_frame()
                self.assertIn("need pandas", str(cm.exception))
                with self.assertRaises(ImportError):
                    a.subflows_frame()
        finally:
            if saved is None:
                del sys.modules["pandas"]
            else:
                sys.modules["pandas"] = saved


# ---- throughput ---------------------------------------------------------------------

@unittest.skipUnless(have_cli(), "sampo-cli not found (set SAMPO_CLI)")
class TestThroughput(unittest.TestCase):
    """read_pcap within 1.5 times sampo-cli's run time on the lab capture
    (medians; bindings/python/bench_read.py measures the same in detail)."""

    def test_read_pcap_vs_cli(self):
        import re
        import statistics
        import time
        stat = re.compile(r"stats: (\d+) packets read, .* \((\d+) packets/s\)")
        py, cli = [], []
        for i in range(12):
            t0 = time.perf_counter()
            with sampo.Analyzer() as a:
                r = a.read_pcap(LAB)
            py.append(time.perf_counter() - t0)
            p = subprocess.run([CLI, "--stats", "--no-progress", "-q", "-o", os.devnull, LAB],
                               stderr=subprocess.PIPE, text=True, check=True)
            m = stat.search(p.stderr)
            self.assertEqual(int(m.group(1)), r.packets_read)
            cli.append(int(m.group(1)) / int(m.group(2)))
        ratio = statistics.median(py[2:]) / statistics.median(cli[2:])
        print("read_pcap / sampo-cli = %.3f" % ratio, file=sys.stderr)
        self.assertLess(ratio, 1.5)


# ---- the notebook ---------------------------------------------------------------------

class TestNotebook(unittest.TestCase):
    def test_execute(self):
        nbconvert = shutil.which("jupyter-nbconvert")
        if nbconvert is None:
            self.skipTest("jupyter-nbconvert not installed")
        for mod in ("ipykernel", "matplotlib", "pandas"):
            try:
                __import__(mod)
            except ImportError:
                self.skipTest("%s not installed for %s" % (mod, sys.executable))
        with tempfile.TemporaryDirectory() as d:
            # The kernel is this interpreter, whatever kernelspecs exist.
            kdir = os.path.join(d, "jupyter", "kernels", "python3")
            os.makedirs(kdir)
            with open(os.path.join(kdir, "kernel.json"), "w") as f:
                json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}"],
                           "display_name": "Python 3", "language": "python"}, f)
            env = dict(os.environ, JUPYTER_PATH=os.path.join(d, "jupyter"),
                       JUPYTER_RUNTIME_DIR=os.path.join(d, "runtime"),
                       PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
            out = os.path.join(d, "out.ipynb")
            proc = subprocess.run(
                [nbconvert, "--to", "notebook", "--execute", "--output", out,
                 "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.kernel_name=python3",
                 NOTEBOOK], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
            with open(out) as f:
                nb = json.load(f)
        outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
        self.assertFalse([o for o in outputs if o["output_type"] == "error"])
        self.assertTrue(any("image/png" in o.get("data", {}) for o in outputs), "no plot")


if __name__ == "__main__":
    unittest.main()
