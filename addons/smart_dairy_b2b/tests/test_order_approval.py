# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order approvals: partner-side (buyer over his limit) and internal (OCA tier validation).

Every way around a pending approval is tried: confirm, sign, pay, confirmation e-mail, editing
the amount after approval, duplicating an approved order.
"""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .test_credit_odoo import CreditMixin


@tagged("post_install", "-at_install")
class TestOrderApproval(CreditMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        env = cls.env
        cls.gold.auto_approve_order_limit = 5000
        cls.partner = cls._partner("T Approver Co")
        cls.partner.b2b_set_credit_limit(1000000, "test")
        cls.other = cls._partner("T Other Co")
        cls.buyer = cls._portal_user(cls.partner, "t_appr_buyer", "buyer", limit=2000)
        cls.manager = cls._portal_user(cls.partner, "t_appr_manager", "manager")
        cls.other_manager = cls._portal_user(cls.other, "t_appr_other_mgr", "manager")

        def user(login, groups):
            return env["res.users"].create(
                {
                    "name": login,
                    "login": login,
                    "company_id": cls.company.id,
                    "company_ids": [Command.set([cls.company.id])],
                    "groups_id": [Command.set([env.ref(g).id for g in groups])],
                }
            )

        cls.salesman = user("t_appr_salesman", ["sales_team.group_sale_salesman_all_leads"])
        cls.sales_mgr = user("t_appr_sales_mgr", ["sales_team.group_sale_manager"])
        cls.credit_mgr = user(
            "t_appr_credit_mgr",
            ["sales_team.group_sale_salesman_all_leads", "smart_dairy_base.group_b2b_manager"],
        )

    def _big_order(self, qty=60):  # 60 x 100 = 6,000 > 5,000 auto-approval limit
        return self._order(self.partner, qty=qty)

    def _approve_internally(self, order):
        order.with_user(self.salesman).request_validation()
        order.with_user(self.sales_mgr).validate_tier()
        order.with_user(self.credit_mgr).validate_tier()
        order.invalidate_recordset()

    def test_small_order_needs_no_approval(self):
        order = self._order(self.partner, qty=10)
        self.assertFalse(order.b2b_needs_internal_approval)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_internal_multi_level_approval(self):
        order = self._big_order()
        self.assertTrue(order.b2b_needs_internal_approval)
        with self.assertRaisesRegex(UserError, "needs internal approval"):
            order.with_user(self.salesman).action_confirm()
        order.with_user(self.salesman).request_validation()
        self.assertEqual(len(order.review_ids), 2)
        with self.assertRaisesRegex(UserError, "waits for internal approval"):
            order.with_user(self.salesman).action_confirm()
        # the credit manager cannot approve before the sales manager (approve by sequence)
        order.with_user(self.credit_mgr).invalidate_recordset()
        self.assertFalse(order.with_user(self.credit_mgr).can_review)
        order.with_user(self.sales_mgr).validate_tier()
        order.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "waits for internal approval"):
            order.with_user(self.salesman).action_confirm()
        order.with_user(self.credit_mgr).validate_tier()
        order.invalidate_recordset()
        self.assertEqual(order.validation_status, "validated")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_near_credit_limit_needs_approval(self):
        partner = self._partner("T Near Limit")
        partner.b2b_set_credit_limit(10000, "test")
        self._invoice(partner, 8500, -5)  # 85 % >= 80 %
        partner._b2b_credit_refresh()
        order = self._order(partner, qty=1)  # only 100, far below the auto-approval limit
        self.assertTrue(order.b2b_needs_internal_approval)
        with self.assertRaisesRegex(UserError, "internal approval"):
            order.action_confirm()

    def test_pending_blocks_sign_pay_and_confirmation_mail(self):
        order = self._big_order()
        order.write({"require_signature": True, "require_payment": True})
        self.assertFalse(order._has_to_be_signed())
        self.assertFalse(order._has_to_be_paid())
        self._approve_internally(order)
        self.assertTrue(order._has_to_be_signed())
        self.assertTrue(order._has_to_be_paid())
        # the confirmation e-mail is never sent for an order waiting for an approval
        pending = self._big_order()
        before = len(pending.message_ids)
        pending._send_order_confirmation_mail()
        self.assertEqual(len(pending.message_ids), before)

    def test_editing_amount_after_approval_restarts_it(self):
        order = self._big_order()
        self._approve_internally(order)
        self.assertEqual(order.validation_status, "validated")
        order.order_line.write({"product_uom_qty": 70, "price_unit": 100.0})
        order.invalidate_recordset()
        self.assertFalse(order.review_ids)
        with self.assertRaisesRegex(UserError, "internal approval"):
            order.with_user(self.salesman).action_confirm()
        # a change that keeps the amount does not restart anything
        self._approve_internally(order)
        order.order_line.write({"name": "renamed line"})
        self.assertEqual(order.validation_status, "validated")

    def test_adding_a_line_restarts_approval(self):
        order = self._big_order()
        self._approve_internally(order)
        order.write(
            {
                "order_line": [
                    Command.create(
                        {"product_id": self.lassi.id, "product_uom_qty": 1, "price_unit": 45}
                    )
                ]
            }
        )
        order.invalidate_recordset()
        self.assertFalse(order.review_ids)

    def test_duplicate_of_approved_order_needs_approval(self):
        order = self._big_order()
        self._approve_internally(order)
        copy = order.copy()
        self.assertFalse(copy.review_ids)
        with self.assertRaisesRegex(UserError, "internal approval"):
            copy.with_user(self.salesman).action_confirm()

    def test_partner_manager_approves_buyer_order_on_portal(self):
        # the buyer (limit 2,000) orders 24 x 93 (Gold price) = 2,232 on the portal
        self.authenticate(self.buyer.login, self.buyer.login + "-pw-1234")
        res = self.url_open("/b2b/catalog")
        token = res.text.split('name="csrf_token" value="')[1].split('"')[0]
        res = self.url_open("/b2b/order", data={"csrf_token": token, f"qty_{self.milk.id}": "24"})
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.buyer.partner_id.id)], order="id desc", limit=1
        )
        self.assertTrue(order)
        self.assertEqual(order.b2b_partner_approval, "pending")
        self.assertIn("approval", res.text)
        with self.assertRaisesRegex(UserError, "partner's manager"):
            order.action_confirm()
        # a buyer cannot approve, nor a manager of another company
        with self.assertRaises(AccessError):
            order.with_user(self.buyer).action_b2b_partner_approve()
        with self.assertRaises(AccessError):
            order.with_user(self.other_manager).action_b2b_partner_approve()
        # the manager approves on the portal
        self.authenticate(self.manager.login, self.manager.login + "-pw-1234")
        res = self.url_open(f"/my/orders/{order.id}")
        self.assertIn("o_b2b_partner_approve", res.text)
        token = res.text.split('name="csrf_token" value="')[1].split('"')[0]
        self.url_open(f"/my/orders/{order.id}/b2b_approve", data={"csrf_token": token})
        order.invalidate_recordset()
        self.assertEqual(order.b2b_partner_approval, "approved")
        self.assertEqual(order.b2b_partner_approved_by, self.manager)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
