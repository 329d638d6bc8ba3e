# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import IotCase


@tagged("post_install", "-at_install")
class TestDevice(IotCase):
    def test_code_is_validated_and_unique(self):
        for bad in ("", "has space", "x/y", "#", "-lead"):
            with self.subTest(bad=bad), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    self.Device.create({"code": bad or " ", "device_type": "gateway"})
        with (
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self.Device.create({"code": self.env_dev.code, "device_type": "environment"})

    def test_default_interval_and_name(self):
        dev = self.Device.create({"code": f"CC-{self.tag}", "device_type": "cold_chain_probe"})
        self.assertEqual(dev.expected_interval_s, 300)
        self.assertEqual(dev.name, dev.code)
        self.assertEqual(dev.display_name, dev.code)

    def test_collar_moves_between_cows_with_history(self):
        collar = self.collar
        first = collar.assignment_ids
        self.assertEqual(len(first), 1)
        self.assertEqual(first.animal_id, self.cow)
        self.assertFalse(first.date_end)
        self.assertEqual(self.cow.collar_id, collar)
        collar.write({"animal_id": self.cow2.id, "assignment_note": "moved after calving"})
        history = collar.assignment_ids.sorted("id")
        self.assertEqual(len(history), 2)
        self.assertTrue(history[0].date_end)
        self.assertEqual(history[1].animal_id, self.cow2)
        self.assertEqual(history[1].note, "moved after calving")
        self.assertFalse(history[1].date_end)
        self.assertEqual(self.cow2.collar_id, collar)
        self.assertFalse(self.cow.collar_id)
        Assignment = self.env["iot.device.assignment"]
        self.assertEqual(
            Assignment.device_on_animal_at(self.cow2, fields.Datetime.now()), history[1]
        )
        # writing the same animal again does not create history
        collar.write({"animal_id": self.cow2.id})
        self.assertEqual(len(collar.assignment_ids), 2)
        collar.action_retire()
        self.assertEqual(collar.status, "retired")
        self.assertFalse(collar.animal_id)
        self.assertTrue(all(a.date_end for a in collar.assignment_ids))

    def test_one_collar_per_cow(self):
        with self.assertRaises(ValidationError):
            self.Device.create(
                {
                    "code": f"COL2-{self.tag}",
                    "device_type": "activity_collar",
                    "animal_id": self.cow.id,
                }
            )

    def test_discovered_device_must_be_typed_to_register(self):
        dev = self.Device.create({"code": f"UNK-{self.tag}", "status": "discovered"})
        with self.assertRaises(UserError):
            dev.action_register()
        dev.device_type = "environment"
        dev.action_register()
        self.assertEqual(dev.status, "active")
        self.assertEqual(dev.expected_interval_s, 60)
        with self.assertRaises(ValidationError):
            self.Device.create({"code": f"NOTYPE-{self.tag}"})

    def test_silent_cron(self):
        now = fields.Datetime.now()
        self.env_dev.write(
            {"expected_interval_s": 60, "last_received_at": now - timedelta(seconds=200)}
        )
        self.collar.write(
            {"expected_interval_s": 300, "last_received_at": now - timedelta(seconds=600)}
        )
        self.Device._cron_update_silent()
        self.assertEqual(self.env_dev.status, "silent")  # 200 s > 3 × 60 s
        self.assertEqual(self.collar.status, "active")  # 600 s < 3 × 300 s
        self.env["ir.config_parameter"].set_param("smart_iot_mgmt.silence_factor", "1.5")
        self.Device._cron_update_silent()
        self.assertEqual(self.collar.status, "silent")
        self.env_dev.last_received_at = fields.Datetime.now()
        self.Device._cron_update_silent()
        self.assertEqual(self.env_dev.status, "active")
        faulty = self.Device.create(
            {
                "code": f"F-{self.tag}",
                "device_type": "environment",
                "status": "faulty",
                "last_received_at": now - timedelta(days=1),
            }
        )
        self.Device._cron_update_silent()
        self.assertEqual(faulty.status, "faulty")  # a person's verdict is kept

    def test_calibration_overdue_search(self):
        today = fields.Date.context_today(self.env_dev)
        self.env_dev.calibration_due = today - timedelta(days=1)
        self.collar.calibration_due = today + timedelta(days=10)
        overdue = self.Device.search(
            [("calibration_overdue", "=", True), ("code", "like", self.tag)]
        )
        self.assertEqual(overdue, self.env_dev)
        not_overdue = self.Device.search(
            [("calibration_overdue", "=", False), ("code", "like", self.tag)]
        )
        self.assertEqual(not_overdue, self.collar)

    def test_api_keys(self):
        key = self.env_dev.generate_api_key()
        self.assertTrue(self.env_dev.has_api_key)
        self.assertEqual(self.Device._authenticate_api_key(key), self.env_dev)
        self.assertFalse(self.Device._authenticate_api_key(key[:-1] + "x"))
        self.assertFalse(self.Device._authenticate_api_key("garbage"))
        # the digest is stored, never the key
        self.assertNotEqual(self.env_dev.sudo().api_key_hash, key)
        self.assertNotIn(key, str(self.env_dev.sudo().read()))
        new = self.env_dev.generate_api_key()
        self.assertFalse(self.Device._authenticate_api_key(key))
        self.assertTrue(self.Device._authenticate_api_key(new))
        self.env_dev.action_revoke_api_key()
        self.assertFalse(self.Device._authenticate_api_key(new))
        operator = self._user("iot_op", "smart_dairy_base.group_iot_operator")
        with self.assertRaises(UserError):
            self.env_dev.with_user(operator).generate_api_key()
        # operators cannot read the digest column at all
        with self.assertRaises(AccessError):
            self.env_dev.with_user(operator).read(["api_key_hash"])

    def test_gateway_scope(self):
        gw = self.Device.create({"code": f"GW-{self.tag}", "device_type": "gateway"})
        meter = self.Device.create(
            {"code": f"MM-{self.tag}", "device_type": "milk_meter", "gateway_id": gw.id}
        )
        self.assertTrue(gw._may_post_for(meter.code))
        self.assertTrue(gw._may_post_for(f"NEW-{self.tag}"))  # unknown: will be discovered
        self.assertFalse(gw._may_post_for(self.env_dev.code))  # someone else's device
        self.assertTrue(meter._may_post_for(meter.code))
        self.assertFalse(meter._may_post_for(f"NEW-{self.tag}"))
        with self.assertRaises(ValidationError):
            meter.gateway_id = self.env_dev

    def test_operator_reads_manager_writes(self):
        operator = self._user("iot_op2", "smart_dairy_base.group_iot_operator")
        manager = self._user("iot_mgr", "smart_dairy_base.group_iot_manager")
        self.assertTrue(self.env_dev.with_user(operator).read(["code"]))
        with self.assertRaises(AccessError):
            self.env_dev.with_user(operator).write({"name": "nope"})
        self.env_dev.with_user(manager).write({"name": "Barn node"})
        self.assertEqual(self.env_dev.name, "Barn node")

    def test_demo_seed_is_idempotent(self):
        self.Device.seed_demo_devices()
        again = self.Device.seed_demo_devices()
        self.assertEqual(again, 0)
        for code in ("ENV-B1", "MM-P01", "MM-P08", "RFID-P1", "GW-P1"):
            self.assertTrue(self.Device.search([("code", "=", code)]), code)
        cow1 = self.env["dairy.animal"].search([("visual_tag", "=", "SD-0001")])
        if cow1:
            collar = self.Device.search([("code", "=", "COL-0001")])
            self.assertEqual(collar.animal_id, cow1)
            self.assertEqual(cow1.eid, "050" + f"{100000000 + 1:012d}")
