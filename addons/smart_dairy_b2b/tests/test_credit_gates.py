# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The credit hold cannot be bypassed: every door is tried, then a single audited release."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .test_credit_odoo import CreditMixin


@tagged("post_install", "-at_install")
class TestCreditGates(CreditMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        env = cls.env
        cls.held = cls._partner("T Held")
        cls.held.b2b_set_credit_limit(10000, "test")
        cls._invoice(cls.held, 500, 75)  # 75 days overdue > 60 -> on hold
        cls.held._b2b_credit_refresh()
        cls.ok = cls._partner("T Good")
        cls.ok.b2b_set_credit_limit(10000, "test")
        cls.provider = env["payment.provider"].create(
            {"name": "T provider", "code": "none", "state": "test", "company_id": cls.company.id}
        )
        cls.method = env.ref("payment.payment_method_unknown")
        cls.salesman = env["res.users"].create(
            {
                "name": "T Gate Salesman",
                "login": "t_gate_salesman",
                "company_id": cls.company.id,
                "company_ids": [Command.set([cls.company.id])],
                "groups_id": [
                    Command.set([env.ref("sales_team.group_sale_salesman_all_leads").id])
                ],
            }
        )
        cls.buyer = cls._portal_user(cls.held, "t_held_buyer", "buyer")

    def _tx(self, order, state="draft"):
        return self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.method.id,
                "amount": order.amount_total,
                "currency_id": order.currency_id.id,
                "partner_id": order.partner_id.id,
                "reference": f"T-{order.id}-{state}",
                "state": state,
                "sale_order_ids": [Command.set(order.ids)],
            }
        )

    def test_status_is_on_hold(self):
        self.assertEqual(self.held.b2b_credit_status, "on_hold")
        self.assertEqual(self.ok.b2b_credit_status, "active")

    def test_confirmation_blocked_on_hold_and_over_limit(self):
        with self.assertRaisesRegex(UserError, "on hold"):
            self._order(self.held).with_user(self.salesman).action_confirm()
        # active partner: 10,000 limit ; an order of 101 x 100 = 10,100 would go over it
        with self.assertRaisesRegex(UserError, "above the credit limit"):
            self._order(self.ok, qty=101).action_confirm()
        order = self._order(self.ok, qty=100)  # exactly 10,000: allowed
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # the confirmed order now uses the whole limit: the next one is refused
        with self.assertRaisesRegex(UserError, "on hold|above the credit limit"):
            self._order(self.ok, qty=1).action_confirm()

    def test_release_one_order_audited_not_copied_not_grown(self):
        order = self._order(self.held)
        with self.assertRaises(AccessError):
            order.with_user(self.salesman).action_b2b_credit_release("friend of mine")
        with self.assertRaises(UserError):
            order.action_b2b_credit_release("")
        order.action_b2b_credit_release("paid cash at the depot")
        log = self.held.b2b_credit_history_ids.filtered(lambda h: h.event == "release")
        self.assertEqual((log.order_id, log.reason), (order, "paid cash at the depot"))
        # duplicating a released quote does not carry the release
        copy = order.copy()
        self.assertFalse(copy.b2b_credit_released_by)
        with self.assertRaisesRegex(UserError, "on hold"):
            copy.action_confirm()
        # growing the released order voids the release
        order.order_line.write({"product_uom_qty": 11, "price_unit": 100.0})
        with self.assertRaisesRegex(UserError, "on hold"):
            order.action_confirm()
        order.order_line.write({"product_uom_qty": 10, "price_unit": 100.0})
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn("Released from credit control", "".join(order.message_ids.mapped("body")))

    def test_duplicated_quote_of_good_partner_checked_again(self):
        # an order confirmed while the partner was fine is copied after the partner went on hold
        partner = self._partner("T Later Held")
        partner.b2b_set_credit_limit(10000, "test")
        order = self._order(partner)
        order.action_confirm()
        self._invoice(partner, 100, 70)
        copy = order.copy()
        with self.assertRaisesRegex(UserError, "on hold"):
            copy.action_confirm()

    def test_delivery_validation_blocked(self):
        partner = self._partner("T Delivery")
        partner.b2b_set_credit_limit(10000, "test")
        order = self._order(partner)
        order.action_confirm()
        picking = order.picking_ids
        self.assertTrue(picking)
        self._invoice(partner, 100, 90)  # now on hold
        picking.move_ids.quantity = 10
        picking.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "cannot be shipped"):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")
        order.action_b2b_credit_release("urgent hospital delivery")
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_payment_link_and_online_payment_blocked(self):
        order = self._order(self.held)
        with self.assertRaisesRegex(UserError, "on hold"):
            self.env["payment.link.wizard"].with_context(
                active_model="sale.order", active_id=order.id
            ).create({"res_model": "sale.order", "res_id": order.id, "amount": 10})
        with self.assertRaisesRegex(ValidationError, "on hold"):
            self._tx(order)
        order.require_payment = True
        order.require_signature = True
        self.assertFalse(order._has_to_be_paid())
        self.assertFalse(order._has_to_be_signed())
        good = self._order(self.ok)
        good.require_payment = True
        good.require_signature = True
        self.assertTrue(good._has_to_be_paid())
        self.assertTrue(good._has_to_be_signed())
        self._tx(good)  # a good partner may pay

    def test_cash_only_confirms_when_prepaid(self):
        partner = self._partner("T Cash")
        partner.b2b_set_credit_limit(1000, "test")
        self._invoice(partner, 950, -5)  # 95 % -> cash only
        order = self._order(partner, qty=1)
        with self.assertRaisesRegex(UserError, "cash only"):
            order.action_confirm()
        self._tx(order, state="done")  # paid online
        self._internal_approve(order)  # 95 % used: near the limit
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_portal_sign_refused(self):
        order = self._order(self.held)
        order.require_signature = True
        order.require_payment = False
        res = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {"access_token": order._portal_ensure_token(), "name": "x", "signature": "aGVsbG8="},
        )
        self.assertIn("not in a state requiring customer signature", res["error"])
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.signature)

    def test_portal_quick_order_refused_with_reason(self):
        self.authenticate(self.buyer.login, self.buyer.login + "-pw-1234")
        res = self.url_open("/b2b/catalog")
        token = res.text.split('name="csrf_token" value="')[1].split('"')[0]
        before = self.env["sale.order"].search_count([])
        res = self.url_open("/b2b/order", data={"csrf_token": token, f"qty_{self.doi.id}": "2"})
        self.assertIn("on hold for credit", res.text)
        self.assertIn("75 days", res.text)
        self.assertEqual(self.env["sale.order"].search_count([]), before)

    def test_non_b2b_customer_not_controlled(self):
        customer = self.env["res.partner"].create({"name": "T Walk-in"})
        self._invoice(customer, 100000, 200)
        order = self._order(customer)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_portal_credit_dashboard(self):
        manager = self._portal_user(self.held, "t_held_manager", "manager")
        self.authenticate(manager.login, manager.login + "-pw-1234")
        res = self.url_open("/my/b2b/credit")
        self.assertEqual(res.status_code, 200)
        self.assertIn("o_b2b_credit_hold", res.text)
        self.assertIn("on hold", res.text)
        # one overdue invoice of 500, 75 days late; 500 in the 61-90 bucket
        self.assertEqual(res.text.count("o_b2b_overdue_row"), 1)
        self.assertIn(">75<", res.text)
        self.assertIn("10,000.00", res.text)  # the limit
        # a buyer has no access to credit figures
        self.authenticate(self.buyer.login, self.buyer.login + "-pw-1234")
        res = self.url_open("/my/b2b/credit")
        self.assertNotIn("o_b2b_credit_figures", res.text)
