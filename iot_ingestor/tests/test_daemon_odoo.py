"""The daemon end to end with a fake Odoo XML-RPC server: rules and devices pulled, a duration
rule fires from MQTT readings while Odoo is down, the alert arrives exactly once when Odoo is
back, then clears; unknown devices are reported as discovered; heartbeats flow.
(The same scenario against the real Odoo addon is reliability case 6/7, phase 2.)"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.slow


def test_alert_raised_while_odoo_down_arrives_once_then_clears(
    db, broker, daemon_factory, publisher_factory, fake_odoo_factory, waiter
):
    odoo = fake_odoo_factory()
    odoo.devices = [
        {
            "id": 1,
            "code": "ENV-B1",
            "device_type": "environment",
            "barn": "B1",
            "expected_interval_s": 60,
            "status": "active",
            "write_date": "2026-11-01 00:00:00",
        }
    ]
    odoo.rules = [
        {
            "id": 4,
            "name": "Heat stress B1",
            "metric": "temperature_c",
            "scope": "barn",
            "barn": "B1",
            "max_value": 30,
            "duration_s": 120,
            "repeat_count": 2,
            "hysteresis": 0.5,
            "severity": "critical",
            "write_date": "2026-11-01 00:00:00",
        }
    ]
    daemon = daemon_factory(
        db.dsn,
        broker.port,
        ODOO_URL=odoo.url,
        ODOO_DB="farm",
        ODOO_USER="ingestor",
        ODOO_API_KEY="secret",
        IOT_ODOO_SYNC_S=1,
        IOT_HEARTBEAT_S=1,
        IOT_OUTBOX_BASE_BACKOFF_S=0.2,
        IOT_OUTBOX_MAX_BACKOFF_S=1,
    )
    daemon.start()
    waiter(
        lambda: db.scalar("SELECT count(*) FROM iot.rule_cache") == 1,
        30,
        0.2,
        "rules pulled from Odoo",
    )
    port = odoo.port
    odoo.stop()  # Odoo goes down

    pub = publisher_factory(broker.port)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)

    def send(minutes, value, device="ENV-B1"):
        pub.publish(
            "farm/sd1/sensors/temperature",
            json.dumps(
                {
                    "device_id": device,
                    "barn": "B1",
                    "value": value,
                    "timestamp": (t0 + timedelta(minutes=minutes)).isoformat(),
                }
            ).encode(),
        )

    for k, v in enumerate((31, 32, 33)):  # 0, 1, 2 minutes above 30 -> fires at 2 min
        send(k, v)
    send(0, 20, device="ENV-X9")  # a device Odoo does not know yet
    pub.wait_acked(30)
    waiter(
        lambda: db.scalar("SELECT count(*) FROM iot.outbox WHERE method = 'ingestor_raise'") == 1,
        30,
        0.2,
        "raise queued",
    )
    time.sleep(1.5)  # several delivery attempts fail while Odoo is down
    assert (
        db.scalar(
            "SELECT delivered_at IS NULL AND attempts > 0 FROM iot.outbox "
            "WHERE method = 'ingestor_raise'"
        )
        is True
    )

    back = fake_odoo_factory(port)  # Odoo is back
    back.devices, back.rules = odoo.devices, odoo.rules
    waiter(lambda: back.alerts, 30, 0.2, "alert delivered")
    (key,) = back.alerts
    assert key.startswith("rule4:device:ENV-B1:")
    assert back.effects == 1

    send(3, 29.8)  # inside the hysteresis band: stays active
    send(4, 29.0)  # back to normal: clears
    pub.wait_acked(30)
    waiter(lambda: back.alerts[key]["state"] == "cleared", 30, 0.2, "alert cleared")
    time.sleep(1.0)
    assert back.effects == 2  # one raise, one clear -- nothing duplicated
    methods = [c[1] for c in back.calls]
    assert methods.count("ingestor_clear") == 1
    waiter(
        lambda: "ingestor_report_discovered" in [c[1] for c in back.calls],
        30,
        0.2,
        "discovered device reported",
    )
    waiter(lambda: "ingestor_heartbeat" in [c[1] for c in back.calls], 30, 0.2, "heartbeat")
    assert db.scalar("SELECT count(*) FROM iot.outbox WHERE delivered_at IS NULL") == 0
    metrics = daemon.metrics()
    assert "iot_ingestor_outbox_depth 0" in metrics
