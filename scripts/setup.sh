#!/usr/bin/env bash
# make setup: system packages, services, Python requirements, Odoo 18, database role,
# generated config. Idempotent; a second run only checks.
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- 1. system packages
phase_start "system packages"
missing=()
have psql || missing+=(postgresql postgresql-client)
{ have pg_ctlcluster || have pg_ctl || port_open "$DB_HOST" "$DB_PORT"; } || missing+=(postgresql)
{ have mosquitto || [ -x /usr/sbin/mosquitto ]; } || missing+=(mosquitto)
have mosquitto_sub || missing+=(mosquitto-clients)
{ have chromium || have chromium-browser || have google-chrome; } || missing+=(chromium)
have pg_config || missing+=(libpq-dev)
have gcc || missing+=(build-essential)
have git || missing+=(git)
"$PY" -c 'import sysconfig, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || missing+=(python3-dev)
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if as_root true 2>/dev/null && have apt-get; then
    say "installing: $pkgs"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
  else
    die "missing system packages: $pkgs
  install them first:  sudo apt-get install -y $pkgs
  (setup installs them itself when run as root or with passwordless sudo)"
  fi
fi
phase_end

# ---------------------------------------------------------------- 2. services
phase_start "services"
if ! port_open "$DB_HOST" "$DB_PORT"; then
  say "starting PostgreSQL"
  if have pg_ctlcluster && ls /etc/postgresql >/dev/null 2>&1; then
    for v in /etc/postgresql/*; do
      as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
    done
  else
    as_root service postgresql start || true
  fi
  for _ in $(seq 1 30); do port_open "$DB_HOST" "$DB_PORT" && break; sleep 1; done
  port_open "$DB_HOST" "$DB_PORT" || die "PostgreSQL is not listening on $DB_HOST:$DB_PORT and could not be started"
  mkdir -p "$LOCAL/run" && touch "$LOCAL/run/started-postgresql"
fi
if ! port_open "$MQTT_HOST" "$MQTT_PORT"; then
  say "starting Mosquitto"
  mosq=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  as_root "$mosq" -d -c /etc/mosquitto/mosquitto.conf || true
  for _ in $(seq 1 10); do port_open "$MQTT_HOST" "$MQTT_PORT" && break; sleep 1; done
  port_open "$MQTT_HOST" "$MQTT_PORT" || die "Mosquitto is not listening on $MQTT_HOST:$MQTT_PORT and could not be started"
  mkdir -p "$LOCAL/run" && touch "$LOCAL/run/started-mosquitto"
fi
phase_end

# ---------------------------------------------------------------- 3. Python requirements
phase_start "python deps"
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || warn "Python $("$PY" -c 'import platform; print(platform.python_version())') is not the supported 3.11; pins may not resolve"
stamp_src=$({ cat "$ROOT/requirements.txt" "$ROOT/ml/pyproject.toml" "$ROOT/iot_ingestor/pyproject.toml" 2>/dev/null || true; } | sha256sum | cut -c1-16)
stamp_file="$LOCAL/requirements.stamp"
pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@" 2>&1 | grep -vE '^(WARNING: Running pip as|DEPRECATION)' || true; }
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp_src" ]; then
  grep -vE '^(odoo-addon-|-e )' "$ROOT/requirements.txt" > "$LOCAL/requirements-base.txt"
  pip_install -r "$LOCAL/requirements-base.txt"
  NEED_FULL_INSTALL=1
else
  NEED_FULL_INSTALL=0
fi
phase_end

# ---------------------------------------------------------------- 4. Odoo 18
phase_start "odoo"
odoo_version() { (cd / && "$PY" -c 'import odoo.release as r; print("%d.%d" % tuple(r.version_info[:2]))' 2>/dev/null) || true; }
install_odoo_src() {
  local src="$1"
  [ -f "$src/odoo/release.py" ] || die "$src does not look like an Odoo source tree (no odoo/release.py)"
  grep -qE "^version_info = \(18, 0," "$src/odoo/release.py" || die "$src is not Odoo 18.0 (see $src/odoo/release.py)"
  # compat mode: a plain path entry, so OCA addons installed as odoo/addons/* in
  # site-packages and the Odoo tree share the odoo.addons namespace.
  pip_install -e "$src" --no-deps --config-settings editable_mode=compat
}
ver=$(odoo_version)
if [ -z "$ver" ]; then
  if [ -n "${ODOO_SRC:-}" ]; then
    say "installing Odoo from ODOO_SRC=$ODOO_SRC"
    install_odoo_src "$ODOO_SRC"
  else
    src="$LOCAL/odoo-src"
    if [ ! -f "$src/odoo/release.py" ]; then
      say "no importable Odoo and ODOO_SRC unset: cloning upstream 18.0 (shallow)"
      git clone --quiet --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$src" || die "Odoo 18 was not found.
  Do one of:
    - install it into $PY:   python3 -m pip install -e /path/to/odoo-18.0 --no-deps --config-settings editable_mode=compat
    - or point setup at a checkout:   ODOO_SRC=/path/to/odoo-18.0 make setup
    - or give this machine access to github.com so setup can clone the 18.0 branch"
    fi
    install_odoo_src "$src"
  fi
  NEED_FULL_INSTALL=1
  ver=$(odoo_version)
fi
[ "$ver" = "18.0" ] || die "the importable Odoo is version '${ver:-broken}', this suite needs 18.0 ($(cd / && "$PY" -c 'import odoo; print(odoo.__file__)' 2>&1 | tail -1))"
phase_end

# ---------------------------------------------------------------- 5. OCA addons + project packages
phase_start "suite deps"
# The project's packages must resolve to *this* checkout (another clone may have
# installed them editable from its own path).
own_packages_here() {
  (cd / && "$PY" - "$ROOT" <<'PYEOF'
import pathlib, sys
root = pathlib.Path(sys.argv[1]).resolve()
try:
    import iot_ingestor, smart_dairy_ml
except ImportError:
    sys.exit(1)
for mod in (iot_ingestor, smart_dairy_ml):
    if root not in pathlib.Path(mod.__file__).resolve().parents:
        sys.exit(1)
PYEOF
  )
}
if [ "$NEED_FULL_INSTALL" = 1 ] || ! own_packages_here; then
  (cd "$ROOT" && pip_install -r requirements.txt)
fi
# An Odoo installed in strict editable mode hides itself behind the odoo/addons namespace
# that OCA wheels create; detect and repair (reinstall the same tree in compat mode).
if ! (cd / && "$PY" -c 'import odoo; odoo.SUPERUSER_ID' 2>/dev/null); then
  src=$("$PY" - <<'PYEOF'
import json, importlib.metadata as md
from urllib.parse import urlparse
try:
    info = json.loads(md.distribution("odoo").read_text("direct_url.json") or "{}")
    print(urlparse(info.get("url", "")).path)
except Exception:
    pass
PYEOF
)
  [ -n "$src" ] || die "odoo is importable only as a namespace (OCA addons shadow it); reinstall Odoo with: pip install -e <odoo-src> --no-deps --config-settings editable_mode=compat"
  say "repairing the editable Odoo install (compat mode) from $src"
  install_odoo_src "$src"
  (cd / && "$PY" -c 'import odoo; odoo.SUPERUSER_ID') || die "Odoo is still not importable"
fi
for mod in smart_dairy_ml iot_ingestor odoo_test_helper pytest_odoo websocket; do
  (cd / && "$PY" -c "import $mod" 2>/dev/null) || die "python module '$mod' is not importable after installing requirements.txt"
done
echo "$stamp_src" > "$stamp_file"
phase_end

# ---------------------------------------------------------------- 6. database role
phase_start "db role"
if ! psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
  load_secrets
  if [ -n "${SMART_DAIRY_DB_PASSWORD:-}" ] && PGPASSWORD="$SMART_DAIRY_DB_PASSWORD" \
      psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    :
  else
    exists=$(psql_super -tAc "select 1 from pg_roles where rolname = '$DB_USER'" 2>/dev/null) \
      || die "cannot reach PostgreSQL as a superuser to create role '$DB_USER'; create it yourself:
  sudo -u postgres createuser --createdb --pwprompt $DB_USER
  then put SMART_DAIRY_DB_PASSWORD=... in $LOCAL/secrets.env"
    if [ "$exists" = 1 ]; then
      die "role '$DB_USER' exists but setup cannot log in with it. Put its password in
  $LOCAL/secrets.env as SMART_DAIRY_DB_PASSWORD=..., or choose another role with SMART_DAIRY_DB_USER=..."
    fi
    pw=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
    # Never a superuser: Odoo only needs to create its own databases.
    psql_super -q -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$pw'" >/dev/null
    umask 077
    { grep -v '^SMART_DAIRY_DB_PASSWORD=' "$LOCAL/secrets.env" 2>/dev/null || true
      echo "SMART_DAIRY_DB_PASSWORD=$pw"; } > "$LOCAL/secrets.env.tmp"
    mv "$LOCAL/secrets.env.tmp" "$LOCAL/secrets.env"
    say "created PostgreSQL role '$DB_USER' (password stored in .local/secrets.env)"
  fi
fi
phase_end

# ---------------------------------------------------------------- 7. config
phase_start "config"
load_secrets
if ! grep -q '^ODOO_ADMIN_PASSWD=' "$LOCAL/secrets.env" 2>/dev/null; then
  umask 077
  echo "ODOO_ADMIN_PASSWD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')" >> "$LOCAL/secrets.env"
  load_secrets
fi
"$PY" "$ROOT/scripts/write_config.py" \
  --out "$LOCAL/odoo.conf" --data-dir "$LOCAL/data" --http-port "$HTTP_PORT" --log "$LOCAL/odoo.log"
"$PY" "$ROOT/scripts/write_config.py" \
  --out "$LOCAL/odoo-test.conf" --data-dir "$LOCAL/test-data" --http-port 0
phase_end
say "setup complete (Odoo $ver, config in .local/)"
