#!/usr/bin/env bash
# make test: setup → lint → preflight → fresh test database with every suite module and
# its demo data → one pytest run (pure-Python packages, cross-component tests and the Odoo
# addon tests through pytest-odoo with a real HTTP server and Chromium tours).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
T_START=$(date +%s)
: > "$LOCAL/phases.log"

"$ROOT/scripts/setup.sh"

phase_start "lint"
"$ROOT/scripts/lint.sh"
phase_end

phase_start "preflight"
"$PY" "$ROOT/scripts/preflight.py"
phase_end

# A database of its own for this run; never the demo database.
TEST_DB="${SMART_DAIRY_TEST_DB:-smart_dairy_test_$$}"
[ "$TEST_DB" != "$DEMO_DB" ] || die "the test database must not be the demo database ($DEMO_DB)"
cleanup() {
  if [ "${KEEP_TEST_DB:-0}" != 1 ]; then
    dropdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" --if-exists "$TEST_DB" 2>/dev/null || true
    rm -rf "$LOCAL/test-data/filestore/$TEST_DB"
  fi
}
trap cleanup EXIT

phase_start "test database"
MODULES="${SMART_DAIRY_MODULES:-$(suite_modules)}"
[ -n "$MODULES" ] || die "no installable addon found in addons/"
load_secrets
export PGPASSWORD="${SMART_DAIRY_DB_PASSWORD:-}"
dropdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" --if-exists "$TEST_DB"
say "creating $TEST_DB (company in Bangladesh, BDT), then installing $MODULES with demo data"
init_bd_db "$LOCAL/odoo-test.conf" "$TEST_DB" "$LOCAL/test-install.log"
odoo_bin -c "$LOCAL/odoo-test.conf" -d "$TEST_DB" -i "$MODULES" --stop-after-init \
  --log-level=warn --logfile="$LOCAL/test-install.log" \
  || { tail -50 "$LOCAL/test-install.log"; die "installing the suite into $TEST_DB failed (log: .local/test-install.log)"; }
# Every suite module must really be installed, with demo data.
"$PY" - "$TEST_DB" "$MODULES" <<'PYEOF'
import os, sys, psycopg2
db, modules = sys.argv[1], sys.argv[2].split(",")
conn = psycopg2.connect(dbname=db, host=os.environ.get("SMART_DAIRY_DB_HOST", "127.0.0.1"),
                        user=os.environ.get("SMART_DAIRY_DB_USER", "odoo"),
                        password=os.environ.get("PGPASSWORD") or None)
cur = conn.cursor()
cur.execute("SELECT name, state, demo FROM ir_module_module WHERE name = ANY(%s)", (modules,))
rows = {name: (state, demo) for name, state, demo in cur.fetchall()}
bad = [m for m in modules if rows.get(m, ("missing", False))[0] != "installed" or not rows[m][1]]
if bad:
    sys.exit(f"not installed with demo data: {bad} -> {[rows.get(m) for m in bad]}")
print(f"{len(modules)} suite modules installed with demo data")
PYEOF
phase_end

phase_start "pytest"
set +e
SMART_DAIRY_TEST_DB="$TEST_DB" "$PY" -m pytest \
  --odoo-database="$TEST_DB" --odoo-config="$LOCAL/odoo-test.conf" --odoo-http \
  --odoo-log-level=warn -p no:cacheprovider "$@"
rc=$?
set -e
phase_end
if [ "$rc" = 5 ]; then die "pytest collected no tests (exit code 5): that is a failure"; fi
echo "phases:"; cat "$LOCAL/phases.log"
echo "total: $(( $(date +%s) - T_START )) s"
exit "$rc"
