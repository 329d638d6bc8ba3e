# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class BdDistrict(models.Model):
    """A zila. Divisions are the ``res.country.state`` records of Bangladesh (from ``l10n_bd``)."""

    _name = "l10n_bd_smart.district"
    _description = "Bangladesh District (zila)"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="ISO 3166-2 code, e.g. BD-13 for Dhaka.")
    state_id = fields.Many2one(
        "res.country.state",
        string="Division",
        required=True,
        ondelete="restrict",
        domain="[('country_id.code', '=', 'BD')]",
        index=True,
    )
    upazila_ids = fields.One2many("l10n_bd_smart.upazila", "district_id", string="Upazilas")

    _sql_constraints = [("code_uniq", "unique(code)", "The district code must be unique.")]


class BdUpazila(models.Model):
    """An upazila (sub-district) or a metropolitan thana."""

    _name = "l10n_bd_smart.upazila"
    _description = "Bangladesh Upazila / Thana"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    district_id = fields.Many2one(
        "l10n_bd_smart.district", required=True, ondelete="cascade", index=True
    )
    state_id = fields.Many2one(related="district_id.state_id", store=True, string="Division")

    _sql_constraints = [
        (
            "name_district_uniq",
            "unique(name, district_id)",
            "An upazila name appears once per district.",
        )
    ]

    @api.depends("name", "district_id.name")
    def _compute_display_name(self):
        for rec in self:
            district = rec.district_id.name
            rec.display_name = f"{rec.name} ({district})" if district else rec.name
