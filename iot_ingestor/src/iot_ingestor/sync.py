"""Odoo cache pull and the periodic calls queued in the outbox (heartbeats, discovered devices,
animals with new data). Pulls are reads and go straight to Odoo; everything that changes Odoo
goes through :mod:`iot_ingestor.outbox`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from psycopg2.extras import execute_values

from . import outbox

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=5)  # re-pull window: catches transactions committed late


def _get_meta(cur, key, default=None):
    cur.execute("SELECT value FROM iot.meta WHERE key = %s", (key,))
    row = cur.fetchone()
    return row[0] if row else default


def _set_meta(cur, key, value):
    cur.execute(
        "INSERT INTO iot.meta (key, value) VALUES (%s, %s) ON CONFLICT (key) "
        "DO UPDATE SET value = EXCLUDED.value",
        (key, str(value)),
    )


def _next_since(records, old):
    dates = [r.get("write_date") for r in records if r.get("write_date")]
    if not dates:
        return old
    newest = max(dates)
    try:
        dt = datetime.fromisoformat(str(newest).replace(" ", "T"))
        return (dt - OVERLAP).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return newest


def pull(conn, client) -> dict:
    """Incremental pull of devices and rules from Odoo into the caches. Commits."""
    with conn.cursor() as cur:
        dev_since = _get_meta(cur, "devices_since") or False
        rule_since = _get_meta(cur, "rules_since") or False
    devs = client.call("iot.device", "ingestor_pull_devices", dev_since)
    rules = client.call("iot.alert.rule", "ingestor_pull_rules", rule_since)
    with conn.cursor() as cur:
        rows = [
            (
                d["code"],
                d.get("id"),
                d.get("device_type"),
                d.get("barn") or None,
                d.get("animal_eid") or None,
                d.get("expected_interval_s") or None,
                d.get("status"),
                json.dumps(d, default=str),
                d.get("write_date"),
            )
            for d in devs.get("devices", [])
            if d.get("active", True)
        ]
        gone = [d["code"] for d in devs.get("devices", []) if not d.get("active", True)]
        if rows:
            execute_values(
                cur,
                "INSERT INTO iot.device_cache AS c (code, odoo_id, device_type, barn, animal_eid, "
                "expected_interval_s, status, data, write_date) VALUES %s ON CONFLICT (code) DO "
                "UPDATE SET odoo_id = EXCLUDED.odoo_id, device_type = EXCLUDED.device_type, "
                "barn = EXCLUDED.barn, animal_eid = EXCLUDED.animal_eid, "
                "expected_interval_s = EXCLUDED.expected_interval_s, status = EXCLUDED.status, "
                "data = EXCLUDED.data, write_date = EXCLUDED.write_date",
                rows,
            )
        if gone:
            cur.execute("DELETE FROM iot.device_cache WHERE code = ANY(%s)", (gone,))
        if devs.get("codes") is not None:
            cur.execute(
                "DELETE FROM iot.device_cache WHERE NOT (code = ANY(%s))", (list(devs["codes"]),)
            )
        rrows = [
            (r["id"], json.dumps(r, default=str), r.get("write_date"))
            for r in rules.get("rules", [])
            if r.get("active", True)
        ]
        rgone = [r["id"] for r in rules.get("rules", []) if not r.get("active", True)]
        if rrows:
            execute_values(
                cur,
                "INSERT INTO iot.rule_cache (id, data, write_date) VALUES %s ON CONFLICT (id) "
                "DO UPDATE SET data = EXCLUDED.data, write_date = EXCLUDED.write_date",
                rrows,
            )
        if rgone:
            cur.execute("DELETE FROM iot.rule_cache WHERE id = ANY(%s)", (rgone,))
        if rules.get("ids") is not None:
            cur.execute(
                "DELETE FROM iot.rule_cache WHERE NOT (id = ANY(%s))", (list(rules["ids"]),)
            )
        _set_meta(cur, "devices_since", _next_since(devs.get("devices", []), dev_since) or "")
        _set_meta(cur, "rules_since", _next_since(rules.get("rules", []), rule_since) or "")
        cur.execute(
            "UPDATE iot.meta SET value = (value::bigint + 1)::text WHERE key = 'rules_version'"
        )
    conn.commit()
    return {"devices": len(rows), "rules": len(rrows)}


def queue_discovered(cur) -> int:
    """Devices heard on MQTT but unknown to Odoo -> ``iot.device.ingestor_report_discovered``."""
    cur.execute(
        "SELECT s.device_code, s.farm, s.last_topic_kind, s.first_seen, s.last_received_at, "
        "s.msg_count FROM iot.device_status s LEFT JOIN iot.device_cache c ON c.code = "
        "s.device_code WHERE c.code IS NULL AND s.discovered_reported_at IS NULL "
        "ORDER BY s.device_code LIMIT 500"
    )
    rows = cur.fetchall()
    if not rows:
        return 0
    items = [
        {
            "key": f"disc:{r[0]}",
            "code": r[0],
            "farm": r[1],
            "kind": r[2],
            "first_seen": r[3].isoformat(),
            "last_seen": r[4].isoformat(),
            "msg_count": r[5],
        }
        for r in rows
    ]
    for it in items:
        outbox.enqueue(cur, "iot.device", "ingestor_report_discovered", [it], it["key"])
    cur.execute(
        "UPDATE iot.device_status SET discovered_reported_at = now() WHERE device_code = ANY(%s)",
        ([r[0] for r in rows],),
    )
    return len(items)


def queue_heartbeats(cur, now: datetime | None = None) -> int:
    """Known devices heard since the last heartbeat -> ``iot.device.ingestor_heartbeat``."""
    now = now or datetime.now(UTC)
    cur.execute(
        "SELECT s.device_code, s.last_seen, s.last_received_at, s.battery_pct, s.msg_count "
        "FROM iot.device_status s JOIN iot.device_cache c ON c.code = s.device_code "
        "WHERE s.heartbeat_sent_at IS NULL OR s.last_received_at > s.heartbeat_sent_at "
        "ORDER BY s.device_code FOR UPDATE OF s"
    )
    rows = cur.fetchall()
    if not rows:
        return 0
    items = [
        {
            "code": r[0],
            "last_seen": r[1].isoformat(),
            "last_received_at": r[2].isoformat(),
            "battery_pct": r[3],
            "msg_count": r[4],
        }
        for r in rows
    ]
    stamp = now.isoformat()
    outbox.enqueue(cur, "iot.device", "ingestor_heartbeat", items, f"hb:{stamp}")
    cur.execute(
        "UPDATE iot.device_status SET heartbeat_sent_at = last_received_at "
        "WHERE device_code = ANY(%s)",
        ([r[0] for r in rows],),
    )
    return len(items)


def queue_animal_notifications(cur, now: datetime | None = None) -> int:
    """Animals with new data since the last notice -> ``iot.device.ingestor_notify_animal_data``
    (debounced: called every IOT_NOTIFY_ANIMALS_S)."""
    now = now or datetime.now(UTC)
    cur.execute(
        "SELECT animal_ref, animal_eid, last_data_at FROM iot.animal_marker "
        "WHERE notified_at IS NULL OR last_data_at > notified_at ORDER BY animal_ref "
        "FOR UPDATE"
    )
    rows = cur.fetchall()
    if not rows:
        return 0
    items = [{"animal": r[0], "eid": r[1], "last_data_at": r[2].isoformat()} for r in rows]
    outbox.enqueue(
        cur, "iot.device", "ingestor_notify_animal_data", items, f"animals:{now.isoformat()}"
    )
    cur.execute(
        "UPDATE iot.animal_marker SET notified_at = last_data_at WHERE animal_ref = ANY(%s)",
        ([r[0] for r in rows],),
    )
    return len(items)
