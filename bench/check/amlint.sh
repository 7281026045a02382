#!/usr/bin/env bash
# obsgate check against amlint 0.8.5 and amtool on every Alertmanager config of the corpus and
# on the four seeded-defect configs of bench/check/seeded/: per file, what each tool finds
# (amtool ok/error; amlint findings by level with their codes and lines; obsgate's fail and
# warn check ids), then each tool's wall time over all files, best of ROUNDS runs.
# Usage (from anywhere): bench/check/amlint.sh [CORPUS_DIR=../shared/corpus] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus="${1:-../shared/corpus}"
rounds="${2:-3}"
[ -d "$corpus/alertmanager" ] || { echo "no corpus at $corpus/alertmanager" >&2; exit 2; }

want=0.8.5
if ! command -v amlint >/dev/null || [ "$(amlint --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  pip install --quiet "amlint==$want" || pip install --quiet --break-system-packages "amlint==$want"
  hash -r
fi
bin="${CARGO_TARGET_DIR:-target}/release/obsgate"
[ -x "$bin" ] || cargo build --release --locked --quiet
have_amtool=1
command -v amtool >/dev/null || have_amtool=0

files=("$corpus"/alertmanager/* bench/check/seeded/*.yml)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run of each tool per file, its output kept for the table.
for i in "${!files[@]}"; do
  f="${files[$i]}"
  if [ "$have_amtool" = 1 ]; then
    if amtool check-config "$f" >"$out/$i.amtool" 2>&1; then echo ok >"$out/$i.amtool.rc"
    else echo error >"$out/$i.amtool.rc"; fi
  else
    echo "not on PATH" >"$out/$i.amtool.rc"
  fi
  amlint check --format json "$f" >"$out/$i.amlint" 2>"$out/$i.amlint.err" || true
  "$bin" check --alertmanager "$f" --no-tools --report-dir "$out/r$i" --output json \
    >"$out/$i.obsgate" 2>"$out/$i.obsgate.err" || true
done

echo "obsgate check vs amlint $(amlint --version | awk '{print $2}') vs amtool" \
  "$([ "$have_amtool" = 1 ] && amtool --version 2>&1 | awk 'NR==1 {print $3}')," \
  "$(date -u +%Y-%m-%d), ${#files[@]} files"
echo "$("$bin" --version) at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), amtool/amlint/obsgate (--no-tools) on each file"
echo

python3 - "$out" "${files[@]}" <<'PY'
import json, sys
out, files = sys.argv[1], sys.argv[2:]
rows = []
for i, f in enumerate(files):
    name = f.rsplit("/", 1)[-1]
    if "/seeded/" in f:
        name = "seeded/" + name
    amtool = open(f"{out}/{i}.amtool.rc").read().strip()
    amtool_msg = ""
    if amtool == "error":
        lines = [l.strip() for l in open(f"{out}/{i}.amtool").read().splitlines() if l.strip()]
        why = [l for l in lines if l.startswith("line ") or "FAILED" in l]
        amtool_msg = "; ".join(l.split("FAILED: ")[-1] for l in why) or (lines[-1] if lines else "")
    try:
        findings = json.load(open(f"{out}/{i}.amlint"))
    except ValueError:
        findings = None
    try:
        report = json.load(open(f"{out}/{i}.obsgate"))
        checks = report.get("checks", [])
    except ValueError:
        checks = None
    print(f"== {name}")
    print(f"  amtool  : {amtool}" + (f" ({amtool_msg})" if amtool_msg else ""))
    if findings is None:
        err = open(f"{out}/{i}.amlint.err").read().strip().splitlines()
        print(f"  amlint  : no JSON output ({err[-1] if err else 'no error text'})")
        counts = "?"
    else:
        by = {lv: [x for x in findings if x.get("level") == lv] for lv in ("error", "warn", "info")}
        counts = "/".join(str(len(by[lv])) for lv in ("error", "warn", "info"))
        print(f"  amlint  : {len(by['error'])} error, {len(by['warn'])} warn, {len(by['info'])} info")
        for lv in ("error", "warn", "info"):
            for x in by[lv]:
                print(f"            {lv:5} {x.get('code')} (line {x.get('line')}, {x.get('where')})")
    if checks is None:
        err = open(f"{out}/{i}.obsgate.err").read().strip().splitlines()
        print(f"  obsgate : no JSON output ({err[-1] if err else 'no error text'})")
        fails = warns = ["?"]
    else:
        fails = [c["id"] for c in checks if c.get("status") in ("fail", "error")]
        warns = [c["id"] for c in checks if c.get("status") == "warn"]
        print(f"  obsgate : {len(checks)} checks, fail: {', '.join(fails) or '-'}; warn: {', '.join(warns) or '-'}")
        for c in checks:
            if c.get("status") in ("fail", "error", "warn"):
                print(f"            {c['status']:5} {c['id']}: {c.get('message', '')}")
    print()
    rows.append((name, amtool, counts, ", ".join(fails) or "-", ", ".join(warns) or "-"))

w = max(len(r[0]) for r in rows)
print(f"{'file':{w}}  {'amtool':6}  {'amlint E/W/I':12}  obsgate fail | warn")
for name, amtool, counts, fails, warns in rows:
    print(f"{name:{w}}  {amtool:6}  {counts:12}  {fails} | {warns}")
PY

# Wall time of each tool over all files, best of $rounds.
best() {
  local b="" t s e
  for _ in $(seq "$rounds"); do
    s=$(date +%s.%N)
    for f in "${files[@]}"; do "$@" "$f" >/dev/null 2>&1 || true; done
    e=$(date +%s.%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
  done
  echo "$b"
}
og() { "$bin" check --no-tools --report-dir "$out/t" --alertmanager "$1"; }
echo
echo "wall time over the ${#files[@]} files, best of $rounds (one process per file):"
[ "$have_amtool" = 1 ] && echo "  amtool check-config   $(best amtool check-config) s"
echo "  amlint check          $(best amlint check) s"
echo "  obsgate check         $(best og) s  (--no-tools)"
