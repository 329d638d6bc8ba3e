# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models


class DairyHerdKpi(models.TransientModel):
    _name = "dairy.herd.kpi"
    _description = "Herd reproduction and milk KPIs"

    date_from = fields.Date(
        required=True, default=lambda s: fields.Date.context_today(s) - timedelta(days=364)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    cows = fields.Integer(compute="_compute_kpis", string="Cows in herd")
    lactating = fields.Integer(compute="_compute_kpis")
    dry = fields.Integer(compute="_compute_kpis")
    pregnant = fields.Integer(compute="_compute_kpis")
    avg_days_open = fields.Float(compute="_compute_kpis", string="Avg days open")
    avg_calving_interval = fields.Float(compute="_compute_kpis", string="Avg calving interval (d)")
    services_per_conception = fields.Float(compute="_compute_kpis")
    pregnancy_rate_21d = fields.Float(compute="_compute_kpis", string="21-day pregnancy rate (%)")
    eligible_cycles = fields.Integer(compute="_compute_kpis")
    pregnancies = fields.Integer(compute="_compute_kpis")
    milk_l = fields.Float(compute="_compute_kpis", string="Milk (L)")
    sellable_l = fields.Float(compute="_compute_kpis", string="Sellable milk (L)")
    avg_daily_l = fields.Float(compute="_compute_kpis", string="Avg herd milk per day (L)")

    @api.depends("date_from", "date_to")
    def _compute_kpis(self):
        for wiz in self:
            kpis = self.env["dairy.animal"].compute_herd_kpis(wiz.date_from, wiz.date_to)
            for key, value in kpis.items():
                wiz[key] = value
