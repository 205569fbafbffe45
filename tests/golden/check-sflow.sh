#!/bin/sh
# check-sflow.sh CLI ORIGINAL SFLOW_CAPTURE [EXPORTER]
#
# sampo-cli --sflow on SFLOW_CAPTURE (ORIGINAL exported by an sFlow agent
# that samples every packet: tools/sflow-export.py -N 1) must find the
# sessions that sampo-cli finds on ORIGINAL.  Every header must be decoded
# (sflow_headers = packets read from ORIGINAL, sflow_bad = 0) and the
# library's decoding counters must agree.  What else must agree depends on
# the datagram times:
#
#   exact       one sample per datagram, sent at once: the headers keep
#               their packet times, so everything is identical, times and
#               order included, with or without token evidence.
#   default     several samples per datagram: a datagram carries its
#               samples at the time it is sent, up to the agent's flush
#               interval later.  Everything but times must agree (subflows,
#               listed by first-seen time, are compared as a set).
#   membership  the same without token evidence: DSN evidence is weighed
#               per association window, so moved times may change which
#               evidence ties a subflow first, its confidence, and the order
#               (so the ids) of sessions.  The groupings must agree: the
#               same sets of subflows in sessions, and unassociated.
#
# SFLOW_CAPTURE (the committed export) is checked in default mode, and in
# membership mode with --no-token.  With EXPORTER (tools/sflow-export.py),
# captures exported on the fly are checked too: exact mode, and the other
# encodings (expanded flow samples, an IPv6 agent, small datagrams without
# counter samples) in default mode.
set -eu
cli="$1"; orig="$2"; sflow="$3"; exporter="${4:-}"
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ]; then
    echo "check-sflow: python3 not found"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

compare() { # compare CAPTURE MODE LABEL [ARGS...]
    cap="$1"; mode="$2"; label="$3"; shift 3
    "$cli" --no-progress --format json "$@" "$orig" > "$tmp/a.json"
    "$cli" --no-progress --format json --sflow "$@" "$cap" > "$tmp/b.json"
    "$py" - "$tmp/a.json" "$tmp/b.json" "$mode" "$label" <<'EOF'
import json, sys

path_a, path_b, mode, label = sys.argv[1:5]

def load(path):
    sessions, counters = [], None
    for line in open(path):
        o = json.loads(line)
        if o["type"] == "counters":
            counters = o
            continue
        if mode != "exact":
            o.pop("first", None); o.pop("last", None); o.pop("timestamp", None)
            for s in o.get("subflows", []):
                s.pop("first", None); s.pop("last", None); s.pop("timestamp", None)
            o["subflows"] = sorted(o.get("subflows", []), key=lambda s: s["flow"])
        if mode == "membership":
            o = (o["type"], [(s["flow"], s["role"]) for s in o["subflows"]])
        sessions.append(o)
    if mode == "membership":
        sessions.sort()
    return sessions, counters

a, ca = load(path_a)
b, cb = load(path_b)
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
    print("check-sflow: %s (%s):\n%s" % (label, mode, "\n".join(fail)))
    sys.exit(1)
print("check-sflow: %s (%s): %d sessions match, %d headers from %d datagrams"
      % (label, mode, len(a), cb["sflow_headers"], cb["sflow_datagrams"]))
EOF
}

name=$(basename "$sflow")
compare "$sflow" default "$name"
compare "$sflow" membership "$name --no-token" --no-token

if [ -n "$exporter" ]; then
    "$py" "$exporter" -q -N 1 --max-samples 1 "$orig" "$tmp/x.pcap"
    compare "$tmp/x.pcap" exact "exported --max-samples 1"
    compare "$tmp/x.pcap" exact "exported --max-samples 1, --no-token" --no-token
    for variant in "--expanded" "--agent 2001:db8::1 --expanded" \
                   "--datagram-bytes 400 --counter-interval 0 --header-bytes 96"; do
        # shellcheck disable=SC2086
        "$py" "$exporter" -q -N 1 $variant "$orig" "$tmp/x.pcap"
        compare "$tmp/x.pcap" default "exported $variant"
    done
fi

# Datagrams on another port are not sFlow: nothing is decoded.
"$cli" --no-progress --format json --sflow --sflow-port 9 "$sflow" > "$tmp/c.json"
"$py" - "$tmp/c.json" <<'EOF'
import json, sys
c = [json.loads(l) for l in open(sys.argv[1])][-1]
if c["sflow_datagrams"] != 0 or c["sflow_not_sflow"] != c["packets_read"] or c["packets"] != 0:
    print("check-sflow: --sflow-port 9: %s" % c); sys.exit(1)
print("check-sflow: --sflow-port 9: %d packets, none decoded" % c["packets_read"])
EOF
