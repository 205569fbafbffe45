#!/usr/bin/env python3
"""check-layers.py - check that lib/ is built in layers, lowest first.

Usage: check-layers.py [--layers FILE] [--dot FILE] [LIBDIR]

LIBDIR defaults to the lib/ next to this script's tests/ folder.  Python 3
standard library only; no ctags, no compiler.

The layer map (LIBDIR/layers.txt unless --layers is given) is data, not
code.  One entry a line; `#` starts a comment; blank lines are ignored:

    wire   = 0          a layer folder: every .c/.h directly in LIBDIR/wire/
    core   = 1          belongs to layer 1 (several folders may share a number)
    api.c  = api        a single file (path relative to LIBDIR, ends in .c or
    flow.h = 1          .h): placed in the layer of folder `api`, or layer 1
    external = foo.h    quoted includes that live outside LIBDIR (sampo.h is
                        always external)

Rules (each violation is printed as `file:line: rule: message`, exit 1):

 1. placement: every .c/.h under LIBDIR is directly in a layer folder or
    listed by path in the map.  x.c and x.h of one module must share a layer.
    Stale file entries (listed, not present) are errors too.
 2. includes: no `#include "..."` of a file of a higher layer.  A quoted
    include is resolved like the compiler would, with the search path
    <the including file's directory>, LIBDIR, then each layer folder (in map
    order).  A bare name found in two or more layer folders (and not in the
    first two places) is reported as ambiguous, because the answer would then
    depend on the -I order.  A quoted include found nowhere in LIBDIR is an
    error unless it is sampo.h or listed as `external`.  <...> includes and
    computed includes (#include MACRO) are ignored.
 3. calls: no call from a lower layer to a function or function-like macro
    defined in a higher one (see "Call detection" below).
 4. cycles: the module graph (module = folder/stem, x.c + x.h are one
    module; an edge for every include and every resolved call between two
    different modules) has no strongly connected component of size > 1.
    Each one is printed with its modules, then shortest cycles (one per
    module not yet on a printed cycle, each step with one piece of evidence:
    `a -> b (calls f() at file:line)`), then all its edges with file:line.

Files that rule 1 rejects still take part in rules 2-4 as modules without a
layer (rules 2-3 need both layers, so they are skipped for them).

Call detection (a lexer, not a compiler):
 * comments, string and character literals are skipped; preprocessor lines
   are skipped except #include and #define.
 * definition: at file scope, an identifier, its parameter list, then `{`
   (signatures may span lines; `__attribute__((...))` between `)` and `{` is
   skipped).  `static` among the declaration's tokens makes it file-local.
   `#define NAME(` (no space before the parenthesis) defines a function-like
   macro NAME in that file.
 * call: identifier + optional whitespace + `(`, not a C keyword, not right
   after `.`, `->`, `#` or `##`, not the name of a definition.  Inside a
   function body, `T name(...);` where T is an identifier or a type keyword
   is a block-scope declaration, not a call.  At file scope only initialisers
   (after `=`), brace bodies and array bounds are expressions; elsewhere an
   identifier before `(` is a declarator.  Calls in a #define body count as
   calls of the file that defines the macro (macro parameters excepted).
 * resolution of a call to NAME in file F: a definition in F itself wins;
   then definitions in the files F includes (transitively, as resolved by
   rule 2); then any header's definitions (a macro body is expanded where it
   is used, which may include headers its own file does not) and non-static
   functions anywhere.  Two or more files at the first level that has any
   candidate is an `ambiguous call` error.  A name whose only definitions are
   static functions or macros of other .c files is not a lib/ call: ignored.
"""
import argparse
import collections
import os
import re
import sys

KEYWORDS = frozenset("""
auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while _Alignas _Alignof
_Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert
_Thread_local __attribute__ __attribute __typeof__ __typeof typeof __asm__
__asm asm __extension__ __inline__ __inline __restrict__ __restrict
__alignof__ __volatile__ __const__ __signed__ defined
""".split())
TYPE_KEYWORDS = frozenset(
    "void char short int long float double signed unsigned _Bool _Complex".split())
ALWAYS_EXTERNAL = ("sampo.h",)

# ---------------------------------------------------------------- lexing --

Tok = collections.namedtuple("Tok", "kind val line start end")

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUM = re.compile(r"\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*")
_PUNCT3 = ("...", "<<=", ">>=")
_PUNCT2 = ("->", "##", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&",
           "||", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=")


def lex(text):
    """Return (code tokens, directives); a directive is (line, [tokens])."""
    code, directives = [], []
    cur = code
    i, n, line, bol = 0, len(text), 1, True
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            cur, bol = code, True
            continue
        if c == "\\" and text.startswith("\n", i + 1):
            i, line = i + 2, line + 1
            continue
        if c == "\\" and text.startswith("\r\n", i + 1):
            i, line = i + 3, line + 1
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "#" and bol:
            cur = []
            directives.append((line, cur))
            bol = False
            i += 1
            continue
        bol = False
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            cur.append(Tok("str" if c == '"' else "chr", text[i:j], line, i, j))
            line += text.count("\n", i, j)
            i = j
            continue
        m = _ID.match(text, i)
        if m:
            cur.append(Tok("id", m.group(), line, i, m.end()))
            i = m.end()
            continue
        m = _NUM.match(text, i)
        if m:
            cur.append(Tok("num", m.group(), line, i, m.end()))
            i = m.end()
            continue
        for p in _PUNCT3 + _PUNCT2:
            if text.startswith(p, i):
                break
        else:
            p = c
        cur.append(Tok("p", p, line, i, i + len(p)))
        i += len(p)
    return code, directives


def match_brackets(toks):
    """Map the index of every (, [, { to its closer and back."""
    pair, stack = {}, []
    closer = {")": "(", "]": "[", "}": "{"}
    for k, t in enumerate(toks):
        if t.kind != "p":
            continue
        if t.val in "([{":
            stack.append(k)
        elif t.val in closer:
            while stack and toks[stack[-1]].val != closer[t.val]:
                stack.pop()          # unbalanced (#if branches): be lenient
            if stack:
                o = stack.pop()
                pair[o], pair[k] = k, o
    return pair


def is_name(t):
    return t.kind == "id" and t.val not in KEYWORDS


# ----------------------------------------------------- per-file analysis --

Def = collections.namedtuple("Def", "name file line kind static")   # kind: function|macro
Call = collections.namedtuple("Call", "name file line caller")
Inc = collections.namedtuple("Inc", "name file line")


def analyse(rel, text):
    """Definitions, calls and quoted includes of one file."""
    code, directives = lex(text)
    defs, calls, incs = [], [], []
    is_c = rel.endswith(".c")

    for line, dt in directives:
        if not dt or dt[0].kind != "id":
            continue
        if dt[0].val == "include" and len(dt) > 1 and dt[1].kind == "str":
            incs.append(Inc(dt[1].val[1:-1], rel, line))
        elif dt[0].val == "define" and len(dt) > 1 and dt[1].kind == "id":
            body, params = dt[2:], set()
            if body and body[0].val == "(" and body[0].start == dt[1].end:
                defs.append(Def(dt[1].val, rel, line, "macro", is_c))
                k = 1
                while k < len(body) and body[k].val != ")":
                    if body[k].kind == "id":
                        params.add(body[k].val)
                    k += 1
                body = body[k + 1:]
            for k in range(len(body) - 1):
                t = body[k]
                if (is_name(t) and t.val not in params and body[k + 1].val == "("
                        and (k == 0 or body[k - 1].val not in (".", "->", "#", "##"))):
                    calls.append(Call(t.val, rel, t.line, "macro " + dt[1].val))

    pair = match_brackets(code)
    # Function bodies: a file-scope `{` right after a parameter list.
    body_of = {}            # token index -> function name, for body tokens
    def_idx = set()
    k, stmt_start = 0, 0
    while k < len(code):
        t = code[k]
        if t.val == "{" and t.kind == "p":
            p = k - 1
            while (p >= 0 and code[p].val == ")" and p in pair and pair[p] >= 1
                   and code[pair[p] - 1].val == "(" and pair[p] - 2 >= 0
                   and code[pair[p] - 2].val in ("__attribute__", "__attribute")):
                p = pair[p] - 3      # skip __attribute__((...))
            if (p >= 0 and code[p].val == ")" and p in pair and pair[p] > 0
                    and is_name(code[pair[p] - 1]) and k in pair):
                ni = pair[p] - 1
                static = any(code[q].val == "static" for q in range(stmt_start, ni))
                defs.append(Def(code[ni].val, rel, code[ni].line, "function", static))
                def_idx.add(ni)
                for q in range(k, pair[k] + 1):
                    body_of[q] = code[ni].val
                k = pair[k] + 1
                stmt_start = k
                continue
            if k in pair:           # struct/enum/initialiser body: skip over
                k = pair[k] + 1
                continue
        if t.val == ";" and t.kind == "p":
            stmt_start = k + 1
        k += 1

    # Calls.  File-scope context: expression only inside an initialiser,
    # braces or brackets (or the arguments of _Static_assert).
    init, nest, expr_until = False, [], -1
    for k, t in enumerate(code):
        fn = body_of.get(k)
        if fn is None and t.kind == "p":
            if t.val in "([{":
                nest.append(t.val)
            elif t.val in ")]}":
                if nest:
                    nest.pop()
            elif t.val == "=" and not nest:
                init = True
            elif t.val in (";", ",") and not nest:
                init = False
        if fn is None and t.val == "_Static_assert" and k + 1 in pair:
            expr_until = pair[k + 1]
        if not is_name(t) or k + 1 >= len(code) or code[k + 1].val != "(":
            continue
        if k in def_idx or (k > 0 and code[k - 1].val in (".", "->")):
            continue
        if fn is not None:
            prev = code[k - 1] if k > 0 else None
            close = pair.get(k + 1)
            if (prev is not None and (is_name(prev) or prev.val in TYPE_KEYWORDS)
                    and close is not None and close + 1 < len(code)
                    and code[close + 1].val == ";"):
                continue            # block-scope declaration `T name(...);`
            calls.append(Call(t.val, rel, t.line, fn))
        elif init or "[" in nest or "{" in nest or k < expr_until:
            calls.append(Call(t.val, rel, t.line, None))
    return defs, calls, incs


# ------------------------------------------------------------ layer map --

class MapError(Exception):
    pass


def read_map(path):
    """Return (folders {name: (layer, line)}, files {rel: (layer, line)}, externals)."""
    folders, files, pending, externals = {}, {}, [], set(ALWAYS_EXTERNAL)
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise MapError("%s: cannot read the layer map (%s); see --help for its format"
                       % (path, e.strerror))
    for no, raw in enumerate(lines, 1):
        s = raw.split("#", 1)[0].strip()
        if not s:
            continue
        m = re.fullmatch(r"(\S+)\s*=\s*(.+)", s)
        if not m:
            raise MapError("%s:%d: expected `name = value`, got %r" % (path, no, raw.strip()))
        key, val = m.group(1), m.group(2).strip()
        if key == "external":
            externals.update(val.split())
        elif key.endswith((".c", ".h")):
            if key in files or any(key == p[0] for p in pending):
                raise MapError("%s:%d: %s listed twice" % (path, no, key))
            pending.append((key, val, no))
        else:
            if "/" in key or not re.fullmatch(r"-?[0-9]+", val):
                raise MapError("%s:%d: a folder entry is `folder = <layer number>`" % (path, no))
            if key in folders:
                raise MapError("%s:%d: folder %s listed twice" % (path, no, key))
            folders[key] = (int(val), no)
    for key, val, no in pending:
        key = key[2:] if key.startswith("./") else key
        if re.fullmatch(r"-?[0-9]+", val):
            files[key] = (int(val), no)
        elif val in folders:
            files[key] = (folders[val][0], no)
        else:
            raise MapError("%s:%d: %s: no layer folder named %r" % (path, no, key, val))
    if not folders and not files:
        raise MapError("%s: no layers defined" % path)
    return folders, files, externals


# ------------------------------------------------------------- checking --

def tarjan(nodes, succ):
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        work = [(v, iter(sorted(succ.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(succ.get(w, ())))))
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    out.append(comp)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def shortest_path(a, b, succ, allowed):
    prev, queue, seen = {}, collections.deque([a]), {a}
    while queue:
        v = queue.popleft()
        for w in sorted(succ.get(v, ())):
            if w in allowed and (w not in seen or w == b):
                if w == b:
                    path = [w]
                    while v != a:
                        path.append(v)
                        v = prev[v]
                    path.append(a)
                    return path[::-1]
                seen.add(w)
                prev[w] = v
                queue.append(w)
    return None


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Check the layering of lib/ (see the top of this file for the rules).",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("libdir", nargs="?", default=os.path.join(here, "..", "..", "lib"))
    ap.add_argument("--layers", metavar="FILE", help="layer map (default: LIBDIR/layers.txt)")
    ap.add_argument("--dot", metavar="FILE", help="write the module graph in Graphviz dot")
    args = ap.parse_args(argv)

    libdir = os.path.normpath(args.libdir)
    if not os.path.isdir(libdir):
        print("check-layers: %s: not a directory" % libdir, file=sys.stderr)
        return 2
    try:
        folders, filemap, externals = read_map(args.layers or os.path.join(libdir, "layers.txt"))
    except MapError as e:
        print("check-layers: %s" % e, file=sys.stderr)
        return 2
    shown = os.path.basename(os.path.abspath(libdir))

    def disp(rel):
        return shown + "/" + rel

    layer_names = collections.defaultdict(list)
    for name, (num, _) in sorted(folders.items(), key=lambda x: (x[1][0], x[1][1])):
        layer_names[num].append(name)

    def lname(num):
        return "%d %s" % (num, "/".join(layer_names.get(num, ["(files only)"])))

    # Rule 1: placement.
    errors = []
    sources = []
    for root, dirs, names in os.walk(libdir):
        dirs.sort()
        for nm in sorted(names):
            if nm.endswith((".c", ".h")):
                sources.append(os.path.relpath(os.path.join(root, nm), libdir).replace(os.sep, "/"))
    layer_of, module_of = {}, {}
    for rel in sources:
        parts = rel.split("/")
        stem = rel[:-2]
        module_of[rel] = stem
        if rel in filemap:
            layer_of[rel] = filemap[rel][0]
        elif len(parts) == 2 and parts[0] in folders:
            layer_of[rel] = folders[parts[0]][0]
        else:
            where = "directly in %s/" % shown if len(parts) == 1 else "in %s/%s/" % (shown, "/".join(parts[:-1]))
            errors.append("%s: placement: %s, which is not a layer folder (%s), and not listed in the layer map"
                          % (disp(rel), where, ", ".join(sorted(folders, key=lambda f: folders[f][0]))))
    for rel, (_, no) in sorted(filemap.items()):
        if rel not in layer_of:
            errors.append("%s:%d: placement: lists %s, which does not exist"
                          % (args.layers or disp("layers.txt"), no, disp(rel)))
    mod_layer = {}
    for rel in sources:
        m = module_of[rel]
        if rel in layer_of:
            if m in mod_layer and mod_layer[m] != layer_of[rel]:
                errors.append("%s: placement: module %s has files in layers %d and %d"
                              % (disp(rel), m, mod_layer[m], layer_of[rel]))
            mod_layer.setdefault(m, layer_of[rel])

    # Analyse every file.
    defs, calls, incs = [], [], []
    for rel in sources:
        with open(os.path.join(libdir, rel), encoding="utf-8", errors="replace") as f:
            d, c, i = analyse(rel, f.read())
        defs += d
        calls += c
        incs += i
    srcset = set(sources)
    layer_dirs = sorted(folders, key=lambda f: (folders[f][0], folders[f][1]))

    # Rule 2: resolve includes.
    edges = collections.defaultdict(list)   # (m1, m2) -> [(kind, file, line, what)]
    includes_of = collections.defaultdict(set)
    for inc in incs:
        own = os.path.dirname(inc.file)
        target = None
        for base in (own, ""):
            cand = os.path.normpath(os.path.join(base, inc.name)).replace(os.sep, "/")
            if cand in srcset:
                target = cand
                break
        if target is None:
            found = [os.path.normpath(os.path.join(f, inc.name)).replace(os.sep, "/")
                     for f in layer_dirs]
            found = [x for x in found if x in srcset]
            if len(found) > 1:
                errors.append("%s:%d: ambiguous include: \"%s\" could be %s; the compiler's choice would "
                              "depend on the -I order" % (disp(inc.file), inc.line, inc.name,
                                                          " or ".join(disp(x) for x in found)))
                continue
            target = found[0] if found else None
        if target is None:
            if os.path.basename(inc.name) not in externals and inc.name not in externals:
                errors.append("%s:%d: unresolved include: \"%s\" is not in %s/ (nor sampo.h or an "
                              "`external` of the layer map)" % (disp(inc.file), inc.line, inc.name, shown))
            continue
        includes_of[inc.file].add(target)
        a, b = module_of[inc.file], module_of[target]
        la, lb = layer_of.get(inc.file), layer_of.get(target)
        if la is not None and lb is not None and la < lb:
            errors.append("%s:%d: upward include: \"%s\" is %s, layer %s, above this file's layer %s"
                          % (disp(inc.file), inc.line, inc.name, disp(target), lname(lb), lname(la)))
        if a != b:
            edges[(a, b)].append(("includes", inc.file, inc.line, inc.name))

    closure = {}

    def reach(f):
        if f not in closure:
            seen, todo = set(), [f]
            while todo:
                for g in includes_of.get(todo.pop(), ()):
                    if g not in seen:
                        seen.add(g)
                        todo.append(g)
            closure[f] = seen
        return closure[f]

    # Rule 3: resolve calls.
    by_name = collections.defaultdict(list)
    for d in defs:
        by_name[d.name].append(d)
    for c in calls:
        cands = by_name.get(c.name)
        if not cands:
            continue
        if any(d.file == c.file for d in cands):
            continue
        seen = reach(c.file)
        level = [d for d in cands if d.file in seen]
        how = "in an included file"
        if not level:
            level = [d for d in cands if d.file.endswith(".h")
                     or (d.kind == "function" and not d.static)]
            how = "in a header or with external linkage"
        files = sorted({d.file for d in level})
        who = ("in %s()" % c.caller) if c.caller and not c.caller.startswith("macro ") else \
              ("in %s" % c.caller if c.caller else "at file scope")
        if len(files) > 1:
            errors.append("%s:%d: ambiguous call: %s() %s is defined %s in %s; rename one"
                          % (disp(c.file), c.line, c.name, who, how, " and ".join(disp(f) for f in files)))
            continue
        if not files:
            continue            # only invisible definitions: not a lib/ call
        d = min((x for x in level if x.file == files[0]), key=lambda x: x.line)
        la, lb = layer_of.get(c.file), layer_of.get(d.file)
        if la is not None and lb is not None and la < lb:
            errors.append("%s:%d: upward call: %s() %s (layer %s) is defined at %s:%d, layer %s"
                          % (disp(c.file), c.line, c.name, who, lname(la), disp(d.file), d.line, lname(lb)))
        a, b = module_of[c.file], module_of[d.file]
        if a != b:
            edges[(a, b)].append(("calls", c.file, c.line, c.name))

    # Rule 4: cycles.
    succ = collections.defaultdict(set)
    for a, b in edges:
        succ[a].add(b)
    modules = sorted(set(module_of.values()))

    def step(a, b):
        kind, f, line, what = sorted(edges[(a, b)], key=lambda s: (s[0] != "calls", s[1], s[2]))[0]
        return "%s (%s %s at %s:%d)" % (b, kind, what + ("()" if kind == "calls" else ""), disp(f), line)

    def order(m):
        return (mod_layer.get(m, 1 << 30), m)

    cycles = []
    for comp in tarjan(modules, succ):
        if len(comp) < 2:
            continue
        comp = sorted(comp, key=order)
        members = set(comp)
        lines = ["cyclic component of %d modules: %s" % (len(comp), ", ".join(comp))]
        covered = set()
        for m in comp:              # shortest cycles until every module is in one
            if m in covered:
                continue
            walk = shortest_path(m, m, succ, members)
            covered.update(walk)
            lines.append("  cycle: %s" % walk[0] + "".join(" -> " + step(walk[j], walk[j + 1])
                                                           for j in range(len(walk) - 1)))
        for a in comp:
            for b in sorted(succ[a] & members, key=order):
                sites = sorted(set(edges[(a, b)]), key=lambda s: (s[1], s[2], s[0], s[3]))
                ev = ", ".join("%s %s at %s:%d" % (k, w + ("()" if k == "calls" else ""), disp(f), ln)
                               for k, f, ln, w in sites[:3])
                more = " (+%d more)" % (len(sites) - 3) if len(sites) > 3 else ""
                lines.append("  edge: %s -> %s: %s%s" % (a, b, ev, more))
        cycles.append("\n".join(lines))

    if args.dot:
        write_dot(args.dot, modules, mod_layer, layer_names, edges,
                  {m for c in tarjan(modules, succ) if len(c) > 1 for m in c})

    for e in errors:
        print(e)
    for c in cycles:
        print(c)
    if errors or cycles:
        print("check-layers: %d violation(s), %d cyclic component(s) in %s/ (%d modules)"
              % (len(errors), len(cycles), shown, len(modules)), file=sys.stderr)
        return 1
    nums = sorted(set(n for n, _ in folders.values()) | set(n for n, _ in filemap.values()))
    print("check-layers: ok: %d modules, %d edges (from %d include and %d call sites), %d layers (%s)"
          % (len(modules), len(edges), sum(1 for s in edges.values() for x in s if x[0] == "includes"),
             sum(1 for s in edges.values() for x in s if x[0] == "calls"), len(nums),
             " < ".join(lname(n) for n in nums)))
    return 0


def write_dot(path, modules, mod_layer, layer_names, edges, in_cycle):
    def q(s):
        return '"%s"' % s.replace('"', '\\"')
    out = ["digraph layers {", "  rankdir=TB;", "  node [shape=box, fontname=\"Helvetica\"];",
           "  edge [fontname=\"Helvetica\", fontsize=9];"]
    by_layer = collections.defaultdict(list)
    for m in modules:
        by_layer[mod_layer.get(m)].append(m)
    for num in sorted((k for k in by_layer if k is not None), reverse=True):
        out.append("  subgraph cluster_%d {" % num if num >= 0 else "  subgraph cluster_m%d {" % -num)
        out.append("    label=%s; style=rounded;" % q("layer %d: %s" % (num, "/".join(layer_names.get(num, [])))))
        out += ["    %s;" % q(m) for m in by_layer[num]]
        out.append("  }")
    if None in by_layer:
        out.append("  subgraph cluster_unplaced {")
        out.append("    label=\"no layer\"; style=dashed;")
        out += ["    %s [color=red];" % q(m) for m in by_layer[None]]
        out.append("  }")
    for (a, b), sites in sorted(edges.items()):
        kinds = {s[0] for s in sites}
        attrs = []
        if kinds == {"includes"}:
            attrs.append("style=dashed")
        la, lb = mod_layer.get(a), mod_layer.get(b)
        if la is not None and lb is not None and la < lb:
            attrs.append("color=red")
        elif a in in_cycle and b in in_cycle:
            attrs.append("color=orange")
        out.append("  %s -> %s%s;" % (q(a), q(b), " [%s]" % ", ".join(attrs) if attrs else ""))
    out.append("}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    sys.exit(main())
