"""Alert rules evaluated on stored readings, state persisted in PostgreSQL, calls queued in
the outbox (real PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from iot_ingestor import alerts
from iot_ingestor.alerts import Observation, Rule
from iot_ingestor.payloads import parse
from iot_ingestor.storage import write_batch

EID = "050100000000007"


def _rule(db, **kw):
    data = {
        "id": 1,
        "name": "Barn heat",
        "metric": "temperature_c",
        "scope": "barn",
        "barn": "B1",
        "max_value": 30.0,
        "duration_s": 900,
        "repeat_count": 3,
        "hysteresis": 1.0,
        "severity": "critical",
        **kw,
    }
    conn = db.connect()
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO iot.rule_cache (id, data) VALUES (%s, %s) ON CONFLICT (id) "
            "DO UPDATE SET data = EXCLUDED.data",
            (data["id"], json.dumps(data)),
        )
        cur.execute(
            "UPDATE iot.meta SET value = (value::bigint + 1)::text WHERE key = 'rules_version'"
        )
    conn.close()
    alerts.invalidate_cache()


def _device(db, code, device_type, barn=None, animal=None, interval=None):
    conn = db.connect()
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO iot.device_cache (code, device_type, barn, animal_eid, "
            "expected_interval_s) VALUES (%s, %s, %s, %s, %s)",
            (code, device_type, barn, animal, interval),
        )
        cur.execute(
            "UPDATE iot.meta SET value = (value::bigint + 1)::text WHERE key = 'rules_version'"
        )
    conn.close()


def _send(db, values, start, step_min=5, device="ENV-B1", barn="B1"):
    """One batch (one transaction, fresh connection = like a daemon restart) per call."""
    alerts.invalidate_cache()
    items = []
    for k, v in enumerate(values):
        ts = (start + timedelta(minutes=step_min * k)).isoformat()
        items += parse(
            "farm/sd1/sensors/temperature",
            json.dumps({"device_id": device, "timestamp": ts, "value": v, "barn": barn}),
            start + timedelta(hours=2),
        )
    conn = db.connect()
    with conn, conn.cursor() as cur:
        res = write_batch(cur, items)
    conn.close()
    return res


def _outbox(db):
    return db.rows("SELECT method, idem_key, payload FROM iot.outbox ORDER BY id")


@pytest.fixture
def t0():
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)


def test_duration_rule_fires_once_after_15_minutes(db, t0):
    _rule(db)
    _send(db, [31, 32, 33], t0)  # 0, 5, 10 min above: 3 readings but only 10 minutes
    assert _outbox(db) == []
    _send(db, [33.5], t0 + timedelta(minutes=15))  # 15 minutes above -> fire
    rows = _outbox(db)
    assert [r[0] for r in rows] == ["ingestor_raise"]
    event = rows[0][2][0]
    assert event["key"] == f"rule1:device:ENV-B1:{int(t0.timestamp())}"
    assert (event["severity"], event["count"], event["value"]) == ("critical", 4, 33.5)
    assert event["first_seen"] == t0.isoformat()
    _send(db, [34], t0 + timedelta(minutes=18))  # still breaching: no new raise (< 5 min)
    assert len(_outbox(db)) == 1


def test_window_survives_restart_because_state_is_in_postgres(db, t0):
    _rule(db, repeat_count=1)
    _send(db, [31], t0)
    _send(db, [31], t0 + timedelta(minutes=10))
    state = db.rows("SELECT breach_since, breach_count FROM iot.rule_state")
    assert state == [(t0, 2)]
    _send(db, [31], t0 + timedelta(minutes=15))
    assert [r[0] for r in _outbox(db)] == ["ingestor_raise"]


def test_a_dip_resets_the_window(db, t0):
    _rule(db, repeat_count=1)
    _send(db, [31, 31, 29, 31, 31, 31], t0)  # dip at 10 min; 15..25 min = only 10 minutes
    assert _outbox(db) == []


def test_repeat_count_without_duration(db, t0):
    _rule(db, duration_s=0, repeat_count=3)
    _send(db, [31, 31], t0)
    assert _outbox(db) == []
    _send(db, [31], t0 + timedelta(minutes=10))
    assert len(_outbox(db)) == 1


def test_hysteresis_and_auto_clear(db, t0):
    _rule(db, duration_s=0, repeat_count=1, hysteresis=1.0)
    _send(db, [31], t0)
    _send(db, [29.5], t0 + timedelta(minutes=5))  # below max but inside hysteresis band
    assert [r[0] for r in _outbox(db)] == ["ingestor_raise"]
    _send(db, [28.9], t0 + timedelta(minutes=10))
    rows = _outbox(db)
    assert [r[0] for r in rows] == ["ingestor_raise", "ingestor_clear"]
    assert rows[1][2][0]["key"] == rows[0][2][0]["key"]
    assert rows[1][1] == "clear:" + rows[0][2][0]["key"]
    _send(db, [31], t0 + timedelta(minutes=15))  # a new episode -> a new alert key
    rows = _outbox(db)
    assert len(rows) == 3 and rows[2][2][0]["key"] != rows[0][2][0]["key"]


def test_redelivered_readings_do_not_advance_state(db, t0):
    _rule(db, duration_s=0, repeat_count=2)
    _send(db, [31], t0)
    _send(db, [31], t0)  # the same message again (redelivery)
    _send(db, [31], t0)
    assert _outbox(db) == []
    assert db.scalar("SELECT breach_count FROM iot.rule_state") == 1


def test_scope_excludes_other_barns_and_types(db, t0):
    _rule(db, duration_s=0, repeat_count=1)
    _send(db, [40], t0, device="ENV-B2", barn="B2")
    assert _outbox(db) == []
    _rule(
        db,
        id=2,
        scope="device_type",
        barn=None,
        device_type="environment",
        duration_s=0,
        repeat_count=1,
    )
    _device(db, "ENV-B3", "environment", barn="B3")
    _device(db, "PROBE-1", "cold_chain")
    _send(db, [40], t0, device="PROBE-1", barn="C1")
    assert _outbox(db) == []
    _send(db, [40], t0, device="ENV-B3", barn="B3")
    assert [r[2][0]["rule_id"] for r in _outbox(db)] == [2]


def test_animal_scope_follows_the_animal_not_the_collar(db, t0):
    _rule(
        db,
        id=5,
        metric="body_temp_c",
        scope="animal",
        barn=None,
        animal_eids=[EID],
        max_value=39.5,
        duration_s=0,
        repeat_count=1,
    )
    items = parse(
        f"farm/sd1/animals/{EID}/activity",
        json.dumps({"device_id": "COL-0099", "timestamp": t0.isoformat(), "body_temp_c": 40.2}),
        t0 + timedelta(minutes=1),
    )
    items += parse(
        "farm/sd1/animals/050100000000008/activity",
        json.dumps({"device_id": "COL-0098", "timestamp": t0.isoformat(), "body_temp_c": 40.2}),
        t0 + timedelta(minutes=1),
    )
    alerts.invalidate_cache()
    conn = db.connect()
    with conn, conn.cursor() as cur:
        write_batch(cur, items)
    conn.close()
    rows = _outbox(db)
    assert len(rows) == 1
    assert rows[0][2][0]["subject"] == f"animal:{EID}"
    assert rows[0][2][0]["animal_eid"] == EID


def test_schedule_limits_evaluation():
    night = Rule(
        id=1, metric="m", max_value=1, schedule=[{"start": "22:00", "end": "06:00"}], tz="UTC"
    )
    assert night.in_schedule(datetime(2026, 1, 1, 23, 0, tzinfo=UTC))
    assert night.in_schedule(datetime(2026, 1, 1, 5, 0, tzinfo=UTC))
    assert not night.in_schedule(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    weekdays = Rule(id=2, metric="m", schedule=[{"days": [0, 1, 2, 3, 4]}], tz="UTC")
    assert weekdays.in_schedule(datetime(2026, 1, 5, 12, tzinfo=UTC))  # Monday
    assert not weekdays.in_schedule(datetime(2026, 1, 4, 12, tzinfo=UTC))  # Sunday


def test_step_ignores_out_of_order_readings():
    rule = Rule(id=1, metric="m", max_value=10, repeat_count=2)
    st = {
        "breach_since": None,
        "breach_count": 0,
        "last_ts": None,
        "last_value": None,
        "open_key": None,
        "opened_at": None,
        "last_sent_at": None,
    }
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert alerts.step(rule, st, Observation("D", "m", t, 11), "device:D") == []
    assert (
        alerts.step(rule, st, Observation("D", "m", t - timedelta(minutes=1), 11), "device:D") == []
    )
    assert st["breach_count"] == 1
    out = alerts.step(rule, st, Observation("D", "m", t + timedelta(minutes=1), 11), "device:D")
    assert [o[0] for o in out] == ["raise"]


def test_connectivity_rule_raises_when_silent_and_clears_when_heard(db):
    now = datetime.now(UTC)
    _rule(
        db,
        id=9,
        kind="connectivity",
        metric="",
        scope="device_type",
        barn=None,
        device_type="activity_collar",
        silence_factor=3,
        severity="major",
    )
    _device(db, "COL-0001", "activity_collar", interval=300)
    _device(db, "COL-0002", "activity_collar", interval=300)
    conn = db.connect()
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO iot.device_status (device_code, first_seen, last_seen, "
            "last_received_at) VALUES ('COL-0001', %s, %s, %s), "
            "('COL-0002', %s, %s, %s)",
            (now - timedelta(hours=2),) * 3 + (now - timedelta(minutes=5),) * 3,
        )
        assert alerts.check_connectivity(cur, now) == 1
        assert alerts.check_connectivity(cur, now + timedelta(seconds=30)) == 0  # once
        cur.execute(
            "UPDATE iot.device_status SET last_received_at = %s WHERE device_code = 'COL-0001'",
            (now,),
        )
        assert alerts.check_connectivity(cur, now + timedelta(minutes=1)) == 1
    conn.close()
    rows = _outbox(db)
    assert [r[0] for r in rows] == ["ingestor_raise", "ingestor_clear"]
    assert rows[0][2][0]["device_code"] == "COL-0001"
    assert rows[0][2][0]["metric"] == "connectivity"
