#!/bin/sh
# Format the project's C sources with .clang-format (clang-format 14, the
# Debian 12 one: other versions format some constructs differently).
#   scripts/format.sh            rewrite the files in place
#   scripts/format.sh --check    change nothing; list the files that differ, exit 1 if any
#   scripts/format.sh [--check] FILE...   only these files
# Covers the C/C++ sources and headers under lib/ include/ tools/ tests/
# bench/ examples/ bindings/, except what is not ours to format: build trees
# (SWIG's generated wrapper lives there), fuzz corpora, the frozen 0.1.0
# header tests/abi/sampo-0.1.0.h, and anything under a directory named build*,
# CMakeFiles or corpus.
# CLANG_FORMAT=/path/to/clang-format overrides the program.
set -eu
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = "--check" ]; then
    check=1; shift
fi
case "${1:-}" in
-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
-*) echo "format.sh: unknown option $1 (usage: scripts/format.sh [--check] [FILE...])" >&2; exit 2 ;;
esac

cf="${CLANG_FORMAT:-}"
if [ -z "$cf" ]; then
    for c in clang-format-14 clang-format; do
        if command -v "$c" >/dev/null 2>&1; then cf="$c"; break; fi
    done
fi
if [ -z "$cf" ]; then
    echo "format.sh: clang-format not found (Debian: apt-get install clang-format)" >&2; exit 2
fi
ver=$("$cf" --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')
[ "$ver" = 14 ] || echo "format.sh: warning: $cf is version ${ver:-?}, .clang-format is tuned for 14" >&2

list=$(mktemp); trap 'rm -f "$list"' EXIT
if [ $# -gt 0 ]; then
    printf '%s\n' "$@" > "$list"
else
    for d in lib include tools tests bench examples bindings; do
        [ -d "$d" ] || continue
        find "$d" \( -type d \( -name 'build*' -o -name CMakeFiles -o -name corpus \
                                -o -name __pycache__ -o -name '.*' \) -prune \) -o \
             -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.cpp' \
                        -o -name '*.hpp' \) \
             ! -name '*_wrap.c' ! -name '*_wrap.cxx' ! -path 'tests/abi/sampo-0.1.0.h' -print
    done | LC_ALL=C sort > "$list"
fi

differ=0
while IFS= read -r f; do
    [ -n "$f" ] || continue
    if [ $check = 1 ]; then
        if ! "$cf" --style=file "$f" | cmp -s - "$f"; then
            echo "$f"; differ=$((differ + 1))
        fi
    else
        "$cf" --style=file -i "$f"
    fi
done < "$list"

if [ $check = 1 ] && [ $differ -gt 0 ]; then
    echo "format.sh: $differ file(s) differ from .clang-format; scripts/format.sh rewrites them" >&2
    exit 1
fi
exit 0
