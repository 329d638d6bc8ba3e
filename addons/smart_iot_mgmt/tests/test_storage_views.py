# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Time-series views, milk-meter import and the device-side contract methods (ORM level)."""

from datetime import timedelta

from odoo.tests import tagged

from .common import IotCase, naive, utcnow


@tagged("post_install", "-at_install")
class TestStorageViews(IotCase):
    def test_rollup_views(self):
        start = utcnow().replace(minute=0, second=0) - timedelta(hours=2)
        for k, value in enumerate((20.0, 22.0, 27.0)):
            self.store(
                "farm/sd1/sensors/temperature",
                {
                    "device_id": self.env_dev.code,
                    "barn": self.barn.code,
                    "value": value,
                    "timestamp": (start + timedelta(minutes=10 * k)).isoformat(),
                },
            )
        for k, value in enumerate((400, 500)):
            self.store(
                f"farm/sd1/animals/{self.cow.eid}/activity",
                {
                    "collar_id": self.collar.code,
                    "activity": value,
                    "body_temp_c": 38.5 + k,
                    "timestamp": (start + timedelta(minutes=5 * k)).isoformat(),
                },
            )
        Hourly = self.env["iot.reading.hourly"]
        rows = Hourly.search([("device_code", "=", self.env_dev.code)])
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows.n, rows.min, rows.max), (3, 20.0, 27.0))
        self.assertAlmostEqual(rows.avg, 23.0)
        self.assertEqual(
            (rows.device_id, rows.barn_id, rows.device_type, rows.metric),
            (self.env_dev, self.barn, "environment", "temperature_c"),
        )
        self.assertEqual(rows.bucket, naive(start))
        groups = Hourly.read_group(
            [("barn_id", "=", self.barn.id)], ["avg:avg", "n:sum"], ["metric"]
        )
        self.assertEqual(groups[0]["n"], 3)
        daily = self.env["iot.reading.daily"].search([("device_id", "=", self.env_dev.id)])
        self.assertEqual(daily.n, 3)
        animal = self.env["iot.animal.hourly"].search([("animal_id", "=", self.cow.id)])
        self.assertEqual(sorted(animal.mapped("metric")), ["activity", "body_temp_c"])
        self.assertEqual(animal.filtered(lambda r: r.metric == "activity").avg, 450.0)
        self.assertEqual(animal[0].barn_id, self.barn)
        day = self.env["iot.animal.daily"].search(
            [("animal_id", "=", self.cow.id), ("metric", "=", "activity")]
        )
        self.assertEqual(day.n, 2)
        series = self.env["iot.animal.daily"].daily_series(self.cow.id, "activity")
        self.assertEqual(series[-1][1], 450.0)
        # a redelivered reading changes nothing
        self.store(
            "farm/sd1/sensors/temperature",
            {
                "device_id": self.env_dev.code,
                "barn": self.barn.code,
                "value": 20.0,
                "timestamp": start.isoformat(),
            },
        )
        self.env.invalidate_all()
        self.assertEqual(Hourly.search([("device_code", "=", self.env_dev.code)]).n, 3)

    def test_milk_meter_readings_become_milk_records_once(self):
        when = utcnow().replace(hour=0, minute=30, second=0) - timedelta(days=1)  # 06:30 Dhaka
        meter = f"MM-{self.tag}"
        for animal in (self.cow.eid, self.cow2.visual_tag, "SD-9999"):
            self.store(
                f"farm/sd1/milking/{animal}/production",
                {
                    "meter_id": meter,
                    "yield_l": 11.5,
                    "fat_pct": 4.1,
                    "conductivity_ms_cm": 5.2,
                    "session": "AM",
                    "timestamp": when.isoformat(),
                },
            )
        Import = self.env["iot.milk.import"]
        created = Import.import_pending()
        self.assertGreaterEqual(created, 2)
        records = self.env["dairy.milk.record"].search([("external_ref", "like", meter)])
        self.assertEqual(len(records), 2)  # SD-9999 is unknown: skipped
        rec = records.filtered(lambda r: r.animal_id == self.cow)
        self.assertEqual(
            (rec.yield_l, rec.fat_pct, rec.conductivity, rec.source, rec.session),
            (11.5, 4.1, 5.2, "meter", "am"),
        )
        self.assertEqual(rec.milking_time, naive(when))
        self.assertEqual(rec.iot_device_code, meter)
        # running again (overlap window, retried notification) creates nothing
        self.env["ir.config_parameter"].set_param("smart_iot_mgmt.milking_seq", "0")
        Import.import_pending()
        self.assertEqual(
            self.env["dairy.milk.record"].search_count([("external_ref", "like", meter)]), 2
        )
        # a second meter reading in the same session is skipped, not an error
        self.store(
            f"farm/sd1/milking/{self.cow.eid}/production",
            {
                "meter_id": meter,
                "yield_l": 3.0,
                "timestamp": (when + timedelta(minutes=20)).isoformat(),
            },
        )
        Import.import_pending()
        self.assertEqual(
            self.env["dairy.milk.record"].search_count([("external_ref", "like", meter)]), 2
        )

    def test_heartbeat_discovered_notify(self):
        admin_device = self.Device  # admin is system: allowed, like the ingestor
        now = utcnow()
        self.env_dev.status = "silent"
        res = admin_device.ingestor_heartbeat(
            [
                {
                    "code": self.env_dev.code,
                    "last_seen": now.isoformat(),
                    "last_received_at": now.isoformat(),
                    "battery_pct": 77.0,
                    "msg_count": 10,
                },
                {
                    "code": "NOPE-" + self.tag,
                    "last_seen": now.isoformat(),
                    "last_received_at": now.isoformat(),
                    "battery_pct": None,
                    "msg_count": 1,
                },
            ]
        )
        self.assertEqual(res, {"updated": 1, "unknown": ["NOPE-" + self.tag]})
        self.assertEqual(self.env_dev.status, "active")
        self.assertEqual(self.env_dev.battery_pct, 77.0)
        self.assertEqual(self.env_dev.last_received_at, naive(now))
        # an older heartbeat does not move time backwards
        old = (now - timedelta(hours=1)).isoformat()
        admin_device.ingestor_heartbeat(
            [
                {
                    "code": self.env_dev.code,
                    "last_seen": old,
                    "last_received_at": old,
                    "battery_pct": 5.0,
                    "msg_count": 3,
                }
            ]
        )
        self.assertEqual(
            (self.env_dev.last_received_at, self.env_dev.battery_pct, self.env_dev.msg_count),
            (naive(now), 77.0, 10),
        )
        item = {
            "key": f"disc:COL-X{self.tag}",
            "code": f"COL-X{self.tag}",
            "farm": "sd1",
            "kind": "reading",
            "first_seen": now.isoformat(),
            "last_seen": now.isoformat(),
            "msg_count": 4,
        }
        first = admin_device.ingestor_report_discovered([item])["results"]
        again = admin_device.ingestor_report_discovered([item])["results"]
        self.assertTrue(first[0]["created"])
        self.assertFalse(again[0]["created"])
        dev = self.Device.browse(first[0]["device_id"])
        self.assertEqual(
            (dev.status, dev.device_type, dev.msg_count), ("discovered", "activity_collar", 4)
        )
        out = admin_device.ingestor_notify_animal_data(
            [
                {"animal": self.cow.eid, "eid": self.cow.eid, "last_data_at": now.isoformat()},
                {"animal": self.cow2.visual_tag, "eid": False, "last_data_at": now.isoformat()},
                {"animal": "SD-ZZZZ", "eid": False, "last_data_at": now.isoformat()},
            ]
        )
        self.assertEqual((out["animals"], out["unknown"]), (2, ["SD-ZZZZ"]))
        self.assertEqual(self.cow.iot_last_data_at, naive(now))
        self.assertEqual(self.cow2.iot_last_data_at, naive(now))
