# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from unittest.mock import MagicMock, patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import IotCase, naive, utcnow


@tagged("post_install", "-at_install")
class TestAlerts(IotCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ingestor = cls.env.ref("smart_iot_mgmt.user_iot_ingestor")
        cls.IAlert = cls.Alert.with_user(cls.ingestor)

    def test_raise_is_idempotent_and_updates_forward(self):
        item = self.raise_item(count=3)
        out = self.IAlert.ingestor_raise([item])["results"][0]
        self.assertEqual(out["status"], "created")
        alert = self.Alert.browse(out["alert_id"])
        self.assertEqual(alert.state, "active")
        self.assertEqual(alert.rule_id, self.heat_rule)
        self.assertEqual(alert.device_id, self.env_dev)
        self.assertEqual(alert.barn_id, self.barn)
        self.assertEqual(alert.severity, "critical")
        self.assertEqual(
            alert.dedup_key, f"iot.alert|rule{self.heat_rule.id}|device:{self.env_dev.code}"
        )
        self.assertEqual(alert.reading_count, 3)
        self.assertEqual(alert.occurrence_count, 1)
        # retried call (lost answer): nothing changes
        again = self.IAlert.ingestor_raise([item, item])["results"]
        self.assertEqual({r["alert_id"] for r in again}, {alert.id})
        self.assertEqual(self.Alert.search_count([("dedup_key", "=", alert.dedup_key)]), 1)
        self.assertEqual((alert.reading_count, alert.occurrence_count), (3, 1))
        # a later update of the same episode moves count and last_seen forward only
        later = dict(
            item, count=9, last_seen=(utcnow() + timedelta(minutes=5)).isoformat(), value=32.5
        )
        self.IAlert.ingestor_raise([later])
        self.assertEqual(alert.reading_count, 9)
        self.assertEqual(alert.last_value, 32.5)
        old = dict(item, count=4, last_seen=(utcnow() - timedelta(hours=1)).isoformat())
        self.IAlert.ingestor_raise([old])
        self.assertEqual(alert.reading_count, 9)
        self.assertGreater(alert.last_seen, naive(utcnow()))
        self.assertEqual(len(alert.episode_ids), 1)

    def test_clear_then_replays(self):
        item = self.raise_item()
        alert = self.Alert.browse(self.IAlert.ingestor_raise([item])["results"][0]["alert_id"])
        clear = {
            "key": item["key"],
            "rule_id": self.heat_rule.id,
            "subject": item["subject"],
            "cleared_at": utcnow().isoformat(),
            "value": 28.0,
            "reason": "condition cleared",
        }
        res = self.IAlert.ingestor_clear([clear])["results"][0]
        self.assertEqual(res["status"], "cleared")
        self.assertEqual(alert.state, "cleared")
        self.assertTrue(alert.cleared_date)
        self.assertEqual(
            self.IAlert.ingestor_clear([clear])["results"][0]["status"], "already_cleared"
        )
        # a late replay of the raise does not reopen it
        self.IAlert.ingestor_raise([item])
        self.assertEqual(alert.state, "cleared")
        unknown = dict(clear, key="rule0:device:X:1")
        self.assertEqual(self.IAlert.ingestor_clear([unknown])["results"][0]["status"], "unknown")

    def test_new_episode_within_reopen_window_reopens(self):
        self.env["ir.config_parameter"].set_param("smart_dairy.alert_reopen_window_minutes", "30")
        t0 = utcnow() - timedelta(hours=1)
        first = self.raise_item(first=t0)
        alert = self.Alert.browse(self.IAlert.ingestor_raise([first])["results"][0]["alert_id"])
        self.IAlert.ingestor_clear(
            [{"key": first["key"], "cleared_at": (t0 + timedelta(minutes=20)).isoformat()}]
        )
        second = self.raise_item(first=t0 + timedelta(minutes=30))
        res = self.IAlert.ingestor_raise([second])["results"][0]
        self.assertEqual(res["status"], "reopened")
        self.assertEqual(res["alert_id"], alert.id)
        self.assertEqual(alert.state, "active")
        self.assertEqual(alert.current_key, second["key"])
        self.assertEqual(len(alert.episode_ids), 2)
        # the old episode's clear, replayed late, does not clear the reopened alert
        self.IAlert.ingestor_clear([{"key": first["key"]}])
        self.assertEqual(alert.state, "active")
        self.IAlert.ingestor_clear([{"key": second["key"]}])
        self.assertEqual(alert.state, "cleared")

    def test_episode_joins_open_alert_and_resolution_sticks(self):
        first = self.raise_item(first=utcnow() - timedelta(hours=2))
        alert = self.Alert.browse(self.IAlert.ingestor_raise([first])["results"][0]["alert_id"])
        alert.action_acknowledge()
        second = self.raise_item(first=utcnow() - timedelta(minutes=30))
        res = self.IAlert.ingestor_raise([second])["results"][0]
        self.assertEqual((res["status"], res["alert_id"]), ("joined", alert.id))
        self.assertEqual(alert.state, "acknowledged")
        alert.action_resolve(note="fans fixed")
        self.IAlert.ingestor_clear([{"key": second["key"]}])
        self.assertEqual(alert.state, "resolved")
        self.assertEqual(alert.resolved_by_id, self.env.user)

    def test_animal_alert_and_unknown_rule(self):
        rule = self.Rule.create(
            {
                "name": "Fever",
                "metric": "body_temp_c",
                "scope": "animal",
                "animal_ids": [(6, 0, [self.cow.id])],
                "use_max": True,
                "max_value": 39.5,
                "notify_activity": False,
                "notify_bus": False,
            }
        )
        item = self.raise_item(
            rule=rule,
            device=self.collar,
            value=40.1,
            subject=f"animal:{self.cow.eid}",
            animal_eid=self.cow.eid,
        )
        alert = self.Alert.browse(self.IAlert.ingestor_raise([item])["results"][0]["alert_id"])
        self.assertEqual(alert.animal_id, self.cow)
        self.assertEqual(alert.barn_id, self.barn)
        self.assertIn(self.cow.visual_tag, alert.name)
        self.assertIn(alert, self.cow.iot_alert_ids)
        bad = dict(item, key="rule999999:x:1", rule_id=999999)
        self.assertEqual(self.IAlert.ingestor_raise([bad])["results"][0]["status"], "unknown_rule")

    def test_only_the_ingestor_may_call(self):
        operator = self._user("op_alert", "smart_dairy_base.group_iot_operator")
        for method, arg in (
            ("ingestor_raise", [self.raise_item()]),
            ("ingestor_clear", [{"key": "k"}]),
        ):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(self.Alert.with_user(operator), method)(arg)
        with self.assertRaises(AccessError):
            self.Device.with_user(operator).ingestor_heartbeat([])
        with self.assertRaises(AccessError):
            self.Rule.with_user(operator).ingestor_pull_rules(False)
        # and the ingestor itself has no write access outside the contract
        with self.assertRaises(AccessError):
            self.env_dev.with_user(self.ingestor).write({"name": "hijack"})
        with self.assertRaises(AccessError):
            self.Alert.with_user(self.ingestor).create({"name": "fake"})

    def test_notification_channels(self):
        manager = self._user("notify_mgr", "smart_dairy_base.group_iot_manager")
        manager.partner_id.write({"email": "mgr@example.com", "mobile": "+8801711000000"})
        self.heat_rule.write(
            {
                "notify_activity": True,
                "notify_email": True,
                "notify_bus": True,
                "notify_sms": True,
                "sms_gateway_id": self.env.ref("smart_iot_mgmt.sms_gateway_log").id,
                "user_ids": [(6, 0, [manager.id])],
            }
        )
        self.env["bus.bus"].search([]).unlink()
        alert = self.Alert.browse(
            self.IAlert.ingestor_raise([self.raise_item()])["results"][0]["alert_id"]
        )
        # Odoo activity for the rule's people
        self.assertEqual(alert.activity_ids.user_id, manager)
        # e-mail through the chatter to the rule's people
        message = alert.message_ids.filtered(lambda m: manager.partner_id in m.partner_ids)
        self.assertTrue(message)
        self.assertIn("too hot", message[0].body)
        # live notification on the bus for the manager (queued until the commit)
        self.env.cr.precommit.run()
        bus = self.env["bus.bus"].search([("message", "like", "simple_notification")])
        self.assertTrue(any(alert.name in b.message for b in bus))
        # SMS through the (log) gateway
        self.assertEqual(alert.sms_ids.mapped("number"), ["+8801711000000"])
        self.assertEqual(alert.sms_ids.state, "sent")
        # a repeat of the same episode does not notify again
        self.IAlert.ingestor_raise([self.raise_item(count=7)])
        self.assertEqual(len(alert.activity_ids), 1)
        self.assertEqual(len(alert.sms_ids), 1)

    def test_sms_http_gateway_is_pluggable_and_failures_do_not_break_alerts(self):
        gateway = self.env["iot.sms.gateway"].create(
            {
                "name": "BD bulk SMS",
                "provider": "http",
                "api_url": "https://sms.example/api",
                "api_token_param": "test.sms.token",
            }
        )
        self.env["ir.config_parameter"].set_param("test.sms.token", "s3cret")
        response = MagicMock(content=b'{"id": "abc"}')
        response.json.return_value = {"id": "abc"}
        with patch(
            "odoo.addons.smart_iot_mgmt.models.iot_sms_gateway.requests.post", return_value=response
        ) as post:
            sent = gateway.send(["+8801711111111"], "Barn B1 hot")
        post.assert_called_once()
        self.assertEqual(post.call_args.kwargs["json"]["to"], "+8801711111111")
        self.assertEqual(post.call_args.kwargs["headers"], {"Authorization": "Bearer s3cret"})
        self.assertEqual((sent.state, sent.provider_ref), ("sent", "abc"))
        with patch(
            "odoo.addons.smart_iot_mgmt.models.iot_sms_gateway.requests.post",
            side_effect=OSError("network down"),
        ):
            failed = gateway.send(["+8801722222222"], "x")
        self.assertEqual(failed.state, "failed")
        self.assertIn("network down", failed.error)
