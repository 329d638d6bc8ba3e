#!/usr/bin/env bash
# make ml-train: train the herd models (simulator and/or this database's milk records) in
# the demo database, make them the active bundle and score the herd once.
# ML_SOURCE=sim|db|both (default both); SMART_DAIRY_DEMO_DB picks the database.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" >/dev/null
load_secrets
export PGPASSWORD="${SMART_DAIRY_DB_PASSWORD:-}"
installed=$(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DEMO_DB" -tAc \
  "select 1 from ir_module_module where name = 'smart_dairy_farm' and state = 'installed'" 2>/dev/null || true)
[ "$installed" = 1 ] || die "$DEMO_DB has no smart_dairy_farm: run 'make demo' first (or set SMART_DAIRY_DEMO_DB)"
phase_start "ml train ($DEMO_DB, source ${ML_SOURCE:-both})"
ML_SOURCE="${ML_SOURCE:-both}" odoo_bin shell -c "$LOCAL/odoo.conf" -d "$DEMO_DB" --no-http \
  --log-level=warn < "$ROOT/scripts/ml_train.py"
phase_end
