#!/bin/sh
# check-skip-guard.sh SOURCE_DIR WORK_DIR BUILD_DIR
# A skipped test is reported as skipped, and the CI guard fails on it:
#  1. a scratch CTest project (no compiler) with a Python unittest that
#     skips, run through tests/common/run-unittest.py with SKIP_RETURN_CODE
#     77 as the project's Python tests are: CTest reports it "Skipped", not
#     passed; scripts/check-ctest-run.py on the JUnit report fails and names
#     it; without it the guard passes; a label with no test fails the guard;
#  2. in BUILD_DIR (this build), every test run by run-unittest.py declares
#     SKIP_RETURN_CODE 77, and so does every other test that can exit 77.
set -eu
src="$1"; work="$2"; build="$3"
guard="$src/scripts/check-ctest-run.py"
runner="$src/tests/common/run-unittest.py"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"; mkdir -p "$work/proj"
cat > "$work/proj/skipmod.py" <<'EOF'
import unittest


class T(unittest.TestCase):
    def test_runs(self):
        pass

    def test_needs_a_tool(self):
        self.skipTest("frobnicate not installed")
EOF
cat > "$work/proj/passmod.py" <<'EOF'
import unittest


class T(unittest.TestCase):
    def test_runs(self):
        pass
EOF
cat > "$work/proj/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.21)
project(skipguard NONE)
enable_testing()
add_test(NAME py_pass COMMAND $runner passmod WORKING_DIRECTORY $work/proj)
add_test(NAME py_skip COMMAND $runner skipmod WORKING_DIRECTORY $work/proj)
set_tests_properties(py_pass py_skip PROPERTIES SKIP_RETURN_CODE 77 LABELS python
                     ENVIRONMENT PYTHONDONTWRITEBYTECODE=1)
EOF
cmake -S "$work/proj" -B "$work/b" >/dev/null || fail "scratch project: cmake failed"
cd "$work/b"
ctest --output-junit "$work/all.xml" > "$work/ctest.out" 2>&1 || { cat "$work/ctest.out"; fail "ctest failed"; }
grep -q "py_skip .*\*\*\*Skipped" "$work/ctest.out" || { cat "$work/ctest.out"; fail "py_skip not reported as skipped"; }
grep -q "py_pass .*Passed" "$work/ctest.out" || { cat "$work/ctest.out"; fail "py_pass did not pass"; }
st=0; "$guard" "$work/all.xml" > "$work/guard.out" 2>&1 || st=$?
[ "$st" = 1 ] || { cat "$work/guard.out"; fail "guard: exit $st with a skipped test, want 1"; }
grep -q "py_skip: notrun (SKIP_RETURN_CODE=77)" "$work/guard.out" || { cat "$work/guard.out"; fail "guard did not name py_skip"; }
ctest -E py_skip --output-junit "$work/ran.xml" >/dev/null 2>&1 || fail "ctest -E py_skip failed"
"$guard" "$work/ran.xml" --build-dir "$work/b" --labels python > "$work/guard.out" 2>&1 ||
    { cat "$work/guard.out"; fail "guard failed when every test ran"; }
st=0; "$guard" "$work/ran.xml" --build-dir "$work/b" --labels python,abi > "$work/guard.out" 2>&1 || st=$?
[ "$st" = 1 ] && grep -q "label(s) abi" "$work/guard.out" || { cat "$work/guard.out"; fail "guard: label abi has no test, exit $st"; }
echo "scratch project: a skip is reported Skipped and fails the guard; all ran passes; a missing label fails"

# 2. this build: tests that can exit 77 declare it.
cd "$build"
ctest --show-only=json-v1 > "$work/tests.json"
/usr/bin/python3 - "$work/tests.json" <<'EOF'
import json
import sys

tests = json.load(open(sys.argv[1]))["tests"]
# the commands that exit 77 for a skip
SKIPPERS = ("run-unittest.py", "check-sflow.sh", "check-cli-live.sh", "gen-doc-examples.py",
            "check-nfqueue.sh", "check-nf-inline.sh")
bad, n = [], 0
for t in tests:
    cmd = " ".join(t.get("command") or [])
    if not any(s in cmd for s in SKIPPERS):
        continue
    n += 1
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    if props.get("SKIP_RETURN_CODE") != 77:
        bad.append(t["name"])
if bad:
    print("FAIL: tests that exit 77 to skip without SKIP_RETURN_CODE 77: %s" % ", ".join(bad))
    sys.exit(1)
print("this build: %d test(s) that can skip, each with SKIP_RETURN_CODE 77" % n)
EOF
rm -rf "$work"
