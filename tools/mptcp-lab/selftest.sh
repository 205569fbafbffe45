#!/bin/bash
# Self-test of mptcp-lab and truth.py: small scenarios, each must clean up after itself and give a
# capture whose truth methods agree with the expected number of subflows per session; plus an
# interrupted run (SIGINT) that must leave no namespace behind. Root only; about 1-2 minutes.
# Usage: tools/mptcp-lab/selftest.sh [WORKDIR]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
LAB="$HERE/mptcp-lab"
TRUTH="$HERE/truth.py"
WORK=${1:-$(mktemp -d /tmp/mptcp-lab-selftest.XXXXXX)}
mkdir -p "$WORK"
pass=0
fail=0

ours() { ip netns list | grep -c '^mplab' || true; }

check() {  # name expected-subflows lab-args...
    local name=$1 want=$2
    shift 2
    local out="$WORK/$name.pcap"
    if ! /usr/bin/python3 "$LAB" -q --out "$out" "$@"; then
        echo "FAIL $name: mptcp-lab exited non-zero"; fail=$((fail + 1)); return
    fi
    if [ "$(ours)" != 0 ]; then
        echo "FAIL $name: namespaces left behind"; fail=$((fail + 1)); return
    fi
    if ! /usr/bin/python3 "$TRUTH" -q "$out"; then
        echo "FAIL $name: truth methods disagree (see ${out%.pcap}.truth.json)"; fail=$((fail + 1)); return
    fi
    local got
    got=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(sorted(d["counts"]["subflows_per_session"])))' "${out%.pcap}.truth.json")
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: subflows per session $got, expected $want"; fail=$((fail + 1)); return
    fi
    echo "ok   $name"
    pass=$((pass + 1))
}

[ "$(id -u)" = 0 ] || { echo "selftest: run as root"; exit 2; }
[ "$(ours)" = 0 ] || { echo "selftest: mplab* namespaces exist already (mptcp-lab --cleanup-stale)"; exit 2; }

check v4-fullmesh   4 --clients 3 --tcp-clients 2 --size 1000000
check v6-fullmesh   4 --ipv6 --clients 2 --tcp-clients 1 --size 1000000 --capture any
check v4-two        2 --subflows 2 --clients 3 --size 1000000
check v6-three      3 --ipv6 --subflows 3 --clients 2 --size 1000000
check k3-up         4 --clients 2 --conns-per-client 3 --direction up --size 800000
check both-heavy    4 --clients 3 --tcp-clients 2 --direction both --sizes heavy --size-min 300000 --size-max 3000000 --seed 3
check backup-loss   4 --clients 2 --backup --prio-change 0.8 --loss 1 --size 3000000 --rate-min 10 --rate-max 20
check mixed-k2      4 --clients 2 --tcp-clients 1 --conns-per-client 2 --direction mixed --size 800000 --seed 5

# interrupted run: SIGINT while transfers are running
/usr/bin/python3 "$LAB" -q --clients 3 --tcp-clients 1 --size 100000000 --rate-min 5 --rate-max 5 \
    --out "$WORK/interrupted.pcap" &
pid=$!
sleep 3
during=$(ours)
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$during" -gt 0 ] && [ "$(ours)" = 0 ] && [ "$rc" = 130 ]; then
    echo "ok   sigint-cleanup ($during namespaces during the run, 0 after)"
    pass=$((pass + 1))
else
    echo "FAIL sigint-cleanup: during=$during after=$(ours) rc=$rc"
    fail=$((fail + 1))
fi

echo "selftest: captures in $WORK"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
