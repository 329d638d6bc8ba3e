"""``iot-ingestor`` command line: run | migrate | replay-dead-letters | simulate | sync."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from . import logs
from .config import Config

log = logging.getLogger("iot_ingestor.cli")


def cmd_run(cfg, args) -> int:
    from .daemon import run

    return run(cfg)


def cmd_migrate(cfg, args) -> int:
    from .daemon import _ts_mode, connect_db
    from .schema import migrate

    conn = connect_db(cfg.db_dsn)
    try:
        mode = migrate(
            conn,
            timescale=_ts_mode(cfg.timescale),
            retention_days=cfg.retention_days,
            months_ahead=cfg.partitions_ahead_months,
            tz=cfg.rollup_tz,
        )
    finally:
        conn.close()
    print(json.dumps({"schema": "iot", "mode": mode}))
    return 0


def replay_dead_letters(
    conn, *, ids=None, reason=None, limit=10000, dry_run=False, limits=None
) -> dict:
    """Re-parse pending dead letters; store the ones that are valid now. Commits."""
    from .payloads import DEFAULT_LIMITS, PayloadError, parse
    from .storage import write_batch

    limits = limits or DEFAULT_LIMITS
    sql = (
        "SELECT id, topic, payload, last_received_at FROM iot.dead_letter WHERE replayed_at IS NULL"
    )
    params: list = []
    if ids:
        sql += " AND id = ANY(%s)"
        params.append(list(ids))
    if reason:
        sql += " AND reason = %s"
        params.append(reason)
    sql += " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED"
    params.append(limit)
    out = {"examined": 0, "replayed": 0, "still_invalid": 0, "rows_inserted": 0}
    with conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
        for dl_id, topic, payload, received_at in rows:
            out["examined"] += 1
            try:
                items = parse(topic, bytes(payload), received_at, limits)
            except PayloadError as exc:
                out["still_invalid"] += 1
                cur.execute(
                    "UPDATE iot.dead_letter SET reason = %s, detail = %s WHERE id = %s",
                    (exc.reason, exc.message, dl_id),
                )
                continue
            out["replayed"] += 1
            if dry_run:
                continue
            res = write_batch(cur, items)
            out["rows_inserted"] += res.inserted
            cur.execute(
                "UPDATE iot.dead_letter SET replayed_at = now(), replay_note = %s WHERE id = %s",
                (f"stored {res.inserted} new row(s), {res.duplicates} duplicate(s)", dl_id),
            )
    if dry_run:
        conn.rollback()
    else:
        conn.commit()
    return out


def cmd_replay(cfg, args) -> int:
    from datetime import timedelta

    from .daemon import connect_db
    from .payloads import Limits

    conn = connect_db(cfg.db_dsn)
    try:
        out = replay_dead_letters(
            conn,
            ids=args.id,
            reason=args.reason,
            limit=args.limit,
            dry_run=args.dry_run,
            limits=Limits(
                max_future=timedelta(seconds=cfg.max_future_s),
                max_age=timedelta(days=cfg.retention_days),
            ),
        )
    finally:
        conn.close()
    print(json.dumps(out))
    return 0


def cmd_sync(cfg, args) -> int:
    from .daemon import connect_db
    from .odoo_client import OdooClient
    from .outbox import deliver
    from .sync import pull

    client = OdooClient.from_config(cfg)
    if client is None:
        print("ODOO_URL is not set", file=sys.stderr)
        return 2
    conn = connect_db(cfg.db_dsn)
    try:
        out = pull(conn, client)
        r = deliver(
            conn,
            client,
            base_backoff=cfg.outbox_base_backoff_s,
            max_backoff=cfg.outbox_max_backoff_s,
            max_attempts=cfg.outbox_max_attempts,
        )
        out.update(delivered=r.delivered, failed=r.failed, error=r.transport_error)
    finally:
        conn.close()
    print(json.dumps(out))
    return 0


def cmd_simulate(cfg, args) -> int:
    from .simulate import run_simulation

    out = run_simulation(cfg, args)
    print(json.dumps(out))
    return 1 if out["history_ingested"] is False else 0  # --wait-ingestor timed out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="iot-ingestor", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("run", help="run the daemon (config from environment)")
    sub.add_parser("migrate", help="create/upgrade schema iot and exit")
    r = sub.add_parser("replay-dead-letters", help="re-parse dead letters and store valid ones")
    r.add_argument("--id", type=int, action="append", help="only this id (repeatable)")
    r.add_argument("--reason", help="only dead letters with this reason code")
    r.add_argument("--limit", type=int, default=10000)
    r.add_argument("--dry-run", action="store_true")
    sub.add_parser("sync", help="pull devices/rules from Odoo once and deliver the outbox")
    s = sub.add_parser("simulate", help="publish a simulated farm (smart_dairy_ml HerdSimulator)")
    s.add_argument("--farm", default="sd1")
    s.add_argument("--cows", type=int, default=255)
    s.add_argument("--days", type=int, default=1)
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--start", help="first simulated day (YYYY-MM-DD); default: --days ago")
    s.add_argument(
        "--speed",
        type=float,
        default=0.0,
        help="simulated seconds per wall second (0 = as fast as possible, 1 = real "
        "time, 60 = one simulated hour per minute)",
    )
    s.add_argument(
        "--history",
        choices=("all", "sensors", "none"),
        default="all",
        help="what the history publishes: all, sensors (collars/boluses and barn climate; no "
        "milk-meter milkings or RFID scans, when the milk records come from elsewhere) or "
        "none (--live only)",
    )
    s.add_argument(
        "--wait-ingestor",
        type=int,
        default=0,
        metavar="PORT",
        help="after the history, wait until the ingestor with /healthz on 127.0.0.1:PORT "
        "has committed it (at most --wait-timeout-s)",
    )
    s.add_argument("--wait-timeout-s", type=float, default=600.0)
    s.add_argument(
        "--live",
        action="store_true",
        help="after the history, keep publishing in real time (environment every "
        "--env-interval-s, collars every --collar-interval-s)",
    )
    s.add_argument("--env-interval-s", type=float, default=10.0)
    s.add_argument("--collar-interval-s", type=float, default=60.0)
    s.add_argument(
        "--heat-barn",
        default="",
        help="live mode: add --heat-offset degC to this barn's temperature (demo alert)",
    )
    s.add_argument("--heat-offset", type=float, default=12.0, help="degC added by --heat-barn")
    s.add_argument("--max-seconds", type=float, default=0.0, help="stop after (0 = never)")
    s.add_argument("--qos", type=int, default=1, choices=(0, 1))
    s.add_argument("--client-id", default="iot-simulator")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    cfg = Config.from_env()
    logs.setup(cfg.log_level)
    handler = {
        "run": cmd_run,
        "migrate": cmd_migrate,
        "replay-dead-letters": cmd_replay,
        "sync": cmd_sync,
        "simulate": cmd_simulate,
    }[args.cmd]
    return handler(cfg, args)


if __name__ == "__main__":
    raise SystemExit(main())
