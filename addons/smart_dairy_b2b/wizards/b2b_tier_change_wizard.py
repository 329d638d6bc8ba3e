# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import ValidationError


class B2bTierChangeWizard(models.TransientModel):
    _name = "smart.dairy.b2b.tier.change.wizard"
    _description = "Change a partner's tier, saying why"

    partner_id = fields.Many2one("res.partner", required=True)
    current_tier_id = fields.Many2one(related="partner_id.b2b_tier_id")
    tier_id = fields.Many2one("smart.dairy.b2b.tier", string="New tier", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.tier_id == self.partner_id.b2b_tier_id:
            raise ValidationError(self.env._("The partner is already in this tier."))
        self.partner_id.with_context(b2b_tier_change_reason=self.reason).write(
            {"b2b_tier_id": self.tier_id.id}
        )
        return {"type": "ir.actions.act_window_close"}
