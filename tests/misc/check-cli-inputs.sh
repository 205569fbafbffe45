#!/bin/sh
# sampo-cli's inputs as people have them (issue 10, requirement 3), on
# captures built here with Debian's editcap and mergecap from data/pcaps:
#  - a pcapng whose interfaces have different link types (Ethernet, raw IP,
#    Linux cooked; libpcap refuses it) gives the sessions of its parts;
#  - rotated pieces (editcap -c) given in shuffled order, pieces that
#    overlap in time, and the same pieces given with -r, give the sessions
#    of the whole capture;
#  - -c stops after COUNT packets; a filter after the files, after -- and
#    with -r; -D lists interfaces; --version (and not -V).
# Sessions are compared as sets of JSON "session" records without their ids
# (numbering follows the order sessions are seen).
# Without wiretap (WIRETAP=OFF) the multi-link-type pcapng must give status 1
# and say that no packet could be read.
#   check-cli-inputs.sh SAMPO_CLI DATA_DIR [WIRETAP]
set -u
cli="$1"; data="$2"; pc="$data/pcaps"; wiretap="${3:-ON}"
for t in editcap mergecap tcpdump; do
    command -v $t >/dev/null 2>&1 || { echo "check-cli-inputs: $t missing (apt-get install wireshark-common tcpdump)"; exit 1; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# sessions OUT JSON...: the session records of sampo-cli's JSON outputs,
# ids removed, one per line, sorted (a set).
sessions() {
    out="$1"; shift
    /usr/bin/python3 - "$@" >"$out" <<'EOF'
import json, sys
recs = set()
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        if r.get("type") != "session":
            continue
        r.pop("id", None)
        for sf in r.get("subflows", []):
            sf.pop("id", None)
        recs.add(json.dumps(r, sort_keys=True))
for r in sorted(recs):
    print(r)
EOF
}
run() { # run OUT ARGS...: sampo-cli --format json, status in $st
    o="$1"; shift
    "$cli" --no-progress --format json "$@" >"$o" 2>"$o.err"; st=$?
}
same() { # same WHAT A B
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1: $(wc -l <"$2") sessions, the same"
    else bad "$1: sessions differ"; diff "$2" "$3" | head -5; fi
}
counter() { # counter JSON NAME: a counter's value
    sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1" | head -1
}

lab="$pc/lab-v1-backup.pcap"
run "$tmp/whole.json" "$lab"; sessions "$tmp/whole.set" "$tmp/whole.json"

# 1. Multi-link-type pcapng.  The lab capture's first 12000 packets as
# Ethernet, the rest as raw IP (editcap -C 14 -T rawip strips the Ethernet
# header), merged into one pcapng with two interfaces.
editcap -r "$lab" "$tmp/a1.pcap" 1-12000 >/dev/null
editcap -r "$lab" "$tmp/a2e.pcap" 12001-99999 >/dev/null
editcap -C 14 -T rawip "$tmp/a2e.pcap" "$tmp/a2r.pcap" >/dev/null
mergecap -w "$tmp/mix.pcapng" "$tmp/a1.pcap" "$tmp/a2r.pcap"
if tcpdump -r "$tmp/mix.pcapng" -w /dev/null 2>"$tmp/td.err"; then
    bad "libpcap (tcpdump) reads the multi-link-type pcapng: the test does not test the fallback"
else
    ok "libpcap refuses it: $(tail -1 "$tmp/td.err")"
fi
if [ "$wiretap" = OFF ]; then
    run "$tmp/mix.json" "$tmp/mix.pcapng"
    [ $st = 1 ] && grep -q "no packet could be read" "$tmp/mix.json.err" &&
        ok "no wiretap: mixed pcapng -> 1: $(cat "$tmp/mix.json.err")" ||
        bad "no wiretap: mixed pcapng -> $st: $(cat "$tmp/mix.json.err")"
fi
[ "$wiretap" = OFF ] || {
run "$tmp/mix.json" "$tmp/mix.pcapng"
[ $st = 0 ] || bad "mix.pcapng: status $st: $(cat "$tmp/mix.json.err")"
sessions "$tmp/mix.set" "$tmp/mix.json"
same "Ethernet + raw IP pcapng vs the Ethernet capture" "$tmp/whole.set" "$tmp/mix.set"
[ "$(counter "$tmp/mix.json" packets_read)" = 24655 ] || bad "mix.pcapng: packets_read $(counter "$tmp/mix.json" packets_read), want 24655"
# On standard input it cannot be read again: an error, not 0 packets and 0.
"$cli" --no-progress - <"$tmp/mix.pcapng" >/dev/null 2>"$tmp/e"; st=$?
[ $st = 1 ] && grep -q "no packet could be read" "$tmp/e" && ok "mixed pcapng on stdin -> 1: $(cat "$tmp/e")" ||
    bad "mixed pcapng on stdin -> $st: $(cat "$tmp/e")"
# Three link types, interleaved in time: mptcp-v0 (Ethernet), mptcp-v1
# (Linux cooked) and mptcp-tcprst (raw IP) moved into mptcp-v0's time.
editcap -t -217133671 "$pc/mptcp-v1.pcap" "$tmp/v1.pcap" >/dev/null
editcap -t -1000000000 "$pc/mptcp-tcprst.pcap" "$tmp/rst.pcap" >/dev/null
t_v0=$(tcpdump -tt -r "$pc/mptcp-v0.pcap" -c 1 2>/dev/null | cut -d' ' -f1)
t_rst=$(tcpdump -tt -r "$tmp/rst.pcap" -c 1 2>/dev/null | cut -d' ' -f1)
shift_rst=$(/usr/bin/python3 -c "print(int($t_v0 - $t_rst + 1))")
editcap -t "$shift_rst" "$tmp/rst.pcap" "$tmp/rst2.pcap" >/dev/null
mergecap -w "$tmp/three.pcapng" "$pc/mptcp-v0.pcap" "$tmp/v1.pcap" "$tmp/rst2.pcap"
run "$tmp/three.json" "$tmp/three.pcapng"
[ $st = 0 ] || bad "three.pcapng: status $st: $(cat "$tmp/three.json.err")"
for p in "$pc/mptcp-v0.pcap" "$tmp/v1.pcap" "$tmp/rst2.pcap"; do
    run "$tmp/part.json" "$p"; cat "$tmp/part.json" >>"$tmp/parts.json"
done
sessions "$tmp/three.set" "$tmp/three.json"; sessions "$tmp/parts.set" "$tmp/parts.json"
same "Ethernet + Linux cooked + raw IP pcapng vs its parts" "$tmp/parts.set" "$tmp/three.set"
[ "$(counter "$tmp/three.json" packets_undecodable)" = 0 ] || bad "three.pcapng: undecodable packets"
# A filter applies to each link type (compiled per link type).
run "$tmp/f1.json" "$lab" tcp port 5201
run "$tmp/f2.json" "$tmp/mix.pcapng" tcp port 5201
n1=$(counter "$tmp/f1.json" packets_read); n2=$(counter "$tmp/f2.json" packets_read)
[ -n "$n1" ] && [ "$n1" = "$n2" ] && [ "$n1" -lt 24655 ] && ok "filter on the mixed pcapng: $n2 packets, as on the whole" ||
    bad "filter: $n1 packets on the capture, $n2 on the mixed pcapng"
}
[ "$wiretap" = OFF ] && n1=$(run "$tmp/f1.json" "$lab" tcp port 5201; counter "$tmp/f1.json" packets_read)

# 2. Several files.  Rotated pieces in shuffled order, then two files whose
# packets overlap in time (alternate blocks of 1000 packets).
editcap -c 5000 "$lab" "$tmp/rot.pcap" >/dev/null
set -- "$tmp"/rot_*.pcap
[ $# -ge 4 ] || bad "editcap -c made $# pieces"
shuffled=$(printf '%s\n' "$@" | /usr/bin/python3 -c 'import sys; l=sys.stdin.read().split(); print(" ".join(l[1::2] + l[0::2][::-1]))')
# shellcheck disable=SC2086
run "$tmp/rot.json" $shuffled
[ $st = 0 ] || bad "rotated pieces: status $st: $(cat "$tmp/rot.json.err")"
sessions "$tmp/rot.set" "$tmp/rot.json"
same "$# rotated pieces in shuffled order vs the whole" "$tmp/whole.set" "$tmp/rot.set"
ra=""; for f in $shuffled; do ra="$ra -r $f"; done
# shellcheck disable=SC2086
run "$tmp/r.json" $ra
sessions "$tmp/r.set" "$tmp/r.json"
same "the pieces given with -r" "$tmp/whole.set" "$tmp/r.set"
odd=""; even=""; i=1
while [ $i -le 24655 ]; do
    odd="$odd $i-$((i + 999))"; even="$even $((i + 1000))-$((i + 1999))"; i=$((i + 2000))
done
# shellcheck disable=SC2086
editcap -r "$lab" "$tmp/odd.pcap" $odd >/dev/null
# shellcheck disable=SC2086
editcap -r "$lab" "$tmp/even.pcap" $even >/dev/null
run "$tmp/ov.json" "$tmp/even.pcap" "$tmp/odd.pcap"
sessions "$tmp/ov.set" "$tmp/ov.json"
same "two files overlapping in time vs the whole" "$tmp/whole.set" "$tmp/ov.set"
# Mixed formats: a piece as pcapng with two link types among plain pcaps.
# shellcheck disable=SC2086
run "$tmp/m2.json" "$tmp/a2r.pcap" "$tmp/a1.pcap"
sessions "$tmp/m2.set" "$tmp/m2.json"
same "Ethernet and raw IP halves as two files" "$tmp/whole.set" "$tmp/m2.set"
# A filter after the files, after --, and with -r.
# shellcheck disable=SC2086
run "$tmp/f3.json" $shuffled tcp port 5201
# shellcheck disable=SC2086
run "$tmp/f4.json" $shuffled -- tcp port 5201
# shellcheck disable=SC2086
run "$tmp/f5.json" $ra tcp port 5201
for f in f3 f4 f5; do
    [ "$(counter "$tmp/$f.json" packets_read)" = "$n1" ] && ok "filter ($f): $n1 packets" ||
        bad "filter ($f): $(counter "$tmp/$f.json" packets_read) packets, want $n1: $(cat "$tmp/$f.json.err")"
done
# A misspelt file name is not taken for a filter in silence.
"$cli" --no-progress "$lab" "$tmp/nosuch.pcap" >/dev/null 2>"$tmp/e"; st=$?
[ $st = 1 ] && grep -q "No such file" "$tmp/e" && ok "misspelt second file -> 1: $(cat "$tmp/e")" ||
    bad "misspelt second file -> $st: $(cat "$tmp/e")"

# Rotated captures can be more files than the soft limit on open files, and
# a merge holds them all open: sampo-cli raises the soft limit towards the
# hard one.  300 links to mptcp-v0.pcap under a soft limit of 128.
mkdir "$tmp/many"
i=0; while [ $i -lt 300 ]; do ln -s "$pc/mptcp-v0.pcap" "$tmp/many/r$i.pcap"; i=$((i + 1)); done
(ulimit -Sn 128 && exec "$cli" --no-progress --format json "$tmp"/many/r*.pcap) >"$tmp/m.json" 2>"$tmp/m.err"; st=$?
[ $st = 0 ] && [ "$(counter "$tmp/m.json" packets_read)" = $((300 * 264)) ] &&
    ok "300 files under a soft limit of 128 open files (hard $(ulimit -Hn)): $((300 * 264)) packets" ||
    bad "300 files under ulimit -Sn 128 (hard $(ulimit -Hn)) -> $st, $(counter "$tmp/m.json" packets_read) packets: $(cat "$tmp/m.err")"
(ulimit -n 128 && exec "$cli" --no-progress "$tmp"/many/r*.pcap) >/dev/null 2>"$tmp/m.err"; st=$?
[ $st = 1 ] && grep -q "raise it with ulimit -n" "$tmp/m.err" && ok "300 files, hard limit 128 -> 1: $(cat "$tmp/m.err")" ||
    bad "300 files under ulimit -n 128 -> $st: $(cat "$tmp/m.err")"

# 3. -c, -D, --version, -V.
run "$tmp/c.json" -c 100 "$lab"
[ "$(counter "$tmp/c.json" packets_read)" = 100 ] && ok "-c 100: 100 packets read" || bad "-c 100: $(counter "$tmp/c.json" packets_read)"
# shellcheck disable=SC2086
run "$tmp/c2.json" --count=7000 $shuffled
[ "$(counter "$tmp/c2.json" packets_read)" = 7000 ] && ok "--count=7000 over pieces: 7000 packets read" || bad "--count=7000: $(counter "$tmp/c2.json" packets_read)"
"$cli" -D >"$tmp/d" 2>"$tmp/e"; st=$?
if [ $st = 0 ] && grep -qE '^1\.[^ ]+' "$tmp/d"; then ok "-D: $(wc -l <"$tmp/d") interfaces, first: $(head -1 "$tmp/d")"
elif [ $st = 1 ] && grep -q "interface" "$tmp/e"; then ok "-D: no interface here: $(cat "$tmp/e")"
else bad "-D -> $st: $(cat "$tmp/d" "$tmp/e")"; fi
"$cli" --version >"$tmp/v" 2>&1 && grep -q '^sampo-cli ' "$tmp/v" && ok "--version" || bad "--version: $(cat "$tmp/v")"
"$cli" -V >/dev/null 2>"$tmp/e"; st=$?
[ $st = 2 ] && grep -q -- "--version" "$tmp/e" && ok "-V -> 2: $(head -1 "$tmp/e")" || bad "-V -> $st: $(cat "$tmp/e")"

[ $fail = 0 ] && echo "check-cli-inputs: all cases behave as documented"
exit $fail
