#!/usr/bin/env bash
# Side-by-side throughput of the stub's POST /v1/jobs (full telemetry: metrics, JSON logs to
# /dev/null, OTLP export to a sink) against a bare axum handler, on this machine, with wrk.
# Prints a table and the ratio stub/bare. Everything listens on 127.0.0.1 only.
#
# Usage: bench/stub/run.sh [DURATION_S] [CONNECTIONS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
CONNS="${2:-64}"
ROUNDS="${3:-2}"
command -v wrk >/dev/null || { echo "wrk is not on PATH" >&2; exit 3; }

cargo build --release --quiet --bin obsgate --example stub_bare
BIN=target/release/obsgate
BARE=target/release/examples/stub_bare
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

wait_addr() { # file -> prints ADDR once "listening on ADDR" appears (10 s deadline)
  for _ in $(seq 1 200); do
    if grep -q '^listening on ' "$1" 2>/dev/null; then sed -n 's/^listening on //p' "$1" | head -1; return; fi
    sleep 0.05
  done
  echo "no 'listening on' line in $1" >&2; exit 3
}

"$BARE" 127.0.0.1:0 2>"$TMP/bare.err" & PIDS+=($!)
BARE_ADDR="$(wait_addr "$TMP/bare.err")"
"$BIN" stub --listen 127.0.0.1:0 --time-scale 1000000 --workers 1024 --queue-capacity 100000 \
  --otlp-endpoint "http://$BARE_ADDR/v1/traces" >/dev/null 2>"$TMP/stub.err" & PIDS+=($!)
STUB_ADDR="$(wait_addr "$TMP/stub.err")"

run_wrk() { # addr -> "rps non2xx p99"
  local out
  out="$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s bench/stub/post.lua "http://$1/v1/jobs")"
  local rps non p99
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  non="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  echo "$rps ${non:-0} $p99"
}

printf '%-6s %-8s %12s %10s %10s\n' round target req/s non-2xx p99
SUM_STUB=0; SUM_BARE=0
for r in $(seq 1 "$ROUNDS"); do
  read -r brps bnon bp99 <<<"$(run_wrk "$BARE_ADDR")"
  printf '%-6s %-8s %12s %10s %10s\n' "$r" bare "$brps" "$bnon" "$bp99"
  read -r srps snon sp99 <<<"$(run_wrk "$STUB_ADDR")"
  printf '%-6s %-8s %12s %10s %10s\n' "$r" stub "$srps" "$snon" "$sp99"
  SUM_STUB="$(awk -v a="$SUM_STUB" -v b="$srps" 'BEGIN {print a+b}')"
  SUM_BARE="$(awk -v a="$SUM_BARE" -v b="$brps" 'BEGIN {print a+b}')"
done
awk -v s="$SUM_STUB" -v b="$SUM_BARE" -v n="$ROUNDS" \
  'BEGIN {printf "mean   stub %.0f req/s, bare %.0f req/s, ratio stub/bare = %.2f (goal >= 0.5)\n", s/n, b/n, s/b}'
# Consistency after load: every accepted job counted once it has finished.
sleep 2
curl -s "http://$STUB_ADDR/metrics" | awk '/^pipeline_duration_seconds_count/ {c+=$2} /^pipeline_active_jobs/ {a=$2} /^pubsub_queue_depth/ {q=$2} END {printf "stub after load: %d jobs finished, %d active, %d queued\n", c, a, q}'
# Graceful shutdown prints how many spans / log lines its bounded buffers dropped, if any.
STUB_PID="${PIDS[1]}"
kill -TERM "$STUB_PID"; wait "$STUB_PID" || true
grep -v '^listening on ' "$TMP/stub.err" || echo "stub dropped no spans and no log lines"
