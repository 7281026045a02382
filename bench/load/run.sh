#!/usr/bin/env bash
# Side-by-side benchmark of load generators against the same bare axum handler
# (examples/bare_server.rs): obsgate's engine (examples/load_bench.rs: the schedule, executor,
# connection workers and connection layer of `obsgate run`), oha and wrk. Installs oha
# (`cargo install oha --locked`) and wrk (Debian) when missing.
#
# Prints, from one run:
#   - max requests/s of each tool, ROUNDS interleaved rounds, medians and the ratios
#     obsgate/oha (goal >= 1.0) and obsgate/wrk (goal >= 0.8);
#   - at fixed rates (RATES): achieved-rate error (goal <= 0.5 %) and p99 scheduler lag
#     (goal <= 1 ms);
#   - with --rss: peak RSS at 5,000/s over 60 s (goal <= 32 MiB) and over 10 min vs 1 min
#     (goal <= 1.1x), with no job records (as `obsgate run` without logs or traces
#     expectations), and the peak of `obsgate run bench/load/stub-5000-telemetry.yaml` itself
#     (not its stub): 5,000 jobs/s for 62 s against the stub, every log line and span judged
#     while it streams.
#
# Usage: bench/load/run.sh [--rss]
#   SECS=10 (per run)  CONC=64 (connections / max in flight)  ROUNDS=3  RATES="1000 5000 10000"
#   BEFORE=path/to/an/older/load_bench: also run that engine in every max-rate round, for a
#   before/after comparison in the same run.
# Never used as a test: numbers depend on the machine and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECS=${SECS:-10}
CONC=${CONC:-64}
ROUNDS=${ROUNDS:-3}
RATES=${RATES:-"1000 5000 10000"}
RSS=0
[ "${1:-}" = "--rss" ] && RSS=1

command -v oha >/dev/null || cargo install oha --locked
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

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

# timed NAME CMD...: run CMD under /usr/bin/time -v; stdout to $TMP/NAME.out, RSS (kB) to $TMP/NAME.rss
timed() {
  local name=$1; shift
  /usr/bin/time -v "$@" >"$TMP/$name.out" 2>"$TMP/$name.time" || true
  sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/$name.time" >"$TMP/$name.rss"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
rss_mb() { awk '{printf "%.1f", $1/1024}' "$TMP/$1.rss"; }
median() { python3 -c "import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:])))" "$@"; }
ratio() { python3 -c "import sys; print(round(float(sys.argv[1])/float(sys.argv[2]), 2))" "$1" "$2"; }

max_og() { timed "$1" "$2" "$URL" max "$SECS" "$CONC"; json "$TMP/$1.out" 'round(d["achieved_rate"])'; }
max_oha() {
  timed "$1" oha -z "${SECS}s" -c "$CONC" --no-tui --output-format json "$URL"
  json "$TMP/$1.out" 'round(d["summary"]["requestsPerSec"])'
}
max_wrk() {
  timed "$1" wrk -t2 -c"$CONC" -d"${SECS}s" "$URL"
  awk '/Requests\/sec/ {printf "%d", $2}' "$TMP/$1.out"
}

echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); target $URL"
echo "$SECS s per run, $CONC connections, $ROUNDS interleaved rounds; oha $(oha --version | cut -d' ' -f2)"
echo
echo "== max rate (req/s) =="
TOOLS="obsgate oha wrk"
[ -n "${BEFORE:-}" ] && TOOLS="before $TOOLS"
declare -A ALL
printf "%-6s" round; for t in $TOOLS; do printf " %10s" "$t"; done; echo
for r in $(seq 1 "$ROUNDS"); do
  printf "%-6s" "$r"
  for t in $TOOLS; do
    case $t in
      before) v=$(max_og "before_$r" "$BEFORE") ;;
      obsgate) v=$(max_og "og_$r" "$BIN/load_bench") ;;
      oha) v=$(max_oha "oha_$r") ;;
      wrk) v=$(max_wrk "wrk_$r") ;;
    esac
    ALL[$t]="${ALL[$t]:-} $v"
    printf " %10s" "$v"
  done
  echo
done
printf "%-6s" median
declare -A MED
for t in $TOOLS; do MED[$t]=$(median ${ALL[$t]}); printf " %10s" "${MED[$t]}"; done; echo
printf "peak RSS (last round): obsgate %s MB, oha %s MB, wrk %s MB\n" \
  "$(rss_mb "og_$ROUNDS")" "$(rss_mb "oha_$ROUNDS")" "$(rss_mb "wrk_$ROUNDS")"
echo "ratio obsgate/oha: $(ratio "${MED[obsgate]}" "${MED[oha]}")  (goal >= 1.0)"
echo "ratio obsgate/wrk: $(ratio "${MED[obsgate]}" "${MED[wrk]}")  (goal >= 0.8)"
[ -n "${BEFORE:-}" ] && echo "ratio obsgate/before: $(ratio "${MED[obsgate]}" "${MED[before]}")"

echo
echo "== fixed rates (wrk has no fixed-rate mode) =="
printf "%-8s %7s %12s %9s %14s %12s %8s\n" tool rate achieved error_% sched_lag_p99 lat_p99_ms RSS_MB
fixed_og() {
  local name=$1 bin=$2 r=$3
  timed "$name" "$bin" "$URL" rate "$SECS" "$r" "$CONC"
  printf "%-8s %7s %12s %9s %14s %12s %8s\n" "${name%%_*}" "$r" \
    "$(json "$TMP/$name.out" 'round(d["achieved_rate"],1)')" \
    "$(json "$TMP/$name.out" 'round(d["rate_error_pct"],3)')" \
    "$(json "$TMP/$name.out" 'd["scheduler_lag_p99_ms"]')" \
    "$(json "$TMP/$name.out" 'd["latency_p99_ms"]')" "$(rss_mb "$name")"
}
for R in $RATES; do
  [ -n "${BEFORE:-}" ] && fixed_og "before_$R" "$BEFORE" "$R"
  fixed_og "obsgate_$R" "$BIN/load_bench" "$R"
  timed "oha_$R" oha -z "${SECS}s" -q "$R" -c "$CONC" --no-tui --output-format json "$URL"
  printf "%-8s %7s %12s %9s %14s %12s %8s\n" oha "$R" \
    "$(json "$TMP/oha_$R.out" 'round(d["summary"]["requestsPerSec"],1)')" \
    "$(json "$TMP/oha_$R.out" "round(abs(d['summary']['requestsPerSec']-$R)/$R*100,3)")" \
    "n/a" "$(json "$TMP/oha_$R.out" 'round(d["latencyPercentiles"]["p99"]*1000,3)')" "$(rss_mb "oha_$R")"
done
echo "goals: error <= 0.5 %, scheduler lag p99 <= 1 ms"

if [ $RSS = 1 ]; then
  echo
  echo "== peak RSS at 5000/s =="
  timed og_60 "$BIN/load_bench" "$URL" rate 60 5000 "$CONC"
  timed oha_60 oha -z 60s -q 5000 -c "$CONC" --no-tui --output-format json "$URL"
  timed wrk_60 wrk -t2 -c"$CONC" -d60s "$URL"
  echo "60 s: obsgate $(rss_mb og_60) MB (sent $(json "$TMP/og_60.out" 'd["sent"]'); goal <= 33.6 MB = 32 MiB), oha $(rss_mb oha_60) MB, wrk $(rss_mb wrk_60) MB (max rate)"
  timed og_600 "$BIN/load_bench" "$URL" rate 600 5000 "$CONC"
  echo "10 min: obsgate $(rss_mb og_600) MB (sent $(json "$TMP/og_600.out" 'd["sent"]')); 10 min / 1 min: $(ratio "$(cat "$TMP/og_600.rss")" "$(cat "$TMP/og_60.rss")") (goal <= 1.1)"
  # obsgate's own VmHWM, sampled: /usr/bin/time would report the larger of it and its stub.
  cargo build --release -q
  target/release/obsgate run bench/load/stub-5000-telemetry.yaml --stack none --quiet \
    --report-dir "$TMP/telemetry" >"$TMP/telemetry.out" 2>&1 &
  OG=$!
  HWM=0
  while kill -0 "$OG" 2>/dev/null; do
    V=$(awk '/VmHWM/ {print $2}' "/proc/$OG/status" 2>/dev/null || true)
    [ -n "$V" ] && HWM=$V
    sleep 0.5
  done
  wait "$OG" && VERDICT=pass || VERDICT="exit $?"
  echo "62 s at 5000/s against the stub, logs and traces judged as they stream: obsgate $(awk -v k="$HWM" 'BEGIN {printf "%.1f", k/1024}') MB ($VERDICT)"
fi
