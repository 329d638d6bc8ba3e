# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import psycopg2

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from iot_ingestor.alerts import Observation, Rule

from .common import IotCase, utcnow


@tagged("post_install", "-at_install")
class TestRules(IotCase):
    def _bad(self, **vals):
        base = {"name": "bad", "metric": "temperature_c", "use_max": True, "max_value": 30}
        base.update(vals)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.Rule.create(base)

    def test_validation(self):
        self._bad(use_max=False)  # no threshold
        self._bad(metric=False)
        self._bad(use_min=True, min_value=31)  # min >= max
        self._bad(use_min=True, min_value=20, hysteresis=5)  # band too narrow
        self._bad(scope="barn")  # barn missing
        self._bad(scope="device")
        self._bad(scope="animal")
        self._bad(scope="group")
        self._bad(kind="connectivity", metric=False, scope="animal", animal_ids=[self.cow.id])
        self._bad(notify_sms=True)
        with (
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self.Rule.create(
                {
                    "name": "r",
                    "metric": "temperature_c",
                    "use_max": True,
                    "max_value": 1,
                    "repeat_count": 0,
                }
            )
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.env["iot.alert.rule.schedule"].create(
                {"rule_id": self.heat_rule.id, "hour_from": 5, "hour_to": 5}
            )

    def test_dict_is_what_the_ingestor_reads(self):
        self.env["iot.alert.rule.schedule"].create(
            {"rule_id": self.heat_rule.id, "dayofweek": "0", "hour_from": 6, "hour_to": 18}
        )
        data = self.heat_rule._ingestor_dict()
        rule = Rule.from_dict(data)
        self.assertEqual(
            (rule.id, rule.metric, rule.scope, rule.barn),
            (self.heat_rule.id, "temperature_c", "barn", self.barn.code),
        )
        self.assertIsNone(rule.min_value)
        self.assertEqual(rule.max_value, 30.0)
        self.assertEqual(rule.duration_s, 900)
        self.assertEqual(rule.repeat_count, 3)
        self.assertEqual(rule.hysteresis, 1.0)
        self.assertEqual(rule.severity, "critical")
        self.assertEqual(rule.schedule, [{"start": "06:00", "end": "18:00", "days": [0]}])
        obs = Observation(self.env_dev.code, "temperature_c", utcnow(), 31.0, self.barn.code)
        self.assertEqual(rule.subject(obs, None), f"device:{self.env_dev.code}")
        self.assertTrue(rule.breach(31.0))
        self.assertFalse(rule.cleared(29.5))  # hysteresis: must drop below 29
        self.assertTrue(rule.cleared(28.9))

    def test_scopes(self):
        group = self.env["dairy.animal.group"].create({"name": f"G {self.tag}"})
        self.cow.group_id = group
        cases = {
            "device": {"device_ids": [(6, 0, [self.collar.id])]},
            "animal": {"animal_ids": [(6, 0, [self.cow.id, self.cow2.id])]},
            "group": {"group_id": group.id},
            "device_type": {"device_type": "activity_collar"},
        }
        for scope, vals in cases.items():
            with self.subTest(scope=scope):
                rule = self.Rule.create(
                    dict(
                        name=scope,
                        metric="body_temp_c",
                        use_max=True,
                        max_value=39.5,
                        scope=scope,
                        **vals,
                    )
                )
                data = rule._ingestor_dict()
                parsed = Rule.from_dict(data)
                obs = Observation(
                    self.collar.code, "body_temp_c", utcnow(), 40.0, animal_eid=self.cow.eid
                )
                subject = parsed.subject(obs, {"device_type": "activity_collar"})
                if scope in ("animal", "group"):
                    self.assertEqual(subject, f"animal:{self.cow.eid}")
                else:
                    self.assertEqual(subject, f"device:{self.collar.code}")
        self.assertEqual(
            Rule.from_dict(self.Rule.search([("name", "=", "group")])._ingestor_dict()).animal_eids,
            (self.cow.eid,),
        )

    def test_connectivity_rule(self):
        rule = self.Rule.create(
            {
                "name": "silent",
                "kind": "connectivity",
                "scope": "device_type",
                "device_type": "environment",
                "silence_factor": 4,
            }
        )
        parsed = Rule.from_dict(rule._ingestor_dict())
        self.assertEqual(
            (parsed.kind, parsed.device_type, parsed.silence_factor),
            ("connectivity", "environment", 4.0),
        )
