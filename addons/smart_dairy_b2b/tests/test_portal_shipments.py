# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Split shipments and backorders on the customer's portal order page (real HTTP).

12 crates-worth of UHT ordered, 5 in stock: the first delivery ships 5, the backorder of 7
waits; the page lists both deliveries, their state, dates and quantities, and which one is
the backorder.
"""

import re

from odoo import Command
from odoo.tests import Form, HttpCase, tagged

from .test_credit_odoo import CreditMixin


@tagged("post_install", "-at_install")
class TestPortalShipments(CreditMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_world()
        cls.partner = cls._partner("T Ship Sweets")
        cls.partner.b2b_set_credit_limit(1000000, "test")
        cls.manager = cls._portal_user(cls.partner, "t_ship_mgr", "manager")
        cls.other = cls._partner("T Ship Other")
        cls.other_manager = cls._portal_user(cls.other, "t_ship_other_mgr", "manager")
        cls.uht = cls.env["product.product"].create(
            {
                "name": "T UHT Milk 1 L",
                "default_code": "T-UHT1",
                "list_price": 110.0,
                "is_storable": True,
                "b2b_published": True,
                "sale_ok": True,
            }
        )
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)])
        cls.env["stock.quant"]._update_available_quantity(cls.uht, warehouse.lot_stock_id, 5)
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.manager.partner_id.id,
                "company_id": cls.company.id,
                "warehouse_id": warehouse.id,
                "order_line": [
                    Command.create({"product_id": cls.uht.id, "product_uom_qty": 12, "tax_id": []})
                ],
            }
        )
        cls.order.action_confirm()
        cls.first = cls.order.picking_ids
        cls.first.move_ids.quantity = 5
        cls.first.move_ids.picked = True
        action = cls.first.button_validate()
        Form(cls.env[action["res_model"]].with_context(**action["context"])).save().process()
        cls.backorder = cls.order.picking_ids - cls.first

    def test_backorder_visible_on_portal_order_page(self):
        self.assertEqual(self.first.state, "done")
        self.assertEqual(self.backorder.backorder_id, self.first)
        self.assertEqual(self.backorder.move_ids.product_uom_qty, 7.0)
        self.authenticate(self.manager.login, self.manager.login + "-pw-1234")
        res = self.url_open(f"/my/orders/{self.order.id}")
        self.assertEqual(res.status_code, 200)
        html = res.text
        self.assertIn('id="b2b_shipments"', html)
        self.assertIn("delivered in 2 shipments", html)
        blocks = re.findall(r'class="mb-3 o_b2b_shipment" data-picking="([^"]+)"', html)
        self.assertEqual(sorted(blocks), sorted([self.first.name, self.backorder.name]))
        first_html, back_html = (
            html.split(f'data-picking="{name}"')[1].split("</table>")[0]
            for name in (self.first.name, self.backorder.name)
        )
        # the first delivery: done, 5 delivered (core splits the move: 5 here, 7 in the backorder)
        self.assertIn("Done", first_html)
        self.assertIn("Delivered on", first_html)
        self.assertNotIn("o_b2b_backorder", first_html)
        self.assertRegex(first_html, r'o_b2b_qty_done">5\.0 ')
        # the backorder: waiting or ready, 7 planned, nothing delivered, linked to the first
        self.assertIn(f"Backorder of {self.first.name}", back_html)
        self.assertIn("Scheduled for", back_html)
        self.assertRegex(back_html, r'o_b2b_qty_planned">7\.0 ')
        self.assertRegex(back_html, r'o_b2b_qty_done">0\.0 ')

    def test_other_company_sees_no_shipment(self):
        self.authenticate(self.other_manager.login, self.other_manager.login + "-pw-1234")
        res = self.url_open(f"/my/orders/{self.order.id}")
        self.assertNotIn(self.first.name, res.text)
        self.assertNotIn("b2b_shipments", res.text)
