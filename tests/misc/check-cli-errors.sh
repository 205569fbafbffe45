#!/bin/sh
# sampo-cli on bad input: a clear message and the documented exit status,
# never a crash; a truncated capture is processed up to the cut.
#   check-cli-errors.sh SAMPO_CLI DATA_DIR
set -u
cli="$1"; data="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect STATUS PATTERN -- ARGS...: run, check the status and that stderr matches
    want="$1"; pat="$2"; shift 3
    "$cli" --no-progress "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" != "$want" ] || ! grep -qiE "$pat" "$tmp/err"; then
        echo "FAIL: sampo-cli $* -> status $got (want $want), stderr:"; cat "$tmp/err"; fail=1
    else
        echo "ok: sampo-cli $* -> $got: $(head -1 "$tmp/err")"
    fi
}
# A capture cut in the middle of a record.
head -c 30000 "$data/pcaps/mptcp-v0.pcap" > "$tmp/cut.pcap"
# Garbage and an empty file.
head -c 4096 "$cli" > "$tmp/garbage.pcap"   # deterministic: an ELF header, not a capture
: > "$tmp/empty.pcap"
# A valid header, then a record cut before any packet; a header alone.
head -c 40 "$data/pcaps/mptcp-v0.pcap" > "$tmp/nopkt.pcap"
head -c 24 "$data/pcaps/mptcp-v0.pcap" > "$tmp/zero.pcap"

expect 1 "no such file|cannot|no such"      -- "$tmp/missing.pcap"
expect 1 "."                                 -- "$tmp/garbage.pcap"
expect 1 "."                                 -- "$tmp/empty.pcap"
expect 1 "no packet could be read"           -- "$tmp/nopkt.pcap"
expect 1 "no packet could be read"           -- "$data/pcaps/mptcp-v0.pcap" "$tmp/nopkt.pcap"
expect 0 "holds no packets"                  -- "$tmp/zero.pcap"
expect 1 "no such file"                      -- "$data/pcaps/mptcp-v0.pcap" "$tmp/missing.pcap"
expect 2 "more than once"                    -- - -
expect 2 "cannot be used together"           -- -r "$tmp/zero.pcap" -i lo
expect 2 "count"                             -- -c 0 "$data/pcaps/mptcp-v0.pcap"
expect 0 "truncated"                         -- "$tmp/cut.pcap"
expect 3 "truncated"                         -- --strict "$tmp/cut.pcap"
expect 2 "sample"                            -- --sample count:0 "$data/pcaps/mptcp-v0.pcap"
expect 2 "sample"                            -- --sample bogus "$data/pcaps/mptcp-v0.pcap"
expect 2 "min-confidence"                    -- --min-confidence 2 "$data/pcaps/mptcp-v0.pcap"
expect 2 "window"                            -- --window -1 "$data/pcaps/mptcp-v0.pcap"
expect 2 "format"                            -- --format xml "$data/pcaps/mptcp-v0.pcap"
expect 1 "space|write"                       -- -o /dev/full "$data/pcaps/mptcp-v0.pcap"
# The cut capture still gives the session seen before the cut.
"$cli" --no-progress --format json "$tmp/cut.pcap" 2>/dev/null | grep -q '"type":"session"' ||
    { echo "FAIL: no session from the truncated capture"; fail=1; }
[ $fail = 0 ] && echo "check-cli-errors: all cases behave as documented"
exit $fail
