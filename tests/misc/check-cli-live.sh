#!/bin/sh
# sampo-cli -i on a veth pair between two network namespaces made here:
# it prints tcpdump's "listening on" line, and finds the MPTCP session (an
# initial subflow and a joined one) of a transfer made between them with
# IPPROTO_MPTCP sockets (/usr/bin/python3), offloads off (ethtool -K).
# Needs root and network namespaces: without them it skips (exit 77).
#   check-cli-live.sh SAMPO_CLI
set -u
cli="$1"
skip() { echo "check-cli-live: SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (network namespaces and live capture need it)"
for t in ip ethtool; do
    command -v $t >/dev/null 2>&1 || { echo "check-cli-live: $t missing (apt-get install iproute2 ethtool)"; exit 1; }
done
A="sampo-live-a-$$"; B="sampo-live-b-$$"
tmp=$(mktemp -d)
cap_pid=""; srv_pid=""
cleanup() {
    [ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
    ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$A" 2>"$tmp/e" || skip "cannot create a network namespace: $(cat "$tmp/e")"
ip netns add "$B" || skip "cannot create a second network namespace"
[ "$(ip netns exec "$A" sysctl -n net.mptcp.enabled 2>/dev/null)" = 1 ] || skip "MPTCP is not enabled in the kernel (net.mptcp.enabled)"
set -e
ip -n "$A" link add va type veth peer name vb netns "$B"
ip -n "$A" addr add 10.231.1.1/24 dev va
ip -n "$A" addr add 10.231.2.1/24 dev va
ip -n "$B" addr add 10.231.1.2/24 dev vb
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set va up; ip -n "$B" link set vb up
ip netns exec "$A" ethtool -K va tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec "$B" ethtool -K vb tso off gso off gro off >/dev/null 2>&1 || true
# The client opens a second subflow from its second address.
ip -n "$B" mptcp limits set subflow 4 add_addr_accepted 4
ip -n "$A" mptcp limits set subflow 4 add_addr_accepted 4
ip -n "$A" mptcp endpoint add 10.231.2.1 dev va subflow
set +e

ip netns exec "$B" "$cli" --no-progress --format json -i vb tcp port 5201 >"$tmp/out" 2>"$tmp/err" &
cap_pid=$!
i=0
while ! grep -q "listening on" "$tmp/err" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

ip netns exec "$B" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)  # IPPROTO_MPTCP
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.231.1.2", 5201)); s.listen(1)
c, _ = s.accept()
while c.recv(65536):
    pass
c.close()
' &
srv_pid=$!
sleep 0.5
ip netns exec "$A" /usr/bin/python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.connect(("10.231.1.2", 5201))
buf = bytes(16384)
end = time.time() + 2.0
while time.time() < end:  # long enough for the join and data on both subflows
    s.sendall(buf)
    time.sleep(0.005)
s.close()
'
wait "$srv_pid"; srv_pid=""
sleep 0.5
kill -INT "$cap_pid"
wait "$cap_pid"; st=$?; cap_pid=""

fail=0
line=$(grep "listening on" "$tmp/err")
if [ "$line" = "listening on vb, link-type EN10MB (Ethernet), snapshot length 262144 bytes" ]; then
    echo "ok: $line"
else
    echo "FAIL: no listening line as tcpdump prints it; stderr:"; cat "$tmp/err"; fail=1
fi
[ "$st" = 0 ] && echo "ok: status 0 after SIGINT" || { echo "FAIL: status $st"; cat "$tmp/err"; fail=1; }
/usr/bin/python3 - "$tmp/out" <<'EOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sess = [r for r in recs if r.get("type") == "session"]
cnt = next((r for r in recs if r.get("type") == "counters"), {})
if not sess:
    print("FAIL: no session found; counters:", {k: v for k, v in cnt.items() if v})
    sys.exit(1)
best = max(sess, key=lambda r: len(r["subflows"]))
flows = [sf["flow"] for sf in best["subflows"]]
print("ok: %d session(s), %d packets read; largest: %d subflows %s, method %s, confidence %s"
      % (len(sess), cnt.get("packets_read", -1), len(flows), flows, best["method"], best["confidence"]))
if len(flows) < 2:
    print("FAIL: the joined subflow was not associated")
    sys.exit(1)
EOF
[ $fail = 0 ] && echo "check-cli-live: live capture behaves as documented"
exit $fail
