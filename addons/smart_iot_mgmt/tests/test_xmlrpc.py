# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The ingestor's contract over REAL XML-RPC with the technical user's API key."""

import xmlrpc.client
from datetime import datetime, timedelta

from odoo.tests import tagged

from iot_ingestor.alerts import Rule
from iot_ingestor.odoo_client import OdooClient

from .common import naive, utcnow
from .http_common import IotHttpCase


@tagged("post_install", "-at_install")
class TestXmlRpcContract(IotHttpCase):
    def test_pull_devices_and_rules(self):
        full = self.rpc("iot.device", "ingestor_pull_devices", False)
        by_code = {d["code"]: d for d in full["devices"]}
        collar = by_code[self.collar.code]
        self.assertEqual(collar["device_type"], "activity_collar")
        self.assertEqual(collar["animal_eid"], self.cow.eid)
        self.assertEqual(collar["expected_interval_s"], 300)
        self.assertEqual(by_code[self.env_dev.code]["barn"], self.barn.code)
        self.assertIn(self.collar.code, full["codes"])
        # incremental: only what changed since
        since = full["devices"][-1]["write_date"]
        self.env.cr.execute(
            "UPDATE iot_device SET write_date = write_date - interval '1 day' WHERE id != %s",
            (self.env_dev.id,),
        )
        self.env.cr.execute("UPDATE dairy_animal SET write_date = write_date - interval '1 day'")
        self.env_dev.write({"expected_interval_s": 120})
        self.env.flush_all()
        inc = self.rpc("iot.device", "ingestor_pull_devices", since)
        self.assertIn(self.env_dev.code, [d["code"] for d in inc["devices"]])
        self.assertNotIn(self.collar.code, [d["code"] for d in inc["devices"]])
        self.collar.action_retire()
        self.env.flush_all()
        inc = self.rpc("iot.device", "ingestor_pull_devices", since)
        gone = [d for d in inc["devices"] if d["code"] == self.collar.code]
        self.assertFalse(gone[0]["active"])
        self.assertNotIn(self.collar.code, inc["codes"])
        rules = self.rpc("iot.alert.rule", "ingestor_pull_rules", False)
        mine = [r for r in rules["rules"] if r["id"] == self.heat_rule.id][0]
        parsed = Rule.from_dict(mine)  # what the daemon does with it
        self.assertEqual(
            (parsed.barn, parsed.max_value, parsed.duration_s), (self.barn.code, 30.0, 900)
        )
        self.assertIn(self.heat_rule.id, rules["ids"])

    def test_through_the_daemons_own_client(self):
        client = OdooClient(self.base_url(), self.db, "iot_ingestor", self.ingestor_key, timeout=30)
        item = self.raise_item()
        first = client.call("iot.alert", "ingestor_raise", [item])
        second = client.call("iot.alert", "ingestor_raise", [item])  # retried delivery
        self.assertEqual(first["results"][0]["alert_id"], second["results"][0]["alert_id"])
        alerts = self.Alert.search([("rule_id", "=", self.heat_rule.id)])
        self.assertEqual(len(alerts), 1)
        self.assertEqual(alerts.state, "active")
        out = client.call(
            "iot.alert",
            "ingestor_clear",
            [{"key": item["key"], "cleared_at": utcnow().isoformat()}],
        )
        self.assertEqual(out["results"][0]["status"], "cleared")
        self.env.invalidate_all()
        self.assertEqual(alerts.state, "cleared")
        now = utcnow().isoformat()
        hb = client.call(
            "iot.device",
            "ingestor_heartbeat",
            [
                {
                    "code": self.collar.code,
                    "last_seen": now,
                    "last_received_at": now,
                    "battery_pct": 64.0,
                    "msg_count": 12,
                }
            ],
        )
        self.assertEqual(hb["updated"], 1)
        disc = client.call(
            "iot.device",
            "ingestor_report_discovered",
            [
                {
                    "key": f"disc:NEW-{self.tag}",
                    "code": f"NEW-{self.tag}",
                    "farm": "sd1",
                    "kind": "milking",
                    "first_seen": now,
                    "last_seen": now,
                    "msg_count": 2,
                }
            ],
        )
        self.assertTrue(disc["results"][0]["created"])
        notif = client.call(
            "iot.device",
            "ingestor_notify_animal_data",
            [{"animal": self.cow.eid, "eid": self.cow.eid, "last_data_at": now}],
        )
        self.assertEqual(notif["animals"], 1)
        self.env.invalidate_all()
        self.assertEqual(self.collar.battery_pct, 64.0)
        self.assertEqual(self.collar.last_received_at, naive(datetime.fromisoformat(now)))
        new = self.Device.search([("code", "=", f"NEW-{self.tag}")])
        self.assertEqual((new.status, new.device_type), ("discovered", "milk_meter"))
        self.assertTrue(self.cow.iot_last_data_at)

    def test_technical_user_has_minimal_rights(self):
        self.rpc("iot.device", "search_read", [["code", "=", self.env_dev.code]], ["code"])
        for model, method, args in (
            ("iot.device", "write", ([self.env_dev.id], {"name": "x"})),
            ("iot.alert", "create", ({"name": "fake alert"},)),
            ("iot.alert.rule", "write", ([self.heat_rule.id], {"active": False})),
            ("dairy.animal", "search_read", ([],)),
            ("res.users", "write", ([self.env.ref("base.user_admin").id], {"name": "pwn"})),
        ):
            with self.subTest(model=model, method=method):
                with self.assertRaises(xmlrpc.client.Fault):
                    self.rpc(model, method, *args)
        # a wrong key does not authenticate
        self.assertFalse(self.xmlrpc_common.authenticate(self.db, "iot_ingestor", "bad", {}))
        # a normal user's key cannot call the contract
        operator = self._user("rpc_op", "smart_dairy_base.group_iot_operator")
        key = self.env["res.users.apikeys"].with_user(operator).sudo()._generate(None, "t", None)
        uid = self.xmlrpc_common.authenticate(self.db, operator.login, key, {})
        proxy = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object", allow_none=True)
        with self.assertRaises(xmlrpc.client.Fault):
            proxy.execute_kw(
                self.db, uid, key, "iot.alert", "ingestor_raise", [[self.raise_item()]]
            )
        self.assertFalse(self.Alert.search([("rule_id", "=", self.heat_rule.id)]))

    def test_milk_import_via_notification(self):
        when = utcnow() - timedelta(hours=3)
        self.store(
            f"farm/sd1/milking/{self.cow.eid}/production",
            {"meter_id": f"MM-{self.tag}", "yield_l": 9.25, "timestamp": when.isoformat()},
        )
        out = self.rpc(
            "iot.device",
            "ingestor_notify_animal_data",
            [{"animal": self.cow.eid, "eid": self.cow.eid, "last_data_at": when.isoformat()}],
        )
        self.assertGreaterEqual(out["milk_records"], 1)
        rec = self.env["dairy.milk.record"].search(
            [("animal_id", "=", self.cow.id), ("source", "=", "meter")]
        )
        self.assertEqual(rec.yield_l, 9.25)
        again = self.rpc(
            "iot.device",
            "ingestor_notify_animal_data",
            [{"animal": self.cow.eid, "eid": self.cow.eid, "last_data_at": when.isoformat()}],
        )
        self.assertEqual(again["milk_records"], 0)
