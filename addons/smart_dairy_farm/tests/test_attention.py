# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import xmlrpc.client
from datetime import datetime

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import FarmCase


@tagged("post_install", "-at_install")
class TestAttention(FarmCase):
    def test_one_open_event_per_animal_and_cause(self):
        Attention = self.env["dairy.attention.event"]
        first = Attention.raise_attention(
            self.cow.id,
            "mastitis",
            {"priority": "1", "source": "ml", "score": 0.7, "seen_at": "2026-05-01 06:00:00"},
        )
        again = Attention.raise_attention(
            self.cow.id,
            "mastitis",
            {"priority": "3", "score": 0.9, "seen_at": datetime(2026, 5, 1, 7, 0)},
        )
        self.assertEqual(first, again)
        event = Attention.browse(first)
        self.assertEqual(event.category, "health")
        self.assertEqual(event.priority, "3")
        self.assertEqual(event.severity, "critical")
        self.assertEqual(event.occurrence_count, 2)
        self.assertEqual(event.score, 0.9)
        self.assertEqual(event.name, "T-001: Mastitis")
        self.assertEqual(event.company_id, self.cow.company_id)
        heat = Attention.raise_attention(self.cow.id, "heat")
        self.assertNotEqual(heat, first)
        self.assertEqual(Attention.browse(heat).category, "behaviour")
        self.assertEqual(self.cow.open_attention_count, 2)
        self.assertIn(self.cow, self.Animal.search([("attention_event_ids.is_open", "=", True)]))
        event.action_acknowledge()
        event.action_resolve(note="treated")
        self.assertEqual(self.cow.open_attention_count, 1)
        self.assertNotEqual(Attention.raise_attention(self.cow.id, "mastitis"), first)
        with self.assertRaisesRegex(ValidationError, "Cause"):
            Attention.raise_attention(self.cow.id, "sunburn")
        with self.assertRaisesRegex(ValidationError, "Animal"):
            Attention.raise_attention(0, "heat")


@tagged("post_install", "-at_install")
class TestXmlRpc(HttpCase):
    """The public methods the ML package and the IoT ingestor call, over real XML-RPC."""

    def test_xmlrpc_entry_points(self):
        cow = self.env["dairy.animal"].create(
            {
                "visual_tag": "RPC-1",
                "eid": "050000000901001",
                "sex": "female",
                "birth_date": "2022-01-01",
                "status": "lactating",
            }
        )
        models = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{self.http_port()}/xmlrpc/2/object", allow_none=True
        )
        db, uid = self.env.cr.dbname, self.env.ref("base.user_admin").id
        event_id = models.execute_kw(
            db,
            uid,
            "admin",
            "dairy.attention.event",
            "raise_attention",
            [cow.id, "heat", {"source": "ml", "score": 0.82}],
        )
        self.assertEqual(
            models.execute_kw(
                db,
                uid,
                "admin",
                "dairy.attention.event",
                "raise_attention",
                [cow.id, "heat", {"source": "ml", "score": 0.9}],
            ),
            event_id,
        )
        readings = [
            {
                "eid": "050000000901001",
                "milking_time": "2026-03-01 10:45:00",
                "yield_l": 6.5,
                "external_ref": "MM-P03:42",
            }
        ]
        ids = models.execute_kw(
            db, uid, "admin", "dairy.milk.record", "record_readings", [readings]
        )
        self.assertEqual(len(ids), 1)
        self.assertEqual(
            models.execute_kw(db, uid, "admin", "dairy.milk.record", "record_readings", [readings]),
            [],
        )
        event = self.env["dairy.attention.event"].browse(event_id)
        self.assertEqual((event.occurrence_count, event.score), (2, 0.9))
        record = self.env["dairy.milk.record"].browse(ids)
        self.assertEqual((record.session, record.yield_l), ("pm", 6.5))
