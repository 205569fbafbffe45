#!/bin/sh
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. dependencies from Debian packages (scripts/install-deps.sh)
#   2. a normal build and every CTest test (unit, fuzz corpus replay,
#      golden outputs of sampo-cli, symbols, install, Python)
#   3. the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
# Both builds make warnings errors (SAMPO_WERROR=ON).
# Every test CI is meant to run must run: after each ctest,
# scripts/check-ctest-run.py reads its JUnit report and fails when a test
# was skipped (a missing tool or module: CTest's SKIP_RETURN_CODE and
# SKIP_REGULAR_EXPRESSION), disabled or not run, or when a label below has
# no test registered (configuring left them out).  install-deps.sh installs
# everything the tests need, so nothing may skip here.
# Build trees: build-test/ and build-asan/.  Extra CTest arguments pass
# through, e.g. scripts/run-tests.sh -R golden
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
# The labels each build must register (the ASan build has no Python module,
# and leaves out the nosan tests).
labels_test="unit,fuzz,golden,truth,sflow,misc,abi,python,example,docs,nf"
labels_asan="unit,fuzz,golden,truth,sflow,misc,abi,example,docs,nf"

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAMPO_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs"
(cd build-test && ctest -j"$jobs" --output-on-failure --output-junit "$PWD/ctest-junit.xml" "$@")
scripts/check-ctest-run.py build-test/ctest-junit.xml --build-dir build-test --labels "$labels_test"

echo "== build and test under ASan + UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSAMPO_SANITIZE=address,undefined \
      -DSAMPO_BUILD_PYTHON=OFF -DSAMPO_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest -j"$jobs" --output-on-failure -LE nosan \
    --output-junit "$PWD/ctest-junit.xml" "$@")
scripts/check-ctest-run.py build-asan/ctest-junit.xml --build-dir build-asan --labels "$labels_asan"
