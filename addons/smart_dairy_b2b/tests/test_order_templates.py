# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order templates and "Order again": company isolation, today's tier prices, the gates.

Gold tier: 4 % off list price, + 3 % from 10 units (7 % off): with the doi's list price raised
from 95 to 100, 10 doi = 10 x 93.00 = 930.00 and 24 milk = 24 x 93.00 = 2,232.00 (no taxes).
"""

import re

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .test_credit_odoo import CreditMixin


@tagged("post_install", "-at_install")
class TestOrderTemplates(CreditMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        cls.partner_a = cls._partner("T Tmpl Alpha Foods")
        cls.partner_b = cls._partner("T Tmpl Beta Mart")
        for partner in cls.partner_a | cls.partner_b:
            partner.b2b_set_credit_limit(1000000, "test")
        cls.a_manager = cls._portal_user(cls.partner_a, "t_tmpl_a_mgr", "manager")
        cls.a_buyer = cls._portal_user(cls.partner_a, "t_tmpl_a_buyer", "buyer", limit=1000)
        cls.b_manager = cls._portal_user(cls.partner_b, "t_tmpl_b_mgr", "manager")
        # a past order of Alpha at yesterday's prices (doi 95 list, price typed by hand)
        cls.past = cls.env["sale.order"].create(
            {
                "partner_id": cls.a_manager.partner_id.id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.doi.id, "product_uom_qty": 10, "price_unit": 80.0}
                    ),
                    Command.create(
                        {"product_id": cls.milk.id, "product_uom_qty": 24, "price_unit": 80.0}
                    ),
                    Command.create({"display_type": "line_note", "name": "deliver before 9"}),
                ],
            }
        )
        cls.past.message_subscribe(cls.partner_a.ids)
        cls.doi.list_price = 100.0
        cls.Template = cls.env["smart.dairy.b2b.order.template"]

    def _csrf(self, url):
        res = self.url_open(url)
        self.assertEqual(res.status_code, 200, url)
        return re.search(r'name="csrf_token" value="([^"]+)"', res.text).group(1)

    def _new_orders(self, user):
        return self.env["sale.order"].search(
            [("partner_id", "=", user.partner_id.id), ("id", "!=", self.past.id)]
        )

    def _check_today_prices(self, order):
        prices = {line.product_id: line.price_unit for line in order.order_line}
        self.assertEqual(prices, {self.doi: 93.0, self.milk: 93.0})
        self.assertAlmostEqual(order.amount_untaxed, 3162.0)  # 930 + 2,232

    # ------------------------------------------------------------------ ORM
    def test_save_template_and_order_from_it(self):
        template = self.Template.with_user(self.a_manager)._b2b_create_from_order(
            self.past.with_user(self.a_manager), "Weekly doi + milk"
        )
        self.assertEqual(template.partner_id, self.partner_a)
        self.assertEqual(
            [(line.product_id, line.quantity) for line in template.line_ids],
            [(self.doi, 10.0), (self.milk, 24.0)],
        )
        order = template.action_b2b_order()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.a_manager.partner_id)
        self.assertEqual(order.origin, "Weekly doi + milk")
        self.assertEqual(order.b2b_partner_approval, "none")
        self._check_today_prices(order)

    def test_template_isolation_orm(self):
        template = self.Template.with_user(self.a_manager)._b2b_create_from_order(
            self.past.with_user(self.a_manager), "Alpha only"
        )
        as_b = self.Template.with_user(self.b_manager)
        self.assertFalse(as_b.search([("id", "=", template.id)]))
        with self.assertRaises(AccessError):
            as_b.browse(template.id).read(["name"])
        with self.assertRaises(AccessError):
            as_b.browse(template.id).line_ids.read(["product_id"])
        with self.assertRaises(AccessError):
            as_b.browse(template.id).action_b2b_order()
        with self.assertRaises(AccessError):
            as_b.browse(template.id).write({"name": "hijacked"})
        with self.assertRaises(AccessError):
            as_b.browse(template.id).unlink()
        with self.assertRaises(AccessError):
            as_b.create({"name": "for Alpha", "partner_id": self.partner_a.id})
        with self.assertRaises(AccessError):
            self.env["smart.dairy.b2b.order.template.line"].with_user(self.b_manager).create(
                {"template_id": template.id, "product_id": self.doi.id, "quantity": 1}
            )
        # nor save a template from Alpha's order, nor re-order it
        with self.assertRaises(AccessError):
            as_b._b2b_create_from_order(self.past.with_user(self.b_manager), "stolen")
        with self.assertRaises(AccessError):
            as_b._b2b_reorder(self.past.with_user(self.b_manager))
        # Alpha's buyer sees his company's template
        self.assertEqual(self.Template.with_user(self.a_buyer).search([]), template)

    def test_reorder_reprices_at_today_tier_price(self):
        order = self.Template.with_user(self.a_manager)._b2b_reorder(
            self.past.with_user(self.a_manager)
        )
        self._check_today_prices(order)
        self.assertEqual(order.origin, self.past.name)
        self.assertEqual(order.pricelist_id, self.gold.pricelist_id)
        self.assertEqual(len(order.order_line), 2)  # the note line is not copied

    def test_buyer_above_his_limit_orders_for_approval(self):
        template = self.Template.with_user(self.a_manager)._b2b_create_from_order(
            self.past.with_user(self.a_manager), "Big one"
        )
        # a buyer sees only his own orders, but his company's templates
        with self.assertRaises(AccessError):
            self.Template.with_user(self.a_buyer)._b2b_reorder(self.past.with_user(self.a_buyer))
        order = template.with_user(self.a_buyer).action_b2b_order()
        self.assertEqual(order.partner_id, self.a_buyer.partner_id)
        self._check_today_prices(order)
        # 3,162 is above the buyer's personal limit (1,000): waits for his manager
        self.assertEqual(order.b2b_partner_approval, "pending")

    def test_viewer_cannot_order_from_template(self):
        viewer = self._portal_user(self.partner_a, "t_tmpl_a_viewer", "viewer")
        template = self.Template.with_user(self.a_manager)._b2b_create_from_order(
            self.past.with_user(self.a_manager), "Viewer test"
        )
        with self.assertRaisesRegex(AccessError, "does not allow"):
            template.with_user(viewer).action_b2b_order()
        self.assertFalse(self._new_orders(viewer))

    def test_reorder_refused_on_credit_hold(self):
        self.partner_a.b2b_set_credit_status("on_hold", "test hold")
        before = self._new_orders(self.a_manager)
        with self.assertRaisesRegex(ValidationError, "on hold"):
            self.Template.with_user(self.a_manager)._b2b_reorder(
                self.past.with_user(self.a_manager)
            )
        self.assertEqual(self._new_orders(self.a_manager), before)

    def test_reorder_checks_current_pack_rules_and_catalog(self):
        # crates of 10 now: 24 is no longer a whole number of crates
        self.milk.product_tmpl_id.write({"b2b_qty_multiple": 10, "b2b_min_qty": 10})
        with self.assertRaises(ValidationError):
            self.Template.with_user(self.a_manager)._b2b_reorder(
                self.past.with_user(self.a_manager)
            )
        self.milk.product_tmpl_id.write({"b2b_qty_multiple": 12, "b2b_min_qty": 12})
        self.doi.b2b_published = False
        with self.assertRaisesRegex(ValidationError, "no longer be ordered"):
            self.Template.with_user(self.a_manager)._b2b_reorder(
                self.past.with_user(self.a_manager)
            )

    # ------------------------------------------------------------------ portal routes
    def test_portal_order_again_and_templates_page(self):
        self.authenticate(self.a_manager.login, self.a_manager.login + "-pw-1234")
        self.assertIn("o_b2b_templates_link", self.url_open("/my").text)
        page = self.url_open(f"/my/orders/{self.past.id}")
        self.assertIn("o_b2b_reorder", page.text)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        res = self.url_open(
            f"/my/orders/{self.past.id}/b2b_save_template",
            data={"csrf_token": token, "name": "Alpha weekly"},
        )
        self.assertEqual(res.status_code, 200)
        self.assertIn("Alpha weekly", res.text)
        template = self.Template.search([("partner_id", "=", self.partner_a.id)])
        self.assertEqual(template.name, "Alpha weekly")
        res = self.url_open(f"/my/orders/{self.past.id}/b2b_reorder", data={"csrf_token": token})
        new = self._new_orders(self.a_manager)
        self.assertEqual(len(new), 1)
        self._check_today_prices(new)
        self.assertIn(f"/my/orders/{new.id}", res.url)
        res = self.url_open(f"/my/b2b/templates/{template.id}/order", data={"csrf_token": token})
        self.assertEqual(len(self._new_orders(self.a_manager)), 2)
        # on hold: refused, with the reason on the order page, nothing created
        self.partner_a.b2b_set_credit_status("on_hold", "test hold")
        res = self.url_open(f"/my/orders/{self.past.id}/b2b_reorder", data={"csrf_token": token})
        self.assertIn("o_b2b_reorder_error", res.text)
        self.assertIn("on hold", res.text)
        res = self.url_open(f"/my/b2b/templates/{template.id}/order", data={"csrf_token": token})
        self.assertIn("o_b2b_error", res.text)
        self.assertIn("on hold", res.text)
        self.assertEqual(len(self._new_orders(self.a_manager)), 2)

    def test_portal_template_isolation(self):
        template = self.Template.with_user(self.a_manager)._b2b_create_from_order(
            self.past.with_user(self.a_manager), "Alpha secret mix"
        )
        self.authenticate(self.b_manager.login, self.b_manager.login + "-pw-1234")
        token = self._csrf("/b2b/catalog")
        self.assertNotIn("Alpha secret mix", self.url_open("/my/b2b/templates").text)
        for url in (
            f"/my/b2b/templates/{template.id}/order",
            f"/my/b2b/templates/{template.id}/delete",
            f"/my/orders/{self.past.id}/b2b_reorder",
            f"/my/orders/{self.past.id}/b2b_save_template",
        ):
            with self.subTest(url=url):
                res = self.url_open(url, data={"csrf_token": token, "name": "x"})
                self.assertEqual(res.status_code, 404)
        self.assertTrue(template.exists())
        self.assertFalse(self._new_orders(self.b_manager))
        self.assertEqual(self.Template.search_count([("partner_id", "=", self.partner_b.id)]), 0)
