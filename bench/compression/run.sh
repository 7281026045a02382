#!/usr/bin/env bash
# Fidelity of the compressed clock: runs scenarios/alert-storm.yaml at two time scales, one after
# the other, against the managed Prometheus + Alertmanager, and compares every alert's timings
# (pending, firing, notified, resolved; scenario seconds from the fault phase start, resolved
# from its end) between the two. A difference above two production scrape intervals
# (2 x 15 s = 30 scenario s) is flagged with `!`.
#
# Usage: bench/compression/run.sh [K1=10] [K2=40] [REALTIME_REPORT]
#   K1, K2           time scales to run; either may instead be the path of an existing
#                    report.json, which is then compared as is (no run).
#   REALTIME_REPORT  (third argument or env) report.json of scenarios/alert-storm-realtime.yaml
#                    (K=1, 74 wall minutes): each side is also compared with it.
#   REPORTS_DIR=dir  keep the runs' reports in dir/k<K>/ (default: a temporary dir, removed).
# Exits 1 when a compared report's verdict is not pass (3 when a run produced no report).
# Never used as a test: wall timings depend on the machine and on what else runs on it.
set -euo pipefail

# Report paths are taken relative to the caller's directory, before the cd below.
abs() { if [[ $1 == *.json && -f $1 ]]; then realpath "$1"; else echo "$1"; fi; }
K1=$(abs "${1:-10}")
K2=$(abs "${2:-40}")
REALTIME_REPORT=$(abs "${3:-${REALTIME_REPORT:-}}")
[ -z "${REPORTS_DIR:-}" ] || { mkdir -p "$REPORTS_DIR"; REPORTS_DIR=$(realpath "$REPORTS_DIR"); }
cd "$(dirname "$0")/../.."
SCENARIO=scenarios/alert-storm.yaml
SCRAPE_S=15

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT=${REPORTS_DIR:-$TMP}

is_report() { [[ $1 == *.json ]]; }
if [ -n "$REALTIME_REPORT" ] && [ ! -f "$REALTIME_REPORT" ]; then
  echo "no such report: $REALTIME_REPORT" >&2; exit 2
fi
for k in "$K1" "$K2"; do
  if is_report "$k"; then
    [ -f "$k" ] || { echo "no such report: $k" >&2; exit 2; }
  elif ! [[ $k =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "not a time scale or a report.json: $k" >&2; exit 2
  fi
done

if ! is_report "$K1" || ! is_report "$K2"; then
  if ! command -v prometheus >/dev/null ||
     ! { command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null; }; then
    echo "prometheus and alertmanager must be on PATH:" >&2
    echo "  apt-get install prometheus prometheus-alertmanager" >&2
    exit 3
  fi
  cargo build --release --locked -q
fi
BIN=${CARGO_TARGET_DIR:-target}/release/obsgate

# run_at K -> prints the path of the run's report.json (the run's own exit code is not fatal:
# the verdict is read from the report)
run_at() {
  local dir="$OUT/k$1" rc=0 t0
  mkdir -p "$dir"
  t0=$(date +%s)
  echo "running $SCENARIO at --time-scale $1 -> $dir ($(date -u +%H:%M:%S) UTC)" >&2
  "$BIN" run "$SCENARIO" --time-scale "$1" --quiet --report-dir "$dir" >"$dir/stdout" 2>"$dir/stderr" || rc=$?
  echo "  exit $rc after $(( $(date +%s) - t0 )) wall s" >&2
  if [ ! -f "$dir/report.json" ]; then
    echo "no report from the run at K=$1:" >&2; cat "$dir/stderr" >&2; exit 3
  fi
  echo "$dir/report.json"
}

R1=$K1; is_report "$K1" || R1=$(run_at "$K1")
R2=$K2; is_report "$K2" || R2=$(run_at "$K2")

echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M') UTC"
python3 - "$SCRAPE_S" "$R1" "$R2" ${REALTIME_REPORT:+"$REALTIME_REPORT"} <<'PY'
import json, sys

scrape = float(sys.argv[1])
bound = 2 * scrape
reports = [json.load(open(p)) for p in sys.argv[2:]]
KEYS = ["pending", "firing", "notified", "resolved"]

def label(i):
    k = reports[i]["clock"]["time_scale"]
    name = f"K={k:g}"
    same = [j for j, r in enumerate(reports) if r["clock"]["time_scale"] == k]
    return name if len(same) == 1 else f"{name}#{same.index(i) + 1}"

print()
print("| report | verdict | time scale | wall s | scenario s |")
print("|---|---|--:|--:|--:|")
for i, r in enumerate(reports):
    c = r["clock"]
    print(f"| {label(i)} | {r['verdict']} | {c['time_scale']:g} | {c['wall_duration_s']:.1f} | {c['scenario_duration_s']:.0f} |")

def cell(a):
    return " / ".join("—" if a.get(f"{k}_after_s") is None else f"{a[f'{k}_after_s']:.0f}" for k in KEYS)

def compare(i, j):
    a_alerts = {a["alert"]: a for a in reports[i]["alerts"]}
    b_alerts = {a["alert"]: a for a in reports[j]["alerts"]}
    names = list(a_alerts) + [n for n in b_alerts if n not in a_alerts]
    la, lb = label(i), label(j)
    print(f"\n{la} vs {lb}: pending / firing / notified / resolved, scenario s; "
          f"difference {lb} − {la}, `!` above {bound:g} s")
    print(f"\n| alert | {la} | {lb} | difference |")
    print("|---|--:|--:|--:|")
    worst, misses = (0.0, ""), []
    for n in names:
        a, b = a_alerts.get(n, {}), b_alerts.get(n, {})
        diffs = []
        for k in KEYS:
            x, y = a.get(f"{k}_after_s"), b.get(f"{k}_after_s")
            if x is None or y is None:
                diffs.append("—" if x is None and y is None else "missing!")
                if (x is None) != (y is None):
                    misses.append(f"{n} {k}: only in one report")
                continue
            d = y - x
            if abs(d) > worst[0]:
                worst = (abs(d), f"{n} {k}")
            flag = "!" if abs(d) > bound else ""
            if flag:
                misses.append(f"{n} {k}: {d:+.1f} s")
            diffs.append(f"{d:+.0f}{flag}")
        print(f"| {n} | {cell(a)} | {cell(b)} | {' / '.join(diffs)} |")
    print(f"\nmax |difference| {worst[0]:.1f} s ({worst[1] or 'none'})")
    if misses:
        print(f"goal (every |difference| <= {bound:g} s) NOT met: " + "; ".join(misses))
    else:
        print(f"goal (every |difference| <= {bound:g} s) met")

compare(0, 1)
if len(reports) == 3:
    compare(2, 0)
    compare(2, 1)
sys.exit(0 if all(r["verdict"] == "pass" for r in reports) else 1)
PY
