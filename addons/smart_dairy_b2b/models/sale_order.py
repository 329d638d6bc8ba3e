# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.constrains("partner_id", "partner_invoice_id", "partner_shipping_id")
    def _check_b2b_partner_status(self):
        """No order for a partner whose B2B account is pending, rejected or suspended.

        A constraint (not a view domain) so that every door is closed: form, duplicate,
        create-and-edit, import, XML-RPC and the REST API.
        """
        for order in self:
            for partner in (order.partner_id, order.partner_invoice_id, order.partner_shipping_id):
                if partner and partner._b2b_is_blocked():
                    status = dict(
                        partner.commercial_partner_id._fields["b2b_status"]._description_selection(
                            self.env
                        )
                    )[partner.commercial_partner_id.b2b_status]
                    raise ValidationError(
                        self.env._(
                            "%(partner)s cannot be used on a sales order: its B2B account is "
                            "%(status)s.",
                            partner=partner.commercial_partner_id.name,
                            status=status.lower(),
                        )
                    )

    @api.depends("partner_id", "company_id")
    def _compute_pricelist_id(self):
        res = super()._compute_pricelist_id()
        for order in self.filtered(lambda o: o.state == "draft" and o.partner_id):
            commercial = order.partner_id.commercial_partner_id
            if commercial.b2b_tier_id or commercial.b2b_contract_pricelist_id:
                order.pricelist_id = order.partner_id._b2b_pricelist()
        return res


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _b2b_pricing_quantity(self):
        """Quantity that selects the pricelist rule of this line.

        With order-total breaks on the order's pricelist, it is the total quantity (in product
        units) of the order's lines in the same product category.
        """
        self.ensure_one()
        qty = self.product_uom_qty or 1.0
        order = self.order_id
        if not (order.pricelist_id.b2b_family_breaks and self.product_id):
            return qty
        categ = self.product_id.categ_id
        total = 0.0
        for line in order.order_line:
            if line.display_type or not line.product_id or line.product_id.categ_id != categ:
                continue
            total += line.product_uom._compute_quantity(
                line.product_uom_qty, line.product_id.uom_id, raise_if_failure=False
            )
        # Quantity expressed in the line's unit, as core expects.
        return max(
            qty,
            self.product_id.uom_id._compute_quantity(
                total, self.product_uom or self.product_id.uom_id, raise_if_failure=False
            ),
        )

    @api.depends("product_id", "product_uom", "product_uom_qty")
    def _compute_pricelist_item_id(self):
        family = self.filtered(
            lambda line: (
                line.order_id.pricelist_id.b2b_family_breaks
                and line.product_id
                and not line.display_type
            )
        )
        res = super(SaleOrderLine, self - family)._compute_pricelist_item_id()
        for line in family:
            line.pricelist_item_id = line.order_id.pricelist_id._get_product_rule(
                line.product_id,
                quantity=line._b2b_pricing_quantity(),
                uom=line.product_uom,
                date=line._get_order_date(),
            )
        return res

    def _get_pricelist_price(self):
        if not self.order_id.pricelist_id.b2b_family_breaks:
            return super()._get_pricelist_price()
        return self.pricelist_item_id._compute_price(
            product=self.product_id.with_context(**self._get_product_price_context()),
            quantity=self._b2b_pricing_quantity(),
            uom=self.product_uom,
            date=self._get_order_date(),
            currency=self.currency_id,
        )

    def _get_pricelist_price_before_discount(self):
        if not self.order_id.pricelist_id.b2b_family_breaks:
            return super()._get_pricelist_price_before_discount()
        return self.pricelist_item_id._compute_price_before_discount(
            product=self.product_id.with_context(**self._get_product_price_context()),
            quantity=self._b2b_pricing_quantity(),
            uom=self.product_uom,
            date=self._get_order_date(),
            currency=self.currency_id,
        )

    def _b2b_refresh_family_prices(self):
        """Re-price sibling lines of the same family when a quantity changes."""
        orders = self.order_id.filtered(
            lambda o: o.pricelist_id.b2b_family_breaks and o.state in ("draft", "sent")
        )
        siblings = orders.order_line.filtered(
            lambda line: (
                line.product_id
                and not line.display_type
                and line.product_id.categ_id in self.product_id.categ_id
                and line.technical_price_unit == line.price_unit
                and not line.qty_invoiced
            )
        )
        if siblings:
            siblings.modified(["product_uom_qty"])

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._b2b_refresh_family_prices()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if {"product_uom_qty", "product_id", "product_uom"} & set(vals):
            self._b2b_refresh_family_prices()
        return res
