#!/bin/sh
# run-golden.sh [--truth TRUTH --floors FLOORS --key KEY [--bands]] CLI CAPTURE EXPECTED [ARGS...]
# Run sampo-cli on CAPTURE with ARGS and compare with the committed output
# EXPECTED.  SAMPO_UPDATE_GOLDEN=1 rewrites EXPECTED instead.  A missing
# golden file fails.  The memory gauges (mem_current, mem_peak) are left
# out: they follow struct sizes, not behaviour.
#
# With --truth, the output is also scored against the capture's truth
# (check-truth.py --output, tools/mptcp-lab/evaluate.py's pair scoring) and
# the test fails when the pair precision or recall is below the floors of
# entry KEY in FLOORS (tests/golden/expected/floors.json); --bands also fails
# when a confidence band of the --pairs verdicts errs more than it promises.
# The floors are checked in update mode too, first: SAMPO_UPDATE_GOLDEN=1
# does not write a golden whose output is below its floor, and never writes
# FLOORS (floors change by hand only).
set -eu
truth=""; floors=""; key=""; bands=""
while [ $# -gt 0 ]; do
    case "$1" in
    --truth) truth="$2"; shift 2 ;;
    --floors) floors="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --bands) bands="--max-band-error"; shift ;;
    *) break ;;
    esac
done
if [ -n "$truth" ] && { [ -z "$floors" ] || [ -z "$key" ]; }; then
    echo "run-golden: --truth needs --floors and --key"; exit 2
fi
cli="$1"; capture="$2"; expected="$3"; shift 3
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp); trap 'rm -f "$out" "$out.err"' EXIT
status=0
"$cli" --no-progress "$@" "$capture" 2>"$out.err" >"$out" || status=$?
sed -e 's/,"mem_current":[0-9]*//; s/,"mem_peak":[0-9]*//' "$out" > "$out.f"; mv "$out.f" "$out"
echo "{\"type\":\"exit\",\"status\":$status}" >> "$out"

scored=0
if [ -n "$truth" ]; then
    # shellcheck disable=SC2086
    "$here/check-truth.py" --output "$out" --truth "$truth" --floors "$floors" --key "$key" $bands ||
        scored=$?
fi
if [ "${SAMPO_UPDATE_GOLDEN:-0}" = 1 ]; then
    if [ "$scored" != 0 ]; then
        echo "golden: NOT writing $expected: its output fails the truth check above"
        echo "golden: floors change by hand only (see the \"about\" of $floors)"
        exit 1
    fi
    cp "$out" "$expected"; echo "golden: wrote $expected"; exit 0
fi
if [ ! -f "$expected" ]; then
    echo "golden: missing $expected (create it with SAMPO_UPDATE_GOLDEN=1)"; exit 1
fi
differs=0
if ! diff -u "$expected" "$out"; then
    differs=1
    echo "golden: $capture $* differs from $expected"
    echo "stderr:"; cat "$out.err"
fi
if [ "$scored" != 0 ]; then
    echo "golden: $capture $* fails the truth check (floors: $floors, entry $key)"
fi
[ "$differs" = 0 ] && [ "$scored" = 0 ] || exit 1
echo "golden: $(basename "$expected") matches${truth:+, and scores at or above its floors}"
