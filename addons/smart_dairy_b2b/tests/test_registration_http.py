# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The public "Become a partner" form, through real HTTP requests."""

import re

from odoo.tests import HttpCase, tagged

from .common import PDF, PNG


@tagged("post_install", "-at_install")
class TestRegistrationForm(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dhaka = cls.env.ref("l10n_bd_smart.district_bd_13")
        cls.mirpur = cls.env["l10n_bd_smart.upazila"].search(
            [("name", "=", "Mirpur"), ("district_id", "=", cls.dhaka.id)]
        )
        cls.gazipur = cls.env.ref("l10n_bd_smart.district_bd_18")
        cls.tongi = cls.env["l10n_bd_smart.upazila"].search(
            [("name", "=", "Tongi"), ("district_id", "=", cls.gazipur.id)]
        )
        cls.env["ir.config_parameter"].set_param("smart_dairy_b2b.signup_rate_limit_per_hour", 50)
        cls.Application = cls.env["smart.dairy.b2b.application"]

    def _form(self, **overrides):
        res = self.url_open("/b2b/register")
        self.assertEqual(res.status_code, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', res.text).group(1)
        data = {
            "csrf_token": token,
            "company_name": "Shapla Super Shop",
            "partner_type": "retailer",
            "contact_name": "Rahim Uddin",
            "email": "Rahim@Shapla.example",
            "phone": "01712-345678",
            "trade_licence": "dncc-tl-2025-0042",
            "bd_bin": "000987654-0101",
            "bd_etin": "123456789012",
            "vat_registration": "VAT-77",
            "street": "12 Lake Road",
            "district_id": str(self.dhaka.id),
            "upazila_id": str(self.mirpur.id),
            "zip": "1216",
            "delivery_0_name": "Mirpur 10 shop",
            "delivery_0_street": "Shop 4, Mirpur 10",
            "delivery_0_district_id": str(self.dhaka.id),
            "delivery_0_zip": "1216",
            "delivery_0_phone": "+880 1812 345678",
            "delivery_0_opening_hours": "08:00-23:00",
            "delivery_0_window": "06:00-08:00",
            "delivery_1_name": "Uttara warehouse",
            "delivery_1_street": "Sector 7, Uttara",
            "delivery_1_window": "22:00-23:59",
            "delivery_0_latitude": "23.8069",
            "delivery_0_longitude": "90.3687",
        }
        data.update(overrides)
        return data

    def _post(self, data, files=None):
        if files is None:
            files = {
                "doc_trade_licence": ("licence.pdf", PDF, "application/pdf"),
                "doc_bin_certificate": ("bin.png", PNG, "image/png"),
            }
        return self.url_open("/b2b/register", data=data, files=files)

    def test_valid_application(self):
        res = self._post(self._form())
        self.assertEqual(res.status_code, 200, res.text[:1000])
        self.assertIn("o_b2b_application_ref", res.text)
        app = self.Application.search([("company_name", "=", "Shapla Super Shop")])
        self.assertEqual(app.state, "submitted")
        self.assertEqual(app.email, "rahim@shapla.example")
        self.assertEqual(app.phone, "+8801712345678")
        self.assertEqual(app.bd_bin, "0009876540101")
        self.assertEqual(app.trade_licence, "DNCC-TL-2025-0042")
        self.assertEqual(app.ip_address, "127.0.0.1")
        self.assertEqual(
            sorted(app.document_ids.mapped("mimetype")), ["application/pdf", "image/png"]
        )
        self.assertFalse(app.missing_document_type_ids)
        partner = app.partner_id
        self.assertEqual(partner.b2b_status, "pending")
        self.assertEqual(partner.bd_upazila_id, self.mirpur)
        locations = partner.child_ids.filtered(lambda p: p.type == "delivery")
        self.assertEqual(len(locations), 2)
        delivery = locations.filtered(lambda p: p.name == "Mirpur 10 shop")
        second = locations - delivery
        self.assertEqual(second.name, "Uttara warehouse")
        self.assertEqual(second.b2b_delivery_window, "22:00-23:59")
        self.assertEqual(delivery.phone, "+8801812345678")
        self.assertAlmostEqual(delivery.b2b_latitude, 23.8069)
        self.assertEqual(delivery.b2b_delivery_window, "06:00-08:00")
        confirmation = self.env["mail.mail"].search(
            [("model", "=", app._name), ("res_id", "=", app.id)]
        )
        self.assertTrue(confirmation, "a confirmation e-mail is queued")
        self.assertIn("rahim@shapla.example", confirmation[0].email_to)

    def _assert_refused(self, res, message):
        self.assertEqual(res.status_code, 400, res.text[:500])
        self.assertIn(message, res.text)
        self.assertFalse(self.Application.search([("company_name", "=", "Shapla Super Shop")]))
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Shapla Super Shop")]))

    def test_bad_identifiers(self):
        cases = {
            "bd_bin": ("1234-56", "13 digits"),
            "bd_etin": ("12345", "12 digits"),
            "phone": ("+44 20 7946 0958", "Bangladeshi"),
            "email": ("rahim-at-shapla", "not a valid e-mail"),
            "company_name": ("", "Please fill in: Company name"),
        }
        for field, (value, message) in cases.items():
            with self.subTest(field=field):
                res = self._post(self._form(**{field: value}))
                self._assert_refused(res, message)
                # the form keeps what the applicant typed
                self.assertIn("Rahim Uddin", res.text)

    def test_bad_uploads(self):
        big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 1)
        cases = {
            "oversize": (
                {"doc_trade_licence": ("licence.pdf", big, "application/pdf")},
                "limit is 5.0 MB",
            ),
            "wrong type": (
                {"doc_trade_licence": ("licence.exe", b"MZ\x90\x00", "application/pdf")},
                "are accepted",
            ),
            "lying name": (
                {"doc_bin_certificate": ("bin.pdf", b"MZ\x90\x00", "application/pdf")},
                "not a PDF",
            ),
        }
        for label, (files, message) in cases.items():
            with self.subTest(label):
                self._assert_refused(self._post(self._form(), files=files), message)

    def test_duplicates(self):
        self.assertEqual(self._post(self._form()).status_code, 200)
        res = self._post(
            self._form(company_name="Other", trade_licence="OTHER-1", email="o@x.example")
        )
        self.assertEqual(res.status_code, 400)
        self.assertIn("BIN", res.text)
        res = self._post(
            self._form(company_name="Other", bd_bin="000987654-0102", email="o@x.example")
        )
        self.assertEqual(res.status_code, 400)
        self.assertIn("Trade licence", res.text)
        self.assertEqual(self.Application.search_count([("company_name", "=", "Other")]), 0)

    def test_honeypot_stores_nothing(self):
        res = self._post(self._form(company_website="http://spam.example"))
        self.assertEqual(res.status_code, 200)  # the bot is not told
        self.assertFalse(self.Application.search([("company_name", "=", "Shapla Super Shop")]))

    def test_rate_limit_per_ip(self):
        self.env["ir.config_parameter"].set_param("smart_dairy_b2b.signup_rate_limit_per_hour", 2)
        statuses = [
            self._post(self._form(bd_bin="0000000010101", email="x@x.example")).status_code
            for _i in range(3)
        ]
        # 1st and 2nd are processed (the 2nd is a duplicate: 400), the 3rd is throttled
        self.assertEqual(statuses, [200, 400, 429])

    def test_more_documents_upload_page(self):
        self._post(self._form(), files={})
        app = self.Application.search([("company_name", "=", "Shapla Super Shop")])
        self.assertEqual(
            sorted(app.missing_document_type_ids.mapped("code")),
            ["bin_certificate", "trade_licence"],
        )
        app._action_decide("more_info", "Trade licence and BIN certificate")
        token = app.sudo().access_token
        self.assertEqual(
            self.url_open(f"/b2b/application/{app.id}/documents?token=bad").status_code, 404
        )
        page = self.url_open(f"/b2b/application/{app.id}/documents?token={token}")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        res = self.url_open(
            f"/b2b/application/{app.id}/documents?token={token}",
            data={"csrf_token": csrf},
            files={
                "doc_trade_licence": ("licence.pdf", PDF, "application/pdf"),
                "doc_bin_certificate": ("bin.pdf", PDF, "application/pdf"),
            },
        )
        self.assertEqual(res.status_code, 200, res.text[:500])
        self.assertEqual(app.state, "submitted")
        self.assertFalse(app.missing_document_type_ids)

    # ------------------------------------------------------------------ delivery locations
    def test_form_renders_first_location_and_add_button(self):
        page = self.url_open("/b2b/register").text
        self.assertIn('name="delivery_0_street"', page)
        self.assertNotIn('name="delivery_1_street"', page)
        self.assertIn("o_b2b_add_location", page)
        # the upazila options carry their district so that the page can filter them
        self.assertIn(f'value="{self.tongi.id}" data-district="{self.gazipur.id}"', page)

    def test_any_number_of_locations(self):
        extra = {}
        # indexes need not be contiguous (the applicant removed a block in the browser)
        for index, name in ((2, "Tongi depot"), (7, "Gazipur Sadar shop"), (11, "Savar point")):
            extra[f"delivery_{index}_name"] = name
            extra[f"delivery_{index}_street"] = f"{name} street"
        extra["delivery_2_district_id"] = str(self.gazipur.id)
        extra["delivery_2_upazila_id"] = str(self.tongi.id)
        extra["delivery_2_zip"] = "1710"
        extra["delivery_7_upazila_id"] = str(self.tongi.id)  # district deduced
        extra["delivery_9_name"] = "   "  # blank block: ignored
        res = self._post(self._form(**extra))
        self.assertEqual(res.status_code, 200, res.text[:1000])
        app = self.Application.search([("company_name", "=", "Shapla Super Shop")])
        locations = app.partner_id.child_ids.filtered(lambda p: p.type == "delivery")
        self.assertEqual(
            sorted(locations.mapped("name")),
            [
                "Gazipur Sadar shop",
                "Mirpur 10 shop",
                "Savar point",
                "Tongi depot",
                "Uttara warehouse",
            ],
        )
        tongi = locations.filtered(lambda p: p.name == "Tongi depot")
        self.assertEqual(tongi.bd_district_id, self.gazipur)
        self.assertEqual(tongi.bd_upazila_id, self.tongi)
        self.assertEqual(tongi.zip, "1710")
        self.assertEqual(tongi.state_id, self.gazipur.state_id)
        second = locations.filtered(lambda p: p.name == "Gazipur Sadar shop")
        self.assertEqual(second.bd_district_id, self.gazipur)

    def test_bad_locations_are_all_reported_and_kept(self):
        res = self._post(
            self._form(
                **{
                    # location 2: upazila of another district; location 3: bad postcode
                    "delivery_1_district_id": str(self.dhaka.id),
                    "delivery_1_upazila_id": str(self.tongi.id),
                    "delivery_4_name": "Bad postcode point",
                    "delivery_4_zip": "12",
                    "delivery_5_name": "Bad phone point",
                    "delivery_5_phone": "12345",
                    "delivery_6_opening_hours": "08:00-20:00",  # no name nor street
                }
            )
        )
        self._assert_refused(res, "Delivery location 2: Tongi is not in district Dhaka.")
        self.assertIn("Delivery location 3:", res.text)
        self.assertIn("Delivery location 4:", res.text)
        self.assertIn("Delivery location 5: give the location a name or a street.", res.text)
        # every block comes back with what was typed
        self.assertIn('id="delivery_4_zip" value="12"', res.text)
        self.assertIn('id="delivery_1_name" value="Uttara warehouse"', res.text)
        self.assertIn('id="delivery_6_opening_hours" value="08:00-20:00"', res.text)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Bad postcode point")]))

    def test_too_many_locations(self):
        extra = {f"delivery_{i}_name": f"Point {i}" for i in range(2, 22)}
        res = self._post(self._form(**extra))
        self._assert_refused(res, "At most 20 delivery locations")

    def test_company_and_location_mistakes_listed_together(self):
        res = self._post(self._form(company_name="", delivery_1_zip="99"))
        self._assert_refused(res, "Please fill in: Company name")
        self.assertIn("Delivery location 2:", res.text)
