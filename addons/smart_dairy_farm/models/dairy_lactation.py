# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.milk import lactation_summary


class DairyLactation(models.Model):
    _name = "dairy.lactation"
    _description = "Lactation"
    _order = "animal_id, calving_date desc"

    animal_id = fields.Many2one("dairy.animal", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="animal_id.company_id", store=True, index=True)
    number = fields.Integer(required=True, help="Parity: 1 for the first lactation.")
    calving_date = fields.Date(required=True, index=True)
    dry_off_date = fields.Date(index=True)
    calving_event_id = fields.Many2one("dairy.breeding.event", ondelete="set null")
    state = fields.Selection(
        [("open", "In milk"), ("closed", "Dried off")],
        compute="_compute_state",
        store=True,
        index=True,
    )
    milk_record_ids = fields.One2many("dairy.milk.record", "lactation_id")
    total_yield = fields.Float(
        compute="_compute_yield", store=True, string="Yield (L)", digits=(10, 2)
    )
    yield_305 = fields.Float(
        compute="_compute_yield", store=True, string="305-day yield (L)", digits=(10, 2)
    )
    peak_yield = fields.Float(
        compute="_compute_yield", store=True, string="Peak (L/day)", digits=(6, 2)
    )
    peak_dim = fields.Integer(compute="_compute_yield", store=True, string="Peak day")
    days_recorded = fields.Integer(compute="_compute_yield", store=True)
    length_days = fields.Integer(compute="_compute_length", string="Length (days)")

    @api.depends("animal_id.visual_tag", "number")
    def _compute_display_name(self):
        for lac in self:
            lac.display_name = _(
                "%(tag)s lactation %(n)s", tag=lac.animal_id.visual_tag or "", n=lac.number
            )

    @api.depends("dry_off_date")
    def _compute_state(self):
        for lac in self:
            lac.state = "closed" if lac.dry_off_date else "open"

    def _compute_length(self):
        today = fields.Date.context_today(self)
        for lac in self:
            end = lac.dry_off_date or today
            lac.length_days = (end - lac.calving_date).days if lac.calving_date else 0

    @api.depends("milk_record_ids.yield_l", "milk_record_ids.date", "calving_date")
    def _compute_yield(self):
        real = self.filtered("id")
        daily = defaultdict(dict)
        if real.ids:
            for lac, day, total in self.env["dairy.milk.record"]._read_group(
                [("lactation_id", "in", real.ids)], ["lactation_id", "date:day"], ["yield_l:sum"]
            ):
                daily[lac.id][day] = total
        for lac in self:
            summary = lactation_summary(daily.get(lac.id, {}), lac.calving_date)
            lac.total_yield = summary["total"]
            lac.yield_305 = summary["yield_305"]
            lac.peak_yield = summary["peak_yield"]
            lac.peak_dim = summary["peak_dim"]
            lac.days_recorded = summary["days_recorded"]

    @api.constrains("calving_date", "dry_off_date", "animal_id")
    def _check_dates(self):
        for lac in self:
            animal = lac.animal_id
            if animal.sex != "female":
                raise ValidationError(_("Field Animal: a male cannot have a lactation."))
            if animal.birth_date and lac.calving_date < animal.birth_date:
                raise ValidationError(_("Field Calving date: before the animal's birth."))
            if lac.dry_off_date and lac.dry_off_date < lac.calving_date:
                raise ValidationError(_("Field Dry-off date: before the calving date."))
            if (
                lac.state == "open"
                and len(animal.lactation_ids.filtered(lambda x: x.state == "open")) > 1
            ):
                raise ValidationError(
                    _("Field Animal: %(a)s already has an open lactation.", a=animal.display_name)
                )
