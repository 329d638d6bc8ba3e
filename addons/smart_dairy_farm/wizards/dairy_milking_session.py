# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..models.dairy_milk_record import SESSIONS


def _default_session(model):
    now = fields.Datetime.context_timestamp(model, fields.Datetime.now())
    return "am" if now.hour < 12 else "pm"


class DairyMilkingSession(models.TransientModel):
    """Fast entry of one milking of a barn: one line per lactating cow, one batch create."""

    _name = "dairy.milking.session"
    _description = "Milking session entry"

    barn_id = fields.Many2one("dairy.barn", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    session = fields.Selection(SESSIONS, required=True, default=_default_session)
    source = fields.Selection(
        [("manual", "Manual"), ("import", "Import")], default="manual", required=True
    )
    line_ids = fields.One2many("dairy.milking.session.line", "session_id", string="Cows")
    already_recorded = fields.Integer(
        readonly=True, help="Cows of the barn already recorded for this milking."
    )
    total_l = fields.Float(compute="_compute_totals", string="Total (L)", digits=(10, 2))
    cows_entered = fields.Integer(compute="_compute_totals")

    @api.depends("line_ids.yield_l")
    def _compute_totals(self):
        for wiz in self:
            entered = wiz.line_ids.filtered(lambda line: line.yield_l > 0)
            wiz.total_l = sum(entered.mapped("yield_l"))
            wiz.cows_entered = len(entered)

    @api.model
    def _line_commands(self, barn, day, session):
        cows = self.env["dairy.animal"].search(
            [("barn_id", "=", barn.id), ("status", "=", "lactating")], order="visual_tag"
        )
        done = set(
            self.env["dairy.milk.record"]
            .search([("animal_id", "in", cows.ids), ("date", "=", day), ("session", "=", session)])
            .animal_id.ids
        )
        commands = [Command.clear()]
        commands += [
            Command.create({"animal_id": cow.id, "sequence": seq})
            for seq, cow in enumerate(cows)
            if cow.id not in done
        ]
        return commands, len(done)

    @api.onchange("barn_id", "date", "session")
    def _onchange_load_cows(self):
        if not self.barn_id or not self.date or not self.session:
            self.line_ids = [Command.clear()]
            self.already_recorded = 0
            return
        commands, done = self._line_commands(self.barn_id, self.date, self.session)
        self.line_ids = commands
        self.already_recorded = done

    @api.model
    def action_open(self, barn=None):
        ctx = dict(self.env.context)
        if barn:
            ctx["default_barn_id"] = barn.id
        return {
            "type": "ir.actions.act_window",
            "name": _("Record milking"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "current",
            "context": ctx,
        }

    def _prepare_records(self):
        self.ensure_one()
        return [
            {
                "animal_id": line.animal_id.id,
                "date": self.date,
                "session": self.session,
                "yield_l": line.yield_l,
                "fat_pct": line.fat_pct,
                "snf_pct": line.snf_pct,
                "scc": line.scc,
                "note": line.note or False,
                "source": self.source,
            }
            for line in self.line_ids.sorted("sequence")
            if line.yield_l
        ]

    def action_save(self):
        """Create the session's milk records with ONE batch create and show them."""
        self.ensure_one()
        vals_list = self._prepare_records()
        if not vals_list:
            raise UserError(_("Enter the yield of at least one cow."))
        records = self.env["dairy.milk.record"].create(vals_list)
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "Milking %(barn)s %(date)s %(session)s",
                barn=self.barn_id.code,
                date=self.date,
                session=self.session.upper(),
            ),
            "res_model": "dairy.milk.record",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", records.ids)],
            "target": "main",
        }


class DairyMilkingSessionLine(models.TransientModel):
    _name = "dairy.milking.session.line"
    _description = "Milking session entry line"
    _order = "sequence, id"

    session_id = fields.Many2one("dairy.milking.session", required=True, ondelete="cascade")
    sequence = fields.Integer()
    animal_id = fields.Many2one("dairy.animal", required=True, string="Cow")
    visual_tag = fields.Char(related="animal_id.visual_tag")
    avg_yield_7d = fields.Float(related="animal_id.avg_yield_7d", string="7-day avg")
    under_withdrawal = fields.Boolean(related="animal_id.under_withdrawal")
    yield_l = fields.Float(string="Yield (L)", digits=(6, 2))
    fat_pct = fields.Float(string="Fat %", digits=(4, 2))
    snf_pct = fields.Float(string="SNF %", digits=(4, 2))
    scc = fields.Float(string="SCC", digits=(8, 0))
    note = fields.Char()
