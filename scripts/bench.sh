#!/usr/bin/env bash
# make bench: run every bench/bench_*.py; each prints one JSON object (figure, baseline
# measured in the same run, ratio). Results are collected in .local/bench/results.jsonl.
# Benches that need an Odoo database use $SMART_DAIRY_BENCH_DB (default: the demo DB).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" >/dev/null
load_secrets
export SMART_DAIRY_BENCH_DB="${SMART_DAIRY_BENCH_DB:-$DEMO_DB}"
export SMART_DAIRY_ODOO_CONF="${SMART_DAIRY_ODOO_CONF:-$LOCAL/odoo.conf}"
# per-area names some benches read
export FARM_BENCH_DB="${FARM_BENCH_DB:-$SMART_DAIRY_BENCH_DB}"
export FARM_BENCH_CONFIG="${FARM_BENCH_CONFIG:-$SMART_DAIRY_ODOO_CONF}"
export B2B_BENCH_DB="${B2B_BENCH_DB:-$SMART_DAIRY_BENCH_DB}"
export B2B_BENCH_CONFIG="${B2B_BENCH_CONFIG:-$SMART_DAIRY_ODOO_CONF}"
export IOTM_BENCH_DB="${IOTM_BENCH_DB:-$SMART_DAIRY_BENCH_DB}"
export IOTM_BENCH_CONFIG="${IOTM_BENCH_CONFIG:-$SMART_DAIRY_ODOO_CONF}"
mkdir -p "$LOCAL/bench"
out="$LOCAL/bench/results.jsonl"
: > "$out"
status=0
for bench in bench/bench_*.py; do
  [ -e "$bench" ] || continue
  phase_start "$(basename "$bench" .py)"
  if "$PY" "$bench" | tail -1 | tee -a "$out"; then :; else status=1; warn "$bench failed"; fi
  phase_end
done
echo "results: $out"
exit $status
