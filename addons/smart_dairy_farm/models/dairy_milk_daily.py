# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools
from odoo.tools import SQL


class DairyMilkDaily(models.Model):
    """Daily herd totals per barn (SQL view over milk records)."""

    _name = "dairy.milk.daily"
    _description = "Daily milk totals"
    _auto = False
    _order = "date desc, barn_id"

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    barn_id = fields.Many2one("dairy.barn", readonly=True)
    cows_milked = fields.Integer(readonly=True, aggregator="max")
    milkings = fields.Integer(readonly=True)
    total_l = fields.Float(string="Total (L)", readonly=True, digits=(10, 1))
    sellable_l = fields.Float(string="Sellable (L)", readonly=True, digits=(10, 1))
    withdrawn_l = fields.Float(string="Withdrawn (L)", readonly=True, digits=(10, 1))
    avg_per_cow = fields.Float(string="L per cow", readonly=True, digits=(6, 2), aggregator="avg")
    avg_fat_pct = fields.Float(string="Fat %", readonly=True, digits=(4, 2), aggregator="avg")
    avg_snf_pct = fields.Float(string="SNF %", readonly=True, digits=(4, 2), aggregator="avg")
    avg_scc = fields.Float(string="SCC (×1000/mL)", readonly=True, digits=(8, 0), aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %s AS (
                    SELECT row_number() OVER (ORDER BY m.date, m.company_id, m.barn_id) AS id,
                           m.date,
                           m.company_id,
                           m.barn_id,
                           count(DISTINCT m.animal_id) AS cows_milked,
                           count(*) AS milkings,
                           sum(m.yield_l) AS total_l,
                           sum(m.sellable_yield_l) AS sellable_l,
                           sum(m.withdrawn_yield_l) AS withdrawn_l,
                           sum(m.yield_l) / NULLIF(count(DISTINCT m.animal_id), 0) AS avg_per_cow,
                           sum(m.fat_pct * m.yield_l) FILTER (WHERE m.fat_pct > 0)
                             / NULLIF(sum(m.yield_l) FILTER (WHERE m.fat_pct > 0), 0)
                             AS avg_fat_pct,
                           sum(m.snf_pct * m.yield_l) FILTER (WHERE m.snf_pct > 0)
                             / NULLIF(sum(m.yield_l) FILTER (WHERE m.snf_pct > 0), 0)
                             AS avg_snf_pct,
                           avg(m.scc) FILTER (WHERE m.scc > 0) AS avg_scc
                      FROM dairy_milk_record m
                     GROUP BY m.date, m.company_id, m.barn_id
                )
                """,
                SQL.identifier(self._table),
            )
        )
