#!/usr/bin/env python3
"""Self-test of check-layers.py and check-duplicates.py on small fixture trees.

Each case writes a tree into a temporary directory, runs a checker on it the
way CTest would (a separate interpreter), and checks the exit status and that
the report names the right file:line.  Lines are located by markers written
in comments (/*@name*/), which the checkers ignore like any comment.

Run: python3 tests/misc/test_checkers.py [-v]
"""
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = os.path.join(HERE, "check-layers.py")
DUPS = os.path.join(HERE, "check-duplicates.py")

MAP = """\
# test map
wire  = 0
core  = 1
state = 2
"""

# A clean three-layer tree; the other layer cases start from it.
CLEAN = {
    "layers.txt": MAP,
    "wire/bytes.h": """\
        #ifndef BYTES_H
        #define BYTES_H
        #include <stdint.h>
        #define W_SWAP(x) __builtin_bswap16(x)
        static inline uint16_t w_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
        #endif
        """,
    "wire/decode.h": """\
        #include "bytes.h"
        #include "sampo.h"
        int w_decode(const unsigned char *p,
                     int n);
        """,
    "wire/decode.c": """\
        #include "decode.h"
        static const char *s = "state_put(";
        int w_decode(const unsigned char *p, int n)
        {
            /* state_put(1) in a comment is no call, nor is "state_put(" in a string */
            (void)"state_put(";
            return n > 1 ? w_get16(p) : W_SWAP(n);
        }
        """,
    "core/alloc.h": """\
        #include "decode.h"
        void *core_alloc(int n);
        """,
    "core/alloc.c": """\
        #include "alloc.h"
        #include <stdlib.h>
        struct obj { void *(*state_put)(int); };
        void *core_alloc(int n)
        {
            struct obj o = {0}, *op = &o;
            int state_put(int);                      /* block-scope declaration */
            if (o.state_put) o.state_put(n);         /* member calls */
            if (op->state_put) op->state_put(n);
            return malloc((size_t)w_decode(0, n));
        }
        """,
    "state/table.h": """\
        #include "core/alloc.h"
        int state_put(int n);
        """,
    "state/table.c": """\
        #include "table.h"
        int state_put(int n)
        {
            return core_alloc(n) != 0;
        }
        """,
}


def dedent(files):
    return {k: textwrap.dedent(v) for k, v in files.items()}


CLEAN = dedent(CLEAN)


def write_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def line_of(files, rel, marker):
    """Line number of the line of files[rel] that holds /*@marker*/."""
    for no, line in enumerate(files[rel].splitlines(), 1):
        if "/*@%s*/" % marker in line:
            return no
    raise AssertionError("marker %s not in %s" % (marker, rel))


class Checker(unittest.TestCase):
    def run_tool(self, tool, files, *args, subdir="lib"):
        with tempfile.TemporaryDirectory() as tmp:
            write_tree(os.path.join(tmp, subdir), files)
            p = subprocess.run([sys.executable, tool] + list(args) + [subdir], cwd=tmp,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            extra = {}
            for a in args:
                if a.endswith(".dot") and os.path.exists(os.path.join(tmp, a)):
                    with open(os.path.join(tmp, a)) as f:
                        extra[a] = f.read()
        return p.returncode, p.stdout, p.stderr, extra

    def layers(self, files, *args):
        rc, out, err, extra = self.run_tool(LAYERS, dedent(files), *args)
        return rc, out, err, extra

    def assertLine(self, out, pattern):
        """Some line of out matches the regular expression."""
        self.assertTrue(any(re.search(pattern, l) for l in out.splitlines()),
                        "no line matches %r in:\n%s" % (pattern, out))

    def assertNoLine(self, out, pattern):
        bad = [l for l in out.splitlines() if re.search(pattern, l)]
        self.assertFalse(bad, "unexpected %r: %s" % (pattern, bad))


class Layers(Checker):
    def test_clean_tree_passes(self):
        rc, out, err, extra = self.layers(CLEAN, "--dot", "g.dot")
        self.assertEqual(rc, 0, out + err)
        # 6 modules: wire/bytes wire/decode core/alloc state/table; edges:
        # decode->bytes (include, call), alloc->decode (include, call),
        # table->alloc (include, call).  The comment, the string and the
        # member calls to state_put() add nothing.
        self.assertEqual(out.strip(), "check-layers: ok: 4 modules, 3 edges (from 3 include and "
                         "4 call sites), 3 layers (0 wire < 1 core < 2 state)")
        dot = extra["g.dot"]
        self.assertIn("subgraph cluster_0", dot)
        self.assertIn('label="layer 2: state"', dot)
        self.assertIn('"state/table" -> "core/alloc";', dot)

    def test_upward_include(self):
        files = dict(CLEAN)
        files["core/alloc.c"] = CLEAN["core/alloc.c"].replace(
            '#include <stdlib.h>', '#include <stdlib.h>\n#include "table.h" /*@up*/')
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        n = line_of(files, "core/alloc.c", "up")
        self.assertLine(out, r'^lib/core/alloc\.c:%d: upward include: "table\.h" is lib/state/table\.h, '
                        r'layer 2 state, above this file\'s layer 1 core$' % n)
        # table.h <-> alloc.h is now also a cycle core/alloc <-> state/table.
        self.assertLine(out, r"^cyclic component of 2 modules: core/alloc, state/table$")

    def test_upward_call(self):
        files = dict(CLEAN)
        files["wire/decode.c"] = CLEAN["wire/decode.c"].replace(
            "    return n > 1", "    state_put(n); /*@up*/\n    return n > 1")
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        n = line_of(files, "wire/decode.c", "up")
        self.assertLine(out, r"^lib/wire/decode\.c:%d: upward call: state_put\(\) in w_decode\(\) "
                        r"\(layer 0 wire\) is defined at lib/state/table\.c:2, layer 2 state$" % n)
        self.assertNoLine(out, r"decode\.c:[256]:")      # the comment and the strings
        self.assertNoLine(out, r"alloc\.c:\d+: upward")  # member calls o.x( and op->x(

    def test_call_cycle_same_layer(self):
        files = dedent(dict(CLEAN, **{
            "state/a.c": """\
                int b_fn(int);
                int a_fn(int x)
                {
                    return x ? b_fn(x - 1) : 0; /*@ab*/
                }
                """,
            "state/b.c": """\
                int a_fn(int);
                int b_fn(int x) { return a_fn(x); } /*@ba*/
                """}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        ab, ba = line_of(files, "state/a.c", "ab"), line_of(files, "state/b.c", "ba")
        self.assertLine(out, r"^cyclic component of 2 modules: state/a, state/b$")
        self.assertLine(out, r"^  cycle: state/a -> state/b \(calls b_fn\(\) at lib/state/a\.c:%d\) -> "
                        r"state/a \(calls a_fn\(\) at lib/state/b\.c:%d\)$" % (ab, ba))
        self.assertNoLine(out, "upward")

    def test_three_module_component(self):
        # a <-> b and b <-> c: one component, two shortest cycles to show it.
        files = dedent(dict(CLEAN, **{
            "state/a.c": "int b_fn(int);\nint a_fn(int x) { return b_fn(x); }\n",
            "state/b.c": "int a_fn(int), c_fn(int);\nint b_fn(int x) { return a_fn(x) + c_fn(x); }\n",
            "state/c.c": "int b_fn(int);\nint c_fn(int x) { return b_fn(x); }\n"}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        self.assertEqual([l for l in out.splitlines() if not l.startswith("  edge:")], [
            "cyclic component of 3 modules: state/a, state/b, state/c",
            "  cycle: state/a -> state/b (calls b_fn() at lib/state/a.c:2) -> "
            "state/a (calls a_fn() at lib/state/b.c:2)",
            "  cycle: state/c -> state/b (calls b_fn() at lib/state/c.c:2) -> "
            "state/c (calls c_fn() at lib/state/b.c:2)"])
        self.assertEqual(len([l for l in out.splitlines() if l.startswith("  edge:")]), 4)

    def test_include_cycle(self):
        files = dedent(dict(CLEAN, **{
            "core/x.h": '#ifndef X_H\n#define X_H\n#include "y.h" /*@xy*/\n#endif\n',
            "core/y.h": '#ifndef Y_H\n#define Y_H\n\n#include "x.h" /*@yx*/\n#endif\n'}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        self.assertLine(out, r"^  cycle: core/x -> core/y \(includes y\.h at lib/core/x\.h:3\) -> "
                        r"core/x \(includes x\.h at lib/core/y\.h:4\)$")
        self.assertLine(out, r"^  edge: core/y -> core/x: includes x\.h at lib/core/y\.h:4$")

    def test_stray_files_and_file_map(self):
        files = dedent(dict(CLEAN, **{
            "stray.c": "int stray;\n",
            "misc/other.h": "int other;\n",
            "wire/sub/deep.h": "int deep;\n",
            "flat.c": "int flat(void) { return 0; }\n",
            "layers.txt": MAP + "flat.c = core   # a file placed by name\ngone.h = 1\n"}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        self.assertLine(out, r"^lib/stray\.c: placement: directly in lib/, which is not a layer folder")
        self.assertLine(out, r"^lib/misc/other\.h: placement: in lib/misc/")
        self.assertLine(out, r"^lib/wire/sub/deep\.h: placement: in lib/wire/sub/")
        self.assertLine(out, r"^lib/layers\.txt:6: placement: lists lib/gone\.h, which does not exist$")
        self.assertNoLine(out, r"flat\.c")
        self.assertEqual(len(out.splitlines()), 4, out)

    def test_same_static_name_in_two_layers(self):
        # helper() is static in wire/w.c and state/s.c and static inline in
        # state/s.h, which any file could include: each .c file's calls are
        # its own, not an upward call.  twice() is static in both .c files
        # only: core/c.c's call is to neither.
        files = dedent(dict(CLEAN, **{
            "wire/w.c": """\
                static int helper(int x) { return x + 1; }
                static int twice(int x) { return 2 * x; }
                int w_use(int x) { return helper(x) + twice(x); }
                """,
            "state/s.h": "static inline int helper(int x) { return x; }\n",
            "state/s.c": """\
                static int helper(int x) { return x - 1; }
                static int twice(int x) { return x + x; }
                int s_use(int x) { return helper(x) * twice(x); }
                """,
            "core/c.c": "int twice(int);\nint c_use(int x) { return twice(x); }\n"}))
        rc, out, err, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("check-layers: ok: 7 modules, 3 edges", out)
        # The same call from a file without its own helper() is upward.
        files["core/c.c"] += "int c2(void) { return helper(3); }\n"
        rc, out, err, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(out.splitlines(), [
            "lib/core/c.c:3: upward call: helper() in c2() (layer 1 core) is defined at "
            "lib/state/s.h:1, layer 2 state"])

    def test_ambiguous_call(self):
        files = dedent(dict(CLEAN, **{
            "core/t1.h": "static inline int twin(void) { return 1; }\n",
            "core/t2.h": "static inline int twin(void) { return 2; }\n",
            "core/user.c": '#include "t1.h"\n#include "t2.h"\nint u(void) { return twin(); }\n'}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        self.assertLine(out, r"^lib/core/user\.c:3: ambiguous call: twin\(\) in u\(\) is defined in an "
                        r"included file in lib/core/t1\.h and lib/core/t2\.h")

    def test_macro_calls_upward(self):
        files = dedent(dict(CLEAN, **{
            "state/m.h": "#define STATE_GET(x) ((x) + 1)\n",
            # A lower-layer macro whose body uses a higher-layer macro ...
            "wire/w.h": "#define W_WRAP(x) \\\n    (STATE_GET(x) * 2) /*@body*/\n",
            # ... and a lower-layer file that includes and uses it.
            "core/u.c": '#include "m.h" /*@inc*/\nint u(int v)\n{\n    return STATE_GET(v); /*@use*/\n}\n'}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        self.assertLine(out, r"^lib/wire/w\.h:2: upward call: STATE_GET\(\) in macro W_WRAP \(layer 0 wire\) "
                        r"is defined at lib/state/m\.h:1, layer 2 state$")
        self.assertLine(out, r"^lib/core/u\.c:1: upward include: \"m\.h\" is lib/state/m\.h")
        self.assertLine(out, r"^lib/core/u\.c:4: upward call: STATE_GET\(\) in u\(\) \(layer 1 core\)")

    def test_multiline_signature(self):
        files = dedent(dict(CLEAN, **{
            "state/big.c": """\
                #include <stddef.h>
                static int
                local_twice(int a,
                            int b)
                {
                    return a * b;
                }

                int
                __attribute__((unused))
                state_multi /*@def*/ (int a,
                             const char *b,
                             size_t n)
                {
                    return local_twice(a, (int)n) + (b != NULL);
                }
                """,
            "core/k.c": """\
                int state_multi(int a,
                                const char *b,
                                unsigned long n);
                int k(void)
                {
                    return state_multi(1, /*@call*/
                                       "x", 2);
                }
                """}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        d, c = line_of(files, "state/big.c", "def"), line_of(files, "core/k.c", "call")
        self.assertLine(out, r"^lib/core/k\.c:%d: upward call: state_multi\(\) in k\(\) \(layer 1 core\) is "
                        r"defined at lib/state/big\.c:%d, layer 2 state$" % (c, d))
        self.assertEqual(len([l for l in out.splitlines() if "upward" in l]), 1, out)

    def test_unresolved_and_external_includes(self):
        files = dedent(dict(CLEAN, **{
            "core/i.c": '#include "sampo.h"\n#include "nowhere.h"\n#include "uthash.h"\n#include <zlib.h>\n',
            "layers.txt": MAP + "external = uthash.h\n"}))
        rc, out, _, _ = self.run_tool(LAYERS, files)
        self.assertEqual(rc, 1)
        self.assertLine(out, r'^lib/core/i\.c:2: unresolved include: "nowhere\.h"')
        self.assertEqual(len(out.splitlines()), 1, out)

    def test_missing_map_is_an_error(self):
        files = dict(CLEAN)
        del files["layers.txt"]
        rc, out, err, _ = self.layers(files)
        self.assertEqual(rc, 2)
        self.assertIn("layers.txt: cannot read the layer map", err)

    def test_target_map_and_flat_file_map(self):
        with open(os.path.join(HERE, "..", "..", "lib", "layers.txt")) as f:
            target = f.read()
        files = {"layers.txt": target + "flat.h = core\n",
                 "flat.h": "#define FLAT 1\n",
                 "api/api.c": '#include "flat.h"\n#include "run.h"\nvoid api_run(void) { engine_run(); }\n',
                 "engine/run.h": "void engine_run(void);\n",
                 "engine/run.c": '#include "run.h"\n#include "wire/w.h"\nvoid engine_run(void) { }\n',
                 "wire/w.h": "#define W 0\n"}
        rc, out, err, _ = self.layers(files)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("6 layers (0 wire < 1 core < 2 state < 3 assoc < 4 engine < 5 api)", out)
        self.assertIn("4 modules, 3 edges", out)


def dup_files(a, b):
    return {"a.c": textwrap.dedent(a), "b.c": textwrap.dedent(b)}


BLOCK_A = """\
    int f(int *v, int n)
    {
        int s = 0;            /* a sum */
        for (int i = 0; i < n; i++) {
            if (v[i] > 0)     /*@a0*/
                s += v[i];
            else
                s -= v[i] * 2;
            s ^= i;
        }
        return s + n;         /*@a1*/
    }
    """
# The same six meaningful lines, re-indented, re-spaced, with other comments
# (one spanning lines), blank lines and a different function around them.
BLOCK_B = """\
    // unrelated prologue
    static long g;

    static int other(int *v, int n) {
      int s = 0;
      for(int i=0;i<n;i++)  {
        if ( v[i]>0 ) /*@b0*/
          /* a comment
             over two lines */
          s   +=   v[i];   // plus

        else
          s -= v[i]*2;
        s ^= i;
      }
      return s+n; /*@b1*/
    }
    """


class Duplicates(Checker):
    def dups(self, files, *args):
        return self.run_tool(DUPS, files, *args)[:3]

    def test_six_lines_found_despite_comments_and_spacing(self):
        files = dup_files(BLOCK_A, BLOCK_B)
        rc, out, err = self.dups(files)
        self.assertEqual(rc, 1, out + err)
        # Meaningful lines shared: int s=0; for(...){ if(v[i]>0) s+=v[i];
        # s-=v[i]*2; s^=i; return s+n;  ->  7 lines from `int s = 0;`.
        a0 = line_of(files, "a.c", "a0") - 2
        b0 = line_of(files, "b.c", "b0") - 2
        a1, b1 = line_of(files, "a.c", "a1"), line_of(files, "b.c", "b1")
        self.assertEqual(out.splitlines(), ["lib/a.c:%d-%d ~ lib/b.c:%d-%d (7 lines)" % (a0, a1, b0, b1)])

    def test_five_lines_not_reported(self):
        a = textwrap.dedent(BLOCK_A).replace("    s ^= i;\n", "")
        b = textwrap.dedent(BLOCK_B).replace("  s ^= i;\n", "  s |= i;\n")
        files = {"a.c": a, "b.c": b}
        # Shared now: int s=0; for(...){ if(v[i]>0) s+=v[i]; s-=v[i]*2;
        # then `return s+n;` in a.c but `s|=i;` in b.c: five lines.
        rc, out, err = self.dups(files)
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out.strip(), r"^no duplicated blocks \(2 files, 16 lines\)$")
        # The five lines are there: the bar is what keeps them out.
        rc, out, err = self.dups(files, "--min-lines", "5")
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(out.splitlines(), ["lib/a.c:3-8 ~ lib/b.c:5-13 (5 lines)"])

    def test_trivial_lines_do_not_count(self):
        # Five meaningful lines between trivial ones (`break;`, `default:`,
        # `}`) are not six.
        body = """\
                case 1: /*@s*/
                    a = b + c;
                    break;
                case 2:
                    a = b - c;
                    break;
                default:
                    a = 0; /*@e*/
                }
            }
            """
        files = {"a.c": "void fa(int k)\n{\n    switch (k) {\n" + textwrap.dedent(body),
                 "b.c": "\n\nvoid fb(int k)\n{\n    switch (k + 1) {\n" + textwrap.dedent(body)}
        rc, out, _ = self.dups(files)
        self.assertEqual(rc, 0, out)
        self.assertIn("no duplicated blocks (2 files, 14 lines)", out)
        rc, out, _ = self.dups(files, "--min-lines", "5")
        self.assertEqual(rc, 1, out)
        self.assertEqual(out.splitlines(), ["lib/a.c:%d-%d ~ lib/b.c:%d-%d (5 lines)" % (
            line_of(files, "a.c", "s"), line_of(files, "a.c", "e"),
            line_of(files, "b.c", "s"), line_of(files, "b.c", "e"))])

    def test_twice_in_one_file_and_strings_kept(self):
        six = "".join("    t[%d] = u[%d] * %d;\n" % (i, i, i + 2) for i in range(6))
        text = ("void p(int *t, int *u)\n{\n" + six + "}\n"
                "void q(int *t, int *u)\n{\n" + six + "}\n")
        # A "//" inside a string is not a comment: s1.c and s2.c differ in
        # their sixth line, after the "//".
        strs = "".join('    puts("x // %d");\n' % i for i in range(6))
        files = {"one.c": text,
                 "s1.c": "void s1(void)\n{\n" + strs + "}\n",
                 "s2.c": "void s2(void)\n{\n" + strs.replace("// 5", "// 6") + "}\n"}
        rc, out, _ = self.dups(files)
        self.assertEqual(rc, 1, out)
        # s1/s2 share only their first five lines.
        self.assertEqual(out.splitlines(), ["lib/one.c:3-8 ~ lib/one.c:12-17 (6 lines)"])


    def test_repeated_line_copies_do_not_overlap(self):
        # 11 equal lines hold no two disjoint 6-line copies; 12 hold one pair.
        for n, rows in ((11, []), (12, ["lib/r.c:3-8 ~ lib/r.c:9-14 (6 lines)"])):
            files = {"r.c": "void r(int x)\n{\n" + "    x++;\n" * n + "}\n"}
            rc, out, _ = self.dups(files)
            self.assertEqual(rc, 1 if rows else 0, out)
            self.assertEqual(out.splitlines() if rows else [], rows)

if __name__ == "__main__":
    unittest.main()
