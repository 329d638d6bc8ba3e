"""Reliability scenarios 1-5 of issue #4 against a REAL private Mosquitto and REAL PostgreSQL,
the daemon running as a subprocess. Each scenario is bounded in time; loopback only.

"Exactly once" is checked three ways: the row count equals the number of distinct messages,
the natural key makes duplicates impossible, and the incremental hourly rollup (which is only
fed by rows really inserted) sums to the same number -- a redelivered message that was counted
twice would show there.
"""

from __future__ import annotations

import re
import threading
import time

import pytest

pytestmark = pytest.mark.slow


def _count(db):
    return db.scalar("SELECT count(*) FROM iot.reading")


def _rollup_total(db):
    return db.scalar("SELECT coalesce(sum(n), 0) FROM iot.reading_hourly")


def _metric(text: str, name: str) -> float:
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    assert m, f"metric {name} missing"
    return float(m.group(1))


def _publish_thread(pub, stream, start, stop, base, pace_every=0, pace_s=0.0):
    def run():
        for i in range(start, stop):
            pub.publish(*stream(i, base))
            if pace_every and i % pace_every == 0:
                time.sleep(pace_s)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_kill9_mid_stream_every_message_stored_exactly_once(
    db, broker, daemon_factory, publisher_factory, stream, waiter
):
    n = 50_000
    base = time.time() - n / 100 - 120
    daemon = daemon_factory(db.dsn, broker.port)
    daemon.start()
    pub = publisher_factory(broker.port)
    t = _publish_thread(pub, stream, 0, n, base)
    waiter(lambda: _count(db) >= 8_000, 120, 0.05, "first rows committed")
    daemon.kill9()
    at_kill = _count(db)
    assert at_kill < n, "the kill must happen in the middle of the stream"
    t.join(120)
    pub.wait_acked(120)  # the broker holds the rest for the persistent session
    daemon.start()
    waiter(lambda: _count(db) >= n, 180, 0.25, f"{n} rows after restart")
    time.sleep(1.0)  # let any redelivered tail be processed
    assert _count(db) == n
    assert db.scalar("SELECT count(DISTINCT (device_code, metric, ts)) FROM iot.reading") == n
    assert _rollup_total(db) == n, "rollups counted a redelivered message twice"
    assert db.scalar("SELECT count(*) FROM iot.dead_letter") == 0


def test_broker_restart_mid_stream_loses_nothing(
    db, broker, daemon_factory, publisher_factory, stream, waiter
):
    n = 20_000
    base = time.time() - n / 100 - 120
    daemon = daemon_factory(db.dsn, broker.port)
    daemon.start()
    pub = publisher_factory(broker.port)
    t = _publish_thread(pub, stream, 0, n, base, pace_every=500, pace_s=0.02)
    waiter(lambda: _count(db) >= 3_000, 60, 0.05, "first rows")
    broker.restart()
    assert _count(db) < n, "the restart must happen in the middle of the stream"
    t.join(120)
    pub.wait_acked(120)
    waiter(lambda: _count(db) >= n, 120, 0.25, f"{n} rows after broker restart")
    time.sleep(1.0)
    assert _count(db) == n
    assert _rollup_total(db) == n
    h = daemon.health()
    assert h and h["mqtt_connected"] == 1, h


def test_postgres_unreachable_60s_then_recovers_by_itself(
    db, broker, daemon_factory, publisher_factory, stream, waiter, pg_proxy
):
    n1, n = 5_000, 20_000
    outage = 60.0
    base = time.time() - n / 100 - 120
    daemon = daemon_factory(pg_proxy.dsn(db.dsn), broker.port)
    daemon.start()
    pub = publisher_factory(broker.port)
    for i in range(n1):
        pub.publish(*stream(i, base))
    pub.wait_acked(60)
    waiter(lambda: _count(db) >= n1, 60, 0.1, "rows before the outage")
    pg_proxy.cut()
    cut_at = time.time()
    t = _publish_thread(pub, stream, n1, n, base, pace_every=1000, pace_s=0.5)
    waiter(lambda: (daemon.health() or {}).get("db_up") == 0, 30, 0.2, "db_up=0 reported")
    t.join(120)
    pub.wait_acked(60)
    assert _count(db) == n1, "nothing can be committed while PostgreSQL is unreachable"
    time.sleep(max(0.0, outage - (time.time() - cut_at)))
    assert daemon.proc.poll() is None, "the daemon must survive the outage"
    pg_proxy.restore()
    waiter(lambda: _count(db) >= n, 120, 0.25, "backlog drained after the outage")
    time.sleep(1.0)
    assert _count(db) == n
    assert _rollup_total(db) == n
    assert _metric(daemon.metrics(), "iot_ingestor_db_errors_total") >= 1
    waiter(lambda: (daemon.health() or {}).get("status") == "ok", 30, 0.2, "healthy again")


def test_redelivery_storm_creates_no_duplicates(
    db, broker, daemon_factory, publisher_factory, stream, waiter
):
    n = 5_000
    base = time.time() - n / 100 - 120
    daemon = daemon_factory(db.dsn, broker.port)
    daemon.start()
    pub = publisher_factory(broker.port)
    for _round in range(3):  # the same messages, three times
        for i in range(n):
            pub.publish(*stream(i, base))
    pub.wait_acked(120)
    waiter(
        lambda: _metric(daemon.metrics(), "iot_ingestor_committed_total") >= 3 * n,
        120,
        0.25,
        "all deliveries committed",
    )
    assert _count(db) == n
    assert _rollup_total(db) == n
    text = daemon.metrics()
    assert _metric(text, "iot_ingestor_duplicates_total") == 2 * n
    assert _metric(text, "iot_ingestor_inserted_rows_total") == n


MALFORMED = [
    ("farm/sd1/sensors/temperature", lambda i: b"not json %d" % i, "not_json"),
    ("farm/sd1/sensors/temperature", lambda i: b"[1, 2, %d]" % i, "not_object"),
    (
        "farm/sd1/sensors/humidity",
        lambda i: b'{"device_id":"ENV-B1","value":%d}' % i,
        "missing_field",
    ),
    (
        "farm/sd1/sensors/humidity",
        lambda i: (
            b'{"device_id":"ENV-B1","timestamp":"%s","value":"wet%d"}'
            % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()).encode(), i)
        ),
        "wrong_type",
    ),
    (
        "farm/sd1/sensors/ammonia",
        lambda i: (
            b'{"device_id":"ENV-B1","timestamp":"%s","value":%d}'
            % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()).encode(), 5000 + i)
        ),
        "absurd_value",
    ),
    ("farm/sd1/tractors/%d", lambda i: b'{"x": %d}' % i, "unknown_topic"),
    (
        "farm/sd1/animals/12345/activity",
        lambda i: b'{"device_id":"COL-1","timestamp":"2026-01-01T00:00:00Z","activity":%d}' % i,
        "bad_identifier",
    ),
    (
        "farm/sd1/sensors/temperature",
        lambda i: b'{"device_id":"ENV-B1","timestamp":"yesterday %d","value":20}' % i,
        "bad_timestamp",
    ),
]


def test_malformed_payloads_go_to_dead_letters_and_valid_ones_are_stored(
    db, broker, daemon_factory, publisher_factory, stream, waiter
):
    valid, bad = 10_000, 1_000
    base = time.time() - valid / 100 - 120
    daemon = daemon_factory(db.dsn, broker.port)
    daemon.start()
    pub = publisher_factory(broker.port)
    k = 0
    for i in range(valid):
        pub.publish(*stream(i, base))
        if i % 10 == 5 and k < bad:
            topic, make, _reason = MALFORMED[k % len(MALFORMED)]
            pub.publish(topic.replace("%d", str(k)), make(k))
            k += 1
    assert k == bad
    pub.wait_acked(120)
    waiter(
        lambda: _metric(daemon.metrics(), "iot_ingestor_committed_total") >= valid + bad,
        120,
        0.25,
        "all messages committed",
    )
    assert _count(db) == valid
    assert db.scalar("SELECT count(*) FROM iot.dead_letter") == bad
    reasons = dict(db.rows("SELECT reason, count(*) FROM iot.dead_letter GROUP BY reason"))
    for _t, _m, reason in MALFORMED:
        assert reasons.get(reason) == bad // len(MALFORMED), (reason, reasons)
    raw = db.scalar(
        "SELECT payload FROM iot.dead_letter WHERE reason = 'not_json' ORDER BY id LIMIT 1"
    )
    assert bytes(raw).startswith(b"not json ")
    assert _metric(daemon.metrics(), "iot_ingestor_dead_lettered_total") == bad
    h = daemon.health()
    assert h["status"] == "ok", h
