# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The suite's databases are Bangladeshi: demo list prices are taka, shown without conversion.

`make test` and `make demo` create the database with the main company in Bangladesh (BDT)
before `account` is installed (scripts/init_bd_company.py). Before that, Odoo's demo company
was in USD and a ৳50 pouch showed as ৳50.30 after the round trip through dollars.
"""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoCurrency(TransactionCase):
    def test_main_company_is_bangladeshi(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(
            company.currency_id,
            self.env.ref("base.BDT"),
            "the suite's database must be created by scripts/lib.sh init_bd_db (company in BDT)",
        )
        self.assertEqual(company.country_id, self.env.ref("base.bd"))
        self.assertEqual(company.chart_template, "bd", "Bangladeshi chart of accounts")

    def test_demo_list_price_is_the_tier_price_in_taka(self):
        pouch = self.env["product.product"].search([("default_code", "=", "LM-500P")])
        self.assertEqual(len(pouch), 1, "demo SKU LM-500P (Fresh Milk 500 ml pouch)")
        self.assertEqual(pouch.list_price, 50.0)
        bronze = self.env.ref("smart_dairy_b2b.pricelist_tier_bronze")
        gold = self.env.ref("smart_dairy_b2b.pricelist_tier_gold")
        company = self.env.ref("base.main_company")
        # hand-computed: Bronze 1-9 units 0 % off -> 50.00; 10+ units 3 % off -> 48.50
        self.assertEqual(bronze.with_company(company)._get_product_price(pouch, 1), 50.0)
        self.assertEqual(bronze.with_company(company)._get_product_price(pouch, 10), 48.5)
        # Gold 1-9 units 4 % off -> 48.00
        self.assertEqual(gold.with_company(company)._get_product_price(pouch, 1), 48.0)
        self.assertEqual(company.currency_id.round(50.0), 50.0)
        self.assertEqual(bronze.currency_id, company.currency_id, "no conversion on the way")
