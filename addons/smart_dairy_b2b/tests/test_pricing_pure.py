# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure-Python business rules (no database): pricing maths, uploads, roles.

Expected values are computed by hand in the comments.
"""

import unittest
from datetime import date

from odoo.addons.smart_dairy_b2b.lib import pricing, roles, uploads
from odoo.addons.smart_dairy_b2b.lib.pricing import Promotion, QuantityBreak

BREAKS = [QuantityBreak(0, 0), QuantityBreak(10, 3), QuantityBreak(50, 5), QuantityBreak(100, 8)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class TestPricingMaths(unittest.TestCase):
    def test_round_money_half_up(self):
        self.assertEqual(pricing.round_money(1.005), 1.01)  # binary float would give 1.00
        self.assertEqual(pricing.round_money(2.675), 2.68)
        self.assertEqual(pricing.round_money(57.6, 0.5), 57.5)
        self.assertEqual(pricing.round_money(57.75, 0.5), 58.0)
        self.assertEqual(pricing.round_money(93.12, 1), 93.0)

    def test_select_break(self):
        self.assertEqual(pricing.select_break(BREAKS, 1).discount_pct, 0)
        self.assertEqual(pricing.select_break(BREAKS, 9.99).discount_pct, 0)
        self.assertEqual(pricing.select_break(BREAKS, 10).discount_pct, 3)
        self.assertEqual(pricing.select_break(BREAKS, 99).discount_pct, 5)
        self.assertEqual(pricing.select_break(BREAKS, 100).discount_pct, 8)
        self.assertIsNone(pricing.select_break([QuantityBreak(10, 3)], 5))

    def test_break_prices_by_hand(self):
        # 95 BDT x (1 - 3 %) = 92.15 ; x (1 - 5 %) = 90.25 ; x (1 - 8 %) = 87.40
        for qty, expected in ((1, 95.0), (10, 92.15), (50, 90.25), (100, 87.4)):
            with self.subTest(qty=qty):
                self.assertEqual(pricing.resolve_unit_price(95, qty, BREAKS), expected)

    def test_break_table(self):
        self.assertEqual(
            pricing.break_table(50, BREAKS),
            [(1.0, 0, 50.0), (10, 3, 48.5), (50, 5, 47.5), (100, 8, 46.0)],
        )
        # a coarser price rounding merges steps that no longer change the price
        table = pricing.break_table(10, [QuantityBreak(0, 0), QuantityBreak(10, 3)], 1.0)
        self.assertEqual(table, [(1.0, 0, 10.0)])  # 9.70 rounds back to 10

    def test_promotion_dates_and_contract_precedence(self):
        promo = Promotion(10, date(2025, 3, 1), date(2025, 3, 31))
        # inside the dates the promotion (10 %) wins over the 3 % break: 120 x 0.9 = 108
        self.assertEqual(
            pricing.resolve_unit_price(120, 12, BREAKS, [promo], day=date(2025, 3, 15)), 108.0
        )
        # the day after, back to the break: 120 x 0.97 = 116.40
        self.assertEqual(
            pricing.resolve_unit_price(120, 12, BREAKS, [promo], day=date(2025, 4, 1)), 116.4
        )
        # a contract price wins over everything
        self.assertEqual(
            pricing.resolve_unit_price(
                120, 12, BREAKS, [promo], contract_price=99.999, day=date(2025, 3, 15)
            ),
            100.0,
        )

    def test_family_quantities(self):
        lines = [("yogurt", 24), ("milk", 12), ("yogurt", 36)]
        self.assertEqual(pricing.family_quantities(lines), {"yogurt": 60, "milk": 12})
        # 60 yogurt units on the order reach the 50+ break (5 %) although no line does
        self.assertEqual(pricing.select_break(BREAKS, 60).discount_pct, 5)

    def test_pack_quantities(self):
        self.assertEqual(pricing.check_order_quantity(48, 24, 24), 48)
        with self.assertRaisesRegex(ValueError, "minimum order is 24"):
            pricing.check_order_quantity(12, 24, 24)
        with self.assertRaisesRegex(ValueError, "multiples of 24"):
            pricing.check_order_quantity(30, 24, 24)
        with self.assertRaisesRegex(ValueError, "positive"):
            pricing.check_order_quantity(0)
        self.assertEqual(pricing.suggest_quantity(30, 24, 24), 48)
        self.assertEqual(pricing.suggest_quantity(5, 24, 12), 24)

    def test_invalid_breaks(self):
        with self.assertRaises(ValueError):
            QuantityBreak(-1, 3)
        with self.assertRaises(ValueError):
            QuantityBreak(10, 100)


class TestUploads(unittest.TestCase):
    def test_accepts_real_files(self):
        self.assertEqual(uploads.check_upload("licence.PDF", PDF), "application/pdf")
        self.assertEqual(uploads.check_upload("bin.png", PNG), "image/png")

    def test_refuses(self):
        cases = {
            "empty": ("a.pdf", b""),
            "limit is 5.0 MB": ("big.pdf", PDF + b"0" * (5 * 1024 * 1024)),
            "are accepted": ("virus.exe", b"MZ\x90\x00"),
            "not a PDF": ("fake.pdf", b"MZ\x90\x00 renamed executable"),
            "no name": ("", PDF),
        }
        for message, (name, data) in cases.items():
            with self.subTest(message), self.assertRaisesRegex(ValueError, message):
                uploads.check_upload(name, data)

    def test_type_restriction(self):
        with self.assertRaisesRegex(ValueError, "only .pdf"):
            uploads.check_upload("scan.png", PNG, allowed=("application/pdf",))


class TestRoles(unittest.TestCase):
    def test_matrix(self):
        self.assertTrue(roles.can("admin", "manage_users"))
        self.assertFalse(roles.can("manager", "manage_users"))
        self.assertTrue(roles.can("buyer", "order"))
        self.assertFalse(roles.can("buyer", "invoices"))
        self.assertFalse(roles.can("viewer", "order"))
        self.assertFalse(roles.can(None, "order"))

    def test_order_limit(self):
        self.assertTrue(roles.check_order_limit("buyer", 10000, 9999.99))
        with self.assertRaisesRegex(ValueError, "personal order limit"):
            roles.check_order_limit("buyer", 10000, 10000.01)
        self.assertTrue(roles.check_order_limit("manager", 10000, 1e6))  # limit is for buyers
        with self.assertRaisesRegex(ValueError, "does not allow"):
            roles.check_order_limit("viewer", 0, 1)
