#!/bin/sh
# The shared library exports sampo_* symbols only (and at least the API), and
# none of the internal sampo__* ones: those are hidden (lib/ is built with
# -fvisibility=hidden; only SAMPO_API declarations are exported).
set -eu
lib="$1"
syms=$(nm -D --defined-only "$lib" | awk '{print $3}')
bad=$(printf '%s\n' "$syms" | grep -v '^sampo_' || true)
internal=$(printf '%s\n' "$syms" | grep '^sampo__' || true)
n=$(printf '%s\n' "$syms" | grep -c '^sampo_')
if [ -n "$bad" ]; then
    echo "exported symbols outside the sampo_ namespace:"; echo "$bad"; exit 1
fi
if [ -n "$internal" ]; then
    echo "internal symbols (sampo__*) exported by $lib: they must stay hidden (no SAMPO_API on"
    echo "internal declarations, no visibility(\"default\") in lib/):"; echo "$internal"; exit 1
fi
for s in sampo_ctx_create sampo_ctx_feed sampo_ctx_lookup sampo_strerror sampo_version_number; do
    printf '%s\n' "$syms" | grep -qx "$s" || { echo "missing export: $s"; exit 1; }
done
echo "check-symbols: $n symbols, all sampo_*, none sampo__*"
