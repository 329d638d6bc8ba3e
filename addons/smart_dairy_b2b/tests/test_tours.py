# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""End to end in Chromium: register -> review stages -> invitation -> buyer -> catalog."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import B2bTestMixin


@tagged("post_install", "-at_install")
class TestB2bTours(B2bTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_b2b_world()
        cls.env["ir.config_parameter"].set_param("smart_dairy_b2b.signup_rate_limit_per_hour", 50)

    def test_full_journey(self):
        Application = self.env["smart.dairy.b2b.application"]
        # 1. registration with documents (public)
        self.start_tour("/b2b/register", "smart_dairy_b2b_register_tour")
        app = Application.search([("trade_licence", "=", "TOUR-TL-0001")])
        self.assertEqual(app.state, "submitted")
        self.assertEqual(len(app.document_ids), 2)
        self.assertEqual(app.partner_id.b2b_status, "pending")
        locations = app.partner_id.child_ids.filtered(lambda p: p.type == "delivery")
        self.assertEqual(sorted(locations.mapped("name")), ["Banani outlet", "Tongi depot"])
        tongi = locations.filtered(lambda p: p.name == "Tongi depot")
        self.assertEqual(tongi.bd_upazila_id.name, "Tongi")
        self.assertEqual(tongi.bd_district_id, self.env.ref("l10n_bd_smart.district_bd_18"))
        self.assertEqual(tongi.zip, "1710")

        # 2. three review stages and the approval, in the backend
        self.start_tour(
            f"/odoo/b2b-applications/{app.id}", "smart_dairy_b2b_review_tour", login="admin"
        )
        self.assertEqual(app.state, "approved")
        self.assertEqual(app.partner_id.b2b_tier_id, self.gold)
        self.assertEqual(app.credit_limit, 250000)
        # company-dependent: written in the reviewer's company
        admin = self.env.ref("base.user_admin")
        self.assertEqual(app.partner_id.with_company(admin.company_id).credit_limit, 250000)
        self.assertEqual(app.review_ids.mapped("comment"), ["Checked by the tour"] * 3)
        admin_user = app.user_id
        self.assertEqual(admin_user.b2b_role, "admin")
        # the admin and his buyer work in the dairy's BDT company of this test
        admin_user.write(
            {"company_id": self.company.id, "company_ids": [Command.set([self.company.id])]}
        )

        # 3. the partner admin accepts the invitation (signup link of the e-mail)
        url = admin_user.partner_id._get_signup_url_for_action()[admin_user.partner_id.id]
        url = url[url.index("/web/") :]
        self.start_tour(url, "smart_dairy_b2b_invitation_tour")
        buyer = self.env["res.users"].search([("login", "=", "tour.buyer@example.com")])
        self.assertEqual(buyer.b2b_role, "buyer")
        self.assertEqual(buyer.b2b_order_limit, 50000)
        self.assertEqual(buyer.partner_id.commercial_partner_id, app.partner_id)

        # 4. the buyer (who set his password from his own invitation) sees the catalog
        buyer.write(
            {
                "password": "Tour-Buyer-123",
                "company_id": self.company.id,
                "company_ids": [Command.set([self.company.id])],
            }
        )
        self.start_tour(
            "/b2b/catalog", "smart_dairy_b2b_catalog_tour", login="tour.buyer@example.com"
        )

    def test_admin_adds_delivery_location(self):
        partner = self._partner("Tour Locations Ltd")
        self.env["res.partner"].create(
            {"name": "Tour HQ shop", "type": "delivery", "parent_id": partner.id}
        )
        self._portal_user(partner, "tour_loc_admin", "admin")
        self.start_tour("/my", "smart_dairy_b2b_locations_tour", login="tour_loc_admin")
        depot = partner.child_ids.filtered(lambda p: p.name == "Tour Tongi depot")
        self.assertEqual(depot.type, "delivery")
        self.assertEqual(depot.bd_upazila_id.name, "Tongi")
        self.assertEqual(depot.bd_district_id, self.env.ref("l10n_bd_smart.district_bd_18"))
        self.assertEqual(depot.phone, "+8801912345678")
        self.assertEqual(depot.zip, "1710")

    def test_rejected_applicant(self):
        app = self.env["smart.dairy.b2b.application"].create(
            {
                "company_name": "Tour Rejected Ltd",
                "partner_type": "retailer",
                "contact_name": "Rejected Contact",
                "email": "rejected@example.com",
                "phone": "01911-000111",
                "trade_licence": "TOUR-REJ-1",
                "bd_bin": "000777888-0101",
                "district_id": self.env.ref("l10n_bd_smart.district_bd_13").id,
            }
        )
        app.action_submit()
        app._action_decide("reject", "Incomplete trade licence")
        # even if the applicant obtained a portal login (e.g. public sign-up) and a role
        self._portal_user(
            app.partner_id, "tour_rejected", "admin"
        ).partner_id.parent_id = app.partner_id
        self.start_tour("/b2b/catalog", "smart_dairy_b2b_rejected_tour", login="tour_rejected")
