# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
""" "Order again", order templates and the REST API go through the pad's ordering path
(``smart.dairy.b2b.quick.order._b2b_submit``): for the same lines they give the pad's answer -
the credit hold with its reason, a buyer above his limit (waits for his manager), a quantity
that is not a pack multiple - and a refusal writes nothing.

Prices: see test_quick_order (Gold: milk 24 x 93.00 = 2,232.00, crates of 12).
"""

from urllib.parse import parse_qs, urlsplit

from odoo import Command
from odoo.tests import HttpCase, tagged

from .test_quick_order import QuickOrderMixin

API = "/api/v1/b2b"


@tagged("post_install", "-at_install")
class TestOrderingPaths(QuickOrderMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quick_order_world()
        # personal limit 2,000: 24 milk (2,232.00) is above it
        cls.small_buyer = cls._portal_user(cls.partner_a, "t_path_small_buyer", "buyer", 2000)
        cls.key_buyer = cls.buyer_a.b2b_generate_api_key()
        cls.key_small = cls.small_buyer.b2b_generate_api_key()
        cls.past_24 = cls._past_order(cls.buyer_a, 24)
        cls.past_13 = cls._past_order(cls.buyer_a, 13)
        cls.past_small = cls._past_order(cls.small_buyer, 24)
        cls.Template = cls.env["smart.dairy.b2b.order.template"]
        cls.tmpl_13 = cls.Template.create(
            {
                "name": "T thirteen milk",
                "partner_id": cls.partner_a.id,
                "company_id": cls.company.id,
                "line_ids": [Command.create({"product_id": cls.milk.id, "quantity": 13})],
            }
        )
        cls.tmpl_24 = cls.Template.create(
            {
                "name": "T two crates",
                "partner_id": cls.partner_a.id,
                "company_id": cls.company.id,
                "line_ids": [Command.create({"product_id": cls.milk.id, "quantity": 24})],
            }
        )
        cls.past_ids = (cls.past_24 | cls.past_13 | cls.past_small).ids

    @classmethod
    def _past_order(cls, user, milk_qty):
        """An earlier order of ``user``: what "Order again" copies."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": user.partner_id.id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create({"product_id": cls.milk.id, "product_uom_qty": milk_qty})
                ],
            }
        )
        order.message_subscribe(cls.partner_a.ids)  # the portal's read rule
        return order

    # ------------------------------------------------------------------ helpers
    def _login(self, user):
        self.authenticate(user.login, user.login + "-pw-1234")
        page = self.url_open("/b2b/catalog")
        self.assertEqual(page.status_code, 200)
        self.token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

    def _post_form(self, url, error_param):
        """POST a portal form; ``(error, location)`` of its redirect."""
        res = self.url_open(url, data={"csrf_token": self.token}, allow_redirects=False)
        self.assertEqual(res.status_code, 303, res.text[:300])
        location = res.headers["Location"]
        return parse_qs(urlsplit(location).query).get(error_param, [None])[0], location

    def _order_again(self, past):
        return self._post_form(f"/my/orders/{past.id}/b2b_reorder", "b2b_error")

    def _from_template(self, template):
        return self._post_form(f"/my/b2b/templates/{template.id}/order", "error")

    def _rest(self, key, lines, idem):
        return self.opener.post(
            self.base_url() + API + "/orders",
            json={"lines": lines},
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idem},
            timeout=60,
        )

    def _new_orders(self):
        return self.env["sale.order"].search(
            [("partner_id", "child_of", self.partner_a.id), ("id", "not in", self.past_ids)],
            order="id",
        )

    # ------------------------------------------------------------------ same gates as the pad
    def test_credit_hold_refused_with_reason_like_the_pad(self):
        self._invoice(self.partner_a, 500, 75)  # 75 days overdue > 60 -> on hold
        self._login(self.buyer_a)
        pad = self._pad(("T-LM1", "24"))["error"]
        self.assertIn("on hold for credit", pad)
        self.assertIn("75 days", pad)
        error, location = self._order_again(self.past_24)
        self.assertEqual(error, pad)
        self.assertTrue(location.startswith(f"/my/orders/{self.past_24.id}?"), location)
        self.assertIn("75 days", self.url_open(location).text)
        error, location = self._from_template(self.tmpl_24)
        self.assertEqual(error, pad)
        self.assertTrue(location.startswith("/my/b2b/templates?"), location)
        res = self._rest(self.key_buyer, [{"sku": "T-LM1", "quantity": 24}], "idem-path-hold")
        self.assertEqual(res.status_code, 409, res.text)
        self.assertEqual(
            res.json()["error"], {"code": "credit_hold", "message": pad, "details": {}}
        )
        self.assertFalse(self._new_orders())

    def test_buyer_above_limit_waits_for_manager_like_the_pad(self):
        self._login(self.small_buyer)
        pad = self._pad(("T-LM1", "24"))
        self.assertNotIn("error", pad)
        pad_order = self._new_orders()
        error, location = self._order_again(self.past_small)
        self.assertIsNone(error)
        again_order = self._new_orders() - pad_order
        self.assertEqual(location, again_order.get_portal_url())
        self.assertEqual(again_order.origin, self.past_small.name)
        error, location = self._from_template(self.tmpl_24)
        self.assertIsNone(error)
        tmpl_order = self._new_orders() - pad_order - again_order
        self.assertEqual(location, tmpl_order.get_portal_url())
        self.assertEqual(tmpl_order.origin, "T two crates")
        res = self._rest(self.key_small, [{"sku": "T-LM1", "quantity": 24}], "idem-path-limit")
        self.assertEqual(res.status_code, 201, res.text)
        body = res.json()
        self.assertEqual((body["approval"], body["requires_approval"]), ("pending", True))
        rest_order = self.env["sale.order"].browse(body["id"])
        self.assertEqual(rest_order.b2b_idempotency_key, "idem-path-limit")
        orders = pad_order | again_order | tmpl_order | rest_order
        self.assertEqual(len(orders), 4)
        for order in orders:
            with self.subTest(order=order.name):
                self.assertEqual(order.b2b_partner_approval, "pending")
                self.assertEqual(order.partner_id, self.small_buyer.partner_id)
                self.assertEqual(order.amount_untaxed, 2232.0)
                self.assertIn(
                    "above his personal limit", " ".join(order.message_ids.mapped("body"))
                )
        # within his limit (12 x 96.00 = 1,152.00): nothing waits, on every path
        res = self._rest(self.key_small, [{"sku": "T-LM1", "quantity": 12}], "idem-path-small")
        self.assertEqual(res.json()["approval"], "none")

    def test_not_a_pack_multiple_refused_like_the_pad_nothing_written(self):
        self._login(self.buyer_a)
        pad = self._pad(("T-LM1", "13"))["error"]
        self.assertEqual(
            pad,
            "Correct these lines first: "
            "T-LM1: T Fresh Milk 1 L is sold in packs of 12: 13 is not a multiple.",
        )
        error, location = self._order_again(self.past_13)
        self.assertEqual(error, pad)
        self.assertTrue(location.startswith(f"/my/orders/{self.past_13.id}?"), location)
        self.assertIn("sold in packs of 12", self.url_open(location).text)
        self.assertEqual(self._from_template(self.tmpl_13)[0], pad)
        # the REST API names the line and the field, with the pad's reason
        res = self._rest(
            self.key_buyer,
            [{"sku": "T-MD5", "quantity": 5}, {"product_id": self.milk.id, "quantity": 13}],
            "idem-path-pack",
        )
        self.assertEqual(res.status_code, 422, res.text)
        self.assertEqual(
            res.json()["error"],
            {
                "code": "bad_quantity",
                "message": "T Fresh Milk 1 L is sold in packs of 12: 13 is not a multiple",
                "details": {"index": 1, "field": "quantity"},
            },
        )
        self.assertFalse(self._new_orders())
        self.assertFalse(
            self.env["sale.order"].search([("b2b_idempotency_key", "=", "idem-path-pack")])
        )

    def test_hidden_products_and_roles(self):
        """A product no longer sold: "Order again" names it, REST answers unknown_product; a
        viewer's key is refused with its own code; nothing is written."""
        self._login(self.buyer_a)
        self.milk.b2b_published = False
        error, _location = self._order_again(self.past_24)
        self.assertEqual(error, "These products can no longer be ordered: T Fresh Milk 1 L.")
        res = self._rest(self.key_buyer, [{"sku": "T-LM1", "quantity": 24}], "idem-path-gone")
        self.assertEqual(res.status_code, 422, res.text)
        self.assertEqual(res.json()["error"]["code"], "unknown_product")
        self.assertEqual(res.json()["error"]["details"], {"index": 0})
        key_viewer = self.viewer_a.b2b_generate_api_key()
        res = self._rest(key_viewer, [{"sku": "T-MD5", "quantity": 5}], "idem-path-viewer")
        self.assertEqual(res.status_code, 403, res.text)
        self.assertEqual(res.json()["error"]["code"], "role_cannot_order")
        self.assertFalse(self._new_orders())
