# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""/my/b2b/locations: partner admins manage their delivery addresses, others read, no leaks."""

import re

from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from .common import B2bTestMixin


@tagged("post_install", "-at_install")
class TestDeliveryLocationsPortal(B2bTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_b2b_world()
        env = cls.env
        cls.dhaka = env.ref("l10n_bd_smart.district_bd_13")
        cls.gazipur = env.ref("l10n_bd_smart.district_bd_18")
        Upazila = env["l10n_bd_smart.upazila"]
        cls.mirpur = Upazila.search([("name", "=", "Mirpur"), ("district_id", "=", cls.dhaka.id)])
        cls.tongi = Upazila.search([("name", "=", "Tongi"), ("district_id", "=", cls.gazipur.id)])
        cls.partner_a = cls._partner("T Loc Partner A")
        cls.partner_b = cls._partner("T Loc Partner B")
        Partner = env["res.partner"]
        cls.loc_a = Partner.create(
            {
                "name": "A Mirpur shop",
                "type": "delivery",
                "parent_id": cls.partner_a.id,
                "street": "Road 1",
                "bd_district_id": cls.dhaka.id,
                "bd_upazila_id": cls.mirpur.id,
            }
        )
        cls.loc_b = Partner.create(
            {
                "name": "B Secret depot",
                "type": "delivery",
                "parent_id": cls.partner_b.id,
                "street": "Hidden lane 9",
            }
        )
        cls.admin_a = cls._portal_user(cls.partner_a, "t_loc_admin_a", "admin")
        cls.viewer_a = cls._portal_user(cls.partner_a, "t_loc_viewer_a", "viewer")
        cls.buyer_a = cls._portal_user(cls.partner_a, "t_loc_buyer_a", "buyer")
        cls.admin_b = cls._portal_user(cls.partner_b, "t_loc_admin_b", "admin")

    def _login(self, user):
        self.authenticate(user.login, user.login + "-pw-1234")
        page = self.url_open("/b2b/register")
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _locations(self, partner):
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("parent_id", "=", partner.id), ("type", "=", "delivery")])
        )

    def _form(self, csrf, **overrides):
        data = {
            "csrf_token": csrf,
            "name": "A Tongi depot",
            "street": "Station Road",
            "district_id": str(self.gazipur.id),
            "upazila_id": str(self.tongi.id),
            "zip": "1710",
            "contact": "Karim (store keeper)",
            "phone": "01912-345678",
            "opening_hours": "07:00-21:00",
            "window": "05:00-07:00",
            "latitude": "23.8915",
            "longitude": "90.4023",
        }
        data.update(overrides)
        return data

    def test_admin_adds_edits_archives(self):
        csrf = self._login(self.admin_a)
        page = self.url_open("/my/b2b/locations")
        self.assertEqual(page.status_code, 200)
        self.assertIn("A Mirpur shop", page.text)
        self.assertNotIn("B Secret depot", page.text)
        self.assertIn("/my/b2b/locations/new", page.text)

        res = self.url_open("/my/b2b/locations/save", data=self._form(csrf))
        self.assertEqual(res.status_code, 200, res.text[:500])
        self.assertTrue(res.url.endswith("/my/b2b/locations"))
        new = self._locations(self.partner_a) - self.loc_a
        self.assertEqual(len(new), 1)
        self.assertEqual(new.name, "A Tongi depot")
        self.assertEqual(new.type, "delivery")
        self.assertEqual(new.bd_district_id, self.gazipur)
        self.assertEqual(new.bd_upazila_id, self.tongi)
        self.assertEqual(new.state_id, self.gazipur.state_id)
        self.assertEqual(new.phone, "+8801912345678")
        self.assertEqual(new.zip, "1710")
        self.assertEqual(html2plaintext(new.comment), "Karim (store keeper)")
        self.assertEqual(new.b2b_delivery_window, "05:00-07:00")
        self.assertAlmostEqual(new.b2b_latitude, 23.8915)
        self.assertAlmostEqual(new.b2b_longitude, 90.4023)

        # edit: the form is pre-filled, the change is stored, geolocation can be cleared
        form = self.url_open(f"/my/b2b/locations/{new.id}/edit")
        self.assertIn('id="contact" value="Karim (store keeper)"', form.text)
        self.assertIn('id="window" placeholder="06:00-09:00" value="05:00-07:00"', form.text)
        res = self.url_open(
            f"/my/b2b/locations/{new.id}/save",
            data=self._form(csrf, window="04:30-06:00", latitude="", longitude=""),
        )
        self.assertEqual(res.status_code, 200)
        self.assertEqual(new.b2b_delivery_window, "04:30-06:00")
        self.assertEqual((new.b2b_latitude, new.b2b_longitude), (0.0, 0.0))

        # archive, then restore
        res = self.url_open(
            f"/my/b2b/locations/{new.id}/archive", data={"csrf_token": csrf, "active": "0"}
        )
        self.assertEqual(res.status_code, 200)
        self.assertFalse(new.active)
        self.assertIn('data-name="A Tongi depot" data-active="0"', res.text)
        self.url_open(
            f"/my/b2b/locations/{new.id}/archive", data={"csrf_token": csrf, "active": "1"}
        )
        self.assertTrue(new.active)
        bodies = self.partner_a.message_ids.mapped("body")
        for verb in ("added", "updated", "archived", "restored"):
            self.assertTrue(
                any(f"A Tongi depot {verb} by t_loc_admin_a" in b for b in bodies), verb
            )

    def test_bad_input_is_shown_and_nothing_written(self):
        csrf = self._login(self.admin_a)
        cases = {
            "upazila of another district": (
                {"district_id": str(self.dhaka.id)},
                "Tongi is not in district Dhaka.",
            ),
            "postcode": ({"zip": "17"}, "4 digits"),
            "phone": ({"phone": "12345"}, "Bangladeshi"),
            "latitude": ({"latitude": "north"}, "geolocation must be a number"),
            "no name nor street": ({"name": "", "street": ""}, "a name or a street"),
        }
        before = self._locations(self.partner_a)
        for label, (overrides, message) in cases.items():
            with self.subTest(label):
                res = self.url_open("/my/b2b/locations/save", data=self._form(csrf, **overrides))
                self.assertEqual(res.status_code, 400, res.text[:300])
                self.assertIn(message, res.text)
                # the form keeps what was typed
                self.assertIn('value="Karim (store keeper)"', res.text)
                self.assertEqual(self._locations(self.partner_a), before)
        # an edit with bad input leaves the address as it was
        res = self.url_open(
            f"/my/b2b/locations/{self.loc_a.id}/save",
            data=self._form(csrf, name="Renamed", zip="1"),
        )
        self.assertEqual(res.status_code, 400)
        self.assertEqual(self.loc_a.name, "A Mirpur shop")

    def test_other_roles_read_only(self):
        for user in (self.viewer_a, self.buyer_a):
            with self.subTest(role=user.b2b_role):
                csrf = self._login(user)
                page = self.url_open("/my/b2b/locations")
                self.assertEqual(page.status_code, 200)
                self.assertIn("A Mirpur shop", page.text)
                self.assertIn("o_b2b_locations_readonly", page.text)
                self.assertNotIn("/my/b2b/locations/new", page.text)
                self.assertNotIn(f"/my/b2b/locations/{self.loc_a.id}/edit", page.text)
                self.assertEqual(self.url_open("/my/b2b/locations/new").status_code, 403)
                res = self.url_open("/my/b2b/locations/save", data=self._form(csrf))
                self.assertEqual(res.status_code, 403)
                res = self.url_open(
                    f"/my/b2b/locations/{self.loc_a.id}/archive",
                    data={"csrf_token": csrf, "active": "0"},
                )
                self.assertEqual(res.status_code, 403)
                self.assertTrue(self.loc_a.active)
                self.assertEqual(self._locations(self.partner_a), self.loc_a)

    def test_partners_are_isolated(self):
        csrf = self._login(self.admin_b)
        page = self.url_open("/my/b2b/locations")
        self.assertIn("B Secret depot", page.text)
        self.assertNotIn("A Mirpur shop", page.text)
        loc = self.loc_a.id
        self.assertEqual(self.url_open(f"/my/b2b/locations/{loc}/edit").status_code, 404)
        res = self.url_open(f"/my/b2b/locations/{loc}/save", data=self._form(csrf, name="Mine"))
        self.assertEqual(res.status_code, 404)
        res = self.url_open(
            f"/my/b2b/locations/{loc}/archive", data={"csrf_token": csrf, "active": "0"}
        )
        self.assertEqual(res.status_code, 404)
        self.assertEqual(self.loc_a.name, "A Mirpur shop")
        self.assertTrue(self.loc_a.active)
        # the company itself and its contacts are no "location" either
        for target in (self.partner_a, self.admin_a.partner_id, self.partner_b):
            res = self.url_open(f"/my/b2b/locations/{target.id}/save", data=self._form(csrf))
            self.assertEqual(res.status_code, 404)
        # the model service refuses too (API / shell callers)
        Partner = self.env["res.partner"]
        self.assertFalse(Partner._b2b_portal_location(self.admin_b, loc))
        with self.assertRaisesRegex(Exception, "not one of your company's locations"):
            Partner._b2b_portal_save_location(self.admin_b, {"name": "x"}, location_id=loc)

    def test_blocked_partner_denied(self):
        self.partner_a.sudo().b2b_status = "suspended"
        self._login(self.admin_a)
        self.assertEqual(self.url_open("/my/b2b/locations").status_code, 403)
