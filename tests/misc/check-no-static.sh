#!/bin/sh
# The unit tests without the static library: a scratch tree configured with
# -DSAMPO_BUILD_STATIC=OFF -DSAMPO_BUILD_PYTHON=OFF builds what they need
# (target sampo_unit_tests: the library's objects and the test programs,
# nothing else) and runs them (ctest -L unit); any failure fails.  Debug
# (-O0) unless CMAKE_ARGS say otherwise: it compiles in half the time.
#   check-no-static.sh SOURCE_DIR WORK_DIR [CMAKE_ARGS...]
set -eu
src="$1"; work="$2"; shift 2
rm -rf "$work"; mkdir -p "$work"
b="$work/build"
fail() { echo "FAIL: $*"; exit 1; }
t0=$(date +%s)
cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Debug -DSAMPO_BUILD_STATIC=OFF -DSAMPO_BUILD_PYTHON=OFF \
    "$@" >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configure"; }
cmake --build "$b" -j2 --target sampo_unit_tests >"$work/build.log" 2>&1 ||
    { cat "$work/build.log"; fail "build"; }
t1=$(date +%s)
[ -z "$(find "$b" -name 'libsampo.a')" ] || fail "libsampo.a was built with SAMPO_BUILD_STATIC=OFF"
n=$(cd "$b" && ctest -N -L unit | sed -n 's/^Total Tests: *//p')
[ "${n:-0}" -gt 0 ] || fail "no unit tests registered"
(cd "$b" && ctest -L unit -j2 --output-on-failure) || fail "unit tests fail without the static library"
t2=$(date +%s)
echo "check-no-static: $n unit tests built ($((t1 - t0)) s) and passed ($((t2 - t1)) s)" \
     "without the static library"
