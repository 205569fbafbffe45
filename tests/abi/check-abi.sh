#!/bin/sh
# check-abi.sh LIB BASELINE HEADERS_DIR SUPPRESSIONS
#   Is the shared library LIB ABI-compatible with BASELINE (abidw XML of
#   sampo 0.1.0, tests/abi/libsampo-0.1.0.abi)?  HEADERS_DIR holds LIB's
#   public header(s); SUPPRESSIONS is tests/abi/abi.suppr.
# check-abi.sh --dump LIB HEADERS_DIR OUT
#   Write LIB's ABI as this check reads it (how the baseline was made).
#
# LIB must carry DWARF (RelWithDebInfo or Debug build); abidw, abidiff
# (abigail-tools) and python3 must be installed.  A missing tool, missing
# debug info or a baseline of another architecture is a FAILURE, never a
# skip: run scripts/install-deps.sh.
#
# The rules of sampo's ABI (SOVERSION 0, from 0.1.0 on): the size-prefixed
# structs (sampo_packet, sampo_bounds, sampo_event, sampo_subflow_info,
# sampo_session_info, sampo_pair_info) may only grow by members appended
# at or after 0.1.0's sizeof; enumerators keep their values and new ones
# take new values; sampo_* functions may be added, none removed or changed.
#
# Pass 1: abidiff --suppr SUPPRESSIONS BASELINE NEW.  abi.suppr suppresses
#   what the rules allow (members inserted at the end of the size-prefixed
#   structs, added sampo_* functions); abidiff's default filtering drops
#   the changes libabigail deems harmless (among them every enum change
#   that keeps the enum's size).  abidiff's exit status is a bit field
#   (libabigail 2.2, abidiff(1) "RETURN VALUES"):
#     1 ABIDIFF_ERROR, 2 ABIDIFF_USAGE_ERROR (always with 1): abidiff failed
#       -> FAIL (the comparison did not happen).
#     4 ABIDIFF_ABI_CHANGE: changes left after the suppressions; libabigail
#       cannot tell whether they are compatible and asks for a human -> FAIL:
#       everything the rules allow is suppressed already, so what is left
#       is not allowed, or needs a deliberate new suppression.
#     8 ABIDIFF_ABI_INCOMPATIBLE_CHANGE (always with 4): a removed function
#       or variable -> FAIL.
#   Added functions are reported as "Added functions" and set bit 4 unless
#   suppressed; abi.suppr suppresses those named sampo_*.  So pass 1 passes
#   only on exit status 0.
# Pass 2: libabigail 2.2 over-suppresses: once has_data_member_inserted_at
#   matches a struct, every change beneath it is hidden too (a member
#   widened in the middle, an enumerator renumbered in an enum reachable
#   only through the struct), and enum renumbering or removal counts as
#   harmless.  So abi-normalize.py takes exactly the allowed additions out
#   of NEW (appended members at or after 0.1.0's sizeof, new enumerators
#   with new values, new sampo_* functions), and abidiff --harmless (no
#   suppressions: every change, harmless or not) of BASELINE against that
#   must find nothing: again, only exit status 0 passes.
# Exit status: 0 when both passes find no disallowed change, 1 otherwise.
set -u

die() { echo "check-abi: FAIL: $*" >&2; exit 1; }
need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "$1 not found: install it with scripts/install-deps.sh (package $2)"
}

# One abidw invocation for the baseline and for the library under test.
dump() { # LIB HEADERS_DIR OUT
    abidw --headers-dir "$2" --drop-private-types --exported-interfaces-only \
          --no-corpus-path --no-comp-dir-path --short-locs --no-elf-needed \
          --out-file "$3" "$1" || die "abidw could not read $1"
    grep -q '<function-decl ' "$3" ||
        die "no debug information in $1: abidw sees symbols only; build with -DCMAKE_BUILD_TYPE=RelWithDebInfo (or Debug)"
}

need abidw abigail-tools
need abidiff abigail-tools
if [ "${1:-}" = "--dump" ]; then
    [ $# -eq 4 ] || die "usage: check-abi.sh --dump LIB HEADERS_DIR OUT"
    dump "$2" "$3" "$4"
    exit 0
fi
[ $# -eq 4 ] || die "usage: check-abi.sh LIB BASELINE HEADERS_DIR SUPPRESSIONS"
need python3 python3
lib=$1 base=$2 hdrs=$3 suppr=$4
here=$(cd "$(dirname "$0")" && pwd)
for f in "$lib" "$base" "$suppr"; do [ -f "$f" ] || die "no such file: $f"; done
[ -d "$hdrs" ] || die "no such directory: $hdrs"

work=$(mktemp -d "${TMPDIR:-/tmp}/check-abi.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$work"' EXIT INT TERM
dump "$lib" "$hdrs" "$work/new.abi"

arch() { sed -n "s/.*<abi-corpus [^>]*architecture='\([^']*\)'.*/\1/p" "$1" | head -1; }
[ "$(arch "$base")" = "$(arch "$work/new.abi")" ] ||
    die "the baseline is for $(arch "$base"), $lib is $(arch "$work/new.abi"): this check only runs on the baseline's architecture"

# Explain an abidiff exit status; return 0 only for "no change".
verdict() { # PASS-NAME STATUS REPORT
    if [ "$2" -eq 0 ]; then
        echo "check-abi: $1: no ABI change outside the rules"
        return 0
    fi
    echo "check-abi: $1: abidiff exit status $2:" >&2
    [ $(($2 & 1)) -ne 0 ] && echo "  ABIDIFF_ERROR: abidiff failed, nothing was compared" >&2
    [ $(($2 & 2)) -ne 0 ] && echo "  ABIDIFF_USAGE_ERROR: bad abidiff invocation" >&2
    [ $(($2 & 4)) -ne 0 ] && echo "  ABIDIFF_ABI_CHANGE: an ABI change the rules do not allow" >&2
    [ $(($2 & 8)) -ne 0 ] && echo "  ABIDIFF_ABI_INCOMPATIBLE_CHANGE: a function or variable was removed" >&2
    echo "---- abidiff report ----" >&2
    cat "$3" >&2
    echo "------------------------" >&2
    return 1
}

ok=0
abidiff --suppr "$suppr" "$base" "$work/new.abi" >"$work/pass1.txt" 2>&1
verdict "pass 1 (abidiff with $(basename "$suppr"))" $? "$work/pass1.txt" || ok=1

python3 "$here/abi-normalize.py" "$base" "$work/new.abi" "$work/new-normalized.abi" ||
    die "abi-normalize.py failed"
abidiff --harmless "$base" "$work/new-normalized.abi" >"$work/pass2.txt" 2>&1
verdict "pass 2 (strict abidiff after taking out the allowed additions)" $? "$work/pass2.txt" || ok=1

if [ $ok -ne 0 ]; then
    echo "check-abi: FAIL: $lib is not ABI-compatible with $(basename "$base") under sampo's rules" >&2
    exit 1
fi
echo "check-abi: OK: $lib keeps the ABI of $(basename "$base")"
