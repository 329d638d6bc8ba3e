# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Roles of partners' portal users, isolation between partners (ORM, XML-RPC, controllers)."""

import re
import xmlrpc.client

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import B2bTestMixin


@tagged("post_install", "-at_install")
class TestPortalSecurity(B2bTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_b2b_world()
        env = cls.env
        # accounting for the test company, to have real invoices to hide
        env["account.chart.template"].try_loading("generic_coa", cls.company, install_demo=False)
        cls.partner_a = cls._partner("T Partner A")
        cls.partner_b = cls._partner("T Partner B", tier=cls.silver)
        cls.partner_b.action_b2b_create_contract_pricelist()
        cls.admin_a = cls._portal_user(cls.partner_a, "t_admin_a", "admin")
        cls.buyer_a = cls._portal_user(cls.partner_a, "t_buyer_a", "buyer", limit=5000)
        cls.viewer_a = cls._portal_user(cls.partner_a, "t_viewer_a", "viewer")
        cls.buyer_b = cls._portal_user(cls.partner_b, "t_buyer_b", "buyer")

        def order(partner):
            so = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "order_line": [
                        Command.create({"product_id": cls.doi.id, "product_uom_qty": 2})
                    ],
                }
            )
            so.message_subscribe(partner_ids=partner.commercial_partner_id.ids)
            return so

        cls.order_buyer_a = order(cls.buyer_a.partner_id)
        cls.order_company_a = order(cls.partner_a)
        cls.order_b = order(cls.buyer_b.partner_id)

        def invoice(partner):
            move = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "invoice_line_ids": [
                        Command.create({"product_id": cls.doi.id, "quantity": 1, "price_unit": 95})
                    ],
                }
            )
            move.action_post()
            return move

        cls.invoice_a = invoice(cls.partner_a)
        cls.invoice_b = invoice(cls.partner_b)

    # ------------------------------------------------------------------ ORM / record rules
    def test_buyer_sees_own_orders_only(self):
        SaleOrder = self.env["sale.order"].with_user(self.buyer_a)
        self.assertEqual(SaleOrder.search([]), self.order_buyer_a)
        for other in (self.order_b, self.order_company_a):
            with self.assertRaises(AccessError):
                other.with_user(self.buyer_a).read(["name"])
        self.assertFalse(self.env["account.move"].with_user(self.buyer_a).search([]))

    def test_viewer_and_admin_see_company_documents_not_others(self):
        for user in (self.viewer_a, self.admin_a):
            orders = self.env["sale.order"].with_user(user).search([])
            self.assertEqual(orders, self.order_buyer_a | self.order_company_a)
            self.assertEqual(self.env["account.move"].with_user(user).search([]), self.invoice_a)
            with self.assertRaises(AccessError):
                self.order_b.with_user(user).read(["name"])
            with self.assertRaises(AccessError):
                self.invoice_b.with_user(user).read(["name"])

    def test_other_partner_data_hidden(self):
        for model, record in (
            ("res.partner", self.partner_b),
            ("product.pricelist", self.partner_b.b2b_contract_pricelist_id),
            ("smart.dairy.b2b.application", None),
        ):
            Model = self.env[model].with_user(self.buyer_a)
            if record is None:
                with self.assertRaises(AccessError):
                    Model.search([])
                continue
            with self.assertRaises(AccessError):
                record.with_user(self.buyer_a).read(["name"])
            self.assertNotIn(record, Model.search([]))

    def test_role_change_applies_immediately(self):
        self.assertEqual(len(self.env["sale.order"].with_user(self.buyer_a).search([])), 1)
        self.buyer_a.b2b_role = "manager"
        self.assertEqual(len(self.env["sale.order"].with_user(self.buyer_a).search([])), 2)

    def test_portal_user_cannot_grant_himself_a_role(self):
        with self.assertRaises(AccessError):
            self.buyer_a.with_user(self.buyer_a).write({"b2b_role": "admin"})
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.admin_a).write({"b2b_tier_id": self.silver.id})

    # ------------------------------------------------------------------ XML-RPC
    def _rpc(self, user, model, method, *args, **kw):
        uid = self.xmlrpc_common.authenticate(
            self.env.cr.dbname, user.login, user.login + "-pw-1234", {}
        )
        self.assertTrue(uid, f"{user.login} can log in over XML-RPC")
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, uid, user.login + "-pw-1234", model, method, list(args), kw
        )

    def test_xmlrpc_isolation(self):
        ids = [
            r["id"]
            for r in self._rpc(self.buyer_a, "sale.order", "search_read", [], fields=["name"])
        ]
        self.assertEqual(ids, self.order_buyer_a.ids)
        for model, record in (
            ("sale.order", self.order_b),
            ("account.move", self.invoice_b),
            ("res.partner", self.partner_b),
            ("product.pricelist", self.partner_b.b2b_contract_pricelist_id),
        ):
            with self.subTest(model=model), self.assertRaises(xmlrpc.client.Fault):
                self._rpc(self.buyer_a, model, "read", record.ids, fields=["display_name"])
        with self.assertRaises(xmlrpc.client.Fault):  # portal users cannot create orders
            self._rpc(
                self.viewer_a, "sale.order", "create", {"partner_id": self.viewer_a.partner_id.id}
            )
        with self.assertRaises(xmlrpc.client.Fault):  # nor approve their own company
            self._rpc(
                self.admin_a, "res.partner", "write", self.partner_a.ids, {"b2b_status": "approved"}
            )

    # ------------------------------------------------------------------ controllers
    def _csrf(self, url):
        res = self.url_open(url)
        self.assertEqual(res.status_code, 200, res.text[:500])
        return re.search(r'name="csrf_token" value="([^"]+)"', res.text).group(1)

    def test_catalog_shows_tier_prices_and_breaks(self):
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        res = self.url_open("/b2b/catalog?search=T+Fresh+Milk")
        self.assertEqual(res.status_code, 200)
        self.assertIn("T Fresh Milk 1 L", res.text)
        self.assertIn("o_b2b_break_row", res.text)
        # Gold, 100 BDT: 96.00 / 93.00 / 91.00 / 88.00
        for price in ("96.00", "93.00", "91.00", "88.00"):
            self.assertIn(price, res.text)
        self.assertNotIn("T Lassi", res.text, "search filters the catalog")
        res = self.url_open(f"/b2b/catalog?category={self.categ_yogurt.id}")
        self.assertIn("T Lassi", res.text)
        self.assertNotIn("T Fresh Milk", res.text)

    def test_viewer_cannot_order(self):
        self.authenticate(self.viewer_a.login, self.viewer_a.login + "-pw-1234")
        token = self._csrf("/b2b/catalog")
        res = self.url_open("/b2b/catalog")
        self.assertNotIn("o_b2b_order_submit", res.text)
        before = self.env["sale.order"].search_count([])
        res = self.url_open(
            "/b2b/order",
            data={"csrf_token": token, f"qty_{self.milk.id}": "12"},
            allow_redirects=False,
        )
        self.assertEqual(res.status_code, 403)
        self.assertEqual(self.env["sale.order"].search_count([]), before)

    def test_buyer_orders_within_limit_and_pack_rules(self):
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        token = self._csrf("/b2b/catalog")
        SaleOrder = self.env["sale.order"]
        before = SaleOrder.search_count([])
        # not a multiple of the crate (12): the pad's message (same ordering path)
        res = self.url_open("/b2b/order", data={"csrf_token": token, f"qty_{self.milk.id}": "13"})
        self.assertIn("sold in packs of 12: 13 is not a multiple", res.text)
        self.assertEqual(SaleOrder.search_count([]), before)
        # 60 x 91.00 = 5460 BDT > personal limit 5000: the order waits for a manager (#6)
        res = self.url_open("/b2b/order", data={"csrf_token": token, f"qty_{self.milk.id}": "60"})
        self.assertIn("waits for the approval of a", res.text)
        self.assertEqual(SaleOrder.search_count([]), before + 1)
        pending = SaleOrder.search([], order="id desc", limit=1)
        self.assertEqual(pending.b2b_partner_approval, "pending")
        # 48 units (4 crates) < 50 -> 93.00 ; 48 x 93 = 4464 BDT, within the limit
        self.url_open("/b2b/order", data={"csrf_token": token, f"qty_{self.milk.id}": "48"})
        order = SaleOrder.search([], order="id desc", limit=1)
        self.assertEqual(SaleOrder.search_count([]), before + 2)
        self.assertEqual(order.b2b_partner_approval, "none")
        self.assertEqual(order.partner_id, self.buyer_a.partner_id)
        self.assertAlmostEqual(order.order_line.price_unit, 93.0)
        self.assertAlmostEqual(order.amount_untaxed, 4464.0)

    def test_other_partner_order_page_refused(self):
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        res = self.url_open(f"/my/orders/{self.order_b.id}", allow_redirects=False)
        self.assertNotEqual(res.status_code, 200)
        self.assertNotIn(self.order_b.name, res.text)

    def test_admin_manages_company_users(self):
        self.authenticate(self.admin_a.login, self.admin_a.login + "-pw-1234")
        token = self._csrf("/my/b2b/users")
        self.url_open(
            "/my/b2b/users/add",
            data={
                "csrf_token": token,
                "name": "New Buyer",
                "email": "t_new_buyer@example.com",
                "role": "buyer",
                "order_limit": "20000",
            },
        )
        new = self.env["res.users"].search([("login", "=", "t_new_buyer@example.com")])
        self.assertEqual(new.b2b_role, "buyer")
        self.assertEqual(new.b2b_order_limit, 20000)
        self.assertEqual(new.partner_id.commercial_partner_id, self.partner_a)
        self.assertTrue(new.share)
        # disable a colleague
        self.url_open(
            f"/my/b2b/users/{self.viewer_a.id}/update", data={"csrf_token": token, "active": "0"}
        )
        self.assertFalse(self.viewer_a.active)
        # a user of another partner is out of reach
        res = self.url_open(
            f"/my/b2b/users/{self.buyer_b.id}/update", data={"csrf_token": token, "active": "0"}
        )
        self.assertIn("not one of your company", res.text)
        self.assertTrue(self.buyer_b.active)

    def test_buyer_cannot_manage_users(self):
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        self.assertEqual(self.url_open("/my/b2b/users").status_code, 403)
        with self.assertRaises(AccessError):
            self.buyer_a._b2b_add_company_user("X", "x@example.com", "admin")

    def test_suspended_partner_loses_b2b_pages(self):
        self.partner_a.action_b2b_suspend()
        self.authenticate(self.buyer_a.login, self.buyer_a.login + "-pw-1234")
        res = self.url_open("/b2b/catalog")
        self.assertEqual(res.status_code, 403)
        self.assertIn("suspended", res.text)
