#!/usr/bin/env bash
# Side-by-side benchmark of load generators against the same bare axum handler
# (examples/bare_server.rs): obsgate's engine (examples/load_bench.rs, the same executor as
# `obsgate run`), oha (when installed: `cargo install oha`) and wrk (Debian). Prints max
# requests/s of each with ratios, then for fixed rates achieved-rate error and p99 scheduler
# lag, and peak RSS (/usr/bin/time -v) of every run.
#
# Usage: bench/load/run.sh [--rss60]
#   SECS=10 (per run)  CONC=64 (connections / max in flight)  RATES="1000 5000 10000"
#   --rss60  also run each tool 60 s at 5000/s and report its peak RSS.
# Never used as a test: numbers depend on the machine and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECS=${SECS:-10}
CONC=${CONC:-64}
RATES=${RATES:-"1000 5000 10000"}
RSS60=0
[ "${1:-}" = "--rss60" ] && RSS60=1

cargo build --release --examples -q
BIN=target/release/examples
TMP=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN/bare_server" 127.0.0.1:0 2>"$TMP/server.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$TMP/server.err" 2>/dev/null && break
  sleep 0.05
done
ADDR=$(sed -n 's/^listening on //p' "$TMP/server.err")
[ -n "$ADDR" ] || { echo "bare_server did not start" >&2; exit 3; }
URL="http://$ADDR/"

HAVE_OHA=0; command -v oha >/dev/null && HAVE_OHA=1
HAVE_WRK=0; command -v wrk >/dev/null && HAVE_WRK=1

# timed NAME CMD...: run CMD under /usr/bin/time -v; stdout to $TMP/NAME.out, RSS (kB) to $TMP/NAME.rss
timed() {
  local name=$1; shift
  /usr/bin/time -v "$@" >"$TMP/$name.out" 2>"$TMP/$name.time" || true
  sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/$name.time" >"$TMP/$name.rss"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
rss_mb() { awk '{printf "%.1f", $1/1024}' "$TMP/$1.rss"; }

echo "machine: $(nproc) cores, $(uname -sr); target $URL; $SECS s per run, $CONC connections"
echo
echo "== max rate =="
timed og_max "$BIN/load_bench" "$URL" max "$SECS" "$CONC"
OG_MAX=$(json "$TMP/og_max.out" 'round(d["achieved_rate"])')
printf "%-8s %10s req/s  p99 %8s ms  RSS %6s MB\n" obsgate "$OG_MAX" "$(json "$TMP/og_max.out" 'd["latency_from_send_p99_ms"]')" "$(rss_mb og_max)"
OHA_MAX=""
if [ $HAVE_OHA = 1 ]; then
  timed oha_max oha -z "${SECS}s" -c "$CONC" --no-tui --output-format json "$URL"
  OHA_MAX=$(json "$TMP/oha_max.out" 'round(d["summary"]["requestsPerSec"])')
  printf "%-8s %10s req/s  p99 %8s ms  RSS %6s MB\n" oha "$OHA_MAX" "$(json "$TMP/oha_max.out" 'round(d["latencyPercentiles"]["p99"]*1000,3)')" "$(rss_mb oha_max)"
else
  echo "oha      not installed (cargo install oha): skipped"
fi
WRK_MAX=""
if [ $HAVE_WRK = 1 ]; then
  timed wrk_max wrk -t2 -c"$CONC" -d"${SECS}s" --latency "$URL"
  WRK_MAX=$(awk '/Requests\/sec/ {printf "%d", $2}' "$TMP/wrk_max.out")
  printf "%-8s %10s req/s  p99 %8s     RSS %6s MB\n" wrk "$WRK_MAX" "$(awk '$1=="99%" {print $2}' "$TMP/wrk_max.out")" "$(rss_mb wrk_max)"
else
  echo "wrk      not installed: skipped"
fi
[ -n "$OHA_MAX" ] && echo "ratio obsgate/oha: $(python3 -c "print(round($OG_MAX/$OHA_MAX, 2))")"
[ -n "$WRK_MAX" ] && echo "ratio obsgate/wrk: $(python3 -c "print(round($OG_MAX/$WRK_MAX, 2))")"

echo
echo "== fixed rates (wrk has no fixed-rate mode) =="
printf "%-8s %7s %12s %9s %14s %12s %8s\n" tool rate achieved error_% sched_lag_p99 lat_p99_ms RSS_MB
for R in $RATES; do
  timed "og_$R" "$BIN/load_bench" "$URL" rate "$SECS" "$R" "$CONC"
  printf "%-8s %7s %12s %9s %14s %12s %8s\n" obsgate "$R" \
    "$(json "$TMP/og_$R.out" 'round(d["achieved_rate"],1)')" \
    "$(json "$TMP/og_$R.out" 'round(d["rate_error_pct"],3)')" \
    "$(json "$TMP/og_$R.out" 'd["scheduler_lag_p99_ms"]')" \
    "$(json "$TMP/og_$R.out" 'd["latency_p99_ms"]')" "$(rss_mb "og_$R")"
  if [ $HAVE_OHA = 1 ]; then
    timed "oha_$R" oha -z "${SECS}s" -q "$R" -c "$CONC" --no-tui --output-format json "$URL"
    printf "%-8s %7s %12s %9s %14s %12s %8s\n" oha "$R" \
      "$(json "$TMP/oha_$R.out" 'round(d["summary"]["requestsPerSec"],1)')" \
      "$(json "$TMP/oha_$R.out" "round(abs(d['summary']['requestsPerSec']-$R)/$R*100,3)")" \
      "n/a" "$(json "$TMP/oha_$R.out" 'round(d["latencyPercentiles"]["p99"]*1000,3)')" "$(rss_mb "oha_$R")"
  fi
done

if [ $RSS60 = 1 ]; then
  echo
  echo "== peak RSS, 60 s at 5000/s =="
  timed og_60 "$BIN/load_bench" "$URL" rate 60 5000 "$CONC"
  echo "obsgate $(rss_mb og_60) MB (sent $(json "$TMP/og_60.out" 'd["sent"]'))"
  if [ $HAVE_OHA = 1 ]; then
    timed oha_60 oha -z 60s -q 5000 -c "$CONC" --no-tui --output-format json "$URL"
    echo "oha     $(rss_mb oha_60) MB"
  fi
  if [ $HAVE_WRK = 1 ]; then
    timed wrk_60 wrk -t2 -c"$CONC" -d60s "$URL"
    echo "wrk     $(rss_mb wrk_60) MB (max rate; wrk has no fixed rate)"
  fi
fi
