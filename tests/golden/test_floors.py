#!/usr/bin/python3
"""Self-test of the golden tests' truth check (run-golden.sh --truth, check-truth.py --output,
expected/floors.json): a worse answer fails, whether it is scored alone or produced by
sampo-cli with a worse option, and SAMPO_UPDATE_GOLDEN=1 neither writes a golden below its
floor nor touches the floors.

    SAMPO_CLI=build/bin/sampo-cli /usr/bin/python3 tests/golden/test_floors.py -v

CTest runs it as golden.floors_selftest (through tests/common/run-unittest.py). Standard library only.
"""

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PCAPS = os.path.join(ROOT, "data", "pcaps")
EXPECTED = os.path.join(HERE, "expected")
FLOORS = os.path.join(EXPECTED, "floors.json")
CHECK = os.path.join(HERE, "check-truth.py")
RUN = os.path.join(HERE, "run-golden.sh")
CLI = os.environ.get("SAMPO_CLI") or os.path.join(ROOT, "build", "bin", "sampo-cli")
CONFIGS = ("all", "notoken", "dsn100", "pairs")   # tests/golden/CMakeLists.txt


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def lines_of(key):
    with open(os.path.join(EXPECTED, key + ".json")) as f:
        return [json.loads(line) for line in f]


def check(output_lines, key, truth, *extra):
    """check-truth.py --output on these JSON lines; (exit status, stdout)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        for o in output_lines:
            f.write(json.dumps(o) + "\n")
    try:
        p = subprocess.run([CHECK, "--output", f.name, "--truth", os.path.join(PCAPS, truth + ".truth.json"),
                            "--floors", FLOORS, "--key", key] + list(extra),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        os.unlink(f.name)
    return p.returncode, p.stdout


def sessions(lines):
    return [o for o in lines if o.get("type") == "session"]


class TestScore(unittest.TestCase):
    """check-truth.py --output against the committed floors, on doctored goldens."""

    KEY, CAP = "lab-v1-paper.all", "lab-v1-paper"

    def test_golden_passes(self):
        rc, out = check(lines_of(self.KEY), self.KEY, self.CAP)
        self.assertEqual(rc, 0, out)
        self.assertIn("PASS " + self.KEY, out)

    def test_split_subflow_fails_recall(self):
        """One subflow taken out of its session (a split, as a worse answer would make)."""
        lines = lines_of(self.KEY)
        s = sessions(lines)[0]
        alone = dict(s, id=10 ** 6, subflows=[s["subflows"].pop()])
        lines.insert(lines.index(s) + 1, alone)
        rc, out = check(lines, self.KEY, self.CAP)
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"pair recall 0\.95\d* < floor 1\.000000 \(%s; TP 57, FP 0, FN 3\)" % self.KEY)
        self.assertNotIn("pair precision 0", out)

    def test_merged_sessions_fail_precision(self):
        """Two true sessions reported as one (a forged or wrong association)."""
        lines = lines_of(self.KEY)
        a, b = sessions(lines)[:2]
        a["subflows"] += b["subflows"]
        lines.remove(b)
        rc, out = check(lines, self.KEY, self.CAP)
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"pair precision 0\.\d+ < floor 1\.000000 \(%s; TP 60, FP 16, FN 0\)" % self.KEY)

    def test_missing_floor_fails(self):
        rc, out = check(lines_of(self.KEY), "lab-v1-paper.nosuchconfig", self.CAP)
        self.assertEqual(rc, 1, out)
        self.assertIn("no floor for lab-v1-paper.nosuchconfig", out)
        self.assertIn('"recall": 1.0', out)        # the measured figures, ready to be reviewed

    def test_below_floor_fails_with_a_lower_floor_elsewhere(self):
        """The lossy capture's notoken floor (0.9375) does not excuse a further split."""
        key = "lab-v1-lossy.notoken"
        lines = lines_of(key)
        s = max(sessions(lines), key=lambda o: len(o["subflows"]))
        lines.append(dict(s, id=10 ** 6, subflows=[s["subflows"].pop()]))
        rc, out = check(lines, key, "lab-v1-lossy")
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"pair recall 0\.875000 < floor 0\.937500")

    def test_bands(self):
        """--bands: a wrong "same" verdict at confidence 1 breaks the 0.999-1 band's promise."""
        key = "lab-v1-paper.pairs"
        lines = lines_of(key)
        rc, out = check(lines, key, "lab-v1-paper", "--max-band-error")
        self.assertEqual(rc, 0, out)
        s = sessions(lines)
        wrong = {"type": "pair", "flows": [s[0]["subflows"][0]["flow"], s[1]["subflows"][0]["flow"]],
                 "verdict": "same", "confidence": 1.0}
        rc, out = check(lines + [wrong] * 3, key, "lab-v1-paper", "--max-band-error")
        self.assertEqual(rc, 1, out)
        self.assertIn("band 0.999-1", out)


class TestFloorsFile(unittest.TestCase):
    def test_every_scored_golden_has_a_floor_and_no_floor_is_stale(self):
        with open(FLOORS) as f:
            floors = json.load(f)["floors"]
        truths = {os.path.basename(p)[:-len(".truth.json")] for p in glob.glob(os.path.join(PCAPS, "*.truth.json"))}
        want = {"%s.%s" % (c, cfg) for c in truths for cfg in CONFIGS
                if os.path.exists(os.path.join(PCAPS, c + ".pcap"))}
        self.assertEqual(set(floors), want)
        for key, e in floors.items():
            self.assertTrue(os.path.exists(os.path.join(EXPECTED, key + ".json")), key)
            for m in ("precision", "recall"):
                self.assertTrue(0.0 <= e[m] <= 1.0, (key, m))
            if e["recall"] < 1.0 or e["precision"] < 1.0:
                self.assertTrue(e.get("why"), "%s: a floor under 1.0 says why" % key)


class TestRunGolden(unittest.TestCase):
    """run-golden.sh with the real sampo-cli and a worse option, on a copy of a golden."""

    KEY, CAP = "lab-v1-paper.notoken", "lab-v1-paper"
    ARGS = ["--format", "json", "--no-token"]

    def run_golden(self, golden, extra, update=False):
        env = dict(os.environ)
        env.pop("SAMPO_UPDATE_GOLDEN", None)
        if update:
            env["SAMPO_UPDATE_GOLDEN"] = "1"
        p = subprocess.run([RUN, "--truth", os.path.join(PCAPS, self.CAP + ".truth.json"), "--floors", FLOORS,
                            "--key", self.KEY, CLI, os.path.join(PCAPS, self.CAP + ".pcap"), golden]
                           + self.ARGS + extra, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=env)
        return p.returncode, p.stdout

    def setUp(self):
        self.assertTrue(os.access(CLI, os.X_OK), "sampo-cli not found at %s (set SAMPO_CLI)" % CLI)
        self.dir = tempfile.mkdtemp(prefix="sampo-floors-")
        self.golden = os.path.join(self.dir, self.KEY + ".json")
        shutil.copy(os.path.join(EXPECTED, self.KEY + ".json"), self.golden)
        self.floors_sha = sha(FLOORS)

    def tearDown(self):
        shutil.rmtree(self.dir)
        self.assertEqual(sha(FLOORS), self.floors_sha, "floors.json was written")

    def test_same_options_pass(self):
        rc, out = self.run_golden(self.golden, [])
        self.assertEqual(rc, 0, out)
        self.assertIn("scores at or above its floors", out)

    def test_worse_option_fails(self):
        """Sampled 1 in 1000 instead of every packet: recall 0.633 < 1.0 (and the golden differs)."""
        rc, out = self.run_golden(self.golden, ["--sample", "count:1000"])
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"pair recall 0\.[0-9]+ < floor 1\.000000")
        self.assertIn("fails the truth check", out)

    def test_update_refuses_a_worse_golden(self):
        before = sha(self.golden)
        rc, out = self.run_golden(self.golden, ["--sample", "count:1000"], update=True)
        self.assertEqual(rc, 1, out)
        self.assertIn("NOT writing", out)
        self.assertEqual(sha(self.golden), before)

    def test_update_writes_a_golden_at_its_floor(self):
        os.unlink(self.golden)
        rc, out = self.run_golden(self.golden, [], update=True)
        self.assertEqual(rc, 0, out)
        self.assertEqual(sha(self.golden), sha(os.path.join(EXPECTED, self.KEY + ".json")))


if __name__ == "__main__":
    unittest.main()
