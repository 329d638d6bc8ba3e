# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quick order pad: one batched pricing + validation call, the submit path (new draft, merge
into the current draft, header fields), the buyer limit, the credit hold, viewers, isolation.

Gold prices (tier data: 4 % off list, 10+ 7 %, 50+ 9 %, 100+ 12 %), no taxes on the products:
  milk  (list 100, crates of 12, min 12): <10 96.00, 10+ 93.00, 50+ 91.00
  doi   (list  95):                        <10 91.20, 10+ 88.35
  lassi (list  45):                        50+ 40.95
  butter (list 200, packs of 6, storable, 30 in stock): 10+ 186.00
"""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .test_credit_odoo import CreditMixin


class QuickOrderMixin(CreditMixin):
    @classmethod
    def _setup_quick_order_world(cls):
        cls._setup_credit_world()
        env = cls.env
        cls.butter = env["product.product"].create(
            {
                "name": "T Butter 200 g",
                "default_code": "T-BT2",
                "list_price": 200.0,
                "is_storable": True,
                "b2b_published": True,
                "sale_ok": True,
                "b2b_qty_multiple": 6,
                "b2b_min_qty": 6,
                "taxes_id": [],
            }
        )
        cls.secret = env["product.product"].create(
            {"name": "T Unpublished Cheese", "default_code": "T-SEC", "list_price": 10.0}
        )
        (cls.milk | cls.doi | cls.lassi).write({"taxes_id": []})
        warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        env["stock.quant"]._update_available_quantity(cls.butter, warehouse.lot_stock_id, 30)
        cls.partner_a = cls._partner("T Quick A")
        cls.partner_b = cls._partner("T Quick B")
        for partner in (cls.partner_a, cls.partner_b):
            partner.b2b_set_credit_limit(1000000, "test")
        cls.loc_a = env["res.partner"].create(
            {"name": "A Banani outlet", "type": "delivery", "parent_id": cls.partner_a.id}
        )
        cls.loc_b = env["res.partner"].create(
            {"name": "B Gulshan outlet", "type": "delivery", "parent_id": cls.partner_b.id}
        )
        cls.buyer_a = cls._portal_user(cls.partner_a, "t_qo_buyer_a", "buyer", 50000)
        cls.manager_a = cls._portal_user(cls.partner_a, "t_qo_manager_a", "manager")
        cls.viewer_a = cls._portal_user(cls.partner_a, "t_qo_viewer_a", "viewer")
        cls.buyer_b = cls._portal_user(cls.partner_b, "t_qo_buyer_b", "buyer", 50000)
        cls.Quick = env["smart.dairy.b2b.quick.order"]

    def _quick(self, user):
        return self.Quick.with_user(user).with_context(allowed_company_ids=[self.company.id])

    @staticmethod
    def _lines(*pairs):
        return [{"key": str(i), "sku": s, "quantity": q} for i, (s, q) in enumerate(pairs, 1)]

    def _pad(self, *pairs):
        """The pad's submit over HTTP (authenticated session) of these lines as a new order:
        its JSON result."""
        params = {"lines": self._lines(*pairs), "target": "new"}
        res = self.url_open(
            "/b2b/quick-order/submit",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(res.status_code, 200, res.text[:300])
        return res.json()["result"]


@tagged("post_install", "-at_install")
class TestQuickOrder(QuickOrderMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quick_order_world()

    # ------------------------------------------------------------------ pricing + checks
    def test_batched_pricing_and_checks(self):
        quick = self._quick(self.buyer_a)
        res = quick._b2b_price_lines(
            self.buyer_a.partner_id,
            self._lines(
                ("T-LM1", "24"),
                ("t-md5", "5"),  # lower case SKU
                ("T-LS2", "60"),
                ("NOPE-1", "5"),
                ("T-SEC", "5"),
                ("T-LM1", "abc"),
                ("T-LM1", "6"),
                ("T-LM1", "30"),
                ("T-BT2", "36"),
                ("T-LM1", "12"),
            ),
        )
        rows = {r["key"]: r for r in res["rows"]}
        codes = [rows[str(i)]["code"] for i in range(1, 11)]
        self.assertEqual(
            codes,
            [
                "ok",
                "ok",
                "ok",
                "unknown_sku",
                "not_sellable",
                "bad_quantity",
                "below_minimum",
                "not_multiple",
                "short_stock",
                "ok",
            ],
        )
        # milk rows 1 and 10 merge into 36 units -> 10+ break 93.00; next break 50 at 91.00
        self.assertEqual((rows["1"]["unit_price"], rows["1"]["subtotal"]), (93.0, 2232.0))
        self.assertEqual((rows["10"]["unit_price"], rows["10"]["subtotal"]), (93.0, 1116.0))
        self.assertEqual(rows["1"]["merged_quantity"], 36.0)
        self.assertEqual(rows["1"]["hint"], {"from_qty": 50.0, "price": 91.0, "pct": 9.0})
        # doi 5 -> 91.20 = 456.00; hint: 10 for 7 % (88.35)
        self.assertEqual((rows["2"]["unit_price"], rows["2"]["subtotal"]), (91.2, 456.0))
        self.assertEqual(rows["2"]["hint"], {"from_qty": 10.0, "price": 88.35, "pct": 7.0})
        # lassi 60 -> 40.95 = 2,457.00
        self.assertEqual(rows["3"]["subtotal"], 2457.0)
        # butter 36 > 30 in stock: 30 ship now (5 packs of 6), 6 backordered; priced 186.00
        self.assertEqual((rows["9"]["available"], rows["9"]["subtotal"]), (30.0, 6696.0))
        self.assertIn("30 ship now and 6 follow as a backorder", rows["9"]["message"])
        self.assertIn("minimum order", rows["7"]["message"])
        self.assertEqual(rows["8"]["suggested"], 36.0)
        # total of the lines that will be ordered: 2232 + 1116 + 456 + 2457 + 6696
        self.assertEqual(res["total"], 12957.0)

        # the order created from these prices has the same prices (core engine)
        good = self._lines(("T-LM1", "24"), ("t-md5", "5"), ("T-LS2", "60"))
        good += self._lines(("T-BT2", "36"), ("T-LM1", "12"))
        order, _priced = quick._b2b_submit(self.buyer_a, good)
        prices = {line.product_id: line.price_unit for line in order.sudo().order_line}
        self.assertEqual(prices[self.milk], 93.0)
        self.assertEqual(prices[self.doi], 91.2)
        self.assertEqual(prices[self.lassi], 40.95)
        self.assertEqual(prices[self.butter], 186.0)
        self.assertEqual(order.sudo().amount_untaxed, 12957.0)

    def test_one_batched_call_queries_do_not_grow(self):
        quick = self._quick(self.buyer_a)
        partner = self.buyer_a.partner_id

        def count(n):
            lines = self._lines(
                *[(("T-LM1", "T-MD5", "T-LS2", "NOPE")[i % 4], "12") for i in range(n)]
            )
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            res = quick._b2b_price_lines(partner, lines)
            self.assertEqual(len(res["rows"]), n)
            return self.env.cr.sql_log_count - before

        count(4)  # warm the ormcache (rules, access)
        self.assertEqual(count(8), count(200))

    # ------------------------------------------------------------------ submit
    def test_new_draft_with_delivery_date_location_and_po(self):
        quick = self._quick(self.buyer_a)
        day = fields.Date.today() + timedelta(days=3)
        order, _priced = quick._b2b_submit(
            self.buyer_a,
            self._lines(("T-LM1", "24"), ("T-MD5", "10")),
            header={
                "shipping_id": self.loc_a.id,
                "commitment_date": str(day),
                "client_ref": "PO-77",
            },
        )
        order = order.sudo()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.buyer_a.partner_id)
        self.assertEqual(order.partner_shipping_id, self.loc_a)
        self.assertEqual(order.client_order_ref, "PO-77")
        self.assertEqual(order.commitment_date.date(), day)
        self.assertEqual(order.b2b_partner_approval, "none")
        # 24 x 93.00 + 10 x 88.35
        self.assertEqual(order.amount_untaxed, 3115.5)
        with self.assertRaisesRegex(ValidationError, "in the past"):
            quick._b2b_submit(
                self.buyer_a,
                self._lines(("T-MD5", "1")),
                header={"commitment_date": str(fields.Date.today() - timedelta(days=1))},
            )

    def test_merge_into_current_draft(self):
        quick = self._quick(self.buyer_a)
        first, _priced = quick._b2b_submit(self.buyer_a, self._lines(("T-LM1", "24")))
        self.assertEqual(quick._b2b_current_draft(self.buyer_a), first)
        # 24 + 36 milk = 60 -> the 50+ break (91.00) for the whole line; doi is a new line
        priced = quick._b2b_price_lines(
            self.buyer_a.partner_id, self._lines(("T-LM1", "36"), ("T-MD5", "4")), order=first
        )
        self.assertEqual(priced["rows"][0]["unit_price"], 91.0)
        self.assertEqual(priced["rows"][0]["merged_quantity"], 60.0)
        again, _priced = quick._b2b_submit(
            self.buyer_a, self._lines(("T-LM1", "36"), ("T-MD5", "4")), order=first
        )
        self.assertEqual(again, first)
        lines = {line.product_id: line for line in first.sudo().order_line}
        self.assertEqual(len(first.sudo().order_line), 2)
        self.assertEqual(lines[self.milk].product_uom_qty, 60)
        self.assertEqual(lines[self.milk].price_unit, 91.0)
        self.assertEqual(lines[self.doi].product_uom_qty, 4)
        # 60 x 91.00 + 4 x 91.20
        self.assertEqual(first.sudo().amount_untaxed, 5824.8)

    def test_rows_in_error_refuse_the_pad_and_write_nothing(self):
        quick = self._quick(self.buyer_a)
        Order = self.env["sale.order"]
        before = Order.search_count([("partner_id", "=", self.buyer_a.partner_id.id)])
        with self.assertRaisesRegex(ValidationError, "NOPE: unknown SKU"):
            quick._b2b_submit(self.buyer_a, self._lines(("T-LM1", "24"), ("NOPE", "1")))
        with self.assertRaisesRegex(ValidationError, "packs of 12"):
            quick._b2b_submit(self.buyer_a, self._lines(("T-LM1", "25")))
        with self.assertRaisesRegex(ValidationError, "No valid line"):
            quick._b2b_submit(self.buyer_a, [])
        with self.assertRaisesRegex(ValidationError, "No valid line"):
            quick._b2b_submit(self.buyer_a, [], header={"client_ref": "PO-EMPTY"})
        after = Order.search_count([("partner_id", "=", self.buyer_a.partner_id.id)])
        self.assertEqual(before, after)

    def test_order_only_available_keeps_the_minimum(self):
        """ "Order only what is available" never writes a line below the product's minimum
        (stock can fall between the pad's button and Save): refused, nothing written; with
        enough stock it orders the available full packs."""
        quick = self._quick(self.buyer_a)
        Order = self.env["sale.order"]
        mine = [("partner_id", "=", self.buyer_a.partner_id.id)]
        before = Order.search_count(mine)
        self.butter.product_tmpl_id.b2b_min_qty = 12
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        quant = self.env["stock.quant"]
        quant._update_available_quantity(self.butter, warehouse.lot_stock_id, -22)  # 8 left
        lines = self._lines(("T-BT2", "24"))
        with self.assertRaisesRegex(ValidationError, "T-BT2: 6 available, minimum order 12"):
            quick._b2b_submit(self.buyer_a, lines, only_available=["1"])
        quant._update_available_quantity(self.butter, warehouse.lot_stock_id, -8)  # none left
        self.env.invalidate_all()  # the next request reads stock afresh
        with self.assertRaisesRegex(ValidationError, "T-BT2: 0 available"):
            quick._b2b_submit(self.buyer_a, lines, only_available=["1"])
        self.assertEqual(Order.search_count(mine), before)
        # without the mark the full quantity is ordered (backorder)
        order, _priced = quick._b2b_submit(self.buyer_a, lines)
        self.assertEqual(order.order_line.product_uom_qty, 24.0)
        quant._update_available_quantity(self.butter, warehouse.lot_stock_id, 14)  # 14 in stock
        self.env.invalidate_all()
        order2, _priced = quick._b2b_submit(self.buyer_a, lines, only_available=["1"])
        self.assertEqual(order2.order_line.product_uom_qty, 12.0)  # two packs of 6

    def test_buyer_above_limit_waits_for_manager(self):
        self.buyer_a.sudo().b2b_order_limit = 2000
        quick = self._quick(self.buyer_a)
        # 24 x 93.00 = 2,232 > 2,000
        order, _priced = quick._b2b_submit(self.buyer_a, self._lines(("T-LM1", "24")))
        self.assertEqual(order.sudo().b2b_partner_approval, "pending")
        with self.assertRaisesRegex(Exception, "manager"):
            order.sudo().action_confirm()
        order.with_user(self.manager_a).action_b2b_partner_approve()
        self.assertEqual(order.sudo().b2b_partner_approval, "approved")
        # adding to it through the pad changes the amount: the manager must approve again
        quick._b2b_submit(self.buyer_a, self._lines(("T-MD5", "1")), order=order)
        self.assertEqual(order.sudo().b2b_partner_approval, "pending")
        # a manager is not limited
        own, _priced = self._quick(self.manager_a)._b2b_submit(
            self.manager_a, self._lines(("T-LM1", "240")), order=None
        )
        self.assertEqual(own.sudo().b2b_partner_approval, "none")

    def test_hold_refuses_and_says_why(self):
        self._invoice(self.partner_a, 500, 75)  # 75 days overdue > 60 -> on hold
        quick = self._quick(self.buyer_a)
        with self.assertRaisesRegex(ValidationError, "on hold for credit"):
            quick._b2b_submit(self.buyer_a, self._lines(("T-LM1", "24")))
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])
        )
        # on the portal: the pad says why before and after trying to check out
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        page = self.url_open("/b2b/quick-order")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_b2b_qo_hold", page.text)
        self.assertIn("on hold for credit", page.text)
        res = self._json("/b2b/quick-order/submit", {"lines": self._lines(("T-LM1", "24"))})
        self.assertIn("on hold for credit", res["error"])

    # ------------------------------------------------------------------ portal / security
    def _json(self, url, params):
        res = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(res.status_code, 200, res.text)
        return res.json()["result"]

    def test_viewer_refused(self):
        with self.assertRaisesRegex(AccessError, "role does not allow"):
            self._quick(self.viewer_a)._b2b_submit(self.viewer_a, self._lines(("T-LM1", "24")))
        self.authenticate(self.viewer_a.login, self.viewer_a.login + "-pw-1234")
        page = self.url_open("/b2b/quick-order")
        self.assertEqual(page.status_code, 403)
        self.assertNotIn("o_b2b_qo_table", page.text)
        self.assertIn("error", self._json("/b2b/quick-order/price", {"lines": []}))
        res = self._json("/b2b/quick-order/submit", {"lines": self._lines(("T-LM1", "24"))})
        self.assertIn("role does not allow", res["error"])
        self.assertEqual(self.url_open("/b2b/quick-order/template.csv").status_code, 403)

    def test_pad_over_http(self):
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        page = self.url_open("/b2b/quick-order")
        self.assertIn("o_b2b_qo_table", page.text)
        self.assertIn("A Banani outlet", page.text)
        self.assertNotIn("B Gulshan outlet", page.text)
        res = self._json(
            "/b2b/quick-order/price", {"lines": self._lines(("T-LM1", "24"), ("X", "1"))}
        )
        self.assertEqual([r["code"] for r in res["rows"]], ["ok", "unknown_sku"])
        self.assertEqual(res["total"], 2232.0)
        self.assertEqual(
            [s["sku"] for s in self._json("/b2b/quick-order/suggest", {"term": "T Mishti"})],
            ["T-MD5"],
        )
        self.assertEqual(self._json("/b2b/quick-order/suggest", {"term": "T Unpublished"}), [])
        res = self._json(
            "/b2b/quick-order/submit",
            {"lines": self._lines(("T-LM1", "24")), "target": "new", "client_ref": "PO-1"},
        )
        order = self.env["sale.order"].search([("client_order_ref", "=", "PO-1")])
        self.assertEqual(res["url"], order.get_portal_url())
        self.assertEqual(order.partner_id, self.buyer_a.partner_id)

    def test_cross_partner_isolation(self):
        order_b, _priced = self._quick(self.buyer_b)._b2b_submit(
            self.buyer_b, self._lines(("T-LM1", "24"))
        )
        quick_a = self._quick(self.buyer_a)
        self.assertFalse(quick_a._b2b_current_draft(self.buyer_a))
        self.assertFalse(quick_a._b2b_current_draft(self.buyer_a, order_b.id))
        with self.assertRaises(AccessError):
            quick_a._b2b_submit(
                self.buyer_a, self._lines(("T-MD5", "1")), order=order_b.with_user(self.buyer_a)
            )
        with self.assertRaisesRegex(AccessError, "delivery location"):
            quick_a._b2b_submit(
                self.buyer_a, self._lines(("T-MD5", "1")), header={"shipping_id": self.loc_b.id}
            )
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        res = self._json(
            "/b2b/quick-order/submit",
            {"lines": self._lines(("T-MD5", "1")), "target": "current", "order_id": order_b.id},
        )
        self.assertIn("not one of your drafts", res["error"])
        # B's order is untouched, and no order was created for A
        self.assertEqual(order_b.sudo().order_line.product_id, self.milk)
        self.assertFalse(
            self.env["sale.order"].search([("partner_id", "=", self.buyer_a.partner_id.id)])
        )
        # the manager of A sees A's drafts only (not B's)
        self.assertFalse(self._quick(self.manager_a)._b2b_current_draft(self.manager_a))
