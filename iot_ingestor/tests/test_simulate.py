"""``iot-ingestor simulate`` drives the herd simulator into MQTT; every message it produces
must pass validation and land in the database through the real daemon."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from iot_ingestor.payloads import parse
from iot_ingestor.simulate import build_events

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture(scope="module")
def sim():
    from smart_dairy_ml.simulator import HerdSimulator

    return HerdSimulator(n_cows=70, start="2026-11-01", days=1, seed=7).run()


def test_events_follow_the_identity_contract_and_all_validate(sim):
    from datetime import UTC, datetime

    events = build_events(sim, "sd1")
    assert events == sorted(events, key=lambda e: e[0])
    received = datetime(2026, 11, 2, 6, tzinfo=UTC)
    kinds = {}
    for _ts, topic, payload in events:
        items = parse(topic, json.dumps(payload).encode(), received)
        kinds[items[0].kind] = kinds.get(items[0].kind, 0) + 1
    assert set(kinds) == {"reading", "milking", "rfid"}
    collars = {p["device_id"] for _t, topic, p in events if topic.endswith("/activity")}
    assert "COL-0001" in collars and "COL-0070" in collars
    eid1 = "050" + f"{100000000 + 1:012d}"
    assert any(topic == f"farm/sd1/animals/{eid1}/activity" for _t, topic, _p in events)
    barns = {p["barn"] for _t, topic, p in events if "/sensors/" in topic}
    assert barns == {"B1", "B2"}  # 70 cows -> 64 per barn
    meters = {p["device_id"] for _t, topic, p in events if topic.endswith("/production")}
    assert meters == {f"MM-P{k:02d}" for k in range(1, 9)}
    assert kinds["milking"] == kinds["rfid"]


@pytest.mark.slow
def test_simulate_command_feeds_the_daemon(db, broker, daemon_factory, waiter):
    daemon = daemon_factory(db.dsn, broker.port)
    daemon.start()
    env = {
        **os.environ,
        "IOT_MQTT_HOST": "127.0.0.1",
        "IOT_MQTT_PORT": str(broker.port),
        "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "iot_ingestor",
            "simulate",
            "--cows",
            "20",
            "--days",
            "1",
            "--live",
            "--max-seconds",
            "8",
            "--env-interval-s",
            "1",
            "--collar-interval-s",
            "2",
            "--heat-barn",
            "B1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=broker.tmp,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["history_messages"] > 20 * 24 and summary["live_messages"] > 0
    assert summary["acked"] == summary["history_messages"] + summary["live_messages"]
    waiter(
        lambda: db.scalar("SELECT coalesce(sum(msg_count), 0) FROM iot.device_status") >= 1,
        60,
        0.2,
        "rows",
    )
    waiter(lambda: daemon.health()["committed"] >= summary["acked"], 60, 0.2, "all committed")
    assert db.scalar("SELECT count(*) FROM iot.dead_letter") == 0
    assert db.scalar("SELECT count(*) FROM iot.milking") >= 20
    assert db.scalar("SELECT count(*) FROM iot.rfid_scan") >= 20
    assert (
        db.scalar(
            "SELECT count(DISTINCT device_code) FROM iot.reading WHERE device_code LIKE 'COL-%'"
        )
        == 20
    )
    # live mode: fresh readings, and the injected heat in B1
    assert (
        db.scalar(
            "SELECT max(value) FROM iot.reading WHERE device_code = 'ENV-B1' "
            "AND metric = 'temperature_c' AND ts > now() - interval '1 minute'"
        )
        > 30
    )


def test_sensors_history_leaves_out_milk_meters_and_rfid(sim):
    everything = build_events(sim, "sd1")
    sensors = build_events(sim, "sd1", milkings=False)
    assert sensors, "collars and barn climate are still published"
    assert not [t for _ts, t, _p in sensors if "/milking/" in t or t.endswith("/rfid/scan")]
    # the same collar and climate messages as the full history, in the same order
    assert sensors == [
        e for e in everything if "/milking/" not in e[1] and not e[1].endswith("/rfid/scan")
    ]


def _simulate(broker, *argv, timeout=180):
    env = {
        **os.environ,
        "IOT_MQTT_HOST": "127.0.0.1",
        "IOT_MQTT_PORT": str(broker.port),
        "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])),
    }
    out = subprocess.run(
        [sys.executable, "-m", "iot_ingestor", "simulate", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=broker.tmp,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_sensor_history_is_stored_when_simulate_returns(db, broker, daemon_factory):
    """``make demo``: --history sensors --wait-ingestor returns once the ingestor has
    committed the whole history (scoring runs right after), with no milk-meter data, on a
    broker with Mosquitto's default limits (1000 queued messages per client, 20 in flight),
    which drops what a publisher sends too far ahead of a slow subscriber."""
    broker.conf.write_text(
        broker.conf.read_text()
        .replace("max_queued_messages 1000000", "max_queued_messages 1000")
        .replace("max_inflight_messages 0", "max_inflight_messages 20")
    )
    broker.restart()
    daemon = daemon_factory(db.dsn, broker.port, IOT_MQTT_RECEIVE_MAXIMUM=20)
    daemon.start()
    args = ("--cows", "20", "--days", "7", "--client-id", "iot-sim-history")
    summary = _simulate(
        broker,
        *args,
        "--history",
        "sensors",
        "--wait-ingestor",
        str(daemon.metrics_port),
        "--wait-timeout-s",
        "30",
    )
    # no waiting here: everything must already be committed
    assert summary["history"] == "sensors" and summary["history_ingested"] is True
    assert summary["history_messages"] > 20 * 7 * 20  # ~24 collar readings per cow and day
    assert daemon.health()["committed"] >= summary["history_messages"]
    assert db.scalar("SELECT count(*) FROM iot.milking") == 0
    assert db.scalar("SELECT count(*) FROM iot.rfid_scan") == 0
    assert db.scalar("SELECT count(*) FROM iot.dead_letter") == 0
    ((days, cows),) = db.rows(
        "SELECT count(DISTINCT date_trunc('day', bucket AT TIME ZONE 'UTC')), "
        "count(DISTINCT animal_ref) FROM iot.animal_hourly WHERE metric = 'activity'"
    )
    assert (days, cows) == (7, 20)
    # --history none: the simulation only seeds the live readings
    live = _simulate(
        broker,
        *args,
        "--history",
        "none",
        "--live",
        "--max-seconds",
        "3",
        "--collar-interval-s",
        "1",
    )
    assert live["history_messages"] == 0 and live["live_messages"] >= 20


def test_live_collars_go_on_with_the_simulated_herd():
    """--live: each cow publishes her simulated values of the current hour (+-5 %), so the
    live feed keeps the herd's daily rhythm instead of repeating the last history hour."""
    import random
    from datetime import UTC, datetime

    from iot_ingestor.simulate import live_collar_readings, live_collar_table
    from smart_dairy_ml.simulator import HerdSimulator

    res = HerdSimulator(n_cows=12, start="2026-11-01", days=3, seed=4).run()
    table = live_collar_table(res.hourly)
    cows = {int(c.cow_id): c for c in res.cows.itertuples(index=False)}
    h = res.hourly.set_index(["cow_id", "ts"])
    eids = {c.eid: int(c.cow_id) for c in cows.values()}
    herd_mean = {}
    for hour in (2, 8, 14, 20):
        at = datetime(2026, 11, 2, hour, 37, 10, tzinfo=UTC)
        out = live_collar_readings(table, cows, at.timestamp(), random.Random(1))
        assert out
        acts = []
        for topic, payload in out:
            cow = eids[topic.split("/")[3]]
            sim = h.loc[(cow, at.replace(minute=0, second=0))]
            assert payload["timestamp"] == at.isoformat()
            assert payload["device_id"] == f"COL-{cow:04d}"
            if "activity" in payload:
                assert abs(payload["activity"] - sim.activity) <= 0.05 * sim.activity + 0.05
                acts.append(payload["activity"])
            else:
                assert sim.activity != sim.activity  # NaN in the simulation: left out
            if "body_temp_c" in payload:
                assert abs(payload["body_temp_c"] - sim.body_temp_c) < 0.2
        # every cow with a reading this hour publishes it
        have = res.hourly[(res.hourly.ts == at.replace(minute=0, second=0))]
        assert len(out) == int(
            have[["activity", "rumination_min", "body_temp_c"]].notna().any(axis=1).sum()
        )
        herd_mean[hour] = sum(acts) / len(acts)
    # the daily rhythm: herd activity differs by more than 10 % between some hours of the day
    assert max(herd_mean.values()) > 1.1 * min(herd_mean.values()), herd_mean
