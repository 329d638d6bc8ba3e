# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FarmCase


@tagged("post_install", "-at_install")
class TestMilk(FarmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._calve(cls.cow, 40)

    def test_bad_input_is_refused_and_nothing_saved(self):
        cases = [
            ({"yield_l": -1}, "Yield"),
            ({"yield_l": 60.5}, "Yield"),
            ({"fat_pct": 25}, "Fat"),
            ({"snf_pct": 2}, "SNF"),
            ({"scc": -5}, "SCC"),
        ]
        for extra, field in cases:
            with self.subTest(field=field), self.assertRaisesRegex(ValidationError, field):
                self.Milk.create(
                    [
                        {
                            "animal_id": self.cow.id,
                            "date": self.today,
                            "session": "am",
                            "yield_l": 10,
                        },
                        dict(
                            {
                                "animal_id": self.cow2.id,
                                "date": self.today,
                                "session": "am",
                                "yield_l": 10,
                            },
                            **extra,
                        ),
                    ]
                )
        self.assertFalse(self.Milk.search([("animal_id", "in", (self.cow | self.cow2).ids)]))
        with self.assertRaisesRegex(ValidationError, "before .* was born"):
            self.Milk.create(
                {
                    "animal_id": self.cow.id,
                    "yield_l": 5,
                    "date": self.cow.birth_date - timedelta(days=1),
                }
            )
        with self.assertRaisesRegex(ValidationError, "male"):
            self.Milk.create({"animal_id": self.bull.id, "yield_l": 5, "date": self.today})
        self._milk(self.cow, 0)
        with self.assertRaisesRegex(ValidationError, "Session.*already has"):
            self._milk(self.cow, 0)

    def test_context_fields_and_lactation_totals(self):
        day1 = self._milk(self.cow, 10, "am", 7.0, fat_pct=4.1, snf_pct=8.5)
        self._milk(self.cow, 10, "pm", 5.0)
        self._milk(self.cow, 9, "am", 6.0)
        lac = self.cow.current_lactation_id
        self.assertEqual(day1.lactation_id, lac)
        self.assertEqual(day1.dim, 30)
        self.assertEqual(day1.lactation_stage, "early")
        self.assertEqual(day1.barn_id, self.barn)
        self.assertEqual(day1.breed_id, self.breed)
        self.assertTrue(day1.milking_time)
        self.assertEqual(lac.total_yield, 18.0)
        self.assertEqual(lac.peak_yield, 12.0)
        self.assertEqual(lac.peak_dim, 30)
        self.assertEqual(self.cow.current_lactation_yield, 18.0)
        # 7-day average over days with records: only day -9 is in the window
        self.assertEqual(self.cow.avg_yield_7d, 0.0)
        self._milk(self.cow, 1, "am", 8.0)
        self._milk(self.cow, 1, "pm", 6.0)
        self._milk(self.cow, 0, "am", 9.0)
        self.assertEqual(self.cow.avg_yield_7d, round((14.0 + 9.0) / 2, 2))
        # moving the barn later does not rewrite history
        other = self.env["dairy.barn"].create({"name": "Other", "code": "TS2"})
        self.cow.barn_id = other
        self.assertEqual(day1.barn_id, self.barn)

    def test_withdrawal_flags_and_sellable_totals(self):
        before = self._milk(self.cow, 5, "am", 10.0)
        treated = self.Health.create(
            {
                "animal_id": self.cow.id,
                "date": self.today - timedelta(days=4),
                "event_type": "treatment",
                "disease": "mastitis",
                "product_id": self.medicine.id,
                "dose": 1,
                "dose_unit": "tube",
            }
        )
        self.assertEqual(treated.withdrawal_days, 4)
        self.assertEqual(treated.milk_sellable_from, self.today)
        during = self._milk(self.cow, 2, "am", 8.0)
        after = self._milk(self.cow, 0, "am", 9.0)
        self.assertFalse(before.under_withdrawal)
        self.assertTrue(during.under_withdrawal)
        self.assertEqual(during.sellable_yield_l, 0.0)
        self.assertEqual(during.withdrawn_yield_l, 8.0)
        self.assertFalse(after.under_withdrawal)
        totals = self.Milk.get_daily_totals(
            self.today - timedelta(days=5), self.today, barn_ids=self.barn.ids
        )
        day = (self.today - timedelta(days=2)).isoformat()
        self.assertEqual(totals[day], {"total": 8.0, "sellable": 0.0, "withdrawn": 8.0, "cows": 1})
        # a treatment recorded later flags the milk already recorded
        self.Health.create(
            {
                "animal_id": self.cow.id,
                "date": self.today - timedelta(days=6),
                "event_type": "treatment",
                "product_id": self.medicine.id,
            }
        )
        self.assertTrue(before.under_withdrawal)
        self.assertEqual(before.sellable_yield_l, 0.0)
        # the daily SQL view agrees
        self.env.flush_all()
        daily = self.env["dairy.milk.daily"].search(
            [("barn_id", "=", self.barn.id), ("date", "=", self.today - timedelta(days=2))]
        )
        self.assertEqual((daily.total_l, daily.sellable_l, daily.withdrawn_l), (8.0, 0.0, 8.0))
        # the animal is flagged while the withdrawal runs
        self.assertFalse(self.cow.under_withdrawal)  # sellable again from today
        self.Health.create(
            {
                "animal_id": self.cow.id,
                "date": self.today,
                "event_type": "treatment",
                "product_id": self.medicine.id,
            }
        )
        self.assertTrue(self.cow.under_withdrawal)
        self.assertIn(self.cow, self.Animal.search([("under_withdrawal", "=", True)]))

    def test_record_readings_is_idempotent(self):
        readings = [
            {
                "eid": self.cow.eid,
                "milking_time": "2026-01-01 23:40:00",
                "yield_l": 7.5,
                "external_ref": "MM-P01:123",
            },
            {
                "visual_tag": self.cow2.visual_tag,
                "date": self.today,
                "session": "pm",
                "yield_l": 6.0,
                "external_ref": "MM-P02:124",
                "conductivity": 5.1,
            },
        ]
        self._calve(self.cow2, 10)
        self.cow.birth_date = self.cow.birth_date - timedelta(days=365 * 2)
        ids = self.Milk.record_readings(readings)
        self.assertEqual(len(ids), 2)
        first = self.Milk.browse(ids[0])
        # 23:40 UTC = 05:40 next morning in Dhaka
        self.assertEqual((first.date.isoformat(), first.session), ("2026-01-02", "am"))
        self.assertEqual(first.source, "meter")
        self.assertEqual(self.Milk.record_readings(readings), [])
        with self.assertRaisesRegex(ValidationError, "unknown animal"):
            self.Milk.record_readings(
                [{"eid": "050000000999999", "yield_l": 1, "date": self.today}]
            )
