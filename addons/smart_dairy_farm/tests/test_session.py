# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, tagged

from .common import FarmCase


@tagged("post_install", "-at_install")
class TestMilkingSession(FarmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._calve(cls.cow, 30)
        cls._calve(cls.cow2, 60)
        cls.dry = cls._animal("T-003", years=5)  # heifer: not milked

    def _form(self):
        form = Form(self.env["dairy.milking.session"])
        form.barn_id = self.barn
        form.session = "am"
        return form

    def test_grid_lists_lactating_cows_and_saves_in_one_batch(self):
        form = self._form()
        self.assertEqual(len(form.line_ids), 2)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.animal_id, self.cow)
            line.yield_l = 7.5
            line.fat_pct = 4.2
        with form.line_ids.edit(1) as line:
            line.yield_l = 6.0
        self.assertEqual(form.total_l, 13.5)
        wizard = form.save()
        Milk = type(self.env["dairy.milk.record"])
        original = Milk.create
        calls = []

        def spy(records, vals_list):
            calls.append(len(vals_list) if isinstance(vals_list, list) else 1)
            return original(records, vals_list)

        with patch.object(Milk, "create", spy):
            action = wizard.action_save()
        self.assertEqual(calls, [2])
        records = self.env["dairy.milk.record"].browse(action["domain"][0][2])
        self.assertEqual(sorted(records.mapped("yield_l")), [6.0, 7.5])
        self.assertEqual(set(records.mapped("session")), {"am"})
        # reopening the same milking lists only the cows not yet recorded
        self.assertEqual(len(self._form().line_ids), 0)

    def test_bad_line_saves_nothing(self):
        form = self._form()
        with form.line_ids.edit(0) as line:
            line.yield_l = 8
        with form.line_ids.edit(1) as line:
            line.yield_l = 75  # typo
        wizard = form.save()
        with self.assertRaisesRegex(ValidationError, "Yield"):
            wizard.action_save()
        self.assertFalse(self.Milk.search([("animal_id", "in", (self.cow | self.cow2).ids)]))
        empty = self._form().save()
        empty.line_ids.yield_l = 0
        with self.assertRaises(UserError):
            empty.action_save()


@tagged("post_install", "-at_install")
class TestMilkingSessionTour(HttpCase):
    def test_record_session_in_browser(self):
        env = self.env
        barn = env["dairy.barn"].create({"name": "Tour barn", "code": "TOUR"})
        cows = env["dairy.animal"].create(
            [
                {"visual_tag": f"TOUR-{i}", "birth_date": "2021-01-01", "barn_id": barn.id}
                for i in (1, 2, 3)
            ]
        )
        env["dairy.breeding.event"].create(
            [{"animal_id": c.id, "event_type": "calving", "date": "2026-01-10"} for c in cows]
        )
        self.start_tour(
            "/odoo/action-smart_dairy_farm.action_dairy_milking_session",
            "smart_dairy_farm_milking_session_tour",
            login="admin",
        )
        records = env["dairy.milk.record"].search([("animal_id", "in", cows.ids)])
        self.assertEqual(sorted(records.mapped("yield_l")), [6.5, 7.25, 8.0])
        self.assertEqual(set(records.mapped("source")), {"manual"})


@tagged("post_install", "-at_install")
class TestHerdTour(HttpCase):
    def test_herd_views_in_browser(self):
        env = self.env
        viewer = env["res.users"].create(
            {
                "name": "Tour viewer",
                "login": "farm_tour_viewer",
                "password": "farm_tour_viewer",
                "groups_id": [(6, 0, [env.ref("smart_dairy_base.group_farm_viewer").id])],
            }
        )
        cow = env["dairy.animal"].create({"visual_tag": "TOURH-1", "birth_date": "2021-01-01"})
        env["dairy.breeding.event"].create(
            {"animal_id": cow.id, "event_type": "calving", "date": "2026-01-10"}
        )
        env["dairy.milk.record"].create({"animal_id": cow.id, "date": "2026-02-01", "yield_l": 9.5})
        env["dairy.health.event"].create(
            {"animal_id": cow.id, "event_type": "treatment", "withdrawal_days": 30}
        )
        self.assertTrue(cow.under_withdrawal)
        self.start_tour("/odoo/dairy-herd", "smart_dairy_farm_herd_tour", login=viewer.login)
