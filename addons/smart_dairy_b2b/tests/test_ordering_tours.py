# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Part-2 ordering in Chromium (portal pages): quick order pad (typing, keyboard, paste) ->
CSV upload into the draft with a per-row report -> above the buyer's limit -> his manager
approves on the portal -> internal approval in the backend (two levels) -> confirmation; and a partner on hold
who cannot check out from the pad and sees why.

Also: "Order only N" on a short-stock row of the pad, and "Order again" from a past order.

Gold prices, no taxes: milk 10+ 93.00, 100+ 88.00; doi <10 91.20, 10+ 88.35; lassi 50+ 40.95;
butter 10+ 186.00.
"""

from datetime import timedelta

from odoo import Command, fields
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

    # ------------------------------------------------------------------ order only N, order again
    def _stock(self, product, quantity):
        """Set the free stock of ``product`` in the company's warehouse to ``quantity``."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        Quant = self.env["stock.quant"]
        free = product.with_context(warehouse_id=warehouse.id).free_qty
        Quant._update_available_quantity(product, warehouse.lot_stock_id, quantity - free)
        product.invalidate_recordset(["free_qty"])

    def test_pad_order_only_available(self):
        # a product whose available quantity (6 in full packs) is below its minimum (12)
        self.env["product.product"].create(
            {
                "name": "T Cream 200 ml",
                "default_code": "T-CR6",
                "list_price": 60.0,
                "is_storable": True,
                "b2b_published": True,
                "sale_ok": True,
                "b2b_qty_multiple": 6,
                "b2b_min_qty": 12,
                "taxes_id": [],
            }
        )
        self._stock(self.env["product.product"].search([("default_code", "=", "T-CR6")]), 8)
        self.start_tour(
            "/b2b/quick-order",
            "smart_dairy_b2b_quick_order_only_available_tour",
            login=self.buyer_a.login,
        )
        order = self._orders()
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "draft")
        self.assertEqual(
            [(line.product_id, line.product_uom_qty) for line in order.order_line],
            [(self.butter, 30.0)],
        )
        self.assertEqual(order.amount_untaxed, 5580.0)  # 30 x 186.00

    def _submit(self, **params):
        return self.make_jsonrpc_request("/b2b/quick-order/submit", dict(target="new", **params))

    def test_pad_only_available_is_rechecked_when_saving(self):
        """The server decides: stock that went away between "Order only 30" and "Save" is not
        backordered for a row marked only-available; unmarked rows keep their backorder;
        malformed marks are refused and nothing is written."""
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        line = [{"key": "1", "sku": "T-BT2", "quantity": "30"}]
        self._stock(self.butter, 18)
        for bad in ("1", {"1": True}, [True], [["1"]], ["1"] * 1001):
            with self.subTest(only_available=bad):
                res = self._submit(lines=line, only_available=bad)
                self.assertIn("Malformed list of rows", res["error"])
        self.assertFalse(self._orders())

        res = self._submit(lines=line, only_available=["1"])
        self.assertNotIn("error", res)
        order = self._orders()
        self.assertEqual(order.order_line.product_uom_qty, 18.0)  # what ships now, 3 packs

        res = self._submit(lines=line, only_available=[])
        self.assertNotIn("error", res)
        backorder = self._orders() - order
        self.assertEqual(backorder.order_line.product_uom_qty, 30.0)  # 18 now, 12 later

    def test_order_again_from_portal(self):
        past = self.env["sale.order"].create(
            {
                "name": "TOUR-PAST-1",
                "partner_id": self.buyer_a.partner_id.id,
                "company_id": self.company.id,
                "date_order": fields.Datetime.now() - timedelta(days=30),
                "order_line": [
                    # last month's prices, typed by hand
                    Command.create(
                        {"product_id": self.milk.id, "product_uom_qty": 24, "price_unit": 80.0}
                    ),
                    Command.create(
                        {"product_id": self.doi.id, "product_uom_qty": 10, "price_unit": 80.0}
                    ),
                ],
            }
        )
        past.action_confirm()
        self.assertEqual(past.state, "sale")
        self.start_tour("/my/orders", "smart_dairy_b2b_order_again_tour", login=self.buyer_a.login)
        new = self._orders() - past
        self.assertEqual(len(new), 1)
        self.assertEqual(new.state, "draft")
        self.assertEqual(new.origin, "TOUR-PAST-1")
        self.assertEqual(new.pricelist_id, self.gold.pricelist_id)
        # same products and quantities, today's gold prices: 24 x 93.00 + 10 x 88.35
        self.assertEqual(
            {(line.product_id, line.product_uom_qty, line.price_unit) for line in new.order_line},
            {(self.milk, 24.0, 93.0), (self.doi, 10.0, 88.35)},
        )
        self.assertAlmostEqual(new.amount_untaxed, 3115.5)
        self.assertEqual(past.order_line.mapped("price_unit"), [80.0, 80.0])  # untouched
