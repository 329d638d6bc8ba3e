# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order approvals.

* Inside the partner: a buyer's order above the buyer's personal limit waits for a manager
  (or admin) of the same partner company, who approves it on the portal.
* Internally: OCA ``base_tier_validation`` on ``sale.order`` (tier definitions in data: sales
  manager then credit manager) for orders above the tier's auto-approval limit or for a partner
  near its credit limit.

While either approval is pending the order cannot be confirmed, signed or paid online (so no
confirmation e-mail either); changing the amount of an order under or after review restarts
it, and a duplicate starts with no approval at all.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare

from ..lib import roles

NEAR_CREDIT_LIMIT_PCT = 80.0


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "tier.validation"]
    _state_field = "state"
    _state_from = ["draft", "sent"]
    _state_to = ["sale"]
    _cancel_state = "cancel"
    _tier_validation_manual_config = False

    b2b_partner_approval = fields.Selection(
        [
            ("none", "Not needed"),
            ("pending", "Waiting for the partner's manager"),
            ("approved", "Approved by the partner"),
        ],
        default="none",
        copy=False,
        readonly=True,
        tracking=True,
    )
    b2b_partner_approved_by = fields.Many2one("res.users", copy=False, readonly=True)
    b2b_idempotency_key = fields.Char(
        copy=False, readonly=True, index="btree_not_null", help="Idempotency-Key of the REST call."
    )
    b2b_approved_amount = fields.Monetary(copy=False, readonly=True)
    b2b_needs_internal_approval = fields.Boolean(
        compute="_compute_b2b_needs_internal_approval",
        search="_search_b2b_needs_internal_approval",
        help="Above the tier's auto-approval limit, or the partner is near its credit limit.",
    )

    @api.depends("amount_total", "partner_id")
    def _compute_b2b_needs_internal_approval(self):
        for order in self:
            partner = order.partner_id.commercial_partner_id.sudo()
            limit = partner.b2b_tier_id.auto_approve_order_limit
            order.b2b_needs_internal_approval = bool(
                partner.b2b_status == "approved"
                and (
                    (limit and order.amount_total > limit)
                    or partner.b2b_credit_utilisation >= NEAR_CREDIT_LIMIT_PCT
                )
            )

    def _search_b2b_needs_internal_approval(self, operator, value):
        orders = self.search([("state", "in", ("draft", "sent"))]).filtered(
            "b2b_needs_internal_approval"
        )
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", orders.ids)]

    # ------------------------------------------------------------------ partner-side approval
    def _b2b_approval_pending(self):
        """Why this order waits for an approval (``None`` when it does not)."""
        self.ensure_one()
        if self.b2b_partner_approval == "pending":
            return self.env._("the order waits for the approval of the partner's manager")
        if self.review_ids and self.validation_status not in ("validated", "no"):
            return self.env._("the order waits for internal approval")
        if self.need_validation:
            return self.env._("the order needs internal approval: request it first")
        return None

    def action_b2b_partner_approve(self):
        """A manager / admin of the customer company approves a buyer's order (portal)."""
        user = self.env.user
        for order in self:
            if order.b2b_partner_approval != "pending":
                raise UserError(self.env._("This order does not wait for your approval."))
            if not (
                roles.can(user.b2b_role, "approve_orders")
                and user.partner_id.commercial_partner_id == order.partner_id.commercial_partner_id
            ):
                raise AccessError(self.env._("Only a manager of the customer may approve it."))
            # sudo: the portal manager cannot write orders; the check above ties him to it.
            order.sudo().write(
                {
                    "b2b_partner_approval": "approved",
                    "b2b_partner_approved_by": user.id,
                    "b2b_approved_amount": order.amount_total,
                }
            )
            order.sudo().message_post(
                body=self.env._("Approved by %(user)s for the customer.", user=user.name)
            )
            if order.sudo().need_validation:
                order.sudo().request_validation()
        return True

    # ------------------------------------------------------------------ gates
    def _confirmation_error_message(self):
        return super()._confirmation_error_message() or self._b2b_approval_pending()

    def _has_to_be_signed(self):
        return super()._has_to_be_signed() and not self._b2b_approval_pending()

    def _has_to_be_paid(self):
        return super()._has_to_be_paid() and not self._b2b_approval_pending()

    def _send_order_confirmation_mail(self):
        # never a "confirmed" mail for an order still waiting for an approval
        return super(
            SaleOrder, self.filtered(lambda o: not o._b2b_approval_pending())
        )._send_order_confirmation_mail()

    def _get_under_validation_exceptions(self):
        # the lines may be edited under review: doing so restarts the review (below)
        return super()._get_under_validation_exceptions() + ["order_line"]

    def _b2b_restart_approvals_if_amount_changed(self, old_amounts):
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            old = old_amounts.get(order.id)
            if old is None or not float_compare(
                old, order.amount_total, precision_rounding=order.currency_id.rounding or 0.01
            ):
                continue
            if order.review_ids:
                order.sudo().restart_validation()
            if order.b2b_partner_approval == "approved":
                order.sudo().write({"b2b_partner_approval": "pending"})
                order.sudo().message_post(
                    body=self.env._("Amount changed: the partner's approval is needed again.")
                )

    def write(self, vals):
        old = {o.id: o.amount_total for o in self} if "order_line" in vals else {}
        res = super().write(vals)
        if old:
            self._b2b_restart_approvals_if_amount_changed(old)
        return res


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse({v.get("order_id") for v in vals_list} - {None})
        old = {o.id: o.amount_total for o in orders}
        lines = super().create(vals_list)
        lines.order_id._b2b_restart_approvals_if_amount_changed(old)
        return lines

    def write(self, vals):
        watched = {"product_uom_qty", "price_unit", "discount", "tax_id", "product_id"}
        if not watched & set(vals):
            return super().write(vals)
        old = {o.id: o.amount_total for o in self.order_id}
        res = super().write(vals)
        self.order_id._b2b_restart_approvals_if_amount_changed(old)
        return res

    def unlink(self):
        orders = self.order_id
        old = {o.id: o.amount_total for o in orders}
        res = super().unlink()
        orders.exists()._b2b_restart_approvals_if_amount_changed(old)
        return res
