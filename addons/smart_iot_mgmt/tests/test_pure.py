# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure helpers (no database): API keys, REST → MQTT mapping, schedules, freshness, THI."""

import json
from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from iot_ingestor.alerts import Rule
from iot_ingestor.payloads import PayloadError, parse

from ..lib import apikeys, rest, schedule
from ..models.iot_dashboard import thi, thi_level
from ..models.iot_device import freshness, guess_type


@tagged("post_install", "-at_install")
class TestApiKeys(BaseCase):
    def test_generate_verify(self):
        key, index, digest = apikeys.generate()
        self.assertTrue(key.startswith("iotk_"))
        self.assertEqual(apikeys.key_index(key), index)
        self.assertEqual(len(index), apikeys.INDEX_SIZE)
        self.assertTrue(apikeys.verify(key, digest))
        self.assertFalse(apikeys.verify(key + "x", digest))
        self.assertFalse(apikeys.verify("", digest))
        self.assertNotEqual(apikeys.generate()[0], key)

    def test_headers(self):
        self.assertEqual(apikeys.from_headers({"Authorization": "Bearer abc"}), "abc")
        self.assertEqual(apikeys.from_headers({"x-api-key": " k "}), "k")
        self.assertIsNone(apikeys.from_headers({"Authorization": "Basic Zm9v"}))
        self.assertIsNone(apikeys.from_headers({}))


@tagged("post_install", "-at_install")
class TestRestMapping(BaseCase):
    def test_sensor_reading_maps_to_the_mqtt_topic(self):
        topic, payload, device = rest.to_message(
            "sensor-reading",
            {
                "type": "NH3",
                "device_id": "ENV-B1",
                "value": 12,
                "timestamp": "2026-05-01T06:00:00Z",
            },
            "sd1",
        )
        self.assertEqual(topic, "farm/sd1/sensors/ammonia")
        self.assertEqual(device, "ENV-B1")
        items = parse(topic, payload, datetime.fromisoformat("2026-05-01T06:01:00+00:00"))
        self.assertEqual(items[0].metric, "ammonia_ppm")
        self.assertNotIn("type", json.loads(payload))

    def test_animal_kinds(self):
        topic, _p, _d = rest.to_message("animal-activity", {"animal": "SD-0001"}, "sd1")
        self.assertEqual(topic, "farm/sd1/animals/SD-0001/activity")
        topic, _p, _d = rest.to_message("milk-production", {"eid": "050100000000001"}, "f")
        self.assertEqual(topic, "farm/f/milking/050100000000001/production")

    def test_errors_are_4xx_with_stable_codes(self):
        cases = [
            (lambda: rest.load_body(b""), 400, "empty_body"),
            (lambda: rest.load_body(b"{nope"), 400, "not_json"),
            (lambda: rest.load_body(b"[1]"), 422, "not_object"),
            (lambda: rest.load_body(json.dumps([{}] * 1001).encode()), 413, "too_many_items"),
            (lambda: rest.to_message("sensor-reading", {}, "sd1"), 422, "missing_field"),
            (lambda: rest.to_message("sensor-reading", {"type": "noise"}, "sd1"), 422, "bad_value"),
            (
                lambda: rest.to_message("animal-activity", {"animal": "a/b"}, "sd1"),
                422,
                "wrong_type",
            ),
            (lambda: rest.to_message("animal-activity", {}, "sd1"), 422, "missing_field"),
        ]
        for call, status, code in cases:
            with self.subTest(code=code):
                with self.assertRaises(rest.RestError) as ctx:
                    call()
                self.assertEqual((ctx.exception.status, ctx.exception.code), (status, code))
                body = ctx.exception.body()
                self.assertEqual(set(body["error"]), {"code", "message", "details"})

    def test_payload_error_carries_field(self):
        try:
            parse(
                "farm/sd1/sensors/temperature",
                b'{"device_id": "E1", "value": 500, "timestamp": "2026-05-01T06:00:00Z"}',
                datetime.fromisoformat("2026-05-01T06:00:00+00:00"),
            )
        except PayloadError as exc:
            err = rest.payload_error(exc, 3)
        self.assertEqual((err.status, err.code), (422, "absurd_value"))
        self.assertEqual(err.details, {"index": 3, "reason": "absurd_value", "field": "value"})


@tagged("post_install", "-at_install")
class TestSchedule(BaseCase):
    def test_format_and_same_semantics_as_the_ingestor(self):
        slots = schedule.to_ingestor([(None, 22.0, 5.0), ("2", 8.5, 17.25)])
        self.assertEqual(
            slots,
            [{"start": "22:00", "end": "05:00"}, {"start": "08:30", "end": "17:15", "days": [2]}],
        )
        rule = Rule.from_dict({"id": 1, "metric": "x", "schedule": slots, "tz": "UTC"})
        monday = datetime.fromisoformat("2026-05-04T00:00:00+00:00")  # a Monday
        for day in range(7):
            for hour in (0, 4.99, 5, 8.5, 12, 17.25, 21.9, 22, 23.5):
                ts = monday + timedelta(days=day, hours=hour)
                with self.subTest(day=day, hour=hour):
                    self.assertEqual(
                        schedule.is_active(slots, day, ts.hour + ts.minute / 60),
                        rule.in_schedule(ts),
                    )
        self.assertTrue(schedule.is_active([], 3, 12))


@tagged("post_install", "-at_install")
class TestSmallRules(BaseCase):
    def test_freshness(self):
        now = datetime(2026, 5, 1, 12, 0, 0)
        self.assertEqual(freshness(None, 60, now), "never")
        self.assertEqual(freshness(now - timedelta(seconds=80), 60, now), "fresh")
        self.assertEqual(freshness(now - timedelta(seconds=150), 60, now), "late")
        self.assertEqual(freshness(now - timedelta(seconds=181), 60, now), "stale")
        self.assertEqual(freshness(now - timedelta(days=3), 0, now), "fresh")

    def test_thi(self):
        self.assertEqual(thi(30.0, 80.0), 82.9)
        self.assertEqual(thi_level(82.9), "severe")
        self.assertEqual(thi_level(thi(20.0, 50.0)), "ok")
        self.assertIsNone(thi(None, 50))

    def test_guess_type(self):
        self.assertEqual(guess_type("COL-0009"), "activity_collar")
        self.assertEqual(guess_type("mm-p09"), "milk_meter")
        self.assertEqual(guess_type("XYZ", "rfid"), "rfid_reader")
        self.assertIsNone(guess_type("XYZ", "reading"))
