#!/bin/sh
# Does iptables' -j NFQUEUE queue packets on this kernel?  Three network
# namespaces, client -- fw -- server, fw forwarding; in fw a rule
#   iptables -A FORWARD -s 10.233.1.1 -j NFQUEUE --queue-num 7
# with iptables-nft, then iptables-legacy (each when it is installed and
# accepted).  For each: (1) with nfq-accept bound to queue 7, a datagram from
# the client reaches nfq-accept and is echoed (ACCEPT forwards it);
# (2) with no reader bound, the same ping is lost; (3) with --queue-bypass
# and no reader, it goes through.  Also: does the nftables `queue`
# statement load?  Prints what it finds; docs/sampo-nf.md, "This kernel".
# Root and network namespaces needed: skips (exit 77) without them, or
# when no iptables variant queues at all.
#   check-nfqueue.sh NFQ_ACCEPT
set -u
nfq="$1"
skip() { echo "check-nfqueue: SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root"
C="nfq-c-$$"; F="nfq-fw-$$"; S="nfq-s-$$"
tmp=$(mktemp -d)
rd=""; echo_pid=""
cleanup() {
    [ -n "$rd" ] && kill "$rd" 2>/dev/null
    [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null
    for n in "$C" "$F" "$S"; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$C" 2>"$tmp/e" || skip "cannot create a network namespace: $(cat "$tmp/e")"
ip netns add "$F"; ip netns add "$S"
ip -n "$C" link add c0 type veth peer name f0 netns "$F"
ip -n "$S" link add s0 type veth peer name f1 netns "$F"
ip -n "$C" addr add 10.233.1.1/24 dev c0
ip -n "$F" addr add 10.233.1.2/24 dev f0
ip -n "$F" addr add 10.233.2.1/24 dev f1
ip -n "$S" addr add 10.233.2.2/24 dev s0
for n in "$C" "$F" "$S"; do ip -n "$n" link set lo up; done
ip -n "$C" link set c0 up; ip -n "$F" link set f0 up; ip -n "$F" link set f1 up; ip -n "$S" link set s0 up
ip -n "$C" route add default via 10.233.1.2
ip -n "$S" route add default via 10.233.2.1
ip netns exec "$F" sysctl -qw net.ipv4.ip_forward=1
# A UDP echo server in the server namespace; "ping" is one datagram there
# and its echo back, within a second (no ping(8) needed).
ip netns exec "$S" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.233.2.2", 7007))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)
' &
echo_pid=$!
sleep 0.3
ping1() {
    ip netns exec "$C" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
s.sendto(b"nfq", ("10.233.2.2", 7007))
try:
    s.recvfrom(2048)
except socket.timeout:
    sys.exit(1)
'
}
ping1 || { echo "FAIL: no forwarding without any rule"; exit 1; }

works=""
for ipt in iptables-nft iptables-legacy; do
    command -v $ipt >/dev/null 2>&1 || { echo "$ipt: not installed"; continue; }
    if ! ip netns exec "$F" $ipt -A FORWARD -s 10.233.1.1 -j NFQUEUE --queue-num 7 2>"$tmp/e"; then
        echo "$ipt: rule refused: $(cat "$tmp/e")"; continue
    fi
    # nfq-accept runs in fw: queues belong to a network namespace
    ip netns exec "$F" "$nfq" 7 >"$tmp/out" 2>"$tmp/err" &
    rd=$!
    i=0; while ! grep -q bound "$tmp/err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if ping1; then r1="answered"; else r1="LOST"; fi
    n=$(grep -c "nfq-accept: packet" "$tmp/out")
    kill "$rd"; wait "$rd" 2>/dev/null; rd=""
    if ping1; then r2="answered"; else r2="lost"; fi
    ip netns exec "$F" $ipt -D FORWARD -s 10.233.1.1 -j NFQUEUE --queue-num 7
    ip netns exec "$F" $ipt -A FORWARD -s 10.233.1.1 -j NFQUEUE --queue-num 7 --queue-bypass
    if ping1; then r3="answered"; else r3="lost"; fi
    ip netns exec "$F" $ipt -D FORWARD -s 10.233.1.1 -j NFQUEUE --queue-num 7 --queue-bypass
    echo "$ipt: reader bound: $n packet(s) queued to it, ping $r1; no reader: ping $r2; no reader with --queue-bypass: ping $r3"
    head -1 "$tmp/out" | sed 's/^/    /'
    if [ "$n" -ge 1 ] && [ "$r1" = answered ] && [ "$r2" = lost ] && [ "$r3" = answered ]; then
        works="$works $ipt"
    else
        echo "FAIL: $ipt does not queue as expected"
        exit 1
    fi
done
if command -v nft >/dev/null 2>&1; then
    if ip netns exec "$F" nft -f - 2>"$tmp/e" <<'NFT'
table inet q {
    chain f {
        type filter hook forward priority 0;
        ip saddr 10.233.1.1 queue num 7
    }
}
NFT
    then echo "nft queue statement: accepted"; ip netns exec "$F" nft delete table inet q
    else echo "nft queue statement: refused: $(grep -m1 Error "$tmp/e")"; fi
else
    echo "nft: not installed"
fi
[ -n "$works" ] || skip "no iptables variant queues here"
echo "check-nfqueue: NFQUEUE queues with:$works"
