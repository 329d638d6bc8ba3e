# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from xmlrpc.client import Fault

from odoo.tests import HttpCase, get_db_name, tagged

from .common import G
from .ml_common import MlCase


@tagged("post_install", "-at_install")
class TestMlHttp(MlCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._user("ml_rpc_operator", G + "farm_operator")
        cls.operator.password = "ml_rpc_operator"
        cls.viewer = cls._user("ml_rpc_viewer", G + "farm_viewer")
        cls.viewer.password = "ml_rpc_viewer"

    def test_score_animals_over_xmlrpc(self):
        db = get_db_name()
        uid = self.xmlrpc_common.authenticate(db, "ml_rpc_operator", "ml_rpc_operator", {})
        self.assertEqual(uid, self.operator.id)
        ids = self.cows.ids + [987654321]
        summary = self.xmlrpc_object.execute_kw(
            db, uid, "ml_rpc_operator", "dairy.animal", "score_animals", [ids]
        )
        self.assertEqual(summary["scored"], self.N_COWS)
        self.assertEqual(summary["unknown_ids"], [987654321])
        expected, _results = self.expected(summary["as_of"])
        self.assertEqual(self.open_ml_events(), expected)
        self.assertGreaterEqual(summary["raised"], 2)
        self.assertEqual(summary["alerts"]["heat"], 1)
        self.assertIn("score_s", summary["timings"])
        # a viewer may not trigger scoring (it writes scores and events)
        vuid = self.xmlrpc_common.authenticate(db, "ml_rpc_viewer", "ml_rpc_viewer", {})
        with self.assertRaises(Fault) as cm:
            self.xmlrpc_object.execute_kw(
                db, vuid, "ml_rpc_viewer", "dairy.animal", "score_animals", [self.cows.ids]
            )
        self.assertIn("not allowed", cm.exception.faultString)

    def test_ml_tab_tour(self):
        cow = self.ml_cow(self.CONTROL)
        self.assertTrue(cow.with_user(self.operator).action_ml_score_now())  # "Score now"
        self.assertEqual(cow.ml_score_id.forecast_status, "ok")
        self.start_tour(
            f"/odoo/action-smart_dairy_farm.action_dairy_animal/{cow.id}",
            "smart_dairy_farm_ml_tour",
            login="ml_rpc_operator",
        )
