# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    dairy_is_medicine = fields.Boolean(
        string="Veterinary medicine", help="Offered in farm treatments and vaccinations."
    )
    dairy_milk_withdrawal_days = fields.Integer(
        string="Milk withdrawal (days)",
        help="Days after a dose during which the cow's milk must not be sold.",
    )

    @api.constrains("dairy_milk_withdrawal_days")
    def _check_dairy_withdrawal(self):
        for product in self:
            if product.dairy_milk_withdrawal_days < 0:
                raise ValidationError(self.env._("Milk withdrawal (days) cannot be negative."))
