# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from ..lib import credit
from .b2b_credit import CREDIT_MANAGER_GROUP


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # A credit manager's release of ONE order: never copied, void once the total grows.
    b2b_credit_release_amount = fields.Monetary(copy=False, readonly=True)
    b2b_credit_release_reason = fields.Text(copy=False, readonly=True)
    b2b_credit_released_by = fields.Many2one("res.users", copy=False, readonly=True)
    b2b_credit_block_reason = fields.Char(
        compute="_compute_b2b_credit_block_reason", string="Credit block"
    )

    def _compute_b2b_credit_block_reason(self):
        for order in self:
            order.b2b_credit_block_reason = (
                order.state in ("draft", "sent") and order._b2b_credit_problem(refresh=False)
            ) or False

    # ------------------------------------------------------------------ credit control
    def _b2b_credit_released(self):
        self.ensure_one()
        return bool(self.b2b_credit_released_by) and (
            float_compare(
                self.amount_total,
                self.b2b_credit_release_amount,
                precision_rounding=self.currency_id.rounding or 0.01,
            )
            <= 0
        )

    def _b2b_prepaid(self):
        self.ensure_one()
        txs = self.sudo().transaction_ids.filtered(lambda t: t.state in ("done", "authorized"))
        return (
            bool(txs)
            and float_compare(
                sum(txs.mapped("amount")),
                self.amount_total,
                precision_rounding=self.currency_id.rounding or 0.01,
            )
            >= 0
        )

    def _b2b_credit_problem(self, refresh=True, hold_only=False):
        """Why this order may not go ahead on credit (``None`` when it may).

        ``hold_only``: only the partner's hold / suspension counts (shipping, paying online).
        Only B2B partners are controlled; a credit manager's release of this very order (for an
        amount not exceeded since) lets it through.
        """
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id.sudo()
        if not partner or partner.b2b_status == "none" or self._b2b_credit_released():
            return None
        if refresh:
            # sudo: the figures of the customer's own account, needed to decide; nothing shown.
            partner._b2b_credit_refresh()
        if hold_only:
            if partner.b2b_credit_status in credit.HOLD_STATUSES:
                return self.env._(
                    "%(partner)s is %(status)s for credit: contact your credit manager.",
                    partner=partner.name,
                    status=dict(credit.STATUSES)[partner.b2b_credit_status].lower(),
                )
            return None
        exposure = partner.b2b_exposure
        if self.state in ("draft", "sent") and self._b2b_include_drafts():
            exposure -= self.amount_total
        problem = credit.check_order(
            partner.b2b_credit_status,
            exposure,
            partner.b2b_credit_limit,
            self.amount_total if self.state in ("draft", "sent") else 0.0,
            prepaid=self._b2b_prepaid(),
        )
        if problem:
            return self.env._(
                "Credit control: %(why)s (%(partner)s).", why=problem, partner=partner.name
            )
        return None

    def _b2b_include_drafts(self):
        return self.env["res.partner"]._b2b_credit_params()["include_drafts"]

    def _confirmation_error_message(self):
        error = super()._confirmation_error_message()
        return error or self._b2b_credit_problem()

    def _has_to_be_paid(self):
        return super()._has_to_be_paid() and not self._b2b_credit_problem(hold_only=True)

    def _has_to_be_signed(self):
        if not super()._has_to_be_signed() or self._b2b_credit_problem(hold_only=True):
            return False
        # Signing confirms the order unless it must be paid first: refuse it when the order
        # could not be confirmed on credit.
        return self.require_payment or not self._b2b_credit_problem(refresh=False)

    def action_b2b_credit_release(self, reason):
        """A credit manager lets this one order through the credit control (audited)."""
        if not (self.env.su or self.env.user.has_group(CREDIT_MANAGER_GROUP)):
            raise AccessError(self.env._("Only a credit manager may release an order."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason for releasing the order."))
        for order in self:
            order.write(
                {
                    "b2b_credit_release_amount": order.amount_total,
                    "b2b_credit_release_reason": reason,
                    "b2b_credit_released_by": self.env.user.id,
                }
            )
            self.env["smart.dairy.b2b.credit.history"].sudo().create(
                {
                    "partner_id": order.partner_id.commercial_partner_id.id,
                    "event": "release",
                    "order_id": order.id,
                    "new_value": f"{order.amount_total:.2f}",
                    "reason": reason,
                }
            )
            order.message_post(
                body=self.env._(
                    "Released from credit control by %(user)s for %(amount)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    amount=f"{order.amount_total:,.2f}",
                    reason=reason,
                )
            )
        return True

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
