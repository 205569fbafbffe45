#!/bin/sh
# sampo as a subproject: tests/misc/subproject/ embeds the source tree with
# add_subdirectory() and links a program to sampo::sampo.  It must build, run
# and install; sampo must bring no tests, benchmarks, Python module or
# examples into the parent's build, and keep its C standard and
# instrumentation to its own targets.
#   check-subproject.sh SOURCE_DIR WORK_DIR [CMAKE_ARGS...]
set -eu
src="$1"; work="$2"; shift 2
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
step() { # step LOG CMD...: run quietly, show the log on failure
    log="$1"; shift
    "$@" >"$log" 2>&1 || { cat "$log"; fail "$*"; }
}

b="$work/build"
step "$work/configure.log" cmake -G "Unix Makefiles" -S "$src/tests/misc/subproject" -B "$b" \
    -DSAMPO_SOURCE_DIR="$src" "$@"
step "$work/build.log" cmake --build "$b" -j2
"$b/outer" || fail "the parent's program failed"

# The parent's targets: sampo's libraries, none of its tests, benchmarks,
# fuzz replays, examples or Python module.
cmake --build "$b" --target help | sed -n 's/^\.\.\. //p' | sed 's/ .*//' >"$work/targets"
grep -qx sampo "$work/targets" || fail "no target sampo in the parent's build (help output changed?)"
bad=$(grep -E '^(test_|bench_|fuzz_|example_|sampo_python|sampo-cli)' "$work/targets" || true)
[ -z "$bad" ] || fail "sampo brought these targets into the parent's build:" $bad
# The parent's tests: its own one only.
n=$(cd "$b" && ctest -N | sed -n 's/^Total Tests: *//p')
[ "$n" = 1 ] || { (cd "$b" && ctest -N); fail "the parent has $n tests, not its own 1"; }
# No build type or output directories imposed.
grep -q '^CMAKE_BUILD_TYPE:STRING=$' "$b/CMakeCache.txt" ||
    fail "sampo set the parent's build type: $(grep '^CMAKE_BUILD_TYPE:' "$b/CMakeCache.txt")"
[ ! -e "$b/bin" ] && [ ! -e "$b/lib" ] || fail "sampo made the parent's bin/ or lib/ output directories"

# The install rules still install the library, its header and its package files.
step "$work/install.log" cmake --install "$b" --prefix "$work/prefix"
for f in include/sampo.h bin/outer; do
    [ -e "$work/prefix/$f" ] || fail "not installed: $f"
done
for f in libsampo.so libsampo.a sampoConfig.cmake sampoTargets.cmake sampo.pc; do
    [ -n "$(find "$work/prefix" -name "$f")" ] || fail "not installed: $f"
done

# Instrumentation and C dialect stay on sampo's targets (configure only): the
# parent's main.c is compiled without them, sampo's objects with them, and
# the program links the sanitizer runtime that the instrumented library needs.
s="$work/sanitized"
step "$work/configure-san.log" cmake -G "Unix Makefiles" -S "$src/tests/misc/subproject" -B "$s" \
    -DSAMPO_SOURCE_DIR="$src" -DSAMPO_SANITIZE=address -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@"
cmds="$s/compile_commands.json"
main=$(grep -F -- "-c $src/tests/misc/subproject/main.c\"" "$cmds") || fail "main.c not in $cmds"
lib=$(grep -F -- "-c $src/lib/" "$cmds" | head -1)
[ -n "$lib" ] || fail "no source of lib/ in $cmds"
case "$main" in *-fsanitize*|*-std=c11*|*-Wshadow*) fail "sampo's flags reached the parent: $main" ;; esac
case "$lib" in *-fsanitize=address*) ;; *) fail "sampo's own code is not instrumented: $lib" ;; esac
grep -q -- '-fsanitize=address' "$s/CMakeFiles/outer.dir/link.txt" ||
    fail "the parent's program is not linked with the sanitizer runtime of the instrumented libsampo"

echo "check-subproject: built, ran and installed as a subproject; targets: $(tr '\n' ' ' <"$work/targets")"
