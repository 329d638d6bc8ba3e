# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class DairyBreed(models.Model):
    _name = "dairy.breed"
    _description = "Cattle breed"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    is_crossbreed = fields.Boolean(help="Animals of this breed record their HF share.")
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_uniq", "unique(code)", "The breed code must be unique.")]


class DairyHousingMixin(models.AbstractModel):
    """Capacity and occupancy for places and groups of animals."""

    _name = "dairy.housing.mixin"
    _description = "Dairy housing capacity"
    _occupancy_field = None  # dairy.animal field pointing at the record

    capacity = fields.Integer(help="Number of animals it is meant for (0 = not set).")
    occupancy = fields.Integer(compute="_compute_occupancy", string="Animals")
    occupancy_pct = fields.Float(compute="_compute_occupancy", string="Occupancy (%)")

    def _compute_occupancy(self):
        # one grouped query for the whole recordset
        counts = dict(
            self.env["dairy.animal"]._read_group(
                [(self._occupancy_field, "in", self.ids), ("status", "in", PRESENT_STATUSES)],
                [self._occupancy_field],
                ["__count"],
            )
        )
        for rec in self:
            rec.occupancy = counts.get(rec, 0)
            rec.occupancy_pct = 100.0 * rec.occupancy / rec.capacity if rec.capacity else 0.0


PRESENT_STATUSES = ("calf", "heifer", "lactating", "dry")


class DairyBarn(models.Model):
    _name = "dairy.barn"
    _inherit = "dairy.housing.mixin"
    _description = "Barn"
    _order = "code"
    _occupancy_field = "barn_id"

    name = fields.Char(required=True)
    code = fields.Char(required=True, help="Short code used by devices and MQTT, e.g. B1.")
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    pen_ids = fields.One2many("dairy.pen", "barn_id", string="Pens")
    housing_type = fields.Selection(
        [("freestall", "Free-stall / loose housing"), ("tiestall", "Tie-stall")],
        required=True,
        default="freestall",
        help="Tied cows barely move more in heat: their heat detection is led by rumination "
        "and body temperature instead of collar activity.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The barn code must be unique."),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for barn in self:
            barn.display_name = f"[{barn.code}] {barn.name}" if barn.code else barn.name

    @api.model
    def _search_display_name(self, operator, value):
        if operator in ("ilike", "=ilike", "like", "=") and value:
            return ["|", ("code", operator, value), ("name", operator, value)]
        return super()._search_display_name(operator, value)

    def action_open_milking_session(self):
        self.ensure_one()
        return self.env["dairy.milking.session"].action_open(barn=self)


class DairyPen(models.Model):
    _name = "dairy.pen"
    _inherit = "dairy.housing.mixin"
    _description = "Pen"
    _order = "barn_id, name"
    _occupancy_field = "pen_id"

    name = fields.Char(required=True)
    barn_id = fields.Many2one("dairy.barn", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="barn_id.company_id", store=True)
    active = fields.Boolean(default=True)

    @api.depends("name", "barn_id.code")
    def _compute_display_name(self):
        for pen in self:
            pen.display_name = f"{pen.barn_id.code} / {pen.name}" if pen.barn_id else pen.name


class DairyAnimalGroup(models.Model):
    _name = "dairy.animal.group"
    _inherit = "dairy.housing.mixin"
    _description = "Animal group"
    _order = "sequence, name"
    _occupancy_field = "group_id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    description = fields.Text()
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    active = fields.Boolean(default=True)
