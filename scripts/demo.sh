#!/usr/bin/env bash
# make demo: setup if needed, then the local stack — PostgreSQL, Mosquitto, Odoo 18 on
# 127.0.0.1:$HTTP_PORT with every suite module and demo data on $DEMO_DB — and print where
# to go. Re-running reuses what exists: only missing modules are installed, seeds are
# idempotent, a running Odoo is kept.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
load_secrets
export PGPASSWORD="${SMART_DAIRY_DB_PASSWORD:-}"
CONF="$LOCAL/odoo.conf"
MODULES=$(suite_modules)

phase_start "demo database"
if psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc \
     "select 1 from pg_database where datname = '$DEMO_DB'" | grep -q 1; then
  missing=$(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DEMO_DB" -tAc \
    "select string_agg(m, ',') from unnest(string_to_array('$MODULES', ',')) m
      where m not in (select name from ir_module_module where state = 'installed')")
else
  missing="$MODULES"
fi
if [ -n "$missing" ]; then
  say "installing $missing into $DEMO_DB (with demo data; first time takes a few minutes)"
  python3 scripts/odoo_stack.py stop --name odoo >/dev/null || true
  if ! psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -tAc \
       "select 1 from pg_database where datname = '$DEMO_DB'" | grep -q 1; then
    init_bd_db "$CONF" "$DEMO_DB" "$LOCAL/demo-install.log"
  fi
  odoo_bin -c "$CONF" -d "$DEMO_DB" -i "$missing" --stop-after-init --log-level=warn \
    --logfile="$LOCAL/demo-install.log" \
    || { tail -40 "$LOCAL/demo-install.log"; die "installing into $DEMO_DB failed (.local/demo-install.log)"; }
else
  say "$DEMO_DB already has every suite module"
fi
# Addon code changed since the last demo (a pull, a branch switch): update the suite once.
addons_hash=$(cd "$ROOT" && find addons -type f ! -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
hash_file="$LOCAL/demo-addons.hash"
if [ -z "$missing" ] && [ -f "$hash_file" ] && [ "$(cat "$hash_file")" != "$addons_hash" ]; then
  say "addon code changed since the last demo: updating $MODULES"
  python3 scripts/odoo_stack.py stop --name odoo >/dev/null || true
  odoo_bin -c "$CONF" -d "$DEMO_DB" -u "$MODULES" --stop-after-init --log-level=warn \
    --logfile="$LOCAL/demo-install.log" \
    || { tail -40 "$LOCAL/demo-install.log"; die "updating $DEMO_DB failed (.local/demo-install.log)"; }
fi
echo "$addons_hash" > "$hash_file"
phase_end

phase_start "demo seed"
odoo_bin shell -c "$CONF" -d "$DEMO_DB" --no-http --log-level=warn < "$ROOT/scripts/demo_seed.py"
PASSWORD=$("$PY" scripts/odoo_stack.py login --db "$DEMO_DB" --conf "$CONF" --login admin)
phase_end

phase_start "odoo"
"$PY" scripts/odoo_stack.py start --db "$DEMO_DB" --port "$HTTP_PORT" --conf "$CONF" >/dev/null
phase_end

phase_start "iot"
METRICS_PORT=9108
IOT_HISTORY_DAYS=14
IOT_LINE="    IoT         not installed (smart_iot_mgmt or iot_ingestor missing)"
iot_installed=$(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DEMO_DB" -tAc \
  "select 1 from ir_module_module where name = 'smart_iot_mgmt' and state = 'installed'")
if [ "$iot_installed" = 1 ] && "$PY" -c 'import iot_ingestor' 2>/dev/null; then
  if ! "$PY" scripts/odoo_stack.py status --name ingestor >/dev/null; then
    key=$(odoo_bin shell -c "$CONF" -d "$DEMO_DB" --no-http --log-level=warn < "$ROOT/scripts/demo_iot_key.py" | tail -1)
    [ -n "$key" ] || die "could not create the ingestor's API key"
    umask 077
    cat > "$LOCAL/run/ingestor.env" <<ENV
IOT_DB_DSN=dbname=$DEMO_DB host=$DB_HOST port=$DB_PORT user=$DB_USER${SMART_DAIRY_DB_PASSWORD:+ password=$SMART_DAIRY_DB_PASSWORD}
IOT_MQTT_HOST=$MQTT_HOST
IOT_MQTT_PORT=$MQTT_PORT
IOT_MQTT_CLIENT_ID=iot-ingestor-demo
IOT_METRICS_HOST=127.0.0.1
IOT_METRICS_PORT=$METRICS_PORT
IOT_ODOO_SYNC_S=15
IOT_HEARTBEAT_S=15
IOT_NOTIFY_ANIMALS_S=60
ODOO_URL=http://127.0.0.1:$HTTP_PORT
ODOO_DB=$DEMO_DB
ODOO_USER=iot_ingestor
ODOO_API_KEY=$key
ENV
    "$PY" scripts/odoo_stack.py spawn --name ingestor --env-file "$LOCAL/run/ingestor.env" -- \
      "$PY" -m iot_ingestor run >/dev/null
  fi
  if ! "$PY" scripts/odoo_stack.py status --name simulator >/dev/null; then
    # Heat and health scores need 10 days of collar data out of the 14 days the scorer reads
    # (HOURLY_DAYS in smart_dairy_farm/models/dairy_ml_scoring.py): publish those 14 days first
    # and wait until the ingestor has stored them, so `make ml-train` scores them. Collars,
    # boluses and barn climate only: the herd seed already wrote every milking in Odoo, and
    # this simulation's milk meters would add milk records for cows the seed has dried off.
    say "publishing $IOT_HISTORY_DAYS days of collar and barn-climate history"
    IOT_MQTT_HOST="$MQTT_HOST" IOT_MQTT_PORT="$MQTT_PORT" "$PY" -m iot_ingestor simulate \
      --farm sd1 --days "$IOT_HISTORY_DAYS" --history sensors --wait-ingestor "$METRICS_PORT" \
      --client-id iot-simulator-history >>"$LOCAL/run/simulator-history.log" 2>&1 \
      || warn "the collar history is not stored yet (.local/run/simulator-history.log): heat and health may score 'insufficient data'"
    say "scoring the herd on that history"
    odoo_bin shell -c "$CONF" -d "$DEMO_DB" --no-http --log-level=warn < "$ROOT/scripts/demo_score.py" | tail -1
    "$PY" scripts/odoo_stack.py spawn --name simulator --env-file "$LOCAL/run/ingestor.env" -- \
      "$PY" -m iot_ingestor simulate --farm sd1 --days "$IOT_HISTORY_DAYS" --history none --live \
        --heat-barn B1 --heat-offset 16 --client-id iot-simulator-demo >/dev/null
  fi
  IOT_LINE="    IoT         ingestor http://127.0.0.1:$METRICS_PORT/metrics, simulator publishing farm/sd1/# (barn B1 runs hot)
    dashboard   Smart Dairy → IoT → Live Farm Dashboard"
fi
phase_end

cat <<MSG

  Smart Dairy ERP is running.

    Odoo        http://127.0.0.1:$HTTP_PORT/odoo     (database $DEMO_DB)
    log in      admin / $PASSWORD
    role demos  farm.viewer, farm.operator, farm.manager (password = login)
    PostgreSQL  $DB_HOST:$DB_PORT (role $DB_USER)     Mosquitto  $MQTT_HOST:$MQTT_PORT
$IOT_LINE
    logs        .local/run/*.log

  make stop   stops what make demo started.
MSG
