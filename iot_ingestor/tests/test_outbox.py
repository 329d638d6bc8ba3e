"""Durable outbox against a tiny real XML-RPC server (stdlib) that speaks the Odoo external API
shape (``/xmlrpc/2/common`` authenticate, ``/xmlrpc/2/object`` execute_kw) and de-duplicates by
each item's ``key`` like the Odoo side must."""

from __future__ import annotations

import time

import pytest

from iot_ingestor import outbox, sync
from iot_ingestor.odoo_client import OdooClient, TransportError


@pytest.fixture
def odoo(fake_odoo_factory):
    return fake_odoo_factory()


def _client(url):
    return OdooClient(url, "farm", "ingestor", "secret", timeout=5)


def _queue_alert(db, key, *, clear=False):
    conn = db.connect()
    with conn, conn.cursor() as cur:
        outbox.enqueue(
            cur,
            "iot.alert",
            "ingestor_raise",
            [{"key": key, "count": 1}],
            f"raise:{key}",
            order_key=key,
        )
        if clear:
            outbox.enqueue(
                cur, "iot.alert", "ingestor_clear", [{"key": key}], f"clear:{key}", order_key=key
            )
    conn.close()


def _deliver(db, client, **kw):
    conn = db.connect()
    try:
        return outbox.deliver(conn, client, base_backoff=0.05, max_backoff=0.2, **kw)
    finally:
        conn.close()


def test_enqueue_is_idempotent_by_key(db):
    _queue_alert(db, "k1")
    _queue_alert(db, "k1")
    assert db.scalar("SELECT count(*) FROM iot.outbox") == 1


def test_server_down_then_up_delivers_exactly_once(db, odoo, fake_odoo_factory):
    port = odoo.port
    odoo.stop()  # Odoo is down while alerts fire
    _queue_alert(db, "a", clear=True)
    _queue_alert(db, "b")
    client = _client(f"http://127.0.0.1:{port}")
    for _ in range(3):
        r = _deliver(db, client)
        assert r.delivered == 0 and r.transport_error
        time.sleep(0.25)
    assert db.scalar("SELECT min(attempts) FROM iot.outbox") >= 2
    assert db.scalar("SELECT count(*) FROM iot.outbox WHERE delivered_at IS NULL") == 3
    back = fake_odoo_factory(port)  # Odoo is back on the same address
    time.sleep(0.25)  # let the backoff expire
    r = _deliver(db, client)
    assert r.delivered == 3 and r.transport_error is None
    assert _deliver(db, client).delivered == 0
    assert back.effects == 3  # raise a, clear a, raise b: each exactly once
    assert back.alerts["a"]["state"] == "cleared"
    assert back.alerts["b"]["state"] == "active"
    assert [c[1] for c in back.calls] == ["ingestor_raise", "ingestor_clear", "ingestor_raise"]


def test_lost_answer_is_retried_and_deduplicated_by_key(db, odoo):
    _queue_alert(db, "c")
    odoo.fail_next_after_apply = 2  # xmlrpc.client itself retries a dropped answer once
    client = _client(odoo.url)
    r = _deliver(db, client)
    assert r.delivered == 0 and r.transport_error  # the answer was lost: not marked delivered
    time.sleep(0.3)
    assert _deliver(db, client).delivered == 1
    assert len([c for c in odoo.calls if c[1] == "ingestor_raise"]) == 3  # sent 3 times
    assert odoo.effects == 1  # ...applied once


def test_fault_is_retried_then_dead_and_blocks_only_its_own_alert(db, odoo):
    _queue_alert(db, "x", clear=True)
    conn = db.connect()
    with conn, conn.cursor() as cur:
        outbox.enqueue(cur, "iot.device", "ingestor_heartbeat", [{"code": "COL-1"}], "hb:1")
    conn.close()
    odoo.fault_methods = {"ingestor_raise"}
    client = _client(odoo.url)
    for _ in range(3):
        _deliver(db, client, max_attempts=3)
        time.sleep(0.25)
    assert db.scalar("SELECT dead FROM iot.outbox WHERE idem_key = 'raise:x'") is True
    # the clear never overtook its raise; the unrelated heartbeat went through
    assert (
        db.scalar("SELECT delivered_at IS NULL FROM iot.outbox WHERE idem_key = 'clear:x'") is True
    )
    assert (
        db.scalar("SELECT delivered_at IS NOT NULL FROM iot.outbox WHERE idem_key = 'hb:1'") is True
    )
    assert "x" not in odoo.alerts


def test_consecutive_rows_of_one_method_are_merged_into_one_call(db, odoo):
    for k in range(5):
        _queue_alert(db, f"m{k}")
    assert _deliver(db, _client(odoo.url)).delivered == 5
    assert odoo.calls == [("iot.alert", "ingestor_raise", 5)]


def test_wrong_api_key_is_a_transport_error_and_keeps_rows(db, odoo):
    _queue_alert(db, "w")
    bad = OdooClient(odoo.url, "farm", "ingestor", "wrong", timeout=5)
    with pytest.raises(TransportError):
        bad.authenticate()
    r = _deliver(db, bad)
    assert r.delivered == 0 and "authentication" in r.transport_error
    assert db.scalar("SELECT dead FROM iot.outbox") is False


def test_pull_fills_the_caches_and_prunes_removed_records(db, odoo):
    odoo.devices = [
        {
            "id": 1,
            "code": "COL-0001",
            "device_type": "activity_collar",
            "barn": "B1",
            "animal_eid": "050100000000001",
            "expected_interval_s": 3600,
            "status": "active",
            "write_date": "2026-11-01 10:00:00",
        },
        {
            "id": 2,
            "code": "ENV-B1",
            "device_type": "environment",
            "barn": "B1",
            "expected_interval_s": 300,
            "status": "active",
            "write_date": "2026-11-02 10:00:00",
        },
    ]
    odoo.rules = [
        {
            "id": 3,
            "metric": "temperature_c",
            "scope": "barn",
            "barn": "B1",
            "max_value": 30,
            "write_date": "2026-11-03 08:00:00",
        }
    ]
    conn = db.connect()
    try:
        assert sync.pull(conn, _client(odoo.url)) == {"devices": 2, "rules": 1}
        odoo.devices = odoo.devices[1:]
        sync.pull(conn, _client(odoo.url))
    finally:
        conn.close()
    assert db.rows("SELECT code, device_type, expected_interval_s FROM iot.device_cache") == [
        ("ENV-B1", "environment", 300)
    ]
    assert db.scalar("SELECT data->>'barn' FROM iot.rule_cache WHERE id = 3") == "B1"
    assert db.scalar("SELECT value FROM iot.meta WHERE key = 'devices_since'") == (
        "2026-11-02 09:55:00"
    )  # newest write_date minus the overlap window
    assert int(db.scalar("SELECT value FROM iot.meta WHERE key = 'rules_version'")) == 2


def test_discovered_devices_heartbeats_and_animal_notices_are_queued_once(db):
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    conn = db.connect()
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO iot.device_cache (code, device_type) VALUES ('COL-0001', 'c')")
        cur.execute(
            "INSERT INTO iot.device_status (device_code, first_seen, last_seen, "
            "last_received_at) VALUES ('COL-0001', %s, %s, %s), "
            "('NEW-9', %s, %s, %s)",
            (now,) * 6,
        )
        cur.execute(
            "INSERT INTO iot.animal_marker (animal_ref, animal_eid, last_data_at) "
            "VALUES ('050100000000001', '050100000000001', %s)",
            (now,),
        )
        assert sync.queue_discovered(cur) == 1
        assert sync.queue_discovered(cur) == 0
        assert sync.queue_heartbeats(cur, now) == 1
        assert sync.queue_heartbeats(cur, now) == 0
        assert sync.queue_animal_notifications(cur, now) == 1
        assert sync.queue_animal_notifications(cur, now) == 0
    conn.close()
    rows = db.rows("SELECT method, payload FROM iot.outbox ORDER BY id")
    assert [r[0] for r in rows] == [
        "ingestor_report_discovered",
        "ingestor_heartbeat",
        "ingestor_notify_animal_data",
    ]
    assert rows[0][1][0]["code"] == "NEW-9"
    assert rows[1][1][0]["code"] == "COL-0001"
