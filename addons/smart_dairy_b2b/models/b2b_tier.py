# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class B2bTier(models.Model):
    """A partner tier (Bronze, Silver, Gold, Platinum, ...): its prices are a core pricelist."""

    _name = "smart.dairy.b2b.tier"
    _description = "B2B Partner Tier"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable technical code (used by the REST API).")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    pricelist_id = fields.Many2one(
        "product.pricelist",
        required=True,
        ondelete="restrict",
        help="Core pricelist holding the tier's prices, quantity breaks and promotions.",
    )
    family_breaks = fields.Boolean(
        related="pricelist_id.b2b_family_breaks",
        readonly=False,
        string="Breaks on order total per family",
    )
    currency_id = fields.Many2one(related="pricelist_id.currency_id")
    default_credit_limit = fields.Monetary(currency_field="currency_id")
    payment_term_id = fields.Many2one("account.payment.term", ondelete="restrict")
    auto_approve_order_limit = fields.Monetary(
        currency_field="currency_id",
        help="Orders up to this amount are confirmed without a manager's approval.",
    )
    benefits = fields.Html(translate=True)
    partner_ids = fields.One2many("res.partner", "b2b_tier_id", string="Partners")
    partner_count = fields.Integer(compute="_compute_partner_count")

    _sql_constraints = [("code_uniq", "unique(code)", "The tier code must be unique.")]

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("b2b_tier_id", "in", self.ids)], ["b2b_tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    @api.constrains("default_credit_limit", "auto_approve_order_limit")
    def _check_amounts(self):
        for tier in self:
            if tier.default_credit_limit < 0 or tier.auto_approve_order_limit < 0:
                raise ValidationError(self.env._("Tier amounts cannot be negative."))


class B2bTierHistory(models.Model):
    """Who moved a partner to which tier, when and why."""

    _name = "smart.dairy.b2b.tier.history"
    _description = "B2B Tier Change"
    _order = "create_date desc, id desc"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    old_tier_id = fields.Many2one("smart.dairy.b2b.tier", ondelete="set null")
    new_tier_id = fields.Many2one("smart.dairy.b2b.tier", ondelete="set null")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, required=True)
    reason = fields.Text()
