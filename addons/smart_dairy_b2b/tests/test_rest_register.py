# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``POST /api/v1/b2b/partners/register`` through real HTTP requests to the test server.

Answers are validated against the OpenAPI document the server serves.
"""

import base64

import jsonschema

from odoo.tests import HttpCase, tagged

from .common import PDF, PNG

URL = "/api/v1/b2b/partners/register"


def b64(data):
    return base64.b64encode(data).decode()


@tagged("post_install", "-at_install")
class TestRestRegister(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dhaka = cls.env.ref("l10n_bd_smart.district_bd_13")
        cls.mirpur = cls.env["l10n_bd_smart.upazila"].search(
            [("name", "=", "Mirpur"), ("district_id", "=", cls.dhaka.id)]
        )
        cls.other_upazila = cls.env["l10n_bd_smart.upazila"].search(
            [("district_id", "!=", cls.dhaka.id)], limit=1
        )
        cls.env["ir.config_parameter"].set_param("smart_dairy_b2b.signup_rate_limit_per_hour", 50)
        cls.Application = cls.env["smart.dairy.b2b.application"]

    def setUp(self):
        super().setUp()
        self.doc = self.url_open("/api/v1/b2b/openapi.json").json()

    def _payload(self, **overrides):
        data = {
            "company_name": "Padma Sweets API",
            "partner_type": "horeca",
            "contact_name": "Karim Ahmed",
            "email": "Karim@Padma.example",
            "phone": "01712-345679",
            "trade_licence": "dncc-tl-2025-0777",
            "bd_bin": "000987655-0101",
            "bd_etin": "123456789013",
            "vat_registration": "VAT-78",
            "street": "3 Ring Road",
            "district_id": self.dhaka.id,
            "upazila_id": self.mirpur.id,
            "zip": "1216",
            "delivery_locations": [
                {
                    "name": "Mirpur kitchen",
                    "street": "Plot 9, Mirpur 2",
                    "district_id": self.dhaka.id,
                    "upazila_id": self.mirpur.id,
                    "zip": "1216",
                    "phone": "+880 1812 345679",
                    "contact": "Chef Babu",
                    "opening_hours": "07:00-23:00",
                    "delivery_window": "05:00-07:00",
                    "latitude": 23.8069,
                    "longitude": 90.3687,
                },
                {"name": "Gulshan outlet", "street": "Road 11, Gulshan 2"},
            ],
            "documents": [
                {
                    "type": "trade_licence",
                    "filename": "licence.pdf",
                    "mimetype": "application/pdf",
                    "content": b64(PDF),
                },
                {
                    "type": "bin_certificate",
                    "filename": "bin.png",
                    "mimetype": "image/png",
                    "content": b64(PNG),
                },
            ],
        }
        data.update(overrides)
        return data

    def _post(self, payload):
        return self.opener.post(self.base_url() + URL, json=payload, timeout=60)

    def _check(self, res, status, schema):
        self.assertEqual(res.status_code, status, res.text[:2000])
        responses = self.doc["paths"]["/partners/register"]["post"]["responses"]
        self.assertIn(str(status), responses)
        body = res.json()
        jsonschema.validate(
            body, {"$ref": f"#/components/schemas/{schema}", "components": self.doc["components"]}
        )
        return body

    def _counts(self):
        return (
            self.Application.search_count([]),
            self.env["res.partner"].with_context(active_test=False).search_count([]),
            self.env["smart.dairy.b2b.document"].search_count([]),
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "smart.dairy.b2b.document")]
            ),
            self.env["mail.mail"].search_count([]),
        )

    def _refused(self, payload, code="invalid_application"):
        before = self._counts()
        body = self._check(self._post(payload), 422, "Error")
        self.assertEqual(body["error"]["code"], code)
        self.assertEqual(self._counts(), before, "nothing stored")
        return body["error"]["details"].get("fields", {})

    # ------------------------------------------------------------------ tests
    def test_openapi_documents_register(self):
        op = self.doc["paths"]["/partners/register"]["post"]
        self.assertEqual(op["security"], [])  # public: no API key
        body_schema = op["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(body_schema, {"$ref": "#/components/schemas/RegistrationIn"})
        required = set(self.doc["components"]["schemas"]["RegistrationIn"]["required"])
        self.assertEqual(
            required,
            {
                "company_name",
                "partner_type",
                "contact_name",
                "email",
                "phone",
                "trade_licence",
                "bd_bin",
                "district_id",
            },
        )
        self.assertEqual(set(op["responses"]), {"201", "400", "422", "429"})

    def test_register_creates_and_submits(self):
        body = self._check(self._post(self._payload()), 201, "Registration")
        app = self.Application.browse(body["id"])
        self.assertEqual((body["reference"], body["state"]), (app.name, "submitted"))
        self.assertEqual(app.state, "submitted")
        self.assertEqual(app.company_name, "Padma Sweets API")
        self.assertEqual(app.email, "karim@padma.example")
        self.assertEqual(app.phone, "+8801712345679")
        self.assertEqual(app.bd_bin, "0009876550101")
        self.assertEqual(app.bd_etin, "123456789013")
        self.assertEqual(app.trade_licence, "DNCC-TL-2025-0777")
        self.assertEqual(app.upazila_id, self.mirpur)
        self.assertEqual(app.ip_address, "127.0.0.1")
        self.assertEqual(
            sorted(app.document_ids.mapped("mimetype")), ["application/pdf", "image/png"]
        )
        self.assertFalse(app.missing_document_type_ids)
        self.assertEqual(app.partner_id.b2b_status, "pending")
        self.assertEqual(app.partner_id.b2b_partner_type, "horeca")
        locations = app.partner_id.child_ids.filtered(lambda p: p.type == "delivery")
        self.assertEqual(sorted(locations.mapped("name")), ["Gulshan outlet", "Mirpur kitchen"])
        kitchen = locations.filtered(lambda p: p.name == "Mirpur kitchen")
        self.assertEqual(kitchen.phone, "+8801812345679")
        self.assertEqual(kitchen.bd_upazila_id, self.mirpur)
        self.assertIn("Chef Babu", kitchen.comment)  # an HTML field
        self.assertEqual(kitchen.b2b_delivery_window, "05:00-07:00")
        self.assertAlmostEqual(kitchen.b2b_latitude, 23.8069)
        self.assertTrue(app.review_ids, "the review stages started")
        confirmation = self.env["mail.mail"].search(
            [("model", "=", app._name), ("res_id", "=", app.id)]
        )
        self.assertTrue(confirmation, "the confirmation e-mail is queued, as on the web form")
        self.assertIn("karim@padma.example", confirmation[0].email_to)
        attempts = self.env["smart.dairy.b2b.signup.attempt"].search([("ip", "=", "127.0.0.1")])
        self.assertTrue(attempts, "counted in the web form's per-IP attempt log")

    def test_bad_identifiers_named_per_field(self):
        fields = self._refused(
            self._payload(
                bd_bin="12345",
                bd_etin="12-34",
                phone="0123",
                email="karim-at-padma",
                zip="12",
            )
        )
        self.assertEqual(set(fields), {"bd_bin", "bd_etin", "phone", "email", "zip"})
        self.assertIn("13 digits", fields["bd_bin"])
        self.assertIn("12 digits", fields["bd_etin"])
        self.assertIn("not a valid e-mail", fields["email"])

    def test_bad_geography_and_delivery(self):
        locations = self._payload()["delivery_locations"]
        locations[0]["phone"] = "999"
        locations[1]["upazila_id"] = self.mirpur.id
        locations[1]["district_id"] = self.other_upazila.district_id.id
        fields = self._refused(
            self._payload(upazila_id=self.other_upazila.id, delivery_locations=locations)
        )
        self.assertEqual(
            set(fields),
            {"upazila_id", "delivery_locations.0.phone", "delivery_locations.1.upazila_id"},
        )

    def test_duplicates(self):
        self._check(self._post(self._payload()), 201, "Registration")
        fields = self._refused(
            self._payload(company_name="Other", trade_licence="OTHER-9", email="o@x.example")
        )
        self.assertEqual(list(fields), ["bd_bin"])
        self.assertIn("already registered", fields["bd_bin"])
        # the trade licence is compared normalised (upper case)
        fields = self._refused(
            self._payload(company_name="Other", bd_bin="000987655-0102", email="o@x.example")
        )
        self.assertEqual(list(fields), ["trade_licence"])
        # a registered partner with that BIN counts too
        self.env["res.partner"].create(
            {"name": "Known Ltd", "is_company": True, "bd_bin": "0001112223333"}
        )
        fields = self._refused(
            self._payload(bd_bin="000111222-3333", trade_licence="OTHER-10", email="k@x.example")
        )
        self.assertEqual(list(fields), ["bd_bin"])

    def test_bad_documents(self):
        exe = b"MZ\x90\x00" + b"\x00" * 60
        documents = [
            {
                "type": "trade_licence",
                "filename": "licence.pdf",
                "mimetype": "application/pdf",
                "content": b64(exe),
            },  # fmt: skip
            {
                "type": "bin_certificate",
                "filename": "bin.png",
                "mimetype": "application/pdf",
                "content": b64(PNG),
            },  # fmt: skip
            {
                "type": "other",
                "filename": "x.pdf",
                "mimetype": "application/pdf",
                "content": "%%%not base64%%%",
            },  # fmt: skip
            {
                "type": "passport",
                "filename": "p.pdf",
                "mimetype": "application/pdf",
                "content": b64(PDF),
            },  # fmt: skip
            {
                "type": "other",
                "filename": "big.pdf",
                "mimetype": "application/pdf",
                "content": b64(PDF + b"0" * (6 * 1024 * 1024)),
            },  # fmt: skip
        ]
        fields = self._refused(self._payload(documents=documents))
        self.assertEqual(
            set(fields),
            {
                "documents.0",
                "documents.1.mimetype",
                "documents.2.content",
                "documents.3.type",
                "documents.4",
            },
        )
        self.assertIn("content is not a PDF", fields["documents.0"])
        self.assertIn("the limit is 5.0 MB", fields["documents.4"])

    def test_schema_errors_use_the_envelope(self):
        payload = self._payload(partner_type="wholesaler", company_name="   ")
        del payload["bd_bin"]
        payload["delivery_locations"] = [{"zip": "1216"}]
        fields = self._refused(payload, code="invalid_request")
        self.assertEqual(
            set(fields),
            {"partner_type", "company_name", "bd_bin", "delivery_locations.0"},
        )
        res = self.opener.post(
            self.base_url() + URL,
            data=b"{not json",
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        self.assertEqual(self._check(res, 422, "Error")["error"]["code"], "invalid_request")

    def test_rate_limited_per_ip(self):
        self.env["ir.config_parameter"].set_param("smart_dairy_b2b.signup_rate_limit_per_hour", 2)
        first = self._post(self._payload(bd_bin="12"))  # refused, but counted
        self.assertEqual(first.status_code, 422)
        self._check(self._post(self._payload()), 201, "Registration")
        before = self._counts()
        res = self._post(
            self._payload(company_name="Third", bd_bin="000987655-0199", trade_licence="T-3")
        )
        body = self._check(res, 429, "Error")
        self.assertEqual(body["error"]["code"], "rate_limited")
        retry_after = int(res.headers["Retry-After"])
        self.assertTrue(3500 <= retry_after <= 3600, retry_after)
        self.assertEqual(body["error"]["details"], {"limit": 2, "retry_after": retry_after})
        self.assertEqual(self._counts(), before)
