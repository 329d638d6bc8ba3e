# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.tests import tagged

from .common import IotCase, utcnow
from .http_common import IotHttpCase


@tagged("post_install", "-at_install")
class TestDashboardData(IotCase):
    def _barn(self, data):
        return [b for b in data["barns"] if b["id"] == self.barn.id][0]

    def test_barn_block(self):
        Dash = self.env["iot.dashboard"]
        barn = self._barn(Dash.get_data())
        self.assertEqual(barn["env"], {})
        self.assertFalse(barn["thi"])
        self.assertEqual(barn["alert_count"], 0)
        now = utcnow()
        hour_ago = now - timedelta(hours=1)
        for _metric, topic, value in (
            ("temperature_c", "temperature", 31.0),
            ("humidity_pct", "humidity", 80.0),
            ("ammonia_ppm", "ammonia", 12.0),
        ):
            for ts, v in ((hour_ago, value - 2), (now - timedelta(seconds=30), value)):
                self.store(
                    f"farm/sd1/sensors/{topic}",
                    {"device_id": self.env_dev.code, "value": v, "timestamp": ts.isoformat()},
                )
        self.store(
            f"farm/sd1/animals/{self.cow.eid}/activity",
            {"collar_id": self.collar.code, "activity": 300, "timestamp": now.isoformat()},
        )
        alert_id = self.Alert.ingestor_raise([self.raise_item()])["results"][0]["alert_id"]
        operator = self._user("dash_op", "smart_dairy_base.group_iot_operator")
        data = Dash.with_user(operator).get_data()
        barn = self._barn(data)
        self.assertEqual(barn["env"]["temperature_c"]["value"], 31.0)
        self.assertEqual(barn["env"]["humidity_pct"]["value"], 80.0)
        self.assertLess(barn["env"]["temperature_c"]["age_s"], 120)
        self.assertEqual(barn["thi"], 84.5)
        self.assertEqual(barn["thi_level"], "severe")
        self.assertGreaterEqual(len(barn["chart"]["temperature_c"]), 1)
        self.assertEqual([a["id"] for a in barn["alerts"]], [alert_id])
        self.assertEqual(barn["alert_count"], 1)
        collars = barn["freshness"]["activity_collar"]
        self.assertEqual((collars["total"], collars["fresh"]), (1, 1))
        self.assertGreaterEqual(data["totals"]["open_alerts"], 1)
        self.Alert.browse(alert_id).action_resolve()
        self.assertEqual(self._barn(Dash.get_data())["alert_count"], 0)


@tagged("post_install", "-at_install")
class TestDashboardTour(IotHttpCase):
    def test_dashboard_moves_after_a_commit(self):
        barn = self.env["dairy.barn"].create({"name": "Tour barn", "code": "TOUR"})
        device = self.Device.create(
            {"code": "ENV-TOUR", "device_type": "environment", "barn_id": barn.id}
        )
        rule = self.heat_rule.copy(
            {
                "scope": "device",
                "device_ids": [(6, 0, [device.id])],
                "barn_id": False,
                "name": "Tour heat alert",
            }
        )
        self.Alert.ingestor_raise([self.raise_item(rule=rule, device=device)])
        self.env["ir.config_parameter"].set_param("smart_iot_mgmt.dashboard_refresh_s", "1")
        self.start_tour("/odoo/iot-live", "smart_iot_dashboard_tour", login="admin", timeout=120)
        self.env.cr.execute("SELECT value FROM iot.reading WHERE device_code = 'ENV-TOUR'")
        self.assertEqual(self.env.cr.fetchall(), [(31.7,)])
