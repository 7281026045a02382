#!/usr/bin/env bash
# The stub under twice its maximum accepted rate: it must answer 503 with Retry-After, keep
# its memory bounded, and obsgate must count every job in exactly one ending.
#
# 1. Saturate: drive the stub far beyond what it accepts for SAT_S seconds; its maximum
#    accepted rate is the jobs it accepted (succeeded + pipeline failed) per second.
# 2. Overload: drive it at twice that rate for OVER_S seconds while sampling its RSS every
#    0.5 s; print the peak, the endings and the accounting check.
# Everything listens on 127.0.0.1 only; both runs are bounded in time.
#
# Usage: bench/overload/run.sh [SAT_S=15] [OVER_S=60]
set -euo pipefail
cd "$(dirname "$0")/../.."
SAT_S="${1:-15}"
OVER_S="${2:-60}"
command -v jq >/dev/null || { echo "jq is not on PATH" >&2; exit 3; }
cargo build --release --quiet --bin obsgate
BIN=target/release/obsgate
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

"$BIN" stub --listen 127.0.0.1:0 --time-scale 1000 --workers 64 --queue-capacity 1000 \
  >/dev/null 2>"$TMP/stub.err" & STUB=$!; PIDS+=("$STUB")
for _ in $(seq 1 200); do grep -q '^listening on ' "$TMP/stub.err" && break; sleep 0.05; done
ADDR="$(sed -n 's/^listening on //p' "$TMP/stub.err" | head -1)"
[ -n "$ADDR" ] || { echo "the stub did not start" >&2; exit 3; }

scenario() { # name rate duration_s -> path
  cat >"$TMP/$1.yaml" <<YAML
name: $1
time_scale: 1000
max_in_flight: 4096
job_timeout: 3000s
tolerances: {rate_error_pct: 100, late_threshold_ms: 60000, late_pct: 100}
phases:
  - {name: $1, duration: $(( $3 * 1000 ))s, rate: $2/s, max_errors_pct: 100}
YAML
  echo "$TMP/$1.yaml"
}
run() { # name rate duration_s -> report.json path
  "$BIN" run --quiet --target "http://$ADDR" --report-dir "$TMP/$1" "$(scenario "$1" "$2" "$3")" \
    >/dev/null 2>"$TMP/$1.err" || true
  echo "$TMP/$1/report.json"
}
accepted() { jq '.load.phases[0].outcomes | .succeeded + .pipeline_failed' "$1"; }

# Rates in jobs per scenario second; the stub runs at 1000 scenario seconds per wall second.
SAT="$(run saturate 2 "$SAT_S")"
MAX_WALL="$(jq -n "$(accepted "$SAT") / $SAT_S")"
RATE="$(jq -n "2 * $MAX_WALL / 1000")"
echo "maximum accepted: $MAX_WALL jobs per wall second; driving at twice that for $OVER_S s"

PEAK=0
( while kill -0 "$STUB" 2>/dev/null; do
    r="$(awk '/^VmRSS:/ {print $2}' "/proc/$STUB/status" 2>/dev/null || echo 0)"
    echo "$r"; sleep 0.5
  done ) >"$TMP/rss.txt" & PIDS+=($!)
START_RSS="$(awk '/^VmRSS:/ {print $2}' "/proc/$STUB/status")"
OVER="$(run overload "$RATE" "$OVER_S")"
PEAK="$(sort -n "$TMP/rss.txt" | tail -1)"

echo
echo "| phase | scheduled | succeeded | pipeline failed | HTTP failed | rejected | timed out | dropped | in flight | accounting |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
for r in "$SAT" "$OVER"; do
  jq -r '.load.phases[0] as $p | [.checks[] | select(.id | startswith("load.accounting"))][0].status as $a
    | "| \($p.name) | \($p.scheduled) | \($p.outcomes.succeeded) | \($p.outcomes.pipeline_failed) | \($p.outcomes.http_failed) | \($p.outcomes.rejected) | \($p.outcomes.timed_out) | \($p.outcomes.dropped) | \($p.outcomes.in_flight) | \($a) |"' "$r"
done
echo
echo "stub RSS: $((START_RSS / 1024)) MiB at the start of the overload, peak $((PEAK / 1024)) MiB"
