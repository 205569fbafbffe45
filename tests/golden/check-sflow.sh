#!/bin/sh
# check-sflow.sh CLI ORIGINAL SFLOW_CAPTURE [EXPORTER]
#
# sampo-cli --sflow on SFLOW_CAPTURE (ORIGINAL exported by an sFlow agent
# sampling every packet, tools/sflow-export.py -N 1) must find the same
# sessions as sampo-cli on ORIGINAL, with and without token evidence:
# same ids, versions, methods, confidences, closes, tokens, subflows with
# their packets, bytes and DSN spans.  Times are left out of the
# comparison: a datagram carries its samples at the time it was sent, so
# first/last times move forward by up to the agent's flush interval.
# Every header must have been decoded (sflow_headers = packets, sflow_bad
# = 0), and the library's decoding counters must agree (the others follow
# packet times: association runs, expiry, ts_backwards).
#
# With EXPORTER (tools/sflow-export.py) and python3, the same check runs
# on captures exported on the fly in the other encodings: expanded flow
# samples, an IPv6 agent, small datagrams, no counter samples.
set -eu
cli="$1"; orig="$2"; sflow="$3"; exporter="${4:-}"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
    echo "check-sflow: python3 not found"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

compare() { # compare CAPTURE LABEL ARGS...
    cap="$1"; label="$2"; shift 2
    "$cli" --no-progress --format json "$@" "$orig" > "$tmp/a.json"
    "$cli" --no-progress --format json --sflow "$@" "$cap" > "$tmp/b.json"
    "$py" - "$tmp/a.json" "$tmp/b.json" "$label" <<'EOF'
import json, sys

def load(path):
    sessions, counters = [], None
    for line in open(path):
        o = json.loads(line)
        if o["type"] == "counters":
            counters = o
            continue
        o.pop("first", None); o.pop("last", None)
        for s in o.get("subflows", []):
            s.pop("first", None); s.pop("last", None)
        sessions.append(o)
    return sessions, counters

a, ca = load(sys.argv[1])
b, cb = load(sys.argv[2])
label = sys.argv[3]
fail = []
if not a:
    fail.append("the original capture gives no session")
if a != b:
    fail.append("sessions differ:\n  pcap:  %s\n  sflow: %s" % (a, b))
if cb["sflow_headers"] != ca["packets_read"]:
    fail.append("sflow_headers %d != %d packets" % (cb["sflow_headers"], ca["packets_read"]))
if cb["sflow_bad"] != 0:
    fail.append("sflow_bad = %d" % cb["sflow_bad"])
# Counters of decoding, which packet times cannot change.
decode = ["packets", "bytes", "linktype_unsupported", "l2_truncated", "not_ip",
          "ip_truncated", "ip_malformed", "ip_fragment", "ipv6_ext_truncated", "not_tcp",
          "tcp_truncated", "tcp_malformed", "tcp_options_truncated", "tcp_plain", "tcp_mptcp",
          "opt_malformed", "opt_truncated", "opt_unknown_subtype", "opt_duplicate",
          "mp_capable", "mp_join", "dss", "add_addr", "remove_addr", "mp_prio", "mp_fail",
          "mp_fastclose", "mp_tcprst", "version_mismatch", "subflows_created",
          "keys_learned", "packets_undecodable", "packets_not_tcp"]
for k in decode:
    if k in ca and ca[k] != cb.get(k):
        fail.append("counter %s: pcap %s, sflow %s" % (k, ca[k], cb.get(k)))
if fail:
    print("check-sflow: %s:\n%s" % (label, "\n".join(fail)))
    sys.exit(1)
print("check-sflow: %s: %d sessions match, %d headers from %d datagrams"
      % (label, len(a), cb["sflow_headers"], cb["sflow_datagrams"]))
EOF
}

compare "$sflow" "$(basename "$sflow")"
compare "$sflow" "$(basename "$sflow") --no-token" --no-token

if [ -n "$exporter" ]; then
    for variant in "--expanded" "--agent 2001:db8::1 --expanded" \
                   "--datagram-bytes 400 --counter-interval 0 --header-bytes 96"; do
        # shellcheck disable=SC2086
        "$py" "$exporter" -q -N 1 $variant "$orig" "$tmp/x.pcap"
        compare "$tmp/x.pcap" "exported $variant"
    done
fi
