# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import pricing


class ProductTemplate(models.Model):
    _inherit = "product.template"

    b2b_published = fields.Boolean(
        string="In B2B catalog", help="Shown to approved partners in the portal catalog."
    )
    b2b_pack_label = fields.Char(
        string="Pack", help="How the product ships, e.g. 'Crate of 24 x 500 ml'."
    )
    b2b_min_qty = fields.Float(string="Minimum order quantity", digits="Product Unit of Measure")
    b2b_qty_multiple = fields.Float(
        string="Order in multiples of",
        digits="Product Unit of Measure",
        help="Units per crate: order quantities must be a multiple of it.",
    )

    @api.constrains("b2b_min_qty", "b2b_qty_multiple")
    def _check_b2b_quantities(self):
        for tmpl in self:
            if tmpl.b2b_min_qty < 0 or tmpl.b2b_qty_multiple < 0:
                raise ValidationError(self.env._("Minimum and multiple quantities must be >= 0."))
            if tmpl.b2b_min_qty and tmpl.b2b_qty_multiple:
                try:
                    pricing.check_order_quantity(
                        tmpl.b2b_min_qty, 0, tmpl.b2b_qty_multiple, tmpl.display_name
                    )
                except ValueError:
                    raise ValidationError(
                        self.env._(
                            "%(name)s: the minimum quantity must itself be a multiple of "
                            "%(multiple)s.",
                            name=tmpl.display_name,
                            multiple=tmpl.b2b_qty_multiple,
                        )
                    ) from None

    def _b2b_check_quantity(self, quantity):
        """Raise a ValidationError if ``quantity`` breaks the pack rules of this product."""
        self.ensure_one()
        try:
            pricing.check_order_quantity(
                quantity, self.b2b_min_qty, self.b2b_qty_multiple, self.display_name
            )
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
