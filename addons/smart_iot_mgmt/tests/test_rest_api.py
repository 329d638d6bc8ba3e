# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""REST ingestion API over real HTTP (OCA fastapi endpoint /api/v1/iot)."""

import json
from datetime import timedelta

from odoo.tests import tagged

from .common import utcnow
from .http_common import IotHttpCase


@tagged("post_install", "-at_install")
class TestRestApi(IotHttpCase):
    def post(self, kind, body, key=None, raw=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = raw if raw is not None else json.dumps(body)
        return self.opener.post(
            f"{self.base_url()}/api/v1/iot/{kind}", data=data, headers=headers, timeout=30
        )

    def count(self, table, column, value):
        self.env.cr.execute(f"SELECT count(*) FROM iot.{table} WHERE {column} = %s", (value,))
        return self.env.cr.fetchone()[0]

    def assertError(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        body = response.json()
        self.assertEqual(set(body), {"error"})
        self.assertEqual(set(body["error"]), {"code", "message", "details"})
        self.assertEqual(body["error"]["code"], code)
        return body["error"]

    def test_sensor_reading_stored_once(self):
        key = self.env_dev.generate_api_key()
        ts = (utcnow() - timedelta(minutes=1)).isoformat()
        body = {
            "type": "temperature",
            "device_id": self.env_dev.code,
            "timestamp": ts,
            "value": 28.4,
            "barn": self.barn.code,
        }
        r = self.post("sensor-reading", body, key)
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(
            r.json(), {"received": 1, "stored": 1, "duplicates": 0, "alerts_queued": 0}
        )
        r = self.post("sensor-reading", body, key)  # a device retrying
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["duplicates"], 1)
        self.assertEqual(self.count("reading", "device_code", self.env_dev.code), 1)
        self.env.cr.execute(
            "SELECT value, ts, received_at > ts FROM iot.reading WHERE device_code = %s",
            (self.env_dev.code,),
        )
        value, stored_ts, later = self.env.cr.fetchone()
        self.assertEqual(value, 28.4)
        self.assertEqual(stored_ts.isoformat(), ts)  # the device's time is kept
        self.assertTrue(later)  # and the receive time apart
        # a list in one request
        batch = [
            dict(body, value=v, timestamp=(utcnow() - timedelta(minutes=k + 2)).isoformat())
            for k, v in enumerate((28.0, 28.1, 28.2))
        ]
        r = self.post("sensor-reading", batch, key)
        self.assertEqual(r.json()["stored"], 3)

    def test_activity_and_milk(self):
        key = self.collar.generate_api_key()
        ts = utcnow().isoformat()
        r = self.post(
            "animal-activity",
            {
                "animal": self.cow.eid,
                "device_id": self.collar.code,
                "timestamp": ts,
                "activity": 412,
                "rumination_min": 31,
                "body_temp_c": 38.7,
            },
            key,
        )
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(self.count("reading", "device_code", self.collar.code), 3)
        gateway = self.Device.create({"code": f"GW-{self.tag}", "device_type": "gateway"})
        meter = self.Device.create(
            {"code": f"MM-{self.tag}", "device_type": "milk_meter", "gateway_id": gateway.id}
        )
        gw_key = gateway.generate_api_key()
        r = self.post(
            "milk-production",
            {
                "animal": self.cow.visual_tag,
                "device_id": meter.code,
                "yield_l": 12.5,
                "session": "pm",
                "timestamp": (utcnow() - timedelta(hours=2)).isoformat(),
            },
            gw_key,
        )
        self.assertEqual(r.status_code, 201, r.text)
        self.assertEqual(self.count("milking", "device_code", meter.code), 1)
        # ... and the same storage path feeds the milk records
        self.env["iot.milk.import"].import_pending()
        self.assertEqual(
            self.env["dairy.milk.record"].search_count(
                [("animal_id", "=", self.cow.id), ("source", "=", "meter")]
            ),
            1,
        )

    def test_errors(self):
        key = self.env_dev.generate_api_key()
        ts = utcnow().isoformat()
        good = {"type": "humidity", "device_id": self.env_dev.code, "timestamp": ts, "value": 70}
        self.assertError(self.post("sensor-reading", good), 401, "missing_api_key")
        self.assertError(
            self.post("sensor-reading", good, "iotk_wrongwrongwrong"), 401, "invalid_api_key"
        )
        self.assertError(self.post("sensor-reading", None, key, raw="{oops"), 400, "not_json")
        self.assertError(self.post("sensor-reading", None, key, raw=""), 400, "empty_body")
        err = self.assertError(
            self.post("sensor-reading", dict(good, value=140), key), 422, "absurd_value"
        )
        self.assertEqual(err["details"]["field"], "value")
        self.assertError(
            self.post("sensor-reading", dict(good, value="wet"), key), 422, "wrong_type"
        )
        bad_ts = dict(good, timestamp="yesterday")
        self.assertError(self.post("sensor-reading", bad_ts, key), 422, "bad_timestamp")
        no_device = {k: v for k, v in good.items() if k != "device_id"}
        self.assertError(self.post("sensor-reading", no_device, key), 422, "missing_field")
        other = dict(good, device_id=self.collar.code)
        self.assertError(self.post("sensor-reading", other, key), 403, "forbidden_device")
        self.assertError(
            self.post(
                "animal-activity",
                {"animal": "12345", "device_id": self.env_dev.code, "timestamp": ts, "activity": 3},
                key,
            ),
            422,
            "bad_identifier",
        )
        # one bad item refuses the whole request: nothing stored
        err = self.assertError(
            self.post("sensor-reading", [good, dict(good, value=None)], key), 422, "wrong_type"
        )
        self.assertEqual(err["details"]["index"], 1)
        self.assertEqual(self.count("reading", "device_code", self.env_dev.code), 0)
        # a retired device's key stops working
        self.env_dev.action_retire()
        self.assertError(self.post("sensor-reading", good, key), 401, "invalid_api_key")

    def test_openapi_document(self):
        r = self.url_open("/api/v1/iot/openapi.json")
        self.assertEqual(r.status_code, 200)
        paths = r.json()["paths"]
        for kind in ("sensor-reading", "animal-activity", "milk-production"):
            self.assertIn(f"/{kind}", paths)
