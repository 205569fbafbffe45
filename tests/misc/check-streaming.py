#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""check-streaming.py - session records come out while the input is open.

Feeds sampo-cli --format json a capture through a pipe (standard input, as
`tcpdump -w - | sampo-cli -` does): first a lab capture whose sessions all
close, then one packet a minute later (its sessions' subflows are now
closed and idle), and keeps the pipe open.  Every session of the capture
must then be on sampo-cli's standard output, read while its input is still
open.  Then the test either closes the pipe (end of input) or, with
--signal, interrupts sampo-cli with SIGINT/SIGTERM with a second capture's
sessions still open: those must be written too, each exactly once, with
close_reason "flush".

  check-streaming.py SAMPO_CLI CAPTURE [--signal=INT|--signal=TERM OPEN_CAPTURE]
"""

import json
import os
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import pcapfile  # noqa: E402  (tools/pcapfile.py)

TIMEOUT_S = 30


def pcap_records(path):
    """(a writer of the same header as a nanosecond pcap, [(ts_ns, orig, data)])."""
    try:
        with pcapfile.Reader(path) as r:
            if r.endian != "<":
                sys.exit("%s: expected a little-endian pcap" % path)
            recs = [(rec.ts_ns, rec.wirelen, rec.data) for rec in r]
    except ValueError as err:
        sys.exit("%s: %s" % (path, err))
    return pcapfile.Writer(None, header=r.header, nano=True), recs


def read_records(proc, want, buf):
    """Read JSON lines until `want(records)` holds or TIMEOUT_S passes."""
    recs = []
    deadline = time.monotonic() + TIMEOUT_S
    while not want(recs):
        left = deadline - time.monotonic()
        if left <= 0:
            return recs, False
        r, _, _ = select.select([proc.stdout], [], [], left)
        if not r:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            return recs, want(recs)
        buf[0] += chunk
        while b"\n" in buf[0]:
            line, buf[0] = buf[0].split(b"\n", 1)
            recs.append(json.loads(line))
    return recs, True


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 4) or (len(args) == 4 and
                                   args[2] not in ("--signal=INT", "--signal=TERM")):
        sys.exit(__doc__)
    cli, cap = args[0], args[1]
    sig = None
    if len(args) == 4:
        sig = signal.SIGINT if args[2] == "--signal=INT" else signal.SIGTERM
    ns, recs = pcap_records(cap)
    # The expected sessions: what sampo-cli finds in the capture alone.
    alone = subprocess.run([cli, "--format", "json", "--seed", "1", cap], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    n_expect = sum(1 for line in alone if json.loads(line)["type"] == "session")
    proc = subprocess.Popen([cli, "--format", "json", "--seed", "1", "--no-progress", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = [ns.header] + [ns.pack(ts, pkt, orig) for ts, orig, pkt in recs]
    # A packet of the first flow a minute after the last: the clock moves on.
    last_ts, orig, pkt = recs[-1]
    out.append(ns.pack(last_ts + 60 * 10**9, pkt, orig))
    proc.stdin.write(b"".join(out))
    proc.stdin.flush()
    buf = [b""]
    got, ok = read_records(proc, lambda rs: sum(r["type"] == "session" for r in rs) >= n_expect,
                           buf)
    n_got = sum(r["type"] == "session" for r in got)
    fails = []
    if not ok:
        fails.append("only %d of %d session records arrived within %d s while the input was open"
                     % (n_got, n_expect, TIMEOUT_S))
    else:
        print("streaming: %d of %d session records read while the input was still open"
              % (n_got, n_expect))
    if sig is not None:
        open_cap = args[3]
        _, orecs = pcap_records(open_cap)
        # Half of the second capture, a minute after the first: its sessions are open.
        shift = last_ts + 120 * 10**9 - orecs[0][0]
        half = orecs[:len(orecs) // 2]
        proc.stdin.write(b"".join(ns.pack(t + shift, p, o) for t, o, p in half))
        proc.stdin.flush()
        time.sleep(1.0)
        proc.send_signal(sig)
    # communicate() closes standard input: the end of input without --signal.
    try:
        rest, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        sys.exit("sampo-cli did not exit after the end of its input or the signal")
    tail = buf[0] + rest
    allrecs = got + [json.loads(line) for line in tail.splitlines() if line.strip()]
    sessions = [r for r in allrecs if r["type"] == "session"]
    ids = [r["id"] for r in sessions]
    if len(ids) != len(set(ids)):
        fails.append("a session was written twice")
    if not any(r["type"] == "counters" for r in allrecs):
        fails.append("no counters record at the end")
    if sig is not None:
        flushed = [r for r in sessions if r["close_reason"] == "flush"]
        if not flushed:
            fails.append("no open session was written on the signal")
        if proc.returncode != 128 + sig:
            fails.append("exit status %d, expected %d" % (proc.returncode, 128 + sig))
        print("signal %s: %d more sessions written at exit (%d open at the signal, "
              "close_reason flush); exit status %d"
              % (signal.Signals(sig).name, len(sessions) - n_got, len(flushed), proc.returncode))
    elif proc.returncode != 0:
        fails.append("exit status %d: %s" % (proc.returncode, err.decode(errors="replace")))
    if fails:
        print("\n".join(fails))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
