# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The credit hold at the doors that do not go through ``sale.order.action_confirm``."""

from odoo import api, models
from odoo.exceptions import UserError, ValidationError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def button_validate(self):
        for picking in self.filtered(lambda p: p.picking_type_code == "outgoing" and p.sale_id):
            problem = picking.sale_id._b2b_credit_problem(hold_only=True)
            if problem:
                raise UserError(
                    self.env._(
                        "%(picking)s cannot be shipped: %(why)s", picking=picking.name, why=problem
                    )
                )
        return super().button_validate()


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    @api.model_create_multi
    def create(self, vals_list):
        txs = super().create(vals_list)
        for order in txs.sale_order_ids:
            problem = order._b2b_credit_problem(hold_only=True)
            if problem:
                raise ValidationError(problem)
        return txs


class PaymentLinkWizard(models.TransientModel):
    _inherit = "payment.link.wizard"

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards.filtered(lambda w: w.res_model == "sale.order"):
            # sudo: reading the order the wizard was opened on, to refuse the link.
            order = self.env["sale.order"].sudo().browse(wizard.res_id)
            problem = order._b2b_credit_problem(hold_only=True)
            if problem:
                raise UserError(problem)
        return wizards
