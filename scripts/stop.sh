#!/usr/bin/env bash
# make stop: stop what make demo started (Odoo, the IoT ingestor and simulator). The
# machine's PostgreSQL and Mosquitto are left running unless setup started them itself.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
for pidfile in "$LOCAL"/run/*.pid; do
  [ -e "$pidfile" ] || continue
  name=$(basename "$pidfile" .pid)
  "$PY" scripts/odoo_stack.py stop --name "$name" | sed "s/^/$name: /"
done
for svc in mosquitto postgresql; do
  marker="$LOCAL/run/started-$svc"
  [ -e "$marker" ] || continue
  case $svc in
    mosquitto) as_root pkill -x mosquitto || true ;;
    postgresql) for v in /etc/postgresql/*; do as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main stop || true; done ;;
  esac
  rm -f "$marker"; echo "$svc: stopped (setup had started it)"
done
