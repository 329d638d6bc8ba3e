# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credit rules without a database; expected values computed by hand in the comments."""

import unittest
from datetime import date, timedelta

from odoo.addons.smart_dairy_b2b.lib import credit
from odoo.addons.smart_dairy_b2b.lib.credit import ScoreInput

TODAY = date(2026, 6, 30)


def ago(days):
    return TODAY - timedelta(days=days)


class TestAging(unittest.TestCase):
    def test_bucket_edges(self):
        for days, bucket in (
            (-10, "0_30"),
            (0, "0_30"),
            (30, "0_30"),
            (31, "31_60"),
            (60, "31_60"),
            (61, "61_90"),
            (90, "61_90"),
            (91, "90_plus"),
        ):
            with self.subTest(days=days):
                self.assertEqual(credit.bucket_of(days), bucket)

    def test_aging_by_hand(self):
        items = [
            (ago(-5), 1000.0),  # not due yet -> 0-30
            (ago(12), 500.0),  # 0-30
            (ago(45), 2000.0),  # 31-60
            (ago(75), 300.0),  # 61-90
            (ago(120), 700.0),  # 90+
            (ago(200), 50.0),  # 90+  (max overdue 200 days)
        ]
        result = credit.aging(items, TODAY)
        self.assertEqual(result["0_30"], 1500.0)
        self.assertEqual(result["31_60"], 2000.0)
        self.assertEqual(result["61_90"], 300.0)
        self.assertEqual(result["90_plus"], 750.0)
        self.assertEqual(result["max_overdue_days"], 200)

    def test_nothing_overdue(self):
        self.assertEqual(credit.aging([(ago(-3), 10.0)], TODAY)["max_overdue_days"], 0)


class TestExposureStatus(unittest.TestCase):
    def test_exposure_and_utilisation(self):
        # 40,000 receivable + 5,000 uninvoiced = 45,000 ; drafts 3,000 only when asked
        self.assertEqual(credit.exposure(40000, 5000, 3000), 45000)
        self.assertEqual(credit.exposure(40000, 5000, 3000, include_drafts=True), 48000)
        # 45,000 / 50,000 = 90 %
        self.assertEqual(credit.utilisation(45000, 50000), 90.0)
        self.assertEqual(credit.utilisation(0, 0), 0.0)
        self.assertEqual(credit.utilisation(1, 0), 100.0)

    def test_transitions(self):
        self.assertEqual(credit.auto_status(89.99, 0), "active")
        self.assertEqual(credit.auto_status(90.0, 0), "cash_only")
        self.assertEqual(credit.auto_status(99.99, 0), "cash_only")
        self.assertEqual(credit.auto_status(100.0, 0), "on_hold")
        self.assertEqual(credit.auto_status(10.0, 61, hold_overdue_days=60), "on_hold")
        self.assertEqual(credit.auto_status(10.0, 60, hold_overdue_days=60), "active")
        self.assertEqual(credit.effective_status("on_hold", "active"), "active")
        self.assertEqual(credit.effective_status("cash_only", None), "cash_only")

    def test_check_order(self):
        self.assertIsNone(credit.check_order("active", 40000, 50000, 10000))
        self.assertIn("above the credit limit", credit.check_order("active", 40000, 50000, 10001))
        self.assertIn("cash only", credit.check_order("cash_only", 1, 50000, 1))
        self.assertIsNone(credit.check_order("cash_only", 1, 50000, 1, prepaid=True))
        self.assertIn("on hold", credit.check_order("on_hold", 0, 50000, 1, prepaid=True))
        self.assertIn("suspended", credit.check_order("suspended", 0, 50000, 1))
        # no limit configured: amount never blocks an active partner
        self.assertIsNone(credit.check_order("active", 10**9, 0, 10**6))


class TestScore(unittest.TestCase):
    def test_score_by_hand(self):
        data = ScoreInput(
            paid_total=100000,
            paid_on_time=80000,  # 0.8
            receivable=50000,
            overdue=10000,  # 1 - 0.2 = 0.8
            volume_12m=500000,  # 0.5 of 1,000,000
            since=date(2025, 6, 30),  # 12 months -> 12/36 = 0.3333
            today=TODAY,
        )
        score, band, factors = credit.credit_score(data)
        self.assertAlmostEqual(factors["payment_history"], 0.8)
        self.assertAlmostEqual(factors["overdue_ratio"], 0.8)
        self.assertAlmostEqual(factors["order_volume"], 0.5)
        self.assertAlmostEqual(factors["age"], 1 / 3)
        # 100 x (0.4x0.8 + 0.25x0.8 + 0.2x0.5 + 0.15x0.3333) = 32 + 20 + 10 + 5 = 67
        self.assertEqual(score, 67)
        self.assertEqual(band, "normal")

    def test_perfect_and_worst(self):
        best = ScoreInput(100, 100, 0, 0, 2e6, since=date(2020, 1, 1), today=TODAY)
        self.assertEqual(credit.credit_score(best)[:2], (100, "low"))
        worst = ScoreInput(100, 0, 100, 100, 0, since=TODAY, today=TODAY)
        self.assertEqual(credit.credit_score(worst)[:2], (0, "critical"))

    def test_no_history_is_neutral(self):
        # payment 0.5 (unknown) x 40 = 20 ; overdue 1 x 25 = 25 ; volume 0 ; age 0 -> 45
        score, band, _f = credit.credit_score(ScoreInput(since=TODAY, today=TODAY))
        self.assertEqual((score, band), (45, "high"))

    def test_bands(self):
        for score, band in ((80, "low"), (79, "normal"), (65, "normal"), (64, "elevated")):
            self.assertEqual(credit.band_of(score), band)
        for score, band in ((50, "elevated"), (49, "high"), (35, "high"), (34, "critical")):
            self.assertEqual(credit.band_of(score), band)
