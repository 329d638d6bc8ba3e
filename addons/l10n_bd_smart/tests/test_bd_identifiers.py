# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure-Python tests of the identifier rules (no database needed)."""

import unittest

from odoo.addons.l10n_bd_smart import bd_identifiers as bd


class TestBin(unittest.TestCase):
    def test_normalize_and_format(self):
        self.assertEqual(bd.normalize_bin("000123456-0101"), "0001234560101")
        self.assertEqual(bd.normalize_bin(" 123456789 0101 "), "1234567890101")
        self.assertEqual(bd.format_bin("1234567890101"), "123456789-0101")

    def test_invalid(self):
        for bad in ("", None, "123456789-010", "12345678901012", "12345678A0101", "000000000-0101"):
            with self.subTest(bad=bad):
                self.assertFalse(bd.is_valid_bin(bad))
                with self.assertRaises(ValueError):
                    bd.normalize_bin(bad)

    def test_error_message_explains_format(self):
        with self.assertRaisesRegex(ValueError, "13 digits"):
            bd.normalize_bin("1234")


class TestEtin(unittest.TestCase):
    def test_valid(self):
        self.assertEqual(bd.normalize_etin("1234 5678 9012"), "123456789012")

    def test_invalid(self):
        for bad in ("12345678901", "1234567890123", "000000000000", "12345678901x"):
            with self.subTest(bad=bad):
                self.assertFalse(bd.is_valid_etin(bad))


class TestPhone(unittest.TestCase):
    def test_mobile_forms(self):
        for raw in (
            "01712345678",
            "01712-345678",
            "+880 1712 345678",
            "8801712345678",
            "00880 1712 345678",
            "+880 01712345678",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(bd.normalize_phone(raw), "+8801712345678")

    def test_landline(self):
        self.assertEqual(bd.normalize_phone("02-9876543"), "+88029876543")
        self.assertEqual(bd.normalize_phone("(031) 2345678"), "+880312345678")

    def test_invalid(self):
        for bad in (
            "01212345678",  # no operator uses 2 after 01
            "0171234567",  # one digit short
            "017123456789",  # one digit long
            "+44 20 7946 0958",  # not Bangladesh
            "phone",
            "",
        ):
            with self.subTest(bad=bad):
                self.assertFalse(bd.is_valid_phone(bad))

    def test_postcode(self):
        self.assertEqual(bd.normalize_postcode(" 1207 "), "1207")
        for bad in ("120", "12070", "12a7"):
            with self.assertRaises(ValueError):
                bd.normalize_postcode(bad)
