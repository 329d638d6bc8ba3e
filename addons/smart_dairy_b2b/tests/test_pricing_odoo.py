# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tier prices through the real Odoo pricelist engine, checked against hand-computed values.

Gold = 4 % off list price, plus the quantity breaks 10+ 3 %, 50+ 5 %, 100+ 8 %
(data file), i.e. 4 / 7 / 9 / 12 % off. Company and pricelists in BDT: no conversion.
"""

from datetime import datetime

from odoo import Command
from odoo.tests import TransactionCase, tagged

from .common import B2bTestMixin


@tagged("post_install", "-at_install")
class TestTierPricing(B2bTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_b2b_world()
        cls.gold_pl = cls.gold.pricelist_id
        cls.customer = cls._partner("T Gold Retail")

    def price(self, pricelist, product, qty, date=None):
        return pricelist._get_product_price(product, qty, date=date)

    def test_tier_pricelists_are_bdt(self):
        for xmlid in ("bronze", "silver", "gold", "platinum"):
            tier = self.env.ref(f"smart_dairy_b2b.tier_{xmlid}")
            self.assertEqual(tier.pricelist_id.currency_id, self.bdt)
        self.assertEqual(self.customer.property_product_pricelist, self.gold_pl)

    def test_quantity_breaks(self):
        # milk 100 BDT: 96.00 / 93.00 / 91.00 / 88.00 ; doi 95 BDT: 91.20 / 88.35 / 86.45 / 83.60
        expected = {
            self.milk: {1: 96.0, 9: 96.0, 10: 93.0, 49: 93.0, 50: 91.0, 100: 88.0, 500: 88.0},
            self.doi: {1: 91.2, 10: 88.35, 50: 86.45, 100: 83.6},
        }
        for product, by_qty in expected.items():
            for qty, price in by_qty.items():
                with self.subTest(product=product.name, qty=qty):
                    self.assertAlmostEqual(self.price(self.gold_pl, product, qty), price, places=2)

    def test_date_boxed_promotion(self):
        self.env["product.pricelist.item"].create(
            {
                "pricelist_id": self.gold_pl.id,
                "applied_on": "0_product_variant",
                "product_id": self.doi.id,
                "compute_price": "formula",
                "base": "list_price",
                "price_discount": 10,
                "date_start": datetime(2025, 3, 1),
                "date_end": datetime(2025, 3, 31, 23, 59, 59),
            }
        )
        # during March: 95 x 0.90 = 85.50 (the promotion replaces the 7 % break)
        self.assertAlmostEqual(self.price(self.gold_pl, self.doi, 10, datetime(2025, 3, 15)), 85.5)
        # before and after: back to the tier break 95 x 0.93 = 88.35
        for day in (datetime(2025, 2, 28), datetime(2025, 4, 1)):
            self.assertAlmostEqual(self.price(self.gold_pl, self.doi, 10, day), 88.35)
        # other products are not concerned
        self.assertAlmostEqual(self.price(self.gold_pl, self.milk, 10, datetime(2025, 3, 15)), 93.0)

    def test_contract_price_wins_over_tier(self):
        partner = self._partner("T Contract Hotel")
        partner.action_b2b_create_contract_pricelist()
        contract = partner.b2b_contract_pricelist_id
        self.assertEqual(partner.property_product_pricelist, contract)
        contract.item_ids = [
            Command.create(
                {
                    "applied_on": "0_product_variant",
                    "product_id": self.milk.id,
                    "compute_price": "fixed",
                    "fixed_price": 80.0,
                }
            )
        ]
        # fixed contract price at every quantity, even where the tier would be cheaper
        for qty in (1, 10, 100):
            self.assertAlmostEqual(self.price(contract, self.milk, qty), 80.0)
        # products without a contract price fall back to the tier, breaks included
        self.assertAlmostEqual(self.price(contract, self.doi, 10), 88.35)
        self.assertAlmostEqual(self.price(contract, self.doi, 100), 83.6)
        # contract pricelists are private to their partner (portal rule uses this field)
        self.assertEqual(contract.b2b_partner_id, partner)

    def test_sale_order_uses_tier_price_bdt(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.milk.id, "product_uom_qty": 12})],
            }
        )
        self.assertEqual(order.pricelist_id, self.gold_pl)
        self.assertEqual(order.currency_id, self.bdt)
        line = order.order_line
        self.assertAlmostEqual(line.price_unit, 93.0)  # 12 >= 10: 7 % off 100
        self.assertAlmostEqual(line.price_subtotal, 1116.0)
        line.product_uom_qty = 60
        self.assertAlmostEqual(line.price_unit, 91.0)

    def test_order_total_breaks_per_family(self):
        silver_pl = self.silver.pricelist_id
        partner = self._partner("T Silver Chain", tier=self.silver)

        def make_order():
            return self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create({"product_id": self.doi.id, "product_uom_qty": 30}),
                        Command.create({"product_id": self.lassi.id, "product_uom_qty": 30}),
                        Command.create({"product_id": self.milk.id, "product_uom_qty": 12}),
                    ],
                }
            )

        # per line (default): 30 units -> 10+ break: 2 % + 3 % = 5 %
        order = make_order()
        prices = order.order_line.mapped("price_unit")
        self.assertEqual([round(p, 2) for p in prices], [90.25, 42.75, 95.0])
        # order total per family: 60 yogurt units -> 50+ break: 2 % + 5 % = 7 %
        self.silver.family_breaks = True
        self.assertTrue(silver_pl.b2b_family_breaks)
        order = make_order()
        doi_line, lassi_line, milk_line = order.order_line
        self.assertAlmostEqual(doi_line.price_unit, 88.35)  # 95 x 0.93
        self.assertAlmostEqual(lassi_line.price_unit, 41.85)  # 45 x 0.93
        self.assertAlmostEqual(milk_line.price_unit, 95.0)  # milk family: 12 units -> 5 %
        # lowering one line re-prices its sibling: 30 + 10 = 40 yogurt units -> 5 %
        lassi_line.product_uom_qty = 10
        self.assertAlmostEqual(doi_line.price_unit, 90.25)
        self.assertAlmostEqual(lassi_line.price_unit, 42.75)

    def test_rounding(self):
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "T rounded",
                "currency_id": self.bdt.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "3_global",
                            "compute_price": "formula",
                            "base": "list_price",
                            "price_discount": 7,
                            "price_round": 0.5,
                        }
                    )
                ],
            }
        )
        # 45 x 0.93 = 41.85 -> nearest 0.50 = 42.00 ; 95 x 0.93 = 88.35 -> 88.50
        self.assertAlmostEqual(self.price(pricelist, self.lassi, 1), 42.0)
        self.assertAlmostEqual(self.price(pricelist, self.doi, 1), 88.5)
        # currency rounding of the catalog (BDT 0.01): 33.33 x 0.96 = 31.9968 -> 32.00
        odd = self.env["product.product"].create(
            {
                "name": "T odd",
                "list_price": 33.33,
                "company_id": self.company.id,
                "b2b_published": True,
            }
        )
        info = self.gold_pl._b2b_catalog_prices(odd)[odd.id]
        self.assertEqual(info["price"], 32.0)
        self.assertEqual(info["breaks"][1], (10.0, 31.0, 7.0))  # 30.9969 -> 31.00

    def test_catalog_break_table_matches_engine(self):
        info = self.gold_pl._b2b_catalog_prices(self.milk | self.doi)
        self.assertEqual(info[self.milk.id]["price"], 96.0)
        self.assertEqual(info[self.milk.id]["list_price"], 100.0)
        self.assertEqual(
            info[self.milk.id]["breaks"],
            [(1.0, 96.0, 4.0), (10.0, 93.0, 7.0), (50.0, 91.0, 9.0), (100.0, 88.0, 12.0)],
        )
        for qty, price, _pct in info[self.doi.id]["breaks"]:
            self.assertAlmostEqual(self.price(self.gold_pl, self.doi, qty), price)
        # a contract product shows one fixed price and no table
        partner = self._partner("T Contract 2")
        partner.action_b2b_create_contract_pricelist()
        partner.b2b_contract_pricelist_id.item_ids = [
            Command.create(
                {
                    "applied_on": "0_product_variant",
                    "product_id": self.milk.id,
                    "compute_price": "fixed",
                    "fixed_price": 80.0,
                }
            )
        ]
        info = partner.b2b_contract_pricelist_id._b2b_catalog_prices(self.milk | self.doi)
        self.assertEqual(info[self.milk.id], {"price": 80.0, "list_price": 100.0, "breaks": []})
        self.assertEqual(len(info[self.doi.id]["breaks"]), 4)

    def test_catalog_prices_batched(self):
        many = self.env["product.product"].create(
            [
                {
                    "name": f"T bulk {i}",
                    "list_price": 10 + i,
                    "b2b_published": True,
                }
                for i in range(40)
            ]
        )

        def count(products):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.gold_pl._b2b_catalog_prices(products)
            return self.env.cr.sql_log_count - before

        few, lots = count(many[:4]), count(many)
        # the number of queries does not grow with the number of products
        self.assertLessEqual(lots, few + 2, f"{few} queries for 4 products, {lots} for 40")
