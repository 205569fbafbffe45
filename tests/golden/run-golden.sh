#!/bin/sh
# run-golden.sh CLI CAPTURE EXPECTED [ARGS...]
# Run sampo-cli on CAPTURE with ARGS and compare with the committed output
# EXPECTED.  SAMPO_UPDATE_GOLDEN=1 rewrites EXPECTED instead.  A missing
# golden file fails.  The memory gauges (mem_current, mem_peak) are left
# out: they follow struct sizes, not behaviour.
set -eu
cli="$1"; capture="$2"; expected="$3"; shift 3
out=$(mktemp); trap 'rm -f "$out" "$out.err"' EXIT
status=0
"$cli" --no-progress "$@" "$capture" 2>"$out.err" >"$out" || status=$?
sed -e 's/,"mem_current":[0-9]*//; s/,"mem_peak":[0-9]*//' "$out" > "$out.f"; mv "$out.f" "$out"
echo "{\"type\":\"exit\",\"status\":$status}" >> "$out"
if [ "${SAMPO_UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$out" "$expected"; echo "golden: wrote $expected"; exit 0
fi
if [ ! -f "$expected" ]; then
    echo "golden: missing $expected (create it with SAMPO_UPDATE_GOLDEN=1)"; exit 1
fi
if ! diff -u "$expected" "$out"; then
    echo "golden: $capture $* differs from $expected"
    echo "stderr:"; cat "$out.err"; exit 1
fi
echo "golden: $(basename "$expected") matches"
