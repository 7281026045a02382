#!/usr/bin/env python3
"""Seeded rule defects against scenarios/alert-boundaries.yaml.

Applies each kind of defect to a copy of config/alert-rules.yaml, runs the boundary scenario
on that copy and reports, per alert, whether the run failed naming it (alerts.fired,
alerts.silent, alerts.resolved or alerts.unexpected of that alert). Kinds:

  threshold-x2, threshold-div2   the comparison's number multiplied / divided by 2
  window-x4, for-x4              every range [d] / the `for` multiplied by 4
  inverted                       the top-level comparison inverted (> becomes <=, == becomes !=)
  label                          a label matcher's value replaced by another value of that label

One run per kind mutates every alert at once: the alerts' checks are independent, except that
PrometheusDown inhibits the pipeline's alerts, so its defects get runs of their own.

  bench/boundaries/mutants.py [--binary target/release/obsgate] [--kinds a,b] [--jobs N]

Exit status 1 when any defect went unnoticed.
"""

import argparse
import concurrent.futures
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIO = "scenarios/alert-boundaries.yaml"
# Another value of each label the shipped rules match on, as a realistic slip.
OTHER_VALUE = {"status": "succeeded", "outcome": "error", "result": "accepted"}
ALONE = "PrometheusDown"
JUDGING = ("alerts.fired.", "alerts.silent.", "alerts.resolved.")


def scale_duration(d, k):
    m = re.fullmatch(r"(\d+)([smhd])", d)
    return f"{int(m.group(1)) * k}{m.group(2)}" if m else None


def mutate_expr(kind, expr):
    """The defective expression, or None when the kind does not apply to it."""
    cmp = re.search(r"(>=|<=|==|!=|>|<)\s*([0-9.]+)\s*$", expr)
    if kind in ("threshold-x2", "threshold-div2"):
        if not cmp or float(cmp.group(2)) == 0:
            return None
        v = float(cmp.group(2)) * (2 if kind == "threshold-x2" else 0.5)
        return expr[: cmp.start(2)] + f"{v:g}" + expr[cmp.end(2):]
    if kind == "window-x4":
        out = re.sub(r"\[(\d+[smhd])\]", lambda m: f"[{scale_duration(m.group(1), 4)}]", expr)
        return out if out != expr else None
    if kind == "inverted":
        if not cmp:
            return None
        inv = {">": "<=", "<": ">=", ">=": "<", "<=": ">", "==": "!=", "!=": "=="}
        return expr[: cmp.start(1)] + inv[cmp.group(1)] + expr[cmp.end(1):]
    if kind == "label":
        m = re.search(r'(\w+)="([^"]*)"', expr)
        if not m:
            return None
        other = OTHER_VALUE.get(m.group(1), "no-such-value")
        return re.sub(rf'{m.group(1)}="{re.escape(m.group(2))}"', f'{m.group(1)}="{other}"', expr)
    return None


def mutate(kind, text, only):
    """(mutated rules text, alerts mutated) with every alert in `only` mutated where it applies."""
    lines, out, alert, mutated = text.splitlines(keepends=True), [], None, []
    for line in lines:
        m = re.match(r"\s*- alert: (\S+)", line)
        if m:
            alert = m.group(1)
        e = re.match(r"(\s*expr: ')(.*)('\s*)$", line)
        f = re.match(r"(\s*for: )(\S+)(\s*)$", line)
        if alert in only and e and kind != "for-x4":
            new = mutate_expr(kind, e.group(2))
            if new is not None:
                line = e.group(1) + new + e.group(3)
                mutated.append(alert)
        if alert in only and f and kind == "for-x4":
            line = f.group(1) + scale_duration(f.group(2), 4) + f.group(3)
            mutated.append(alert)
        out.append(line)
    return "".join(out), mutated


def run(binary, kind, only, rules):
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"mutant-{kind}-"))
    shutil.copytree(ROOT / "config", work / "config")
    text, mutated = mutate(kind, rules, only)
    (work / "config/alert-rules.yaml").write_text(text)
    subprocess.run(
        [binary, "run", SCENARIO, "--quiet", "--config-dir", work / "config", "--report-dir", work / "report"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    try:
        report = json.loads((work / "report/report.json").read_text())
    except (OSError, ValueError) as e:
        return kind, [(a, False, f"no report: {e}") for a in mutated]
    rows = []
    for a in mutated:
        bad = [c for c in report["checks"]
               if c["status"] in ("fail", "error")
               and (c["id"] in (p + a for p in JUDGING) or (c["id"] == "alerts.unexpected" and a in c["message"]))]
        ids = ", ".join(c["id"].removesuffix("." + a) for c in bad)
        first = bad[0]["message"][:120] if bad else "the run passed for it"
        rows.append((a, bool(bad), f"[{ids}] {first}"))
    shutil.rmtree(work, ignore_errors=True)
    return kind, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / "target/release/obsgate"))
    ap.add_argument("--kinds", default="threshold-x2,threshold-div2,window-x4,for-x4,inverted,label")
    ap.add_argument("--jobs", type=int, default=3)
    args = ap.parse_args()
    rules = (ROOT / "config/alert-rules.yaml").read_text()
    alerts = re.findall(r"- alert: (\S+)", rules)
    plans = []
    for kind in args.kinds.split(","):
        for only in ([a for a in alerts if a != ALONE], [ALONE]):
            if mutate(kind, rules, only)[1]:
                plans.append((kind, only))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda p: run(args.binary, p[0], p[1], rules), plans))
    missed = 0
    for kind, rows in results:
        for alert, caught, why in rows:
            missed += not caught
            print(f"{kind:15} {alert:22} {'caught' if caught else 'MISSED'}  {why}")
    print(f"{missed} defect(s) not caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
