# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Standing orders: recurrences (hand-counted), idempotency, catch-up, visible failures."""

import unittest
from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.smart_dairy_b2b.lib import standing

from .test_credit_odoo import CreditMixin

MON, THU = 0, 3


class TestRecurrencePure(unittest.TestCase):
    def test_weekly(self):
        # 2026-01-05 is a Monday
        got = standing.occurrences(
            "weekly", date(2026, 1, 5), date(2026, 1, 1), date(2026, 1, 18), weekdays=(MON, THU)
        )
        self.assertEqual([d.day for d in got], [5, 8, 12, 15])

    def test_biweekly_counts_from_start_week(self):
        got = standing.occurrences(
            "biweekly", date(2026, 1, 5), date(2026, 1, 5), date(2026, 1, 25), weekdays=(MON, THU)
        )
        self.assertEqual([d.day for d in got], [5, 8, 19, 22])

    def test_monthly_clamped(self):
        got = standing.occurrences(
            "monthly", date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31), day_of_month=31
        )
        self.assertEqual(got, [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)])

    def test_daily_skip_and_end(self):
        got = standing.occurrences(
            "daily",
            date(2026, 1, 5),
            date(2026, 1, 1),
            date(2026, 1, 31),
            end=date(2026, 1, 8),
            skip={date(2026, 1, 6)},
        )
        self.assertEqual([d.day for d in got], [5, 7, 8])

    def test_catch_up_window_and_existing(self):
        # today Monday 2026-03-02, 60 days back = 2026-01-01 (Thursday).
        # Mon/Thu: January 5 Thu + 4 Mon = 9, February 4 + 4 = 8, March 2 = 1 -> 18
        due = standing.due_occurrences(
            "weekly", date(2025, 10, 1), date(2026, 3, 2), [], weekdays=(MON, THU)
        )
        self.assertEqual(len(due), 18)
        self.assertEqual((due[0], due[-1]), (date(2026, 1, 1), date(2026, 3, 2)))
        again = standing.due_occurrences(
            "weekly", date(2025, 10, 1), date(2026, 3, 2), due[:10], weekdays=(MON, THU)
        )
        self.assertEqual(again, due[10:])
        with self.assertRaises(ValueError):
            standing.occurrences("weekly", date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2))


@tagged("post_install", "-at_install")
class TestStandingOrders(CreditMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        cls.partner = cls._partner("T Standing")
        cls.partner.b2b_set_credit_limit(1000000, "test")
        cls.today = date(2026, 3, 2)

    def _standing(self, partner=None, **vals):
        return self.env["smart.dairy.b2b.standing.order"].create(
            dict(
                {
                    "name": "T weekly doi",
                    "partner_id": (partner or self.partner).id,
                    "rule": "weekly",
                    "mon": True,
                    "thu": True,
                    "date_start": date(2025, 10, 1),
                    "auto_confirm": True,
                    "line_ids": [(0, 0, {"product_id": self.doi.id, "quantity": 2})],
                },
                **vals,
            )
        )

    def test_catch_up_exactly_missed_and_idempotent(self):
        so = self._standing()
        # the cron ran last on 2026-02-01 (window 2025-12-03 .. 2026-02-01), then was down
        first = so._generate(today=date(2026, 2, 1))
        # Dec 4..31: Thu 4,11,18,25 + Mon 8,15,22,29 = 8 ; Jan: 9 ; -> 17
        self.assertEqual(len(first), 17)
        so._generate(today=self.today)
        dates = so.order_ids.mapped("b2b_occurrence_date")
        self.assertEqual(len(dates), len(set(dates)))
        # Feb 2..Mar 2: 8 + 1 = 9 new -> 26 in all; a second run adds nothing
        self.assertEqual(len(so.order_ids), 26)
        self.assertFalse(so._generate(today=self.today))
        self.assertEqual(set(so.order_ids.mapped("state")), {"sale"})
        self.assertEqual(so.order_ids[0].order_line.product_uom_qty, 2)

    def test_database_refuses_a_second_order_for_an_occurrence(self):
        so = self._standing()
        order = so._generate(today=date(2025, 10, 2))
        self.assertEqual(order.b2b_occurrence_date, date(2025, 10, 2))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.env["sale.order"].create(so._prepare_order(date(2025, 10, 2)))

    def test_skip_pause_and_draft(self):
        so = self._standing(
            auto_confirm=False,
            skip_ids=[(0, 0, {"date": date(2026, 3, 2), "reason": "Holiday"})],
        )
        created = so._generate(today=self.today)
        self.assertEqual(len(created), 17)  # 18 minus the holiday
        self.assertEqual(set(created.mapped("state")), {"draft"})
        paused = self._standing(state="paused")
        self.assertFalse(paused._generate(today=self.today))

    def test_failure_visible_and_others_go_on(self):
        held = self._partner("T Standing Held")
        held.b2b_set_credit_limit(100000, "test")
        self._invoice(held, 100, 90)  # on hold
        bad = self._standing(partner=held, rule="monthly", day_of_month=2)
        good = self._standing(rule="monthly", day_of_month=2)
        (bad | good)._generate(today=self.today)
        # 60 days back from 2026-03-02: Jan 2, Feb 2, Mar 2
        self.assertEqual(len(good.order_ids), 3)
        self.assertFalse(bad.order_ids)  # each failed occurrence rolled back on its own
        self.assertEqual(bad.error_count, 3)
        self.assertIn("on hold", bad.last_error)
        self.assertTrue(bad.activity_ids.filtered(lambda a: a.user_id == bad.user_id))

    def test_weekday_required(self):
        with self.assertRaisesRegex(ValidationError, "weekday"):
            self._standing(mon=False, thu=False)
