"""Schema ``iot``: idempotent migrations for the two storage paths.

* **native** (plain PostgreSQL, this is what runs in development and CI): time-series tables are
  range-partitioned by month on the device timestamp, partitions are created ahead of time and on
  demand, a BRIN index covers ``ts`` and the primary key is the btree natural key; hourly/daily
  rollup tables are maintained incrementally by :mod:`iot_ingestor.storage` from the rows each
  batch actually inserted (so redeliveries never double count and late data lands in its bucket);
  retention drops whole partitions.
* **timescale** (production image ``timescale/timescaledb``): hypertables, real-time continuous
  aggregates with the same names/columns as the native rollup tables, retention and compression
  policies. :func:`timescale_statements` generates that SQL (unit-tested as text).

``migrate(conn)`` is safe to run concurrently and repeatedly (advisory lock + IF NOT EXISTS).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MIGRATION_LOCK = 0x10_7_1_0  # pg_advisory_xact_lock key for migrations
PARTITION_LOCK = 0x10_7_1_1  # ... for partition creation / drop

# partitioned (time-series) tables and their natural keys
TS_TABLES = {
    "reading": ("device_code", "metric", "ts"),
    "milking": ("animal_ref", "ts", "device_code"),
    "rfid_scan": ("reader_code", "eid", "ts"),
    "animal_location": ("animal_ref", "ts", "device_code"),
}
ROLLUPS = {
    # name: (source, key columns, bucket width)
    "reading_hourly": ("reading", ("device_code", "metric"), "hour"),
    "reading_daily": ("reading", ("device_code", "metric"), "day"),
    "animal_hourly": ("reading", ("animal_ref", "metric"), "hour"),
    "animal_daily": ("reading", ("animal_ref", "metric"), "day"),
}

_TS_COLUMNS = {
    "reading": """
        device_code text NOT NULL,
        metric text NOT NULL,
        ts timestamptz NOT NULL,
        value double precision NOT NULL,
        received_at timestamptz NOT NULL,
        farm text NOT NULL,
        unit text,
        barn text,
        animal_ref text,
        animal_eid text""",
    "milking": """
        seq bigserial,
        animal_ref text NOT NULL,
        ts timestamptz NOT NULL,
        device_code text NOT NULL,
        animal_eid text,
        received_at timestamptz NOT NULL,
        farm text NOT NULL,
        session text,
        yield_l double precision NOT NULL,
        fat_pct double precision,
        snf_pct double precision,
        protein_pct double precision,
        conductivity_ms_cm double precision,
        milk_temp_c double precision,
        duration_s double precision""",
    "rfid_scan": """
        reader_code text NOT NULL,
        eid text NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        farm text NOT NULL,
        location text""",
    "animal_location": """
        animal_ref text NOT NULL,
        ts timestamptz NOT NULL,
        device_code text NOT NULL,
        animal_eid text,
        received_at timestamptz NOT NULL,
        farm text NOT NULL,
        zone text,
        x double precision,
        y double precision""",
}

_COMMON_DDL = """
CREATE TABLE IF NOT EXISTS iot.meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE IF NOT EXISTS iot.dead_letter (
    id bigserial PRIMARY KEY,
    topic text NOT NULL,
    payload bytea NOT NULL,
    payload_sha bytea NOT NULL,
    reason text NOT NULL,
    detail text,
    first_received_at timestamptz NOT NULL,
    last_received_at timestamptz NOT NULL,
    occurrences integer NOT NULL DEFAULT 1,
    replayed_at timestamptz,
    replay_note text,
    UNIQUE (topic, payload_sha)
);
CREATE INDEX IF NOT EXISTS dead_letter_pending_idx ON iot.dead_letter (id)
    WHERE replayed_at IS NULL;
CREATE TABLE IF NOT EXISTS iot.device_status (
    device_code text PRIMARY KEY,
    farm text,
    last_topic_kind text,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz NOT NULL,
    last_received_at timestamptz NOT NULL,
    msg_count bigint NOT NULL DEFAULT 0,
    battery_pct double precision,
    heartbeat_sent_at timestamptz,
    discovered_reported_at timestamptz
);
CREATE TABLE IF NOT EXISTS iot.device_cache (
    code text PRIMARY KEY,
    odoo_id integer,
    device_type text,
    barn text,
    animal_eid text,
    expected_interval_s integer,
    status text,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    write_date text
);
CREATE TABLE IF NOT EXISTS iot.rule_cache (
    id integer PRIMARY KEY,
    data jsonb NOT NULL,
    write_date text
);
CREATE TABLE IF NOT EXISTS iot.rule_state (
    rule_id integer NOT NULL,
    subject text NOT NULL,
    breach_since timestamptz,
    breach_count integer NOT NULL DEFAULT 0,
    last_ts timestamptz,
    last_value double precision,
    open_key text,
    opened_at timestamptz,
    last_sent_at timestamptz,
    PRIMARY KEY (rule_id, subject)
);
CREATE TABLE IF NOT EXISTS iot.animal_marker (
    animal_ref text PRIMARY KEY,
    animal_eid text,
    last_data_at timestamptz NOT NULL,
    notified_at timestamptz
);
CREATE TABLE IF NOT EXISTS iot.outbox (
    id bigserial PRIMARY KEY,
    model text NOT NULL,
    method text NOT NULL,
    payload jsonb NOT NULL,
    idem_key text NOT NULL UNIQUE,
    order_key text,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    delivered_at timestamptz,
    dead boolean NOT NULL DEFAULT false,
    result jsonb
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON iot.outbox (id)
    WHERE delivered_at IS NULL AND NOT dead;
"""


def _native_ts_ddl() -> list[str]:
    out = []
    for table, key in TS_TABLES.items():
        out.append(
            f"CREATE TABLE IF NOT EXISTS iot.{table} ({_TS_COLUMNS[table]},\n"
            f"        PRIMARY KEY ({', '.join(key)})\n) PARTITION BY RANGE (ts)"
        )
        out.append(f"CREATE INDEX IF NOT EXISTS {table}_ts_brin ON iot.{table} USING brin (ts)")
    out.append(
        "CREATE INDEX IF NOT EXISTS reading_animal_idx ON iot.reading (animal_ref, ts) "
        "WHERE animal_ref IS NOT NULL"
    )
    out.append("CREATE INDEX IF NOT EXISTS milking_seq_idx ON iot.milking (seq)")
    for name, (_src, keys, _width) in ROLLUPS.items():
        out.append(
            f"CREATE TABLE IF NOT EXISTS iot.{name} (\n"
            f"    {keys[0]} text NOT NULL,\n    {keys[1]} text NOT NULL,\n"
            "    bucket timestamptz NOT NULL,\n    n bigint NOT NULL,\n"
            "    sum double precision NOT NULL,\n    min double precision NOT NULL,\n"
            "    max double precision NOT NULL,\n"
            "    avg double precision GENERATED ALWAYS AS (sum / NULLIF(n, 0)) STORED,\n"
            "    last_ts timestamptz NOT NULL,\n"
            f"    PRIMARY KEY ({keys[0]}, {keys[1]}, bucket)\n)"
        )
        out.append(f"CREATE INDEX IF NOT EXISTS {name}_bucket_idx ON iot.{name} (bucket)")
    return out


def timescale_statements(
    retention_days: int = 400, compress_after_days: int = 7, tz: str = "Asia/Dhaka"
) -> list[str]:
    """SQL of the TimescaleDB path (hypertables, real-time continuous aggregates, policies).

    Rollup views keep the names and columns of the native rollup tables, so Odoo SQL views and
    BI views work unchanged on either path.
    """
    out = ["CREATE EXTENSION IF NOT EXISTS timescaledb"]
    for table, key in TS_TABLES.items():
        out.append(
            f"CREATE TABLE IF NOT EXISTS iot.{table} ({_TS_COLUMNS[table]},\n"
            f"        PRIMARY KEY ({', '.join(key)})\n)"
        )
        out.append(
            f"SELECT create_hypertable('iot.{table}', by_range('ts', INTERVAL '1 day'), "
            "if_not_exists => TRUE)"
        )
        segment = key[0]
        out.append(
            f"ALTER TABLE iot.{table} SET (timescaledb.compress, "
            f"timescaledb.compress_segmentby = '{segment}', "
            "timescaledb.compress_orderby = 'ts DESC')"
        )
        out.append(
            f"SELECT add_compression_policy('iot.{table}', INTERVAL '{compress_after_days} days', "
            "if_not_exists => TRUE)"
        )
        out.append(
            f"SELECT add_retention_policy('iot.{table}', INTERVAL '{retention_days} days', "
            "if_not_exists => TRUE)"
        )
    out.append(
        "CREATE INDEX IF NOT EXISTS reading_animal_idx ON iot.reading (animal_ref, ts) "
        "WHERE animal_ref IS NOT NULL"
    )
    for name, (src, keys, width) in ROLLUPS.items():
        bucket = (
            f"time_bucket(INTERVAL '1 {width}', ts, '{tz}')"
            if width == "day"
            else f"time_bucket(INTERVAL '1 {width}', ts)"
        )
        where = f"WHERE {keys[0]} IS NOT NULL " if keys[0] == "animal_ref" else ""
        out.append(
            f"CREATE MATERIALIZED VIEW IF NOT EXISTS iot.{name}\n"
            "WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS\n"
            f"SELECT {keys[0]}, {keys[1]}, {bucket} AS bucket, count(*) AS n,\n"
            "       sum(value) AS sum, min(value) AS min, max(value) AS max,\n"
            "       avg(value) AS avg, max(ts) AS last_ts\n"
            f"FROM iot.{src} {where}GROUP BY {keys[0]}, {keys[1]}, bucket\nWITH NO DATA"
        )
        start, end, every = (
            ("3 days", "1 hour", "30 minutes")
            if width == "hour"
            else ("35 days", "1 day", "1 hour")
        )
        out.append(
            f"SELECT add_continuous_aggregate_policy('iot.{name}', "
            f"start_offset => INTERVAL '{start}', end_offset => INTERVAL '{end}', "
            f"schedule_interval => INTERVAL '{every}', if_not_exists => TRUE)"
        )
    return out


def detect_mode(cur, wanted: str = "auto") -> str:
    """'timescale' when requested/available, else 'native'."""
    if wanted == "native":
        return "native"
    cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    available = cur.fetchone() is not None
    if wanted == "timescale" and not available:
        raise RuntimeError("IOT_TIMESCALE=on but the timescaledb extension is not available")
    return "timescale" if available else "native"


def migrate(
    conn,
    *,
    timescale: str = "auto",
    retention_days: int = 400,
    months_ahead: int = 2,
    tz: str = "Asia/Dhaka",
) -> str:
    """Create/upgrade schema ``iot`` idempotently; return the storage mode. Commits."""
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        cur.execute("CREATE SCHEMA IF NOT EXISTS iot")
        cur.execute(_COMMON_DDL)
        cur.execute("SELECT value FROM iot.meta WHERE key = 'mode'")
        row = cur.fetchone()
        mode = row[0] if row else detect_mode(cur, timescale)
        statements = (
            timescale_statements(retention_days, tz=tz) if mode == "timescale" else _native_ts_ddl()
        )
        for sql in statements:
            cur.execute(sql)
        for key, value in (
            ("mode", mode),
            ("schema_version", str(SCHEMA_VERSION)),
            ("rollup_tz", tz),
            ("retention_days", str(retention_days)),
        ):
            cur.execute(
                "INSERT INTO iot.meta (key, value) VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value "
                "WHERE iot.meta.key <> 'mode'",
                (key, value),
            )
        cur.execute(
            "INSERT INTO iot.meta (key, value) VALUES ('rules_version', '0') ON CONFLICT DO NOTHING"
        )
    conn.commit()
    if mode == "native":
        today = datetime.now(UTC).date()
        months = [_add_months(_month_start(today), k) for k in range(-1, months_ahead + 1)]
        with conn.cursor() as cur:
            ensure_partitions(cur, months)
        conn.commit()
    log.info("schema migrated", extra={"mode": mode, "version": SCHEMA_VERSION})
    return mode


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def _add_months(d: date, k: int) -> date:
    m = d.month - 1 + k
    return date(d.year + m // 12, m % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month.year:04d}{month.month:02d}"


_PART_RE = re.compile(r"^(?P<table>[a-z_]+)_p(?P<y>\d{4})(?P<m>\d{2})$")


def ensure_partitions(cur, months, tables=tuple(TS_TABLES)) -> int:
    """Create the monthly partitions of ``tables`` for ``months`` (date of the 1st) if missing.

    Returns how many were created. Runs in the caller's transaction.
    """
    wanted = {partition_name(t, m): (t, m) for t in tables for m in set(months)}
    if not wanted:
        return 0
    cur.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = 'iot'::regnamespace "
        "AND relname = ANY(%s)",
        (list(wanted),),
    )
    missing = set(wanted) - {r[0] for r in cur.fetchall()}
    if not missing:
        return 0
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK,))
    for name in sorted(missing):
        table, month = wanted[name]
        upper = _add_months(month, 1)
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS iot.{name} PARTITION OF iot.{table} "
            f"FOR VALUES FROM ('{month.isoformat()} 00:00:00+00') "
            f"TO ('{upper.isoformat()} 00:00:00+00')"
        )
    return len(missing)


def list_partitions(cur, table: str) -> list[tuple[str, date]]:
    cur.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        (f"iot.{table}",),
    )
    out = []
    for (name,) in cur.fetchall():
        m = _PART_RE.match(name)
        if m:
            out.append((name, date(int(m["y"]), int(m["m"]), 1)))
    return out


def drop_old_partitions(cur, retention_days: int, now: datetime | None = None) -> list[str]:
    """Retention: drop partitions whose whole month is older than ``retention_days``."""
    now = now or datetime.now(UTC)
    cutoff = (now - timedelta(days=retention_days)).date()
    dropped = []
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK,))
    for table in TS_TABLES:
        for name, month in list_partitions(cur, table):
            if _add_months(month, 1) <= cutoff:
                cur.execute(f"DROP TABLE IF EXISTS iot.{name}")
                dropped.append(name)
    return dropped


def months_of(timestamps) -> set[date]:
    return {date(t.year, t.month, 1) for t in timestamps}
