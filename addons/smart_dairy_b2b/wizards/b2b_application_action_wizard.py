# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class B2bApplicationActionWizard(models.TransientModel):
    _name = "smart.dairy.b2b.application.action.wizard"
    _description = "Reject / request documents / suspend with a reason"

    application_id = fields.Many2one("smart.dairy.b2b.application", required=True)
    action = fields.Selection(
        [
            ("reject", "Reject"),
            ("more_info", "Request more documents"),
            ("suspend", "Suspend"),
        ],
        required=True,
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.application_id._action_decide(self.action, self.reason)
        return {"type": "ir.actions.act_window_close"}
