# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    b2b_family_breaks = fields.Boolean(
        string="Quantity breaks on the order total per product category",
        help="On sale orders, the quantity that selects a quantity break is the total quantity "
        "of the order's lines in the same product category, not the line's own quantity.",
    )
    b2b_partner_id = fields.Many2one(
        "res.partner",
        string="Contract partner",
        help="Set on a partner's contract pricelist (its fixed prices win over the tier).",
        index="btree_not_null",
    )

    def _b2b_break_thresholds(self, products, date, _seen=None):
        """``{product.id: sorted min quantities}`` of the rules that can apply to each product.

        One rules query per pricelist in the chain (contract -> tier), whatever the number of
        products.
        """
        self.ensure_one()
        return {pid: sorted(qtys) for pid, qtys in self._b2b_break_sets(products, date).items()}

    def _b2b_break_sets(self, products, date, _seen=None):
        seen = _seen or set()
        seen.add(self.id)
        rules = self._get_applicable_rules(products, date)
        result = {product.id: {1.0} for product in products}
        chained = {}
        for product in products:
            for rule in rules:
                if not rule._is_applicable_for(product, float("inf")):
                    continue
                result[product.id].add(max(1.0, rule.min_quantity))
                if rule.base == "pricelist" and rule.base_pricelist_id:
                    chained.setdefault(rule.base_pricelist_id, set()).add(product.id)
                # The first rule that applies without quantity limit hides the ones after it.
                if not rule.min_quantity:
                    break
        for pricelist, product_ids in chained.items():
            if pricelist.id in seen:
                continue
            sub = pricelist._b2b_break_sets(products.browse(list(product_ids)), date, seen)
            for product_id, thresholds in sub.items():
                result[product_id] |= thresholds
        return result

    def _b2b_catalog_prices(self, products, date=None):
        """Prices and quantity-break tables for a whole catalog page, batched.

        Returns ``{product.id: {"price": unit price for 1 unit, "list_price": base price,
        "breaks": [(from_qty, unit_price, discount_pct)]}}``. The engine is core's
        ``_compute_price_rule`` called once per distinct break quantity for all the products
        concerned, so the number of queries does not grow with the number of products.
        """
        self.ensure_one()
        date = date or fields.Datetime.now()
        thresholds = self._b2b_break_thresholds(products, date)
        by_qty = {}
        for product in products:
            for qty in thresholds[product.id]:
                by_qty.setdefault(qty, []).append(product.id)
        prices = {}
        for qty, product_ids in by_qty.items():
            res = self._compute_price_rule(products.browse(product_ids), qty, date=date)
            for product_id, (price, _rule) in res.items():
                prices[(product_id, qty)] = price
        currency = self.currency_id
        result = {}
        for product in products:
            base = product.currency_id._convert(
                product.list_price, currency, self.env.company, date, round=False
            )
            rows = []
            for qty in thresholds[product.id]:
                raw = prices[(product.id, qty)]
                price = currency.round(raw)
                if rows and rows[-1][1] == price:
                    continue
                pct = round((1 - raw / base) * 100, 2) if base else 0.0
                rows.append((qty, price, pct))
            result[product.id] = {
                "price": rows[0][1],
                "list_price": currency.round(base),
                "breaks": rows if len(rows) > 1 else [],
            }
        return result
