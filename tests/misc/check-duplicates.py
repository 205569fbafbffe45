#!/usr/bin/env python3
"""check-duplicates.py - find copied blocks of C code.

Usage: check-duplicates.py [--min-lines N] PATH...

Every .c/.h file under the given directories (or given directly) is read and
each line normalised:

 * comments are removed: // to the end of the line, /* ... */ also across
   lines (a comment counts as white space); string and character literals
   are kept verbatim, so a "//" or "/*" inside one is not a comment;
 * white space is removed, except a single space where it separated two
   word characters ([A-Za-z0-9_]: `unsigned int` stays `unsigned int`,
   `a = b ;` becomes `a=b;`); a macro's line-continuation backslash at the
   end of a line is removed too;
 * then the line is dropped, as not meaningful, when it is:
     - empty;
     - made only of the characters  { } ( ) [ ] ; ,   (`{`, `}`, `};`,
       `},`, `);`, `})`, ...);
     - one of:  else  else{  }else  }else{  do  do{  }while(0);  }while(0)
       break;  continue;  return;  default:
     - a preprocessor line #else, #endif, or #include (identical include
       lists are not duplicated logic).

A run of N (--min-lines, default 6) or more consecutive meaningful lines that
is identical, after normalisation, at two places (two files, or twice in one
file without overlapping) is reported as
    FILE:FIRST-LAST ~ FILE:FIRST-LAST (K lines)
where FIRST and LAST are the original line numbers of the first and last
meaningful lines of each copy and K counts meaningful lines.  Each pair of
copies is reported once, extended to its full length.  Exit status: 1 if any
block is reported, 0 if none (`no duplicated blocks (F files, M lines)`, M
being the meaningful lines compared), 2 on a usage error.
"""
import argparse
import collections
import os
import re
import sys

TRIVIAL = frozenset("""
else else{ }else }else{ do do{ }while(0); }while(0) break; continue; return;
default: #else #endif
""".split())
_PUNCT_ONLY = re.compile(r"[{}()\[\];,]*")
_WORD = re.compile(r"[A-Za-z0-9_]")


def normalise(text):
    """Return one normalised string per physical line of text."""
    lines, out = [], []
    i, n = 0, len(text)
    space = False
    in_comment = False

    def put(s):
        nonlocal space
        if space and out and _WORD.match(out[-1][-1]) and _WORD.match(s[0]):
            out.append(" ")
        out.append(s)
        space = False

    while i < n:
        c = text[i]
        if c == "\n":
            lines.append("".join(out))
            out, space = [], False
            i += 1
            continue
        if in_comment:
            if text.startswith("*/", i):
                in_comment, space = False, True
                i += 2
            else:
                i += 1
            continue
        if text.startswith("/*", i):
            in_comment = True
            i += 2
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" and j + 1 < n and text[j + 1] != "\n" else 1
            j = min(j + 1, n) if j < n and text[j] == c else j
            put(text[i:j])
            i = j
            continue
        if c.isspace():
            space = True
            i += 1
            continue
        put(c)
        i += 1
    if out or text and not text.endswith("\n"):
        lines.append("".join(out))
    return [s[:-1] if s.endswith("\\") else s for s in lines]


def meaningful(norm):
    if _PUNCT_ONLY.fullmatch(norm) or norm in TRIVIAL:
        return False
    return not re.match(r"#\s*include\b", norm)


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for nm in sorted(names):
                    if nm.endswith((".c", ".h")):
                        files.append(os.path.normpath(os.path.join(root, nm)))
        elif os.path.isfile(p):
            files.append(os.path.normpath(p))
        else:
            raise FileNotFoundError(p)
    return files


def find_duplicates(files, min_lines):
    """Return (rows, meaningful line count); a row is (fa, la0, la1, fb, lb0, lb1, k)."""
    seqs = []                    # per file: list of (normalised, line number)
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            norm = normalise(fh.read())
        seqs.append([(s, no) for no, s in enumerate(norm, 1) if meaningful(s)])
    windows = collections.defaultdict(list)
    for fi, seq in enumerate(seqs):
        text = [s for s, _ in seq]
        for i in range(len(seq) - min_lines + 1):
            windows[tuple(text[i:i + min_lines])].append((fi, i))
    rows = []
    for occ in windows.values():
        if len(occ) < 2:
            continue
        for x in range(len(occ)):
            for y in range(x + 1, len(occ)):
                (fa, i), (fb, j) = occ[x], occ[y]
                a, b = seqs[fa], seqs[fb]
                if i > 0 and j > 0 and a[i - 1][0] == b[j - 1][0]:
                    continue     # inside a longer run, reported from its start
                k = min_lines
                while i + k < len(a) and j + k < len(b) and a[i + k][0] == b[j + k][0]:
                    k += 1
                if fa == fb and j < i + k:
                    k = j - i    # copies in one file must not overlap
                if k < min_lines:
                    continue
                rows.append((files[fa], a[i][1], a[i + k - 1][1],
                             files[fb], b[j][1], b[j + k - 1][1], k))
    return sorted(rows), sum(len(s) for s in seqs)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Report blocks of C code that appear twice.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("paths", nargs="+", metavar="PATH")
    ap.add_argument("--min-lines", type=int, default=6, metavar="N",
                    help="shortest run of meaningful lines to report (default 6)")
    args = ap.parse_args(argv)
    if args.min_lines < 1:
        ap.error("--min-lines must be at least 1")
    try:
        files = collect(args.paths)
    except FileNotFoundError as e:
        print("check-duplicates: %s: no such file or directory" % e, file=sys.stderr)
        return 2
    rows, total = find_duplicates(files, args.min_lines)
    for fa, a0, a1, fb, b0, b1, k in rows:
        print("%s:%d-%d ~ %s:%d-%d (%d lines)" % (fa, a0, a1, fb, b0, b1, k))
    if rows:
        print("check-duplicates: %d duplicated block(s) of >= %d lines (%d files, %d lines)"
              % (len(rows), args.min_lines, len(files), total), file=sys.stderr)
        return 1
    print("no duplicated blocks (%d files, %d lines)" % (len(files), total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
