# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import uuid
from datetime import UTC, datetime, timedelta

from odoo.tests import TransactionCase

from ..models.iot_schema import raw_cursor


def utcnow():
    return datetime.now(UTC).replace(microsecond=0)


def naive(dt):
    return dt.astimezone(UTC).replace(tzinfo=None)


class IotCase(TransactionCase):
    """Barns, a cow, devices and rules of our own (the demo data may or may not exist)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = uuid.uuid4().hex[:6].upper()
        env = cls.env
        cls.Device = env["iot.device"]
        cls.Rule = env["iot.alert.rule"]
        cls.Alert = env["iot.alert"]
        cls.barn = env["dairy.barn"].create(
            {"name": f"Test barn {cls.tag}", "code": f"T{cls.tag[:4]}"}
        )
        breed = env["dairy.breed"].search([], limit=1)
        Animal = env["dairy.animal"]
        n = int(cls.tag[:5], 16) % 10_000_000
        cls.cow = Animal.create(
            {
                "visual_tag": f"TC-{cls.tag}",
                "eid": f"050{900000000 + n:012d}",
                "sex": "female",
                "status": "lactating",
                "barn_id": cls.barn.id,
                "breed_id": breed.id,
                "birth_date": "2021-01-01",
            }
        )
        cls.cow2 = Animal.create(
            {
                "visual_tag": f"TD-{cls.tag}",
                "eid": f"050{910000000 + n:012d}",
                "sex": "female",
                "status": "lactating",
                "barn_id": cls.barn.id,
                "breed_id": breed.id,
                "birth_date": "2021-02-01",
            }
        )
        cls.env_dev = cls.Device.create(
            {"code": f"ENV-{cls.tag}", "device_type": "environment", "barn_id": cls.barn.id}
        )
        cls.collar = cls.Device.create(
            {"code": f"COL-{cls.tag}", "device_type": "activity_collar", "animal_id": cls.cow.id}
        )
        cls.heat_rule = cls.Rule.create(
            {
                "name": "Heat",
                "metric": "temperature_c",
                "scope": "barn",
                "barn_id": cls.barn.id,
                "use_max": True,
                "max_value": 30.0,
                "duration_min": 15,
                "repeat_count": 3,
                "hysteresis": 1.0,
                "severity": "critical",
                "notify_activity": False,
                "notify_bus": False,
            }
        )

    @classmethod
    def _user(cls, login, *groups):
        return cls.env["res.users"].create(
            {
                "name": login,
                "login": f"{login}_{cls.tag.lower()}",
                "groups_id": [(6, 0, [cls.env.ref(g).id for g in groups])],
            }
        )

    def raise_item(
        self,
        key=None,
        rule=None,
        device=None,
        value=31.0,
        count=3,
        first=None,
        last=None,
        subject=None,
        severity=None,
        animal_eid=None,
    ):
        rule = rule or self.heat_rule
        device = device or self.env_dev
        first = first or utcnow() - timedelta(minutes=20)
        last = last or first + timedelta(minutes=15)
        subject = subject or f"device:{device.code}"
        return {
            "key": key or f"rule{rule.id}:{subject}:{int(first.timestamp())}",
            "rule_id": rule.id,
            "metric": rule.metric or "connectivity",
            "severity": severity or rule.severity,
            "device_code": device.code,
            "animal_eid": animal_eid,
            "subject": subject,
            "value": value,
            "min_value": None,
            "max_value": rule.max_value,
            "first_seen": first.isoformat(),
            "last_seen": last.isoformat(),
            "count": count,
            "message": f"{value} too hot",
        }

    def store(self, topic, payload, received_at=None):
        """Store one MQTT-like message through the ingestor's own code (test transaction)."""
        from iot_ingestor.payloads import parse
        from iot_ingestor.storage import write_batch

        items = parse(topic, json.dumps(payload), received_at or utcnow())
        self.env.flush_all()
        return write_batch(raw_cursor(self.env.cr), items, evaluate_rules=False)
