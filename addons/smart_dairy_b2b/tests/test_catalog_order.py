# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The catalog's quick order (``POST /b2b/order``) goes through the pad's ordering path
(``smart.dairy.b2b.quick.order._b2b_submit``): for the same lines, the catalog and the pad give
the same answer - the credit hold with its reason, a buyer above his limit (pending manager
approval), a quantity that is not a pack multiple - and a refusal writes nothing.

Prices: see test_quick_order (Gold: milk 24 x 93.00 = 2,232.00, crates of 12).
"""

from urllib.parse import parse_qs, urlsplit

from odoo.tests import HttpCase, tagged

from .test_quick_order import QuickOrderMixin


@tagged("post_install", "-at_install")
class TestCatalogOrder(QuickOrderMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_quick_order_world()
        # personal limit 2,000: 24 milk (2,232.00) is above it
        cls.small_buyer = cls._portal_user(cls.partner_a, "t_cat_small_buyer", "buyer", 2000)
        other_company = cls.env["res.company"].create({"name": "T Other Dairy"})
        cls.foreign = cls.env["product.product"].create(
            {
                "name": "T Foreign Ghee",
                "default_code": "T-FG1",
                "list_price": 500.0,
                "b2b_published": True,
                "sale_ok": True,
                "company_id": other_company.id,
            }
        )
        cls.no_code = cls.env["product.product"].create(
            {"name": "T Ghee Jar", "list_price": 300.0, "b2b_published": True, "taxes_id": []}
        )

    # ------------------------------------------------------------------ helpers
    def _login(self, user):
        self.authenticate(user.login, user.login + "-pw-1234")
        page = self.url_open("/b2b/catalog")
        self.assertEqual(page.status_code, 200)
        self.token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

    def _catalog(self, **quantities):
        """POST the catalog form (``qty_<id>`` fields); ``(error, location)`` of the redirect."""
        data = {"csrf_token": self.token, **quantities}
        res = self.url_open("/b2b/order", data=data, allow_redirects=False)
        self.assertEqual(res.status_code, 303, res.text[:300])
        location = res.headers["Location"]
        error = parse_qs(urlsplit(location).query).get("error", [None])[0]
        return error, location

    def _orders(self, partner=None):
        partner = partner or self.partner_a
        return self.env["sale.order"].search([("partner_id", "child_of", partner.id)], order="id")

    # ------------------------------------------------------------------ same gates as the pad
    def test_credit_hold_refused_with_reason_like_the_pad(self):
        self._invoice(self.partner_a, 500, 75)  # 75 days overdue > 60 -> on hold
        self._login(self.buyer_a)
        error, location = self._catalog(**{f"qty_{self.milk.id}": "24"})
        self.assertTrue(location.startswith("/b2b/catalog?"), location)
        self.assertIn("on hold for credit", error)
        self.assertIn("75 days", error)
        self.assertEqual(self._pad(("T-LM1", "24"))["error"], error)
        self.assertFalse(self._orders())
        # the catalog page shows the reason
        page = self.url_open(location)
        self.assertIn("o_b2b_error", page.text)
        self.assertIn("75 days", page.text)

    def test_buyer_above_limit_waits_for_manager_like_the_pad(self):
        self._login(self.small_buyer)
        error, location = self._catalog(**{f"qty_{self.milk.id}": "24"})
        self.assertIsNone(error)
        catalog_order = self._orders()
        self.assertEqual(len(catalog_order), 1)
        self.assertEqual(location, catalog_order.get_portal_url())
        pad = self._pad(("T-LM1", "24"))
        self.assertNotIn("error", pad)
        pad_order = self._orders() - catalog_order
        self.assertEqual(pad["url"], pad_order.get_portal_url())
        for order in (catalog_order, pad_order):
            self.assertEqual(order.b2b_partner_approval, "pending")
            self.assertEqual(order.partner_id, self.small_buyer.partner_id)
            self.assertEqual(order.amount_untaxed, 2232.0)
            self.assertIn("above his personal limit", " ".join(order.message_ids.mapped("body")))
        self.assertIn("waits for the approval of a", self.url_open(location).text)
        # within his limit (12 x 96.00 = 1,152.00): no approval needed
        error, location = self._catalog(**{f"qty_{self.milk.id}": "12"})
        self.assertIsNone(error)
        self.assertEqual(self._orders()[-1:].b2b_partner_approval, "none")

    def test_not_a_pack_multiple_refused_like_the_pad_nothing_written(self):
        self._login(self.buyer_a)
        # a valid line beside the wrong one: the whole order is refused
        error, location = self._catalog(**{f"qty_{self.milk.id}": "13", f"qty_{self.doi.id}": "5"})
        self.assertTrue(location.startswith("/b2b/catalog?"), location)
        self.assertIn("T-LM1: T Fresh Milk 1 L is sold in packs of 12: 13 is not a multiple", error)
        self.assertEqual(self._pad(("T-LM1", "13"), ("T-MD5", "5"))["error"], error)
        self.assertFalse(self._orders())
        self.assertIn("sold in packs of 12", self.url_open(location).text)

    # ------------------------------------------------------------------ catalog input
    def test_unknown_and_foreign_products_refused(self):
        self._login(self.buyer_a)
        missing_id = self.env["product.product"].search([], order="id desc", limit=1).id + 1000
        for product_id, reason in (
            (self.secret.id, "not sold to your company"),  # not published
            (self.foreign.id, "not sold to your company"),  # another company's
            (missing_id, f"#{missing_id}: unknown product"),
        ):
            with self.subTest(product_id=product_id):
                error, _location = self._catalog(
                    **{f"qty_{product_id}": "1", f"qty_{self.doi.id}": "5"}
                )
                self.assertIn(reason, error)
                self.assertNotIn("Ghee", error, "a hidden product's name is not shown")
        error, _location = self._catalog(**{"qty_abc": "5"})
        self.assertEqual(error, "Invalid quantity.")
        error, _location = self._catalog(**{f"qty_{self.doi.id}": "", f"qty_{self.milk.id}": "0"})
        self.assertEqual(error, "Enter at least one quantity.")
        error, _location = self._catalog(**{f"qty_{self.doi.id}": "five"})
        self.assertIn("'five' is not a number", error)
        error, _location = self._catalog(**{f"qty_{i}": "1" for i in range(1, 1002)})
        self.assertEqual(error, "Order at most 1000 products at once.")
        self.assertFalse(self._orders())

    def test_product_without_sku_and_viewer(self):
        # the catalog keys lines by product id: a product without SKU can be ordered
        self._login(self.buyer_a)
        error, location = self._catalog(**{f"qty_{self.no_code.id}": "2"})
        self.assertIsNone(error)
        order = self._orders()
        self.assertEqual(location, order.get_portal_url())
        self.assertEqual(order.order_line.product_id, self.no_code)
        self.assertEqual(order.order_line.product_uom_qty, 2.0)
        # a viewer gets the 403 page and nothing is written
        self._login(self.viewer_a)
        res = self.url_open(
            "/b2b/order",
            data={"csrf_token": self.token, f"qty_{self.milk.id}": "24"},
            allow_redirects=False,
        )
        self.assertEqual(res.status_code, 403)
        self.assertEqual(self._orders(), order)
