"""Idempotent batch writes into schema ``iot`` (shared by the MQTT daemon and the REST API).

``write_batch(conn, items)`` stores parsed items (see :mod:`iot_ingestor.payloads`) in the
caller's transaction -- it never commits. Each kind is COPY'd into a temporary staging table and
inserted with ``ON CONFLICT DO NOTHING`` on its natural key; the rows that were *really* inserted
(``RETURNING``) drive the incremental rollups, the device/animal bookkeeping and the alert rules,
so a redelivered message changes nothing at all.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime

from psycopg2.extras import execute_values

from . import alerts
from .payloads import Location, Milking, Reading, RfidScan
from .schema import ensure_partitions, months_of

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    received: int = 0
    inserted: int = 0
    duplicates: int = 0
    by_kind: dict = field(default_factory=dict)
    alerts_queued: int = 0
    dead_letters: int = 0


def _cursor(conn_or_cur):
    """Accept a psycopg2 connection, a psycopg2 cursor or an Odoo cursor."""
    if hasattr(conn_or_cur, "copy_expert") or hasattr(conn_or_cur, "_obj"):
        return conn_or_cur, False
    return conn_or_cur.cursor(), True


def _fmt(v) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("non-finite float")
        return repr(v)
    s = str(v)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> None:
    buf = io.StringIO()
    write = buf.write
    for row in rows:
        write("\t".join([_fmt(v) for v in row]))
        write("\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buf)


def _stage(cur, table: str, columns: tuple[str, ...]) -> str:
    """Temporary staging table for ``iot.<table>`` (one per session, emptied on commit)."""
    name = f"iot_stage_{table}"
    cur.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "
        f"SELECT {', '.join(columns)} FROM iot.{table} WITH NO DATA"
    )
    return name


_READING_COLS = (
    "device_code",
    "metric",
    "ts",
    "value",
    "received_at",
    "farm",
    "unit",
    "barn",
    "animal_ref",
    "animal_eid",
)
_MILKING_COLS = (
    "animal_ref",
    "ts",
    "device_code",
    "animal_eid",
    "received_at",
    "farm",
    "session",
    "yield_l",
    "fat_pct",
    "snf_pct",
    "protein_pct",
    "conductivity_ms_cm",
    "milk_temp_c",
    "duration_s",
)
_MILK_METRICS = (
    "yield_l",
    "fat_pct",
    "snf_pct",
    "protein_pct",
    "conductivity_ms_cm",
    "milk_temp_c",
)
_RFID_COLS = ("reader_code", "eid", "ts", "received_at", "farm", "location")
_LOC_COLS = (
    "animal_ref",
    "ts",
    "device_code",
    "animal_eid",
    "received_at",
    "farm",
    "zone",
    "x",
    "y",
)


_DS_UPDATE = (
    "farm = EXCLUDED.farm, last_topic_kind = EXCLUDED.last_topic_kind, "
    "last_seen = GREATEST(d.last_seen, EXCLUDED.last_seen), "
    "last_received_at = GREATEST(d.last_received_at, EXCLUDED.last_received_at), "
    "msg_count = d.msg_count + EXCLUDED.msg_count, "
    "battery_pct = COALESCE(EXCLUDED.battery_pct, d.battery_pct)"
)


def _reading_lines(readings) -> io.StringIO:
    """COPY text of readings. Fast path: text fields are validated codes (no tab, newline or
    backslash); a line that does not look right falls back to the escaping formatter."""
    n = "\\N"
    out = []
    append = out.append
    for r in readings:
        line = (
            f"{r.device_code}\t{r.metric}\t{r.ts.isoformat()}\t{r.value!r}\t"
            f"{r.received_at.isoformat()}\t{r.farm}\t{r.unit or n}\t{r.barn or n}\t"
            f"{r.animal_ref or n}\t{r.animal_eid or n}"
        )
        if (
            line.count("\t") != 9
            or "\n" in line
            or "\r" in line
            or line.count("\\")
            != (
                (r.unit is None)
                + (r.barn is None)
                + (r.animal_ref is None)
                + (r.animal_eid is None)
            )
            or not math.isfinite(r.value)
        ):
            line = "\t".join(
                _fmt(v)
                for v in (
                    r.device_code,
                    r.metric,
                    r.ts,
                    r.value,
                    r.received_at,
                    r.farm,
                    r.unit,
                    r.barn,
                    r.animal_ref,
                    r.animal_eid,
                )
            )
        append(line)
    append("")
    return io.StringIO("\n".join(out))


def _rollup_sql(
    target: str, keys: tuple[str, str], bucket_expr: str, source: str, where: str = ""
) -> str:
    k0, k1 = keys
    return (
        f"INSERT INTO iot.{target} AS r ({k0}, {k1}, bucket, n, sum, min, max, last_ts) "
        f"SELECT {k0}, {k1}, {bucket_expr} AS b, count(*), sum(value), min(value), max(value), "
        f"max(ts) FROM {source} {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 "
        f"ON CONFLICT ({k0}, {k1}, bucket) DO UPDATE SET n = r.n + EXCLUDED.n, "
        "sum = r.sum + EXCLUDED.sum, min = LEAST(r.min, EXCLUDED.min), "
        "max = GREATEST(r.max, EXCLUDED.max), last_ts = GREATEST(r.last_ts, EXCLUDED.last_ts)"
    )


def _reading_sql(native: bool) -> str:
    ctes = [
        "ins AS (INSERT INTO iot.reading AS t (" + ", ".join(_READING_COLS) + ") "
        "SELECT " + ", ".join(_READING_COLS) + " FROM pg_temp.iot_stage_reading "
        "ON CONFLICT DO NOTHING "
        "RETURNING device_code, metric, ts, value, barn, animal_ref, animal_eid)",
        "am AS (INSERT INTO iot.animal_marker AS m (animal_ref, animal_eid, last_data_at) "
        "SELECT animal_ref, max(animal_eid), now() FROM ins WHERE animal_ref IS NOT NULL "
        "GROUP BY animal_ref ORDER BY animal_ref "
        "ON CONFLICT (animal_ref) DO UPDATE SET last_data_at = EXCLUDED.last_data_at)",
        # liveness: every delivery counts, duplicates included (from the staging table)
        "ds AS (INSERT INTO iot.device_status AS d (device_code, farm, last_topic_kind, "
        "first_seen, last_seen, last_received_at, msg_count, battery_pct) "
        "SELECT device_code, max(farm), 'reading', min(received_at), max(ts), max(received_at), "
        "count(*), (array_agg(value ORDER BY ts DESC) FILTER (WHERE metric = 'battery_pct'))[1] "
        "FROM pg_temp.iot_stage_reading GROUP BY device_code ORDER BY device_code "
        "ON CONFLICT (device_code) DO UPDATE SET " + _DS_UPDATE + ")",
    ]
    if native:
        hour = "date_trunc('hour', ts)"
        day = "date_trunc('day', ts, %(tz)s)"
        animals = "WHERE animal_ref IS NOT NULL"
        ctes += [
            "rh AS (" + _rollup_sql("reading_hourly", ("device_code", "metric"), hour, "ins") + ")",
            "rd AS (" + _rollup_sql("reading_daily", ("device_code", "metric"), day, "ins") + ")",
            "ah AS ("
            + _rollup_sql("animal_hourly", ("animal_ref", "metric"), hour, "ins", animals)
            + ")",
            "ad AS ("
            + _rollup_sql("animal_daily", ("animal_ref", "metric"), day, "ins", animals)
            + ")",
        ]
    return (
        "WITH " + ",\n".join(ctes) + "\n"
        "SELECT NULL::text, NULL::text, NULL::timestamptz, NULL::float8, NULL::text, NULL::text, "
        "count(*) FROM ins "
        "UNION ALL SELECT device_code, metric, ts, value, barn, animal_eid, NULL FROM ins "
        "WHERE metric = ANY(%(metrics)s)"
    )


def _milking_sql(native: bool) -> str:
    cols = ", ".join(_MILKING_COLS)
    ctes = [
        f"ins AS (INSERT INTO iot.milking ({cols}) SELECT {cols} FROM pg_temp.iot_stage_milking "
        "ON CONFLICT DO NOTHING RETURNING " + cols + ")",
        "am AS (INSERT INTO iot.animal_marker AS m (animal_ref, animal_eid, last_data_at) "
        "SELECT animal_ref, max(animal_eid), now() FROM ins GROUP BY animal_ref "
        "ORDER BY animal_ref "
        "ON CONFLICT (animal_ref) DO UPDATE SET last_data_at = EXCLUDED.last_data_at)",
        # long format of the milk metrics, for rollups and rules
        "obs AS (SELECT i.animal_ref, i.animal_eid, i.device_code, i.ts, v.metric, v.value "
        "FROM ins i CROSS JOIN LATERAL (VALUES "
        + ", ".join(f"('{m}', i.{m})" for m in _MILK_METRICS)
        + ") AS v(metric, value) WHERE v.value IS NOT NULL)",
    ]
    if native:
        ctes += [
            "ah AS ("
            + _rollup_sql(
                "animal_hourly", ("animal_ref", "metric"), "date_trunc('hour', ts)", "obs"
            )
            + ")",
            "ad AS ("
            + _rollup_sql(
                "animal_daily", ("animal_ref", "metric"), "date_trunc('day', ts, %(tz)s)", "obs"
            )
            + ")",
        ]
    return (
        "WITH " + ",\n".join(ctes) + "\n"
        "SELECT NULL::text, NULL::text, NULL::timestamptz, NULL::float8, NULL::text, NULL::text, "
        "(SELECT count(*) FROM ins) "
        "UNION ALL SELECT device_code, metric, ts, value, NULL, animal_eid, NULL FROM obs "
        "WHERE metric = ANY(%(metrics)s)"
    )


def _simple_sql(table: str, cols: tuple[str, ...]) -> str:
    c = ", ".join(cols)
    return (
        f"WITH ins AS (INSERT INTO iot.{table} ({c}) SELECT {c} FROM "
        f"pg_temp.iot_stage_{table} ON CONFLICT DO NOTHING RETURNING 1) "
        "SELECT count(*) FROM ins"
    )


def _meta(cur) -> dict:
    cur.execute(
        "SELECT key, value FROM iot.meta WHERE key IN ('mode', 'rollup_tz', 'rules_version')"
    )
    return dict(cur.fetchall())


def write_batch(conn, items, *, evaluate_rules: bool = True) -> BatchResult:
    """Store ``items`` idempotently in the caller's transaction (no commit).

    ``conn`` is a psycopg2 connection or cursor (an Odoo ``env.cr`` works too). Returns a
    :class:`BatchResult`; ``inserted`` counts new rows, ``duplicates`` the items already stored.
    When ``evaluate_rules`` is true the cached alert rules are evaluated on the new rows and
    raise/clear calls are queued in ``iot.outbox`` (same transaction).
    """
    cur, own = _cursor(conn)
    try:
        return _write(cur, items, evaluate_rules)
    finally:
        if own:
            cur.close()


def _write(cur, items, evaluate_rules) -> BatchResult:
    res = BatchResult(received=len(items))
    if not items:
        return res
    meta = _meta(cur)
    native = meta.get("mode", "native") == "native"
    tz = meta.get("rollup_tz", "UTC")
    readings, milkings, scans, locations = [], [], [], []
    for it in items:
        if isinstance(it, Reading):
            readings.append(it)
        elif isinstance(it, Milking):
            milkings.append(it)
        elif isinstance(it, RfidScan):
            scans.append(it)
        elif isinstance(it, Location):
            locations.append(it)
        else:
            raise TypeError(f"unsupported item {it!r}")
    if native:
        tables = [
            t
            for t, lst in (
                ("reading", readings),
                ("milking", milkings),
                ("rfid_scan", scans),
                ("animal_location", locations),
            )
            if lst
        ]
        ensure_partitions(cur, months_of(it.ts for it in items), tables)
    rules = alerts.load_rules(cur, meta.get("rules_version")) if evaluate_rules else []
    metrics = sorted({r.metric for r in rules})
    observations = []
    params = {"tz": tz, "metrics": metrics}

    if readings:
        _stage(cur, "reading", _READING_COLS)
        cur.copy_expert(
            f"COPY pg_temp.iot_stage_reading ({', '.join(_READING_COLS)}) FROM STDIN",
            _reading_lines(readings),
        )
        cur.execute(_reading_sql(native), params)
        n = _collect(cur.fetchall(), observations)
        res.by_kind["reading"] = n
        res.inserted += n
    if milkings:
        _stage(cur, "milking", _MILKING_COLS)
        _copy(
            cur,
            "pg_temp.iot_stage_milking",
            _MILKING_COLS,
            (
                (
                    m.animal_ref,
                    m.ts,
                    m.device_code,
                    m.animal_eid,
                    m.received_at,
                    m.farm,
                    m.session,
                    m.yield_l,
                    m.fat_pct,
                    m.snf_pct,
                    m.protein_pct,
                    m.conductivity_ms_cm,
                    m.milk_temp_c,
                    m.duration_s,
                )
                for m in milkings
            ),
        )
        cur.execute(_milking_sql(native), params)
        n = _collect(cur.fetchall(), observations)
        res.by_kind["milking"] = n
        res.inserted += n
    for table, cols, lst, row in (
        (
            "rfid_scan",
            _RFID_COLS,
            scans,
            lambda s: (s.reader_code, s.eid, s.ts, s.received_at, s.farm, s.location),
        ),
        (
            "animal_location",
            _LOC_COLS,
            locations,
            lambda s: (
                s.animal_ref,
                s.ts,
                s.device_code,
                s.animal_eid,
                s.received_at,
                s.farm,
                s.zone,
                s.x,
                s.y,
            ),
        ),
    ):
        if lst:
            _stage(cur, table, cols)
            _copy(cur, f"pg_temp.iot_stage_{table}", cols, (row(s) for s in lst))
            cur.execute(_simple_sql(table, cols))
            n = cur.fetchone()[0]
            res.by_kind[table] = n
            res.inserted += n
    res.duplicates = res.received - res.inserted
    if len(readings) < len(items):
        _device_status(cur, [it for it in items if not isinstance(it, Reading)])
    if rules and observations:
        res.alerts_queued = alerts.evaluate(cur, rules, observations)
    return res


def _collect(rows, observations) -> int:
    count = 0
    for r in rows:
        if r[6] is not None:
            count = r[6]
        else:
            observations.append(alerts.Observation(r[0], r[1], r[2], r[3], r[4], r[5]))
    return count


def _device_status(cur, items) -> None:
    agg: dict = {}
    for it in items:
        code = it.reader_code if isinstance(it, RfidScan) else it.device_code
        a = agg.get(code)
        battery = it.value if isinstance(it, Reading) and it.metric == "battery_pct" else None
        if a is None:
            a = agg[code] = [it.farm, it.kind, it.received_at, it.ts, it.received_at, 0, None, None]
        a[2] = min(a[2], it.received_at)
        a[3] = max(a[3], it.ts)
        a[4] = max(a[4], it.received_at)
        a[5] += 1
        if battery is not None and (a[7] is None or it.ts >= a[7]):
            a[6], a[7] = battery, it.ts
    rows = [(code, *vals[:7]) for code, vals in sorted(agg.items())]
    execute_values(
        cur,
        "INSERT INTO iot.device_status AS d (device_code, farm, last_topic_kind, first_seen, "
        "last_seen, last_received_at, msg_count, battery_pct) VALUES %s "
        "ON CONFLICT (device_code) DO UPDATE SET " + _DS_UPDATE,
        rows,
        page_size=10000,
    )


def write_dead_letters(conn, letters) -> int:
    """Store bad messages: iterable of (topic, payload bytes, received_at, reason, detail).

    One row per distinct (topic, payload); a repeat bumps ``occurrences`` and
    ``last_received_at``. Runs in the caller's transaction.
    """
    cur, own = _cursor(conn)
    try:
        rows = {}
        for topic, payload, received_at, reason, detail in letters:
            if isinstance(payload, str):
                payload = payload.encode("utf-8", "surrogatepass")
            topic = topic.replace("\x00", "?")
            sha = hashlib.sha256(payload).digest()
            key = (topic, sha)
            if key in rows:
                rows[key][5] = max(rows[key][5], received_at)
                rows[key][6] += 1
            else:
                rows[key] = [topic, payload, sha, reason, (detail or "")[:2000], received_at, 1]
        if not rows:
            return 0
        values = [
            (t, p, s, r, d, ts, ts, n)
            for (t, p, s, r, d, ts, n) in sorted(rows.values(), key=lambda v: (v[0], v[2]))
        ]
        execute_values(
            cur,
            "INSERT INTO iot.dead_letter AS l (topic, payload, payload_sha, reason, detail, "
            "first_received_at, last_received_at, occurrences) VALUES %s "
            "ON CONFLICT (topic, payload_sha) DO UPDATE SET "
            "occurrences = l.occurrences + EXCLUDED.occurrences, "
            "last_received_at = GREATEST(l.last_received_at, EXCLUDED.last_received_at), "
            "reason = EXCLUDED.reason, detail = EXCLUDED.detail",
            [(t, _bytea(p), s and _bytea(s), r, d, a, b, n) for (t, p, s, r, d, a, b, n) in values],
            page_size=5000,
        )
        return len(values)
    finally:
        if own:
            cur.close()


def _bytea(b: bytes):
    import psycopg2

    return psycopg2.Binary(b)
