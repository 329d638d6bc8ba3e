# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Order templates and re-order from history.

A template belongs to the customer company (commercial partner): every portal user of that
company sees it, nobody else (record rules in ``security/b2b_collection_security.xml``).
Ordering from a template or again from a past order builds a *new* quotation through the
portal's one ordering path (``smart.dairy.b2b.quick.order._b2b_submit``, as the quick order
pad): pack rules, the buyer's personal limit (a buyer above it gets an order waiting for his
manager), the credit hold (refused with the reason), then a plain ``sale.order.create`` so that
today's tier prices and every confirmation gate apply.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..exceptions import B2bSubmitError
from ..lib import order_lines


class B2bOrderTemplate(models.Model):
    _name = "smart.dairy.b2b.order.template"
    _description = "B2B Order Template"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one("res.users", string="Saved by", default=lambda s: s.env.user)
    source_order_id = fields.Many2one("sale.order", ondelete="set null", readonly=True)
    line_ids = fields.One2many(
        "smart.dairy.b2b.order.template.line", "template_id", string="Lines", copy=True
    )
    active = fields.Boolean(default=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)

    # ------------------------------------------------------------------ portal actions
    @api.model
    def _b2b_create_from_order(self, order, name):
        """Save the product lines of ``order`` (readable by the current user) as a template."""
        name = (name or "").strip()
        if not name:
            raise ValidationError(self.env._("Give the template a name."))
        order.check_access("read")
        user = self.env.user
        commercial = order.partner_id.commercial_partner_id
        if user.share and commercial != user.partner_id.commercial_partner_id:
            raise AccessError(self.env._("This order is not one of your company's."))
        lines = [
            fields.Command.create(
                {"product_id": line.product_id.id, "quantity": line.product_uom_qty}
            )
            for line in order.order_line
            if line.product_id and not line.display_type and not line.is_downpayment
        ]
        if not lines:
            raise ValidationError(self.env._("This order has no product line to save."))
        return self.create(
            {
                "name": name,
                "partner_id": commercial.id,
                "company_id": order.company_id.id,
                "source_order_id": order.id,
                "line_ids": lines,
            }
        )

    def _b2b_lines(self):
        self.ensure_one()
        return [(line.product_id, line.quantity) for line in self.line_ids]

    def action_b2b_order(self):
        """A new quotation from this template for the current portal user."""
        self.ensure_one()
        self.check_access("read")
        return self._b2b_place_order(self.env.user, self._b2b_lines(), origin=self.name)

    @api.model
    def _b2b_reorder(self, order):
        """A new quotation with the products and quantities of ``order`` (readable by the user)."""
        order.check_access("read")
        lines = [
            (line.product_id, line.product_uom_qty)
            for line in order.order_line
            if line.product_id and not line.display_type and not line.is_downpayment
        ]
        return self._b2b_place_order(self.env.user, lines, origin=order.name)

    @api.model
    def _b2b_place_order(self, user, lines, origin=None):
        """Create a quotation for ``user``'s company through the portal ordering path.

        ``lines``: ``[(product, quantity)]`` (quantities of the same product are added up).
        ``smart.dairy.b2b.quick.order._b2b_submit`` applies the pad's gates with the user's
        rights: products still published and sellable to him, today's pack rules and prices,
        the buyer's limit (the order then waits for his manager), the credit hold.
        Raises ``ValidationError`` / ``AccessError`` with the reason; nothing is created then.
        """
        quantities = {}
        for product, qty in lines:
            quantities[product.id] = quantities.get(product.id, 0.0) + qty
        rows = [
            {"key": product_id, "product_id": product_id, "quantity": qty}
            for product_id, qty in quantities.items()
        ]
        quick = self.env["smart.dairy.b2b.quick.order"].with_user(user)
        try:
            order, _priced = quick._b2b_submit(user, rows, values={"origin": origin})
        except B2bSubmitError as exc:
            gone = [
                row["key"]
                for row in exc.rows
                if row["code"] in (order_lines.UNKNOWN_SKU, order_lines.NOT_SELLABLE)
            ]
            if not gone:
                raise
            # sudo: the names of products the user ordered before and may no longer see
            names = ", ".join(self.env["product.product"].sudo().browse(gone).mapped("name"))
            raise ValidationError(
                self.env._("These products can no longer be ordered: %(names)s.", names=names)
            ) from None
        return order


class B2bOrderTemplateLine(models.Model):
    _name = "smart.dairy.b2b.order.template.line"
    _description = "B2B Order Template Line"
    _order = "sequence, id"

    template_id = fields.Many2one(
        "smart.dairy.b2b.order.template", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one("product.product", required=True)
    quantity = fields.Float(required=True, default=1.0, digits="Product Unit of Measure")

    @api.constrains("quantity")
    def _check_quantity(self):
        if any(line.quantity <= 0 for line in self):
            raise ValidationError(self.env._("Template quantities must be positive."))
