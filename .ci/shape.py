#!/usr/bin/env python3
"""Shape gate: the layering of docs/ARCHITECTURE.md, no function in src/ (tests aside) over
100 lines, no .rs file in src/ over 399 lines.

Counts by brace depth, with string, char and byte literals and `//` comments blanked out, from
the `fn` line to its closing brace. Prints every offender and exits 1 when there is one;
`--list N` prints every function longer than N lines instead (exit 0).
"""
import os
import re
import sys

FN = re.compile(r"\s*(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)")
MAX_FN, MAX_FILE = 100, 400


def blank(line):
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"b?'(\\.|[^'\\])'", "''", line)
    return re.sub(r"//.*", "", line)


def functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = FN.match(line)
        if not m or line.strip().startswith("//"):
            continue
        depth, started, j = 0, False, i
        while j < len(lines):
            s = blank(lines[j])
            depth += s.count("{") - s.count("}")
            started = started or "{" in s
            if started and depth <= 0:
                break
            if not started and s.rstrip().endswith(";"):
                break
            j += 1
        yield j - i + 1, i + 1, m.group(6)


def is_test(path):
    parts = path.split(os.sep)
    return "tests" in parts or path.endswith("_tests.rs") or parts[-1] == "tests.rs"


# (folder, what files in it must not name): the layering docs/ARCHITECTURE.md describes.
LAYERS = [
    ("src/check", "crate::stack"),
    ("src/stack", "crate::check"),
    ("src/observe", "crate::check"),
    ("src/cmd", "crate::cmd"),
    ("src/run", "crate::cmd"),
]


def layering():
    bad = []
    for folder, banned in LAYERS:
        for dirpath, _, files in os.walk(folder):
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                for n, line in enumerate(open(p, encoding="utf-8"), 1):
                    if banned in blank(line):
                        bad.append(f"{p}:{n}: {folder} must not use {banned}")
    return bad


def main():
    limit = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--list" else None
    bad = []
    for root in ("src",):
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                if not f.endswith(".rs"):
                    continue
                p = os.path.join(dirpath, f)
                n = sum(1 for _ in open(p, encoding="utf-8"))
                if n >= MAX_FILE and limit is None:
                    bad.append(f"{p}: {n} lines (limit {MAX_FILE - 1})")
                if is_test(p):
                    continue
                for length, line, name in functions(p):
                    if limit is not None and length > limit:
                        print(f"{length} {p}:{line} {name}")
                    elif limit is None and length > MAX_FN:
                        bad.append(f"{p}:{line}: fn {name} is {length} lines (limit {MAX_FN})")
    if limit is None:
        bad.extend(layering())
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


main()
