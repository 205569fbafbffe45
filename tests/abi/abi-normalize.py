#!/usr/bin/env python3
"""abi-normalize.py BASELINE NEW OUT [SIZE_PREFIXED...]

Second pass of check-abi.sh.  Writes OUT: the ABI XML of NEW (from abidw)
with exactly the additions that sampo's ABI rules allow taken out again,
so that a strict abidiff of BASELINE against OUT must find no change at
all.  What is taken out, and only that:

  - data members of a size-prefixed struct (names on the command line) that
    are not in BASELINE and start at or after BASELINE's sizeof: appended
    members.  The struct's size is set back to BASELINE's.  A new member
    that starts inside BASELINE's sizeof (in its trailing padding) is NOT
    taken out: a 0.1.0 caller's `size` covers those bytes, so the library
    would read the caller's padding as the new member.
  - enumerators whose name is not in BASELINE's enum and whose value no
    enumerator of BASELINE's enum has (new enumerators with new values);
  - exported functions whose name is not in BASELINE and starts with
    "sampo_" (new API), with their ELF symbols.

Everything else stays, so that renumbered or removed enumerators, members
that change type, size or offset, and changed or removed functions show in
the strict diff.  This pass exists because a libabigail 2.2 type suppression
with has_data_member_inserted_at = end, once it matches a struct, hides every
change under that struct (a widened member in the middle, an enumerator
renumbered in an enum only reachable through it), not only the appended
members.  It prints what it took out, and what it refused to.
"""
import sys
import xml.etree.ElementTree as ET

DEFAULT_SIZE_PREFIXED = ["sampo_packet", "sampo_bounds", "sampo_event", "sampo_subflow_info",
                         "sampo_session_info", "sampo_pair_info"]


def structs(root):
    """name -> list of defined (not declaration-only) class-decl elements."""
    out = {}
    for el in root.iter("class-decl"):
        if el.get("is-declaration-only") == "yes" or not el.get("name"):
            continue
        out.setdefault(el.get("name"), []).append(el)
    return out


def members(cls):
    """[(name, offset in bits, data-member element)] of a class-decl."""
    res = []
    for dm in cls.findall("data-member"):
        var = dm.find("var-decl")
        res.append((var.get("name") if var is not None else None,
                    int(dm.get("layout-offset-in-bits", "0")), dm))
    return res


def enums(root):
    out = {}
    for el in root.iter("enum-decl"):
        if el.get("is-declaration-only") == "yes" or not el.get("name"):
            continue
        out.setdefault(el.get("name"), []).append(el)
    return out


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    base_path, new_path, out_path = argv[1:4]
    size_prefixed = argv[4:] or DEFAULT_SIZE_PREFIXED
    base = ET.parse(base_path).getroot()
    tree = ET.parse(new_path)
    new = tree.getroot()
    notes, refusals = [], []

    # Appended members of size-prefixed structs.
    base_structs = structs(base)
    for name, els in structs(new).items():
        if name not in size_prefixed or name not in base_structs:
            continue
        bcls = base_structs[name][0]
        bsize = int(bcls.get("size-in-bits", "0"))
        bnames = {m[0] for m in members(bcls)}
        for cls in els:
            stripped = False
            for mname, off, dm in members(cls):
                if mname in bnames:
                    continue
                if off >= bsize:
                    cls.remove(dm)
                    stripped = True
                    notes.append("appended member %s.%s at byte %d" % (name, mname, off // 8))
                else:
                    refusals.append("new member %s.%s at byte %d lies inside 0.1.0's sizeof(%s) = %d "
                                    "(a 0.1.0 caller's size covers it): append at byte %d or later"
                                    % (name, mname, off // 8, name, bsize // 8, bsize // 8))
            if stripped:
                cls.set("size-in-bits", str(bsize))

    # New enumerators with new values.
    base_enums = enums(base)
    for name, els in enums(new).items():
        if name not in base_enums:
            continue
        bvals = {}
        for e in base_enums[name][0].findall("enumerator"):
            bvals[e.get("name")] = e.get("value")
        for el in els:
            for e in el.findall("enumerator"):
                ename, val = e.get("name"), e.get("value")
                if ename in bvals:
                    continue
                if val in bvals.values():
                    refusals.append("new enumerator %s::%s reuses value %s of a 0.1.0 enumerator"
                                    % (name, ename, val))
                    continue
                el.remove(e)
                notes.append("new enumerator %s::%s = %s" % (name, ename, val))

    # New sampo_* functions.
    base_syms = {s.get("name") for s in base.iter("elf-symbol")}
    added = set()
    for syms in new.iter("elf-function-symbols"):
        for s in list(syms.findall("elf-symbol")):
            sname = s.get("name")
            if sname not in base_syms and sname.startswith("sampo_"):
                syms.remove(s)
                added.add(sname)
    for instr in new.iter("abi-instr"):
        for fn in list(instr.findall("function-decl")):
            if fn.get("elf-symbol-id") in added:
                instr.remove(fn)
    notes.extend("new function %s" % f for f in sorted(added))

    tree.write(out_path, encoding="unicode")
    for n in notes:
        print("abi-normalize: allowed addition: %s" % n)
    for r in refusals:
        print("abi-normalize: NOT an allowed addition: %s" % r)
    if not notes and not refusals:
        print("abi-normalize: no additions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
