"""Pure validation of MQTT/REST payloads (no I/O)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from iot_ingestor.payloads import (
    Limits,
    Location,
    Milking,
    PayloadError,
    Reading,
    RfidScan,
    parse,
    parse_animal,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TS = "2026-06-01T11:59:00Z"
EID = "050100000000001"


def p(topic, obj):
    return parse(topic, json.dumps(obj).encode(), NOW)


def reason(topic, payload):
    with pytest.raises(PayloadError) as exc:
        parse(topic, payload if isinstance(payload, bytes) else json.dumps(payload).encode(), NOW)
    return exc.value.reason


def test_environment_sensor_reading_keeps_device_and_receive_time():
    (r,) = p(
        "farm/sd1/sensors/temperature",
        {"device_id": "ENV-B1", "timestamp": TS, "value": 31.5, "barn": "B1"},
    )
    assert isinstance(r, Reading)
    assert (r.device_code, r.metric, r.value, r.barn, r.farm) == (
        "ENV-B1",
        "temperature_c",
        31.5,
        "B1",
        "sd1",
    )
    assert r.ts == datetime(2026, 6, 1, 11, 59, tzinfo=UTC)
    assert r.received_at == NOW


def test_humidity_and_ammonia_metrics():
    assert (
        p("farm/sd1/sensors/humidity", {"sensor_id": "ENV-B2", "timestamp": TS, "value": 80})[
            0
        ].metric
        == "humidity_pct"
    )
    assert (
        p("farm/sd1/sensors/ammonia", {"device_id": "ENV-B2", "timestamp": TS, "value": 12})[
            0
        ].metric
        == "ammonia_ppm"
    )


def test_collar_activity_yields_one_reading_per_metric():
    items = p(
        f"farm/sd1/animals/{EID}/activity",
        {
            "device_id": "COL-0001",
            "timestamp": TS,
            "activity": 350,
            "rumination_min": 28.5,
            "body_temp_c": 38.7,
            "battery_pct": 91,
        },
    )
    assert {i.metric for i in items} == {"activity", "rumination_min", "body_temp_c", "battery_pct"}
    assert all(
        i.animal_eid == EID and i.animal_ref == EID and i.device_code == "COL-0001" for i in items
    )


def test_visual_tag_is_accepted_as_animal_without_eid():
    (loc,) = p(
        "farm/sd1/animals/SD-0042/location",
        {"device_id": "COL-0042", "timestamp": TS, "zone": "B1-P2"},
    )
    assert isinstance(loc, Location)
    assert (loc.animal_ref, loc.animal_eid, loc.zone) == ("SD-0042", None, "B1-P2")


def test_milking_and_rfid():
    (m,) = p(
        f"farm/sd1/milking/{EID}/production",
        {
            "device_id": "MM-P03",
            "timestamp": TS,
            "session": "pm",
            "yield_l": 11.2,
            "fat_pct": 4.1,
            "snf_pct": 8.6,
            "conductivity_ms_cm": 5.2,
            "milk_temp_c": 36.5,
        },
    )
    assert isinstance(m, Milking)
    assert (m.session, m.yield_l, m.device_code, m.animal_eid) == ("PM", 11.2, "MM-P03", EID)
    (s,) = p("farm/sd1/rfid/scan", {"reader_id": "RFID-P1", "eid": EID, "timestamp": TS})
    assert isinstance(s, RfidScan) and s.eid == EID and s.reader_code == "RFID-P1"


def test_timestamp_forms():
    naive = p(
        "farm/sd1/sensors/temperature",
        {"device_id": "E", "timestamp": "2026-06-01T11:00:00", "value": 1},
    )[0]
    assert naive.ts == datetime(2026, 6, 1, 11, tzinfo=UTC)
    offset = p(
        "farm/sd1/sensors/temperature",
        {"device_id": "E", "timestamp": "2026-06-01T17:00:00+06:00", "value": 1},
    )[0]
    assert offset.ts == datetime(2026, 6, 1, 11, tzinfo=UTC)
    epoch = p(
        "farm/sd1/sensors/temperature",
        {"device_id": "E", "timestamp": NOW.timestamp() - 60, "value": 1},
    )[0]
    assert epoch.ts == NOW - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("topic", "payload", "expected"),
    [
        ("farm/sd1/sensors/temperature", b"{not json", "not_json"),
        ("farm/sd1/sensors/temperature", b"\xff\xfe", "not_json"),
        ("farm/sd1/sensors/temperature", [1, 2], "not_object"),
        ("farm/sd1/sensors/temperature", {"timestamp": TS, "value": 1}, "missing_field"),
        ("farm/sd1/sensors/temperature", {"device_id": "E", "value": 1}, "missing_field"),
        ("farm/sd1/sensors/temperature", {"device_id": "E", "timestamp": TS}, "missing_field"),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": "E", "timestamp": TS, "value": "hot"},
            "wrong_type",
        ),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": "E", "timestamp": TS, "value": True},
            "wrong_type",
        ),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": 7, "timestamp": TS, "value": 1},
            "wrong_type",
        ),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": "E", "timestamp": TS, "value": 99},
            "absurd_value",
        ),
        (
            "farm/sd1/sensors/humidity",
            {"device_id": "E", "timestamp": TS, "value": -1},
            "absurd_value",
        ),
        (
            "farm/sd1/sensors/temperature",
            b'{"device_id":"E","timestamp":"' + TS.encode() + b'","value":NaN}',
            "absurd_value",
        ),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": "E", "timestamp": "noon", "value": 1},
            "bad_timestamp",
        ),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": "E", "timestamp": "2026-06-02T12:00:00Z", "value": 1},
            "bad_timestamp",
        ),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": "E", "timestamp": "2024-01-01T00:00:00Z", "value": 1},
            "bad_timestamp",
        ),
        (
            "farm/sd1/sensors/temperature",
            {"device_id": "bad id!", "timestamp": TS, "value": 1},
            "bad_identifier",
        ),
        (
            "farm/sd1/sensors/pressure",
            {"device_id": "E", "timestamp": TS, "value": 1},
            "unknown_topic",
        ),
        (
            "barn/sd1/sensors/temperature",
            {"device_id": "E", "timestamp": TS, "value": 1},
            "unknown_topic",
        ),
        (
            "farm/sd1/animals/123/activity",
            {"device_id": "C", "timestamp": TS, "activity": 1},
            "bad_identifier",
        ),
        (
            "farm/sd1/animals/050999999999999/activity",
            {"device_id": "C", "timestamp": TS, "activity": 1},
            "bad_identifier",
        ),
        (f"farm/sd1/animals/{EID}/activity", {"device_id": "C", "timestamp": TS}, "missing_field"),
        (
            f"farm/sd1/animals/{EID}/activity",
            {"device_id": "C", "timestamp": TS, "body_temp_c": 50},
            "absurd_value",
        ),
        (
            f"farm/sd1/milking/{EID}/production",
            {"device_id": "MM-P01", "timestamp": TS},
            "missing_field",
        ),
        (
            f"farm/sd1/milking/{EID}/production",
            {"device_id": "MM-P01", "timestamp": TS, "yield_l": 200},
            "absurd_value",
        ),
        (
            f"farm/sd1/milking/{EID}/production",
            {"device_id": "MM-P01", "timestamp": TS, "yield_l": 10, "session": "noon"},
            "wrong_type",
        ),
        (
            "farm/sd1/rfid/scan",
            {"reader_id": "RFID-P1", "eid": "SD-0001", "timestamp": TS},
            "bad_identifier",
        ),
        ("farm/sd1/rfid/scan", {"reader_id": "RFID-P1", "timestamp": TS}, "missing_field"),
        ("farm/sd1/animals/SD-1/location", {"device_id": "C", "timestamp": TS}, "missing_field"),
    ],
)
def test_bad_payloads_have_a_stable_reason(topic, payload, expected):
    assert reason(topic, payload) == expected


def test_oversized_payload_is_refused():
    assert reason("farm/sd1/sensors/temperature", b" " * 70_000) == "too_large"


def test_limits_are_configurable():
    late = json.dumps({"device_id": "E", "timestamp": "2026-06-01T12:30:00Z", "value": 1}).encode()
    with pytest.raises(PayloadError):
        parse("farm/sd1/sensors/temperature", late, NOW)
    ok = parse("farm/sd1/sensors/temperature", late, NOW, Limits(max_future=timedelta(hours=1)))
    assert ok[0].ts == datetime(2026, 6, 1, 12, 30, tzinfo=UTC)


def test_eid_contract_of_the_farm_seed():
    for i in (1, 255):
        eid = "050" + f"{100000000 + i:012d}"
        assert parse_animal(eid) == (eid, eid)
    assert parse_animal(f"SD-{7:04d}") == ("SD-0007", None)
    with pytest.raises(PayloadError):
        parse_animal("050" + str(2**38).rjust(12, "0"))
