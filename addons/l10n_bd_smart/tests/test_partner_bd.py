# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPartnerBd(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bd = cls.env.ref("base.bd")
        cls.dhaka = cls.env.ref("l10n_bd_smart.district_bd_13")
        cls.gazipur = cls.env.ref("l10n_bd_smart.district_bd_18")
        cls.mirpur = cls.env["l10n_bd_smart.upazila"].search(
            [("name", "=", "Mirpur"), ("district_id", "=", cls.dhaka.id)]
        )

    def test_geography_data(self):
        districts = self.env["l10n_bd_smart.district"].search([])
        self.assertEqual(len(districts), 64)
        self.assertEqual(len(districts.mapped("state_id")), 8)
        self.assertEqual(self.dhaka.state_id, self.env.ref("l10n_bd.state_bd_c"))
        self.assertTrue(self.mirpur)

    def test_identifiers_are_normalised_and_displayed(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Padma Sweets Ltd",
                "is_company": True,
                "country_id": self.bd.id,
                "bd_bin": "000123456-0101",
                "bd_etin": "1234 5678 9012",
                "phone": "01712-345678",
                "bd_upazila_id": self.mirpur.id,
            }
        )
        self.assertEqual(partner.bd_bin, "0001234560101")
        self.assertEqual(partner.bd_bin_display, "000123456-0101")
        self.assertEqual(partner.bd_etin, "123456789012")
        self.assertEqual(partner.phone, "+8801712345678")
        # the upazila fills district and division
        self.assertEqual(partner.bd_district_id, self.dhaka)
        self.assertEqual(partner.state_id, self.env.ref("l10n_bd.state_bd_c"))
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": partner.id})
        self.assertEqual(contact.bd_bin, partner.bd_bin, "BIN is a commercial field")

    def test_bad_bin_refused_nothing_written(self):
        count = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(ValidationError, "13 digits"):
            self.env["res.partner"].create({"name": "X", "bd_bin": "12345"})
        with self.assertRaisesRegex(ValidationError, "12 digits"):
            self.env["res.partner"].create({"name": "X", "bd_etin": "12345"})
        self.assertEqual(self.env["res.partner"].search_count([]), count)

    def test_duplicate_bin_refused(self):
        self.env["res.partner"].create({"name": "A", "is_company": True, "bd_bin": "1112223330001"})
        with self.assertRaisesRegex(ValidationError, "already registered"):
            self.env["res.partner"].create(
                {"name": "B", "is_company": True, "bd_bin": "111222333-0001"}
            )

    def test_geography_mismatch_refused(self):
        with self.assertRaisesRegex(ValidationError, "not in district"):
            self.env["res.partner"].create(
                {
                    "name": "X",
                    "bd_district_id": self.gazipur.id,
                    "bd_upazila_id": self.mirpur.id,
                }
            )

    def test_phone_without_country_untouched(self):
        partner = self.env["res.partner"].create({"name": "No country", "phone": "0475 12 34 56"})
        self.assertEqual(partner.phone, "0475 12 34 56")
        partner.country_id = self.bd
        partner.phone = "01712-345678"
        self.assertEqual(partner.phone, "+8801712345678")

    def test_foreign_phone_untouched(self):
        partner = self.env["res.partner"].create(
            {"name": "UK", "country_id": self.env.ref("base.uk").id, "phone": "+44 20 7946 0958"}
        )
        self.assertEqual(partner.phone, "+44 20 7946 0958")
