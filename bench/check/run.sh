#!/usr/bin/env bash
# `obsgate check` over the whole third-party corpus (rules, dashboards, each alertmanager.yml),
# with promtool and amtool when they are on PATH: wall time per run, ROUNDS runs, best and
# median. Usage: bench/check/run.sh [CORPUS_DIR=../shared/corpus] [ROUNDS=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus="${1:-../shared/corpus}"
rounds="${2:-5}"
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
cargo build --release --locked --quiet
bin=target/release/obsgate
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tools="with promtool and amtool"
command -v promtool >/dev/null && command -v amtool >/dev/null || tools="without promtool/amtool (not on PATH)"
times=()
for r in $(seq "$rounds"); do
  start=$(date +%s.%N)
  "$bin" check --rules "$corpus/rules" --dashboards "$corpus/dashboards" \
    --report-dir "$out/r$r" >/dev/null || true
  for am in "$corpus"/alertmanager/*; do
    "$bin" check --alertmanager "$am" --report-dir "$out/a$r" >/dev/null || true
  done
  end=$(date +%s.%N)
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
best=$(echo "$sorted" | head -n 1)
median=$(echo "$sorted" | sed -n "$(( (rounds + 1) / 2 ))p")
files=$(find "$corpus/rules" "$corpus/dashboards" "$corpus/alertmanager" -type f | wc -l)
echo "obsgate check over $files corpus files, $tools: best ${best}s, median ${median}s of $rounds runs (goal: <= 2 s)"
