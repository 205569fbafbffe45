#!/usr/bin/python3
"""gen-doc-examples.py (--update | --check) [--cli PATH] [--pythonpath DIR] [FILE...]

Every example output in the documentation is made by this script, from the captures in
data/pcaps/, and checked by it (CTest docs.examples, docs.examples_python).  FILE... defaults to
docs/cli.md, tools/sampo-cli/sampo-cli.1, README.md and docs/python.md.

  --update   rewrite the outputs of the examples in place
  --check    compare them; exit 1 with a unified diff per drifted example

Conventions (also in docs/cli.md, "Examples in this manual"):

Markdown
  * A ```console block is a shell session: each line that starts with "$ " is a command, and the
    lines after it, up to the next "$ " line or the end of the block, are its output.
  * A ```python block followed by the line <!-- doc-example: output --> (blank lines may come
    between) and then a ```text block is a Python example: the text block is what the Python
    block prints.  Other ```python blocks (signatures, fragments) are not examples.
  * The line <!-- doc-example: not run (REASON) --> right before a ```console block says that
    its commands cannot run here (a live capture until Ctrl-C, ...): the block is not run, and
    it must show no output, only commands.  ```sh, ```c and plain ``` blocks are not examples.
Manual page (roff)
  * An .nf/.fi block with a line that starts with "$ " is a shell session, as above.  Roff
    escapes in the commands are read (\\- is -, \\e is a backslash, \\& is nothing); the output
    is written with - as \\-, a backslash as \\e, and \\& before a leading . or '.
  * .\\" doc-example: not run (REASON) right before the block (or before its .RS) marks it.

How they run
  * Each block runs in a scratch directory of its own, its commands one after the other with
    `sh -c`, standard input /dev/null, standard output and standard error both into the output
    (as a terminal shows them; the exit status is not shown; trailing blanks are dropped),
    LC_ALL=C, TZ=UTC.  In it, `data` is the repository's data/ (so data/pcaps/... works),
    `sampo-cli` is --cli (first on PATH), `sudo` runs its command as it is (the one example
    that needs root runs only when the script is root), and the FIXTURES below are there:
    files the examples name that data/pcaps/ does not hold, each made from a bundled capture.
  * A command with `-i eth0` runs in a network namespace of its own where eth0 is one end of
    a veth pair; once it prints "listening on", the packets of data/pcaps/mptcp-v0.pcap are
    sent into the other end.  That needs root: otherwise the example is not checked and
    --check exits 77 (skipped) if nothing else failed.  So do examples of an input backend
    that the sampo-cli has not built in (BACKENDS: libtrace URIs, wiretap).
  * A Python example runs as a script (the interpreter that runs this script, with
    PYTHONPATH=--pythonpath) in its own scratch directory; it must exit 0.
  * Outputs are deterministic (the output of sampo-cli never depends on --seed; examples
    leave out the memory gauges, which depend on the build).

Exit status: 0 every example matches (or was updated), 1 drift (--check), 2 error (a block
that does not parse, a command that timed out, a Python example that failed), 77 (--check)
nothing drifted but an example could not be run here.  Standard library only.
"""

import argparse
import difflib
import gzip
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FILES = ["docs/cli.md", "tools/sampo-cli/sampo-cli.1", "README.md", "docs/python.md"]
PCAPS = os.path.join(ROOT, "data", "pcaps")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import pcapfile  # noqa: E402  (tools/pcapfile.py)
TIMEOUT = 120
SKIP = 77

NOT_RUN_MD = re.compile(r"^<!-- doc-example: not run \((.+)\) -->\s*$")
OUTPUT_MD = re.compile(r"^<!-- doc-example: output -->\s*$")
NOT_RUN_ROFF = re.compile(r"^\.\\\" doc-example: not run \((.+)\)\s*$")
MARKER_MD = re.compile(r"^\s*<!--\s*doc-example")
MARKER_ROFF = re.compile(r"^\.\\\"\s*doc-example")


class DocError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Captures: the fixtures are made from the bundled captures, in pure Python.

def read_pcap(path):
    """(Reader, [(ts_sec, ts_frac, orig_len, data)]) of a pcap file."""
    try:
        with pcapfile.Reader(path) as r:
            return r, [(rec.sec, rec.frac, rec.wirelen, rec.data) for rec in r]
    except ValueError as err:
        raise DocError("%s: %s" % (path, err))


def pcap_bytes(hdr, recs, linktype=None):
    """A pcap file of recs, with the header hdr (a Reader) had, or another link type."""
    w = pcapfile.Writer(None, header=hdr.header, linktype=linktype)
    return w.header + b"".join(w.pack_raw(sec, frac, data, orig) for sec, frac, orig, data in recs)


def tcp_ports(frame):
    """(sport, dport) of an Ethernet/IPv4/TCP frame, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 15) * 4
    return struct.unpack(">HH", frame[14 + ihl:18 + ihl])


def fx_copy(src):
    def make(path):
        shutil.copyfile(os.path.join(PCAPS, src), path)
    return make


def fx_linktype(src, linktype):
    def make(path):
        hdr, recs = read_pcap(os.path.join(PCAPS, src))
        with open(path, "wb") as f:
            f.write(pcap_bytes(hdr, recs, linktype))
    return make


def fx_truncated(src, packets, extra):
    """The first PACKETS records, then EXTRA bytes of the next record's header."""
    def make(path):
        hdr, recs = read_pcap(os.path.join(PCAPS, src))
        data = pcap_bytes(hdr, recs[:packets + 1])
        cut = len(pcap_bytes(hdr, recs[:packets])) + extra
        with open(path, "wb") as f:
            f.write(data[:cut])
    return make


def fx_chunk(src, index, size):
    """Records [index*size, (index+1)*size): what `editcap -c SIZE` writes as file INDEX."""
    def make(path):
        hdr, recs = read_pcap(os.path.join(PCAPS, src))
        with open(path, "wb") as f:
            f.write(pcap_bytes(hdr, recs[index * size:(index + 1) * size]))
    return make


def fx_port(src, port):
    """The packets of the TCP connection with PORT (Ethernet/IPv4)."""
    def make(path):
        hdr, recs = read_pcap(os.path.join(PCAPS, src))
        keep = [r for r in recs if port in (tcp_ports(r[3]) or ())]
        with open(path, "wb") as f:
            f.write(pcap_bytes(hdr, keep))
    return make


def fx_udp_port(src, old, new):
    """UDP datagrams to port OLD sent to port NEW instead (checksum 0: none)."""
    def make(path):
        hdr, recs = read_pcap(os.path.join(PCAPS, src))
        out = []
        for sec, frac, orig, d in recs:
            if len(d) >= 42 and d[12:14] == b"\x08\x00" and d[23] == 17:
                u = 14 + (d[14] & 15) * 4
                if struct.unpack(">H", d[u + 2:u + 4])[0] == old:
                    # destination port NEW, length kept, checksum 0
                    d = d[:u + 2] + struct.pack(">H", new) + d[u + 4:u + 6] + b"\0\0" + d[u + 8:]
            out.append((sec, frac, orig, d))
        with open(path, "wb") as f:
            f.write(pcap_bytes(hdr, out))
    return make


def fx_pcapng(*srcs):
    """One pcapng, one interface per pcap (its link type), records merged in time order."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    def make(path):
        out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
        recs = []
        for i, src in enumerate(srcs):
            hdr, rr = read_pcap(os.path.join(PCAPS, src))
            if hdr.nano:
                raise DocError("fx_pcapng: %s has nanosecond times" % src)
            out.append(block(1, struct.pack("<HHI", hdr.linktype, 0, hdr.snaplen)))
            recs += [(sec * 1000000 + us, i, n, orig, d) for n, (sec, us, orig, d) in enumerate(rr)]
        for ts, i, _, orig, d in sorted(recs, key=lambda r: r[:3]):
            epb = struct.pack("<IIIII", i, ts >> 32, ts & 0xFFFFFFFF, len(d), orig)
            out.append(block(6, epb + d))
        with open(path, "wb") as f:
            f.write(b"".join(out))
    return make


def fx_erf_gz(src):
    """The Ethernet pcap as gzipped ERF (type ETH, wire length with the 4 bytes of FCS)."""
    def make(path):
        hdr, recs = read_pcap(os.path.join(PCAPS, src))
        out = []
        for sec, us, orig, d in recs:
            ts = (sec << 32) | ((us << 32) // 1000000)
            rlen = 16 + 2 + len(d)
            out.append(struct.pack("<Q", ts) + struct.pack(">BBHHH", 2, 0x04, rlen, 0, orig + 4)
                       + b"\0\0" + d)
        with open(path, "wb") as f:
            f.write(gzip.compress(b"".join(out), mtime=0))
    return make


# The files the examples name that data/pcaps/ does not hold.
FIXTURES = {
    "x.pcap": fx_copy("mptcp-v0.pcap"),
    "null.pcap": fx_linktype("mptcp-v0.pcap", 0),                # LINKTYPE_NULL: refused
    "trunc.pcap": fx_truncated("mptcp-v0.pcap", 192, 6),         # cut in record 193's header
    "rot_00000.pcap": fx_chunk("mptcp-v0.pcap", 0, 66),          # editcap -c 66 mptcp-v0.pcap
    "rot_00001.pcap": fx_chunk("mptcp-v0.pcap", 1, 66),
    "rot_00002.pcap": fx_chunk("mptcp-v0.pcap", 2, 66),
    "rot_00003.pcap": fx_chunk("mptcp-v0.pcap", 3, 66),
    "eth0.pcap": fx_port("mptcp-v0.pcap", 35961),                # the initial subflow's link
    "eth1.pcap": fx_port("mptcp-v0.pcap", 41221),                # the joined subflow's link
    "mix-v0-v1.pcapng": fx_pcapng("mptcp-v0.pcap", "mptcp-v1.pcap"),  # Ethernet + Linux cooked
    "capture.erf.gz": fx_erf_gz("mptcp-v0.pcap"),
    "collector.pcap": fx_udp_port("sflow-mptcp-v0.pcap", 6343, 9999),
}
# Examples that need an optional input backend of sampo-cli (`sampo-cli --version` says which
# it has): (command pattern, the --version line that starts with it, what the examples read).
BACKENDS = [
    (re.compile(r"\berf:"), "libtrace ", "libtrace URIs"),
    (re.compile(r"mix-v0-v1\.pcapng"), "wiretap ", "pcapng files of several link types"),
]
LIVE_IFACE = "eth0"
LIVE_REPLAY = os.path.join(PCAPS, "mptcp-v0.pcap")


# ---------------------------------------------------------------------------------------------
# Examples found in the files.

class Command:
    def __init__(self, text, line, start, end):
        self.text, self.line = text, line        # the command, its line (1-based)
        self.start, self.end = start, end        # output lines [start, end) (0-based)


class Block:
    """A shell session (kind "sh") or a Python example (kind "python") of one file."""

    def __init__(self, path, kind, line, fmt):
        self.path, self.kind, self.line, self.fmt = path, kind, line, fmt
        self.commands = []       # sh: Command list; python: one Command whose text is the code
        self.not_run = None      # the reason, when marked
        self.insert = None       # python: output block to create after this line (0-based)


def parse_markdown(path, lines):
    blocks, i, n = [], 0, len(lines)
    while i < n:
        m = re.match(r"^```\s*(\S*)\s*$", lines[i])
        if not m:
            known = NOT_RUN_MD.match(lines[i]) or OUTPUT_MD.match(lines[i])
            if MARKER_MD.match(lines[i]) and not known:
                raise DocError("%s:%d: unknown doc-example marker" % (path, i + 1))
            i += 1
            continue
        info, j = m.group(1), i + 1
        while j < n and lines[j].rstrip() != "```":
            j += 1
        if j == n:
            raise DocError("%s:%d: code block not closed" % (path, i + 1))
        marked = NOT_RUN_MD.match(lines[i - 1]) if i > 0 else None
        if info == "console":
            b = Block(path, "sh", i + 1, "md")
            b.not_run = marked.group(1) if marked else None
            parse_session(b, lines, i + 1, j, lambda s: s)
            blocks.append(b)
        elif marked:
            raise DocError("%s:%d: only a ```console block can be marked not run" % (path, i))
        elif info == "python":
            k = j + 1
            while k < n and not lines[k].strip():
                k += 1
            if k < n and OUTPUT_MD.match(lines[k]):
                b = Block(path, "python", i + 1, "md")
                code = "\n".join(lines[i + 1:j]) + "\n"
                if k + 1 < n and re.match(r"^```\s*text\s*$", lines[k + 1]):
                    e = k + 2
                    while e < n and lines[e].rstrip() != "```":
                        e += 1
                    if e == n:
                        raise DocError("%s:%d: code block not closed" % (path, k + 2))
                    b.commands.append(Command(code, i + 1, k + 2, e))
                    blocks.append(b)
                    i = e + 1
                    continue
                b.commands.append(Command(code, i + 1, k + 1, k + 1))
                b.insert = k
                blocks.append(b)
        i = j + 1
    return blocks


def roff_unescape(s, where):
    out, i = [], 0
    named = {"aq": "'", "dq": '"', "ti": "~", "ha": "^", "rs": "\\", "at": "@"}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = s[i + 1:i + 2]
        if nxt in ("-", "e", "\\"):
            out.append("-" if nxt == "-" else "\\")
            i += 2
        elif nxt == "&":
            i += 2
        elif nxt == " ":
            out.append(" ")
            i += 2
        elif nxt == "(" and s[i + 2:i + 4] in named:
            out.append(named[s[i + 2:i + 4]])
            i += 4
        else:
            raise DocError("%s: roff escape %r not handled in an example" % (where, s[i:i + 4]))
    return "".join(out)


def roff_escape(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + s if s[:1] in (".", "'") else s


def parse_roff(path, lines):
    blocks, i, n = [], 0, len(lines)
    while i < n:
        if MARKER_ROFF.match(lines[i]) and not NOT_RUN_ROFF.match(lines[i]):
            raise DocError("%s:%d: unknown doc-example marker" % (path, i + 1))
        if lines[i].rstrip() != ".nf":
            i += 1
            continue
        j = i + 1
        while j < n and lines[j].rstrip() != ".fi":
            j += 1
        if j == n:
            raise DocError("%s:%d: .nf without .fi" % (path, i + 1))
        if any(roff_unescape(x, "%s:%d" % (path, i + 1)).startswith("$ ") for x in lines[i + 1:j]
               if not x.startswith((".", "'"))):
            b = Block(path, "sh", i + 1, "roff")
            k = i - 1
            while k >= 0 and lines[k].rstrip() in (".RS", ".PP", ".IP"):
                k -= 1
            m = NOT_RUN_ROFF.match(lines[k]) if k >= 0 else None
            b.not_run = m.group(1) if m else None
            for x in range(i + 1, j):
                if lines[x].startswith((".", "'")):
                    raise DocError("%s:%d: a roff request inside an example" % (path, x + 1))
            parse_session(b, lines, i + 1, j, lambda s: roff_unescape(s, path))
            blocks.append(b)
        i = j + 1
    return blocks


def parse_session(b, lines, start, end, unescape):
    """Commands ("$ " lines) and their output lines in lines[start:end]."""
    cmds = [x for x in range(start, end) if unescape(lines[x]).startswith("$ ")]
    if not cmds or cmds[0] != start:
        raise DocError("%s:%d: a shell session must start with a \"$ \" command"
                       % (b.path, start + 1))
    for k, x in enumerate(cmds):
        stop = cmds[k + 1] if k + 1 < len(cmds) else end
        b.commands.append(Command(unescape(lines[x])[2:], x + 1, x + 1, stop))
        if b.not_run and stop > x + 1:
            raise DocError("%s:%d: a block marked not run shows output that was not generated"
                           % (b.path, x + 2))


def parse_file(path, text):
    lines = text.split("\n")
    if path.endswith(".md"):
        return lines, parse_markdown(path, lines)
    return lines, parse_roff(path, lines)


# ---------------------------------------------------------------------------------------------
# Running them.

class Runner:
    def __init__(self, cli, pythonpath, scratch):
        self.cli, self.pythonpath, self.scratch = cli, pythonpath, scratch
        self.count = 0
        self.bindir = os.path.join(scratch, "bin")
        os.mkdir(self.bindir)
        self.version = []
        if cli:
            os.symlink(cli, os.path.join(self.bindir, "sampo-cli"))
            p = subprocess.run([cli, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.version = p.stdout.decode("utf-8", "replace").split("\n")
        with open(os.path.join(self.bindir, "sudo"), "w") as f:
            f.write('#!/bin/sh\nexec "$@"\n')
        os.chmod(os.path.join(self.bindir, "sudo"), 0o755)
        self.fixtures = os.path.join(scratch, "fixtures")
        os.mkdir(self.fixtures)
        for name, make in FIXTURES.items():
            make(os.path.join(self.fixtures, name))
        self.env = {k: v for k, v in os.environ.items()
                    if k in ("HOME", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")}
        self.env.update(PATH=self.bindir + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                        "/sbin:/bin", LC_ALL="C", TZ="UTC", PYTHONDONTWRITEBYTECODE="1",
                        PYTHONHASHSEED="0")
        if pythonpath:
            self.env["PYTHONPATH"] = pythonpath

    def workdir(self):
        self.count += 1
        d = os.path.join(self.scratch, "ex%03d" % self.count)
        os.mkdir(d)
        os.symlink(os.path.join(ROOT, "data"), os.path.join(d, "data"))
        for name in FIXTURES:
            os.symlink(os.path.join(self.fixtures, name), os.path.join(d, name))
        return d

    def shell(self, cmd, cwd, where):
        """Output of `sh -c CMD` (standard output and error together), or raises."""
        for pattern, line, what in BACKENDS:
            if pattern.search(cmd) and not any(x.startswith(line) for x in self.version):
                raise NotHere("sampo-cli reads %s only when built with %s" % (what, line.strip()))
        if re.search(r"(^|\s)-i\s+%s\b" % LIVE_IFACE, cmd):
            return live(cmd, cwd, self.env, where)
        try:
            p = subprocess.run(["sh", "-c", cmd], cwd=cwd, env=self.env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise DocError("%s: `%s` did not end within %d s" % (where, cmd, TIMEOUT))
        return p.stdout.decode("utf-8", "replace")

    def python(self, code, cwd, where):
        try:
            p = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=self.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise DocError("%s: the Python example did not end within %d s" % (where, TIMEOUT))
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode != 0:
            raise DocError("%s: the Python example failed (exit status %d):\n%s"
                           % (where, p.returncode, out))
        return out


class NotHere(Exception):
    """An example that cannot run on this machine (not root, no network namespaces)."""


INJECT = r"""
import socket, struct, sys, time
path, iface = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
e = "<" if raw[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
off = 24
while off + 16 <= len(raw):
    incl = struct.unpack(e + "I", raw[off + 8:off + 12])[0]
    s.send(raw[off + 16:off + 16 + incl])
    off += 16 + incl
    time.sleep(0.001)
"""


def live(cmd, cwd, env, where):
    """Run CMD in a network namespace whose eth0 gets LIVE_REPLAY's packets."""
    if os.geteuid() != 0:
        raise NotHere("needs root (a network namespace and a live capture)")
    ns = "sampo-doc-%d" % os.getpid()
    ipns = ["ip", "netns", "exec", ns]

    def ip(*args):
        subprocess.run(["ip"] + list(args), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    try:
        ip("netns", "add", ns)
    except (subprocess.CalledProcessError, OSError) as e:
        raise NotHere("cannot create a network namespace: %s"
                      % (getattr(e, "stderr", b"") or b"").decode(errors="replace").strip() or e)
    proc = None
    try:
        for sysctl in ("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"):
            subprocess.run(ipns + ["sysctl", "-qw", sysctl], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        ip("-n", ns, "link", "add", LIVE_IFACE, "type", "veth", "peer", "name", "peer0")
        ip("-n", ns, "link", "set", LIVE_IFACE, "up")
        ip("-n", ns, "link", "set", "peer0", "up")
        subprocess.run(ipns + ["ethtool", "-K", LIVE_IFACE, "gro", "off"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        proc = subprocess.Popen(ipns + ["sh", "-c", cmd], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        chunks, seen = [], threading.Event()

        def reader():
            for line in iter(proc.stdout.readline, b""):
                chunks.append(line)
                if b"listening on" in line:
                    seen.set()
            seen.set()
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        if not seen.wait(20):
            raise DocError("%s: `%s` printed no \"listening on\" line" % (where, cmd))
        subprocess.run(ipns + ["/usr/bin/python3", "-c", INJECT, LIVE_REPLAY, "peer0"], check=True,
                       timeout=TIMEOUT)
        try:
            proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            raise DocError("%s: `%s` did not end within %d s of the replay" % (where, cmd, TIMEOUT))
        t.join(10)
        return b"".join(chunks).decode("utf-8", "replace")
    finally:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        subprocess.run(["ip", "netns", "del", ns], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def output_lines(out, fmt, where):
    """The doc lines of OUT in the format of the block."""
    if out.endswith("\n"):
        out = out[:-1]
    lines = [x.rstrip() for x in out.split("\n")] if out else []
    for x in lines:
        if x.startswith("$ ") or x.rstrip() == "```":
            raise DocError("%s: an output line would end the example or start a command: %r"
                           % (where, x))
    if fmt == "roff":
        lines = [roff_escape(x) for x in lines]
    return lines


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="gen-doc-examples.py",
                                 description="Make (--update) or check (--check) the example "
                                 "outputs of the documentation.")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--update", action="store_true", help="rewrite the outputs in place")
    mode.add_argument("--check", action="store_true", help="exit 1 with a diff on drift")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "bin", "sampo-cli"),
                    help="the sampo-cli binary (default build/bin/sampo-cli)")
    ap.add_argument("--pythonpath", default=os.path.join(ROOT, "build", "python"),
                    help="where the sampo Python package is (default build/python)")
    kinds = ap.add_mutually_exclusive_group()
    kinds.add_argument("--no-python", action="store_true",
                       help="leave out the Python examples (a build without the bindings; "
                       "docs.examples_python checks them where they are built)")
    kinds.add_argument("--only-python", action="store_true", help="only the Python examples")
    ap.add_argument("files", nargs="*", help="default: " + " ".join(DEFAULT_FILES))
    a = ap.parse_args(argv)
    files = a.files or [os.path.join(ROOT, f) for f in DEFAULT_FILES]
    cli = os.path.abspath(a.cli)
    want_sh, want_py = not a.only_python, not a.no_python
    if want_sh and not os.access(cli, os.X_OK):
        print("gen-doc-examples: error: %s is not an executable sampo-cli (--cli)" % cli,
              file=sys.stderr)
        return 2
    pythonpath = os.path.abspath(a.pythonpath) if want_py else None
    if want_py and not os.path.isdir(os.path.join(pythonpath, "sampo")):
        print("gen-doc-examples: error: no sampo package in %s (--pythonpath; or --no-python)"
              % pythonpath, file=sys.stderr)
        return 2

    scratch = tempfile.mkdtemp(prefix="sampo-doc-examples.")
    drift, not_here, summary, skipped_kind = 0, [], [], 0
    not_run = []
    try:
        runner = Runner(cli if want_sh else None, pythonpath, scratch)
        for path in files:
            rel = os.path.relpath(path, ROOT)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            lines, blocks = parse_file(rel, text)
            edits, ncmd, npy = [], 0, 0
            for b in blocks:
                if b.not_run:
                    for c in b.commands:
                        not_run.append("%s:%d: $ %s  (%s)" % (rel, c.line, c.text, b.not_run))
                    continue
                if (b.kind == "sh" and not want_sh) or (b.kind == "python" and not want_py):
                    skipped_kind += 1
                    continue
                cwd = runner.workdir()
                for c in b.commands:
                    where = "%s:%d" % (rel, c.line)
                    try:
                        if b.kind == "sh":
                            out = runner.shell(c.text, cwd, where)
                            ncmd += 1
                        else:
                            out = runner.python(c.text, cwd, where)
                            npy += 1
                    except NotHere as e:
                        not_here.append("%s: $ %s  (%s)" % (where, c.text, e))
                        continue
                    new = output_lines(out, b.fmt, where)
                    old = lines[c.start:c.end]
                    if new == old and b.insert is None:
                        continue
                    if a.check:
                        drift += 1
                        label = "$ " + c.text if b.kind == "sh" else "python block"
                        sys.stdout.write("".join(
                            x + "\n" for x in difflib.unified_diff(
                                old, new, "%s (%s, in the file)" % (where, label),
                                "%s (%s, generated)" % (where, label), lineterm="")))
                        if b.insert is not None:
                            print("%s: no ```text output block after <!-- doc-example: output -->"
                                  % where)
                    elif b.insert is not None:
                        edits.append((b.insert + 1, b.insert + 1, ["```text"] + new + ["```"]))
                    else:
                        edits.append((c.start, c.end, new))
            if edits:
                for start, end, new in sorted(edits, reverse=True):
                    lines[start:end] = new
                with open(path, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
            summary.append("%s: %d command(s), %d Python example(s)%s"
                           % (rel, ncmd, npy, ", %d updated" % len(edits) if edits else ""))
    except DocError as e:
        print("gen-doc-examples: error: %s" % e, file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    for s in summary:
        print("gen-doc-examples: " + s)
    if not_run and want_sh:
        print("gen-doc-examples: %d command(s) marked not run:" % len(not_run))
        for s in not_run:
            print("  " + s)
    if skipped_kind:
        print("gen-doc-examples: %d %s block(s) left out (%s)"
              % (skipped_kind, "Python" if a.no_python else "shell",
                 "--no-python" if a.no_python else "--only-python"))
    if not_here:
        print("gen-doc-examples: %d example(s) could not run here:" % len(not_here))
        for s in not_here:
            print("  " + s)
    if drift:
        print("gen-doc-examples: FAIL: %d example output(s) differ from what they print now; "
              "refresh them with /usr/bin/python3 scripts/gen-doc-examples.py --update "
              "and review the prose around them" % drift)
        return 1
    if not_here and a.check:
        return SKIP
    print("gen-doc-examples: %s" % ("every example matches" if a.check else "done"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
