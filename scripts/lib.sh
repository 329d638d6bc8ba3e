# Shared shell helpers for setup/demo/test. Sourced, never executed.
# Everything generated goes to $LOCAL (.local/, git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
PY="${PYTHON:-python3}"
DB_HOST="${SMART_DAIRY_DB_HOST:-127.0.0.1}"
DB_PORT="${SMART_DAIRY_DB_PORT:-5432}"
DB_USER="${SMART_DAIRY_DB_USER:-odoo}"
DEMO_DB="${SMART_DAIRY_DEMO_DB:-smart_dairy_demo}"
HTTP_PORT="${SMART_DAIRY_HTTP_PORT:-8069}"
MQTT_HOST="${SMART_DAIRY_MQTT_HOST:-127.0.0.1}"
MQTT_PORT="${SMART_DAIRY_MQTT_PORT:-1883}"
mkdir -p "$LOCAL"

say()  { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Phase timer: `phase_start name` … `phase_end` prints "phase <name>: 12.3 s" and keeps a log.
_PHASE=""; _PHASE_T0=0
phase_start() { _PHASE="$1"; _PHASE_T0=$(date +%s.%N); say "$1"; }
phase_end() {
  local t; t=$(awk -v a="$_PHASE_T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  printf 'phase %-14s %7s s\n' "$_PHASE" "$t" | tee -a "$LOCAL/phases.log"
}

have() { command -v "$1" >/dev/null 2>&1; }

# Run as root, or through sudo without a password prompt; fail otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif have sudo && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 126; fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# psql as a PostgreSQL superuser: TCP as `postgres` (trust setups), else the peer socket.
psql_super() {
  if psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
  elif as_root true 2>/dev/null && have runuser; then
    as_root runuser -u postgres -- psql -p "$DB_PORT" -d postgres -v ON_ERROR_STOP=1 "$@"
  else
    return 1
  fi
}

odoo_bin() {
  # The console script of an editable install may fail on pkg_resources; odoo-bin always works.
  local root; root=$("$PY" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
  if [ -f "$root/odoo-bin" ]; then "$PY" "$root/odoo-bin" "$@"
  else "$PY" -m odoo "$@"; fi
}

# A new database for the suite: base first, then the main company made Bangladeshi (country
# BD, currency BDT, Asia/Dhaka) before any accounting exists, so that `account` loads the
# Bangladeshi chart and demo prices are in taka. Usage: init_bd_db CONF DB LOGFILE
init_bd_db() {
  local conf="$1" db="$2" log="$3"
  odoo_bin -c "$conf" -d "$db" -i base --stop-after-init --log-level=warn --logfile="$log" \
    || { tail -50 "$log"; die "creating $db failed (log: $log)"; }
  odoo_bin shell -c "$conf" -d "$db" --no-http --log-level=warn < "$ROOT/scripts/init_bd_company.py" \
    || die "could not make the main company of $db Bangladeshi (BDT)"
}

# Suite modules = installable addons of this repository.
suite_modules() {
  "$PY" - "$ROOT/addons" <<'PYEOF'
import ast, pathlib, sys
mods = []
for manifest in sorted(pathlib.Path(sys.argv[1]).glob("*/__manifest__.py")):
    data = ast.literal_eval(manifest.read_text())
    if data.get("installable", True):
        mods.append(manifest.parent.name)
print(",".join(mods))
PYEOF
}

load_secrets() { [ -f "$LOCAL/secrets.env" ] && . "$LOCAL/secrets.env"; return 0; }
