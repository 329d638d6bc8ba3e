# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Part-2 ordering in Chromium (portal pages): quick order pad (typing, keyboard, paste) ->
CSV upload into the draft with a per-row report -> above the buyer's limit -> his manager
approves on the portal -> internal approval in the backend (two levels) -> confirmation; and a partner on hold
who cannot check out from the pad and sees why.

Gold prices, no taxes: milk 10+ 93.00, 100+ 88.00; doi <10 91.20, 10+ 88.35; lassi 50+ 40.95.
"""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_quick_order import QuickOrderMixin


@tagged("post_install", "-at_install")
class TestOrderingTours(QuickOrderMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quick_order_world()
        cls.loc_a.name = "Tour Banani outlet"
        cls.buyer_a.b2b_order_limit = 10000
        # orders above 10,000 go through the internal (tier validation) approval
        cls.gold.auto_approve_order_limit = 10000
        cls.sales_mgr = cls._internal_user("t_qo_sales_mgr", "sales_team.group_sale_manager")
        cls.credit_mgr = cls._internal_user(
            "t_qo_credit_mgr",
            "sales_team.group_sale_salesman_all_leads",
            "smart_dairy_base.group_b2b_manager",
        )

    @classmethod
    def _internal_user(cls, login, *groups):
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": login,
                    "login": login,
                    "password": login,
                    "company_id": cls.company.id,
                    "company_ids": [Command.set([cls.company.id])],
                    "groups_id": [
                        Command.set(
                            [cls.env.ref("base.group_user").id]
                            + [cls.env.ref(g).id for g in groups]
                        )
                    ],
                }
            )
        )

    def _orders(self):
        return self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])

    def test_quick_order_upload_approvals_confirmation(self):
        self.start_tour(
            "/b2b/quick-order", "smart_dairy_b2b_quick_order_pad_tour", login=self.buyer_a.login
        )
        order = self._orders()
        self.assertEqual(len(order), 1)
        self.assertEqual(order.client_order_ref, "TOUR-PO-1")
        self.assertEqual(order.partner_shipping_id, self.loc_a)
        self.assertEqual(
            {(line.product_id, line.product_uom_qty) for line in order.order_line},
            {(self.milk, 24), (self.doi, 5), (self.lassi, 60)},
        )
        self.assertEqual(order.amount_untaxed, 5145.0)  # 24 x 93 + 5 x 91.20 + 60 x 40.95
        self.assertEqual(order.b2b_partner_approval, "none")

        self.start_tour("/b2b/quick-order", "smart_dairy_b2b_upload_tour", login=self.buyer_a.login)
        order.invalidate_recordset()
        self.assertEqual(self._orders(), order)  # merged into the same draft
        # milk 24 + 96 = 120 -> 88.00; doi 5 + 5 = 10 -> 88.35; lassi 60 x 40.95
        self.assertEqual(
            {(line.product_id, line.product_uom_qty) for line in order.order_line},
            {(self.milk, 120), (self.doi, 10), (self.lassi, 60)},
        )
        self.assertEqual(order.amount_untaxed, 13900.5)
        self.assertEqual(order.b2b_partner_approval, "pending")

        self.start_tour(
            order.get_portal_url(),
            "smart_dairy_b2b_manager_approve_tour",
            login=self.manager_a.login,
        )
        order.invalidate_recordset()
        self.assertEqual(order.b2b_partner_approval, "approved")
        self.assertEqual(order.b2b_partner_approved_by, self.manager_a)
        self.assertTrue(order.review_ids)
        self.assertEqual(order.validation_status, "pending")

        # internal approval in the backend: the sales manager validates his level, the
        # credit manager validates hers and confirms the order
        url = f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"
        self.start_tour(url, "smart_dairy_b2b_internal_validate_tour", login=self.sales_mgr.login)
        order.invalidate_recordset()
        self.assertEqual(order.validation_status, "pending")
        self.assertEqual(
            order.review_ids.filtered(lambda r: r.status == "approved").done_by, self.sales_mgr
        )
        self.start_tour(
            url, "smart_dairy_b2b_internal_validate_confirm_tour", login=self.credit_mgr.login
        )
        order.invalidate_recordset()
        self.assertEqual(order.validation_status, "validated")
        self.assertEqual(order.state, "sale")
        self.assertEqual(set(order.review_ids.mapped("done_by")), {self.sales_mgr, self.credit_mgr})

    def test_partner_on_hold_cannot_check_out(self):
        self._invoice(self.partner_a, 500, 75)  # 75 days overdue > 60 days -> on hold
        self.start_tour(
            "/b2b/quick-order", "smart_dairy_b2b_quick_order_hold_tour", login=self.buyer_a.login
        )
        self.assertFalse(self._orders())
        self.assertEqual(self.partner_a.b2b_credit_status, "on_hold")
