"""Schema ``iot`` and idempotent batch storage on a real PostgreSQL (native path), plus the
text of the TimescaleDB path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from iot_ingestor import schema
from iot_ingestor.payloads import parse
from iot_ingestor.storage import write_batch, write_dead_letters

EID = "050100000000001"


def _items(now, n=5, start=None):
    start = start or now - timedelta(hours=2)
    out = []
    for i in range(n):
        ts = (start + timedelta(minutes=10 * i)).isoformat()
        out += parse(
            "farm/sd1/sensors/temperature",
            json.dumps({"device_id": "ENV-B1", "timestamp": ts, "value": 20 + i}),
            now,
        )
        out += parse(
            f"farm/sd1/animals/{EID}/activity",
            json.dumps(
                {
                    "device_id": "COL-0001",
                    "timestamp": ts,
                    "activity": 100 + i,
                    "battery_pct": 90 - i,
                }
            ),
            now,
        )
        out += parse(
            f"farm/sd1/milking/{EID}/production",
            json.dumps(
                {"device_id": "MM-P01", "timestamp": ts, "yield_l": 10.0, "conductivity_ms_cm": 5.0}
            ),
            now,
        )
        out += parse(
            "farm/sd1/rfid/scan",
            json.dumps({"reader_id": "RFID-P1", "eid": EID, "timestamp": ts}),
            now,
        )
        out += parse(
            "farm/sd1/animals/SD-0001/location",
            json.dumps({"device_id": "COL-0001", "timestamp": ts, "zone": "B1"}),
            now,
        )
    return out


def test_timescale_path_sql_text():
    sql = schema.timescale_statements(retention_days=400, compress_after_days=7)
    text = "\n".join(sql)
    assert sql[0] == "CREATE EXTENSION IF NOT EXISTS timescaledb"
    for table in schema.TS_TABLES:
        assert f"create_hypertable('iot.{table}', by_range('ts'" in text
        assert f"add_retention_policy('iot.{table}', INTERVAL '400 days'" in text
        assert f"add_compression_policy('iot.{table}', INTERVAL '7 days'" in text
    for name in schema.ROLLUPS:
        assert f"CREATE MATERIALIZED VIEW IF NOT EXISTS iot.{name}" in text
        assert f"add_continuous_aggregate_policy('iot.{name}'" in text
    assert text.count("timescaledb.materialized_only = false") == len(schema.ROLLUPS)
    assert "time_bucket(INTERVAL '1 day', ts, 'Asia/Dhaka')" in text
    assert "PARTITION BY" not in text
    # the natural key is the primary key on both paths
    assert "PRIMARY KEY (device_code, metric, ts)" in text


def test_native_migration_is_idempotent_and_builds_partitions(db):
    conn = db.connect()
    try:
        assert schema.migrate(conn, timescale="native") == "native"  # second run
        with conn.cursor() as cur:
            cur.execute("SELECT relkind FROM pg_class WHERE oid = 'iot.reading'::regclass")
            assert cur.fetchone()[0] == "p"
            cur.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'iot' AND tablename = 'reading'"
            )
            defs = " ".join(r[0] for r in cur.fetchall())
            assert "USING brin (ts)" in defs
            assert "(device_code, metric, ts)" in defs
            month = date.today().replace(day=1)
            names = [n for n, _m in schema.list_partitions(cur, "reading")]
            assert schema.partition_name("reading", month) in names
            assert len(names) >= 3  # previous, current and months ahead
    finally:
        conn.close()


def test_retention_drops_only_old_partitions(db):
    conn = db.connect()
    now = datetime.now(UTC)
    old = now - timedelta(days=120)
    try:
        with conn.cursor() as cur:
            write_batch(cur, _items(now, 2))
            write_batch(cur, _items(old + timedelta(hours=3), 2, old))
        conn.commit()
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM iot.reading WHERE ts < %s", (now - timedelta(days=60),)
            )
            assert cur.fetchone()[0] == 6
            dropped = schema.drop_old_partitions(cur, retention_days=60, now=now)
            assert schema.partition_name("reading", date(old.year, old.month, 1)) in dropped
            cur.execute(
                "SELECT count(*) FROM iot.reading WHERE ts < %s", (now - timedelta(days=60),)
            )
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT count(*) FROM iot.reading")
            assert cur.fetchone()[0] == 6  # recent rows kept
        conn.commit()
    finally:
        conn.close()


def test_write_batch_is_idempotent_and_rollups_count_each_row_once(db):
    now = datetime.now(UTC)
    items = _items(now, 6)
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            first = write_batch(cur, items)
        conn.commit()
        with conn.cursor() as cur:
            second = write_batch(cur, items)
        conn.commit()
    finally:
        conn.close()
    assert first.inserted == len(items) and first.duplicates == 0
    assert second.inserted == 0 and second.duplicates == len(items)
    assert db.scalar("SELECT count(*) FROM iot.reading") == 6 * 3
    assert db.scalar("SELECT count(*) FROM iot.milking") == 6
    assert db.scalar("SELECT count(*) FROM iot.rfid_scan") == 6
    assert db.scalar("SELECT count(*) FROM iot.animal_location") == 6
    assert db.scalar("SELECT sum(n) FROM iot.reading_hourly") == 18
    assert db.scalar("SELECT sum(n) FROM iot.reading_daily") == 18
    # per animal: activity + battery from the collar, milk metrics from the meter
    assert db.scalar("SELECT sum(sum) FROM iot.animal_daily WHERE metric = 'yield_l'") == 60.0
    assert db.scalar("SELECT sum(n) FROM iot.animal_hourly WHERE metric = 'activity'") == 6
    assert db.scalar("SELECT msg_count FROM iot.device_status WHERE device_code = 'ENV-B1'") == 12
    assert (
        db.scalar("SELECT battery_pct FROM iot.device_status WHERE device_code = 'COL-0001'")
        == 85.0
    )  # latest device time wins
    assert db.scalar("SELECT count(*) FROM iot.animal_marker") == 1


def test_late_data_lands_in_its_bucket(db):
    now = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
    conn = db.connect()

    def reading(ts, v):
        return parse(
            "farm/sd1/sensors/temperature",
            json.dumps({"device_id": "ENV-B2", "timestamp": ts.isoformat(), "value": v}),
            now,
        )

    try:
        with conn.cursor() as cur:
            write_batch(cur, reading(now - timedelta(minutes=5), 20.0))
        conn.commit()
        with conn.cursor() as cur:  # a reading 3 hours late, then a new one
            write_batch(
                cur,
                reading(now - timedelta(hours=3), 10.0) + reading(now - timedelta(minutes=1), 30.0),
            )
        conn.commit()
    finally:
        conn.close()
    rows = db.rows(
        "SELECT bucket, n, min, max, avg FROM iot.reading_hourly "
        "WHERE device_code = 'ENV-B2' ORDER BY bucket"
    )
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        (1, 10.0, 10.0, 10.0),
        (2, 20.0, 30.0, 25.0),
    ]
    assert rows[0][0] == (now - timedelta(hours=3)).replace(minute=0)


def test_partitions_are_created_on_demand_for_old_data(db):
    now = datetime.now(UTC)
    old = now - timedelta(days=200)
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            write_batch(cur, _items(now, 1, old))
        conn.commit()
        with conn.cursor() as cur:
            names = [n for n, _m in schema.list_partitions(cur, "milking")]
    finally:
        conn.close()
    assert schema.partition_name("milking", date(old.year, old.month, 1)) in names


def test_dead_letters_keep_raw_payload_and_count_repeats(db):
    now = datetime.now(UTC)
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            write_dead_letters(cur, [("farm/sd1/x", b"\x00\xffraw", now, "unknown_topic", "d")])
            write_dead_letters(
                cur,
                [
                    ("farm/sd1/x", b"\x00\xffraw", now, "unknown_topic", "d"),
                    ("farm/sd1/y", b"raw", now, "unknown_topic", "d"),
                ],
            )
        conn.commit()
    finally:
        conn.close()
    rows = db.rows("SELECT topic, payload, occurrences FROM iot.dead_letter ORDER BY topic")
    assert [(r[0], bytes(r[1]), r[2]) for r in rows] == [
        ("farm/sd1/x", b"\x00\xffraw", 2),
        ("farm/sd1/y", b"raw", 1),
    ]


def test_replay_cli_stores_dead_letters_that_are_valid_after_a_fix(db):
    """A gateway with a clock 20 min ahead is dead-lettered (bad_timestamp); after the operator
    widens IOT_MAX_FUTURE_S the replay stores them; a truly bad payload stays pending."""
    now = datetime.now(UTC)
    ahead = (now + timedelta(minutes=20)).isoformat()
    good_later = json.dumps({"device_id": "ENV-B3", "timestamp": ahead, "value": 25}).encode()
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            write_dead_letters(
                cur,
                [
                    ("farm/sd1/sensors/temperature", good_later, now, "bad_timestamp", "future"),
                    ("farm/sd1/sensors/temperature", b"garbage", now, "not_json", "x"),
                ],
            )
        conn.commit()
    finally:
        conn.close()
    env = {
        **os.environ,
        "IOT_DB_DSN": db.dsn,
        "IOT_MAX_FUTURE_S": "3600",
        "PYTHONPATH": os.pathsep.join(
            filter(
                None,
                [
                    os.path.join(os.path.dirname(__file__), "..", "src"),
                    os.environ.get("PYTHONPATH"),
                ],
            )
        ),
    }
    out = subprocess.run(
        [sys.executable, "-m", "iot_ingestor", "replay-dead-letters"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.path.dirname(__file__),
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary == {"examined": 2, "replayed": 1, "still_invalid": 1, "rows_inserted": 1}
    assert db.scalar("SELECT count(*) FROM iot.reading WHERE device_code = 'ENV-B3'") == 1
    assert db.scalar("SELECT count(*) FROM iot.dead_letter WHERE replayed_at IS NULL") == 1
    out2 = subprocess.run(
        [sys.executable, "-m", "iot_ingestor", "replay-dead-letters"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.path.dirname(__file__),
    )
    assert json.loads(out2.stdout.strip().splitlines()[-1])["replayed"] == 0
