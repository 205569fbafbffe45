#!/usr/bin/env python3
"""Self-test of scripts/gen-doc-examples.py on small documents (CTest docs.examples_selftest).

Each case writes a document into a temporary directory and runs the script on it the way
CTest would (a separate interpreter), with a stand-in sampo-cli (a shell script whose output
is known) and a stand-in `sampo` package: --check passes on outputs that match, fails with
exit 1 and a diff naming file:line on one altered output line, --update writes the output
back, and blocks that break the conventions are errors (exit 2).

Run: python3 tests/misc/test_doc_examples.py [-v]
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts", "gen-doc-examples.py")

# What the stand-in sampo-cli prints: its arguments, a line with a backslash, a line that
# roff would take for a request, and an error on standard error.
FAKE_CLI = """\
#!/bin/sh
echo "fake-cli $*"
echo 'back\\slash - minus'
echo '.dot'
echo "fake-cli: warning: on stderr" >&2
"""
OUT = ["fake-cli --flag data/pcaps/mptcp-v0.pcap", "back\\slash - minus", ".dot",
       "fake-cli: warning: on stderr"]

MD = """\
# doc

```console
$ sampo-cli --flag data/pcaps/mptcp-v0.pcap
{out}
$ sampo-cli x.pcap 2>/dev/null | head -1
fake-cli x.pcap
```

```python
print("from python", 6 * 7)
```
<!-- doc-example: output -->
```text
from python 42
```

<!-- doc-example: not run (live: until Ctrl-C) -->
```console
$ sampo-cli -i eth9
```
"""

ROFF = """\
.TH X 1
.SH EXAMPLES
.RS
.nf
$ sampo\\-cli \\-\\-flag data/pcaps/mptcp\\-v0.pcap
fake\\-cli \\-\\-flag data/pcaps/mptcp\\-v0.pcap
back\\eslash \\- minus
\\&.dot
fake\\-cli: warning: on stderr
.fi
.RE
"""


class DocExamples(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.cli = os.path.join(self.dir, "fake-cli")
        with open(self.cli, "w") as f:
            f.write(FAKE_CLI)
        os.chmod(self.cli, 0o755)
        self.pypath = os.path.join(self.dir, "py")
        os.makedirs(os.path.join(self.pypath, "sampo"))
        open(os.path.join(self.pypath, "sampo", "__init__.py"), "w").close()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_script(self, mode, *paths):
        p = subprocess.run([sys.executable, SCRIPT, mode, "--cli", self.cli,
                            "--pythonpath", self.pypath] + list(paths),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return p.returncode, p.stdout

    def md(self, out=None):
        return MD.format(out="\n".join(OUT if out is None else out))

    def test_markdown_matches(self):
        st, out = self.run_script("--check", self.write("a.md", self.md()))
        self.assertEqual(st, 0, out)
        self.assertIn("a.md: 2 command(s), 1 Python example(s)", out)
        self.assertIn("1 command(s) marked not run", out)
        self.assertIn("$ sampo-cli -i eth9  (live: until Ctrl-C)", out)

    def test_markdown_drift_found_and_fixed(self):
        bad = list(OUT)
        bad[1] = "back\\slash - MINUS"
        path = self.write("a.md", self.md(bad))
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 1, out)
        self.assertIn("a.md:4 ($ sampo-cli --flag data/pcaps/mptcp-v0.pcap, in the file)", out)
        self.assertIn("\n-back\\slash - MINUS\n+back\\slash - minus\n", out)
        self.assertIn("1 example output(s) differ", out)
        st, out = self.run_script("--update", path)
        self.assertEqual(st, 0, out)
        with open(path) as f:
            self.assertEqual(f.read(), self.md())
        self.assertEqual(self.run_script("--check", path)[0], 0)

    def test_python_output_drift(self):
        path = self.write("a.md", self.md().replace("from python 42", "from python 41"))
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 1, out)
        self.assertIn("+from python 42", out)

    def test_python_output_block_made(self):
        path = self.write("p.md", "```python\nprint('hi')\n```\n<!-- doc-example: output -->\n")
        self.assertEqual(self.run_script("--check", path)[0], 1)
        st, out = self.run_script("--update", path)
        self.assertEqual(st, 0, out)
        with open(path) as f:
            self.assertEqual(f.read(), "```python\nprint('hi')\n```\n<!-- doc-example: output -->\n"
                             "```text\nhi\n```\n")

    def test_python_failure_is_an_error(self):
        path = self.write("p.md", "```python\nraise SystemExit(3)\n```\n"
                          "<!-- doc-example: output -->\n```text\n```\n")
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 2, out)
        self.assertIn("exit status 3", out)

    def test_roff_escapes(self):
        path = self.write("x.1", ROFF)
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 0, out)
        path = self.write("y.1", ROFF.replace("back\\eslash \\- minus\n", ""))
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 1, out)
        self.assertIn("+back\\eslash \\- minus", out)
        self.assertEqual(self.run_script("--update", path)[0], 0)
        with open(path) as f:
            self.assertEqual(f.read(), ROFF)

    def test_not_run_block_with_output_is_an_error(self):
        path = self.write("a.md", textwrap.dedent("""\
            <!-- doc-example: not run (live) -->
            ```console
            $ sampo-cli -i eth9
            listening on eth9
            ```
            """))
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 2, out)
        self.assertIn("a.md:4: a block marked not run shows output that was not generated", out)

    def test_output_without_command_is_an_error(self):
        path = self.write("a.md", "```console\nno command\n$ true\n```\n")
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 2, out)
        self.assertIn("must start with", out)

    def test_unknown_marker_is_an_error(self):
        path = self.write("a.md", "<!-- doc-example: skip -->\n```console\n$ true\n```\n")
        st, out = self.run_script("--check", path)
        self.assertEqual(st, 2, out)
        self.assertIn("unknown doc-example marker", out)


if __name__ == "__main__":
    unittest.main()
