#!/bin/sh
# sampo-nf inline on NFQUEUE against real kernel MPTCP (v1, IPv4), issue 11
# requirement 5 (a) and (b).  Namespaces:
#
#   client  c0 10.234.1.1 (path A) --- f0 \
#           c1 10.234.2.1 (path B) --- f1  fw (forwards) f2 --- s0 10.234.3.2  server
#   client2 d0 10.234.4.1 (one path) - f3 /
#
# The client opens its first subflow on path A and a second one from its
# path-B address (ip mptcp endpoint ... subflow); client2 has one path.
# Transfers: /usr/bin/python3 sockets with IPPROTO_MPTCP (262), paced.
#   (a) baseline: in fw, iptables -A FORWARD -s 10.234.2.1 -j DROP.  The
#       transfer completes over path A all the same (the evasion).
#   (b) sampo-nf on queue 11 (iptables -A FORWARD -p tcp -j NFQUEUE) with
#       --deny 'src host 10.234.2.1': the client's session stops on both
#       paths (the transfer does not complete; bytes the server receives
#       after the first denied packet: none or a few packets), the JSON
#       says session-denied and subflow-dropped for both subflows; client2's
#       session through the same fw, to another port, completes.
# Needs root, network namespaces, MPTCP and NFQUEUE: skips (77) only when
# not root or when NFQUEUE does not queue (the rule is refused).
#   check-nf-inline.sh SAMPO_NF
set -u
nf="$1"
skip() { echo "check-nf-inline: SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "not root"
for t in ip iptables ethtool; do
    command -v $t >/dev/null 2>&1 || fail "$t missing (scripts/install-deps.sh installs it)"
done
C="nf-c-$$"; D="nf-d-$$"; F="nf-fw-$$"; S="nf-s-$$"
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for n in "$C" "$D" "$F" "$S"; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$C" 2>"$tmp/e" || fail "cannot create a network namespace: $(cat "$tmp/e")"
ip netns add "$D"; ip netns add "$F"; ip netns add "$S"
[ "$(ip netns exec "$C" sysctl -n net.mptcp.enabled 2>/dev/null)" = 1 ] ||
    fail "MPTCP is not enabled in the kernel (net.mptcp.enabled)"
set -e
ip -n "$C" link add c0 type veth peer name f0 netns "$F"
ip -n "$C" link add c1 type veth peer name f1 netns "$F"
ip -n "$S" link add s0 type veth peer name f2 netns "$F"
ip -n "$D" link add d0 type veth peer name f3 netns "$F"
ip -n "$C" addr add 10.234.1.1/24 dev c0
ip -n "$C" addr add 10.234.2.1/24 dev c1
ip -n "$F" addr add 10.234.1.2/24 dev f0
ip -n "$F" addr add 10.234.2.2/24 dev f1
ip -n "$F" addr add 10.234.3.1/24 dev f2
ip -n "$F" addr add 10.234.4.2/24 dev f3
ip -n "$S" addr add 10.234.3.2/24 dev s0
ip -n "$D" addr add 10.234.4.1/24 dev d0
for n in "$C" "$D" "$F" "$S"; do
    ip -n "$n" link set lo up
    for i in $(ip -n "$n" -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1); do
        ip -n "$n" link set "$i" up
        ip netns exec "$n" ethtool -K "$i" gro off gso off tso off >/dev/null 2>&1 || true
    done
done
ip netns exec "$F" sysctl -qw net.ipv4.ip_forward=1
for n in "$C" "$F"; do ip netns exec "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0; done
ip -n "$C" route add default via 10.234.1.2 dev c0
ip -n "$C" route add default via 10.234.2.2 dev c1 table 100 # path B: by source
ip -n "$C" rule add from 10.234.2.1 table 100
ip -n "$D" route add default via 10.234.4.2
ip -n "$S" route add default via 10.234.3.1
ip -n "$S" mptcp limits set subflow 2 add_addr_accepted 2
ip -n "$C" mptcp limits set subflow 2 add_addr_accepted 2
ip -n "$C" mptcp endpoint add 10.234.2.1 dev c1 subflow
set +e

# server PORT OUT: accepts one MPTCP connection, writes "TIME BYTES" after
# every read, then "end BYTES" (EOF, or 3 s without data).
server() {
    ip netns exec "$S" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)  # IPPROTO_MPTCP
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.234.3.2", int(sys.argv[1]))); s.listen(4)
s.settimeout(10)
c, _ = s.accept()
c.settimeout(3)
n = 0
with open(sys.argv[2], "w") as f:
    while True:
        try:
            d = c.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        n += len(d)
        f.write("%.6f %d\n" % (time.time(), n))
    f.write("end %d\n" % n)
' "$1" "$2" &
    pids="$pids $!"
}
# client NS PORT OUT: sends 2 MB in 16 KB writes 5 ms apart (about 0.7 s
# of data), then closes; writes "sent BYTES complete|incomplete".
client() {
    ip netns exec "$1" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.settimeout(4)
total, n = 2 << 20, 0
buf = bytes(16384)
try:
    s.connect(("10.234.3.2", int(sys.argv[1])))
    while n < total:
        s.sendall(buf); n += len(buf)
        time.sleep(0.005)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # the server closes after EOF
    st = "complete"
except OSError as e:
    st = "incomplete (%s)" % e
open(sys.argv[2], "w").write("sent %d %s\n" % (n, st))
' "$2" "$3"
}
wait_server() { # OUT: until its "end" line, at most 8 s
    i=0; while ! grep -q '^end' "$1" 2>/dev/null && [ $i -lt 80 ]; do sleep 0.1; i=$((i + 1)); done
}
bytes_of() { awk '/^end/ {print $2}' "$1"; }
total=$((2 << 20))
fails=0

# ---- (a) baseline: a per-address DROP on path B -------------------------
ip netns exec "$F" iptables -A FORWARD -s 10.234.1.1
ip netns exec "$F" iptables -A FORWARD -s 10.234.2.1
ip netns exec "$F" iptables -A FORWARD -s 10.234.2.1 -j DROP
server 5201 "$tmp/a.srv"
sleep 0.3
client "$C" 5201 "$tmp/a.cli"
wait_server "$tmp/a.srv"
got=$(bytes_of "$tmp/a.srv")
# counters: "[PACKETS:BYTES] -A FORWARD -s 10.234.1.1/32" (iptables-save -c)
acct=$(ip netns exec "$F" iptables-save -c -t filter | grep -- '-A FORWARD')
a_bytes=$(echo "$acct" | grep -- '-s 10.234.1.1/32$' | sed 's/^\[[0-9]*:\([0-9]*\)\].*/\1/')
b_pkts=$(echo "$acct" | grep -- '-s 10.234.2.1/32$' | sed 's/^\[\([0-9]*\):.*/\1/')
echo "(a) client: $(cat "$tmp/a.cli"); server received ${got:-?} of $total bytes;" \
     "fw forwarded $a_bytes bytes from path A; $b_pkts packet(s) from path B, all dropped"
if [ "${got:-0}" = "$total" ] && grep -q complete "$tmp/a.cli" && ! grep -q incomplete "$tmp/a.cli"; then
    echo "ok: (a) the per-address DROP on path B does not stop the session: it completes over path A"
else
    echo "FAIL: (a) the baseline transfer did not complete over path A: the scenario is wrong"
    echo "$acct"; fails=1
fi
[ "${b_pkts:-0}" -ge 1 ] || { echo "FAIL: (a) the client never tried path B (no join)"; fails=1; }
ip netns exec "$F" iptables -F FORWARD

# ---- (b) sampo-nf ------------------------------------------------------
if ! ip netns exec "$F" iptables -A FORWARD -p tcp -j NFQUEUE --queue-num 11 2>"$tmp/e"; then
    skip "iptables -j NFQUEUE refused: $(cat "$tmp/e")"
fi
ip netns exec "$F" "$nf" --queue 11 --deny 'src host 10.234.2.1' -o "$tmp/nf.json" 2>"$tmp/nf.err" &
nf_pid=$!; pids="$pids $nf_pid"
i=0; while ! grep -q "bound" "$tmp/nf.err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q bound "$tmp/nf.err" || { cat "$tmp/nf.err"; fail "(b) sampo-nf did not start"; }
server 5202 "$tmp/b.srv"
server 5203 "$tmp/d.srv"
sleep 0.3
client "$D" 5203 "$tmp/d.cli" &
d_pid=$!
client "$C" 5202 "$tmp/b.cli"
wait "$d_pid"
wait_server "$tmp/b.srv"; wait_server "$tmp/d.srv"
kill -TERM "$nf_pid"; wait "$nf_pid"; nf_st=$?
echo "(b) client: $(cat "$tmp/b.cli"); server received $(bytes_of "$tmp/b.srv") of $total bytes"
echo "(b) client2: $(cat "$tmp/d.cli"); server received $(bytes_of "$tmp/d.srv") of $total bytes"
echo "(b) sampo-nf exit status $nf_st; its actions:"
sed 's/^/    /' "$tmp/nf.json"
[ "$nf_st" = 0 ] || { echo "FAIL: sampo-nf exit status $nf_st"; cat "$tmp/nf.err"; fails=1; }
/usr/bin/python3 - "$tmp/nf.json" "$tmp/b.srv" "$tmp/d.srv" "$total" <<'EOF' || fails=1
import datetime, json, sys
acts = [json.loads(l) for l in open(sys.argv[1])]
total = int(sys.argv[4])
def ts(s):
    return datetime.datetime.strptime(s[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=datetime.timezone.utc).timestamp()
def samples(path):
    rows = [l.split() for l in open(path)]
    return [(float(a), int(b)) for a, b in rows if a != "end"], int(rows[-1][1])
bad = []
den = [a for a in acts if a["type"] == "session-denied"]
if len(den) != 1 or den[0]["cause"] != "filter" or "10.234.2.1" not in den[0]["flow"]:
    bad.append("want one session-denied, caused by the filter on a path-B subflow: %s" % den)
sid = den[0]["session_id"] if den else None
drop = [a for a in acts if a["type"] == "subflow-dropped" and a["session_id"] == sid]
paths = sorted({"A" if a["flow"].startswith("10.234.1.1:") else
                "B" if a["flow"].startswith("10.234.2.1:") else "?" for a in drop})
if paths != ["A", "B"]:
    bad.append("want subflow-dropped for the path-A and the path-B subflow: %s" % drop)
others = [a for a in acts if a["type"] in ("subflow-dropped", "session-denied")
          and "10.234.4.1" in a.get("flow", "")]
if others:
    bad.append("client2's session was touched: %s" % others)
cnt = [a for a in acts if a["type"] == "counters"]
if len(cnt) != 1:
    bad.append("want one counters line at the end")
b, b_total = samples(sys.argv[2])
d, d_total = samples(sys.argv[3])
if b_total >= total:
    bad.append("the denied session's transfer completed (%d bytes)" % b_total)
if d_total != total:
    bad.append("client2's transfer did not complete: %d of %d bytes" % (d_total, total))
if den:
    t0 = ts(den[0]["timestamp"])
    before = max([n for t, n in b if t <= t0] or [0])
    after = b_total - before
    print("(b) denied at %s: the server had %d bytes of the session then, %d after "
          "(%d full-size packets)" % (den[0]["timestamp"], before, after, (after + 1447) // 1448))
    if after > 16 * 1448:
        bad.append("%d bytes got through after the deny" % after)
for m in bad:
    print("FAIL: (b) " + m)
if not bad:
    print("ok: (b) sampo-nf stopped the whole session on both paths; client2 completed untouched")
sys.exit(1 if bad else 0)
EOF
[ $fails = 0 ] && echo "check-nf-inline: sampo-nf blocks the whole MPTCP session"
exit $fails
