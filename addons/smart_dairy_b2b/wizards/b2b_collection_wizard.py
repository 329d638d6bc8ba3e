# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class B2bCollectionWizard(models.TransientModel):
    """Prepare the due collection reminders now and open them for review (the preview)."""

    _name = "smart.dairy.b2b.collection.wizard"
    _description = "Prepare B2B collection reminders"

    date = fields.Date(required=True, default=fields.Date.context_today)
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        domain="[('is_company', '=', True)]",
        help="Leave empty for every customer with overdue invoices.",
    )

    def action_prepare(self):
        self.ensure_one()
        Reminder = self.env["smart.dairy.b2b.collection.reminder"]
        Reminder._b2b_check_manager()
        Reminder._b2b_prepare(self.date, self.partner_ids or None)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "smart_dairy_b2b.action_b2b_collection_reminder"
        )
        action["domain"] = [("state", "=", "draft")]
        action["context"] = {}
        return action
