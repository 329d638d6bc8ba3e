# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.milk import (
    DEFAULT_TZ,
    HIGH_SCC,
    RANGES,
    check_range,
    lactation_stage,
    session_from_time,
    time_from_session,
    under_withdrawal,
)

SESSIONS = [("am", "AM"), ("pm", "PM")]
FIELD_LABELS = {
    "yield_l": "Yield (L)",
    "fat_pct": "Fat %",
    "snf_pct": "SNF %",
    "scc": "SCC",
    "conductivity": "Conductivity",
    "milk_temp_c": "Milk temperature",
}


class DairyMilkRecord(models.Model):
    _name = "dairy.milk.record"
    _description = "Milk recording (one milking of one cow)"
    _order = "date desc, session desc, animal_id"

    animal_id = fields.Many2one("dairy.animal", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="animal_id.company_id", store=True, index=True)
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    session = fields.Selection(SESSIONS, required=True, default="am")
    milking_time = fields.Datetime(help="When the milking happened (meters send it).")
    yield_l = fields.Float(string="Yield (L)", required=True, digits=(6, 2))
    fat_pct = fields.Float(string="Fat %", digits=(4, 2), aggregator="avg")
    snf_pct = fields.Float(string="SNF %", digits=(4, 2), aggregator="avg")
    scc = fields.Float(
        string="SCC (×1000/mL)",
        digits=(8, 0),
        aggregator="avg",
        help="Somatic cell count, thousands of cells per mL.",
    )
    conductivity = fields.Float(string="Conductivity (mS/cm)", digits=(5, 2), aggregator="avg")
    milk_temp_c = fields.Float(string="Milk temp (°C)", digits=(4, 1), aggregator="avg")
    source = fields.Selection(
        [("manual", "Manual"), ("meter", "Milk meter"), ("import", "Import")],
        required=True,
        default="manual",
    )
    external_ref = fields.Char(
        index=True,
        copy=False,
        help="Identifier from the meter or import file; unique per company, makes "
        "repeated deliveries of the same reading harmless.",
    )
    note = fields.Char()
    # stored context for lists, pivots and KPIs
    barn_id = fields.Many2one(
        "dairy.barn",
        compute="_compute_animal_context",
        store=True,
        index=True,
        help="Barn of the cow when she was milked.",
    )
    breed_id = fields.Many2one("dairy.breed", compute="_compute_animal_context", store=True)
    lactation_id = fields.Many2one(
        "dairy.lactation", compute="_compute_lactation", store=True, index=True, ondelete="set null"
    )
    dim = fields.Integer(string="DIM", compute="_compute_lactation", store=True, aggregator="avg")
    lactation_stage = fields.Selection(
        [("early", "Early (≤100 d)"), ("mid", "Mid (101–200 d)"), ("late", "Late (>200 d)")],
        compute="_compute_lactation",
        store=True,
    )
    under_withdrawal = fields.Boolean(
        compute="_compute_withdrawal",
        store=True,
        index=True,
        help="The cow was under a medicine withdrawal: this milk must not be sold.",
    )
    sellable_yield_l = fields.Float(
        string="Sellable (L)", compute="_compute_withdrawal", store=True, digits=(6, 2)
    )
    withdrawn_yield_l = fields.Float(
        string="Withdrawn (L)", compute="_compute_withdrawal", store=True, digits=(6, 2)
    )
    high_scc = fields.Boolean(compute="_compute_high_scc", store=True, string="High SCC")

    # =============================================================== computes
    @api.depends("animal_id.visual_tag", "date", "session")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = f"{rec.animal_id.visual_tag or ''} {rec.date} {rec.session or ''}"

    @api.depends("animal_id")
    def _compute_animal_context(self):
        # on purpose not depending on animal_id.barn_id: the record keeps the barn of the day
        for rec in self:
            rec.barn_id = rec.animal_id.barn_id
            rec.breed_id = rec.animal_id.breed_id

    @api.depends(
        "animal_id",
        "date",
        "animal_id.lactation_ids.calving_date",
        "animal_id.lactation_ids.dry_off_date",
    )
    def _compute_lactation(self):
        for rec in self:
            lac = rec._find_lactation()
            rec.lactation_id = lac
            rec.dim = (rec.date - lac.calving_date).days if lac else 0
            rec.lactation_stage = lactation_stage(rec.dim) if lac else False

    def _find_lactation(self):
        self.ensure_one()
        if not self.date:
            return self.env["dairy.lactation"]
        for lac in self.animal_id.lactation_ids:  # ordered by calving date desc
            if lac.calving_date <= self.date and (
                not lac.dry_off_date or self.date <= lac.dry_off_date
            ):
                return lac
        return self.env["dairy.lactation"]

    @api.depends(
        "animal_id",
        "date",
        "yield_l",
        "animal_id.health_event_ids.milk_sellable_from",
        "animal_id.health_event_ids.date",
        "animal_id.health_event_ids.state",
    )
    def _compute_withdrawal(self):
        windows = {}
        for rec in self:
            animal = rec.animal_id
            if animal.id not in windows:
                windows[animal.id] = [
                    (e.date, e.milk_sellable_from)
                    for e in animal.health_event_ids
                    if e.state == "done" and e.milk_sellable_from
                ]
            flagged = bool(rec.date) and under_withdrawal(rec.date, windows[animal.id])
            rec.under_withdrawal = flagged
            rec.sellable_yield_l = 0.0 if flagged else rec.yield_l
            rec.withdrawn_yield_l = rec.yield_l if flagged else 0.0

    @api.depends("scc")
    def _compute_high_scc(self):
        for rec in self:
            rec.high_scc = rec.scc > HIGH_SCC

    # =============================================================== create/write
    @api.model
    def _farm_tz(self):
        """Sessions follow the farm's clock (company timezone), whoever records them."""
        return self.env.company.partner_id.tz or DEFAULT_TZ

    @api.model
    def _complete_time_vals(self, vals):
        tz = self._farm_tz()
        if vals.get("milking_time") and not vals.get("date"):
            when = fields.Datetime.to_datetime(vals["milking_time"])
            day, session = session_from_time(when, tz)
            vals.setdefault("date", day)
            vals.setdefault("session", session)
        elif not vals.get("milking_time") and vals.get("date"):
            vals["milking_time"] = time_from_session(
                fields.Date.to_date(vals["date"]), vals.get("session") or "am", tz
            )
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._complete_time_vals(vals)
        records = super().create(vals_list)
        records._check_one_per_session()
        records.animal_id._refresh_milk_stats()
        return records

    def write(self, vals):
        animals = self.animal_id
        res = super().write(vals)
        if {"animal_id", "date", "session"} & set(vals):
            self._check_one_per_session()
        if {"animal_id", "date", "yield_l"} & set(vals):
            (animals | self.animal_id)._refresh_milk_stats()
        return res

    def unlink(self):
        animals = self.animal_id
        res = super().unlink()
        animals.exists()._refresh_milk_stats()
        return res

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS dairy_milk_record_external_ref_uniq "
                "ON dairy_milk_record (company_id, external_ref) WHERE external_ref IS NOT NULL"
            )
        )
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS dairy_milk_record_animal_date_idx "
                "ON dairy_milk_record (animal_id, date, session)"
            )
        )

    # =============================================================== validation
    @api.constrains(*RANGES)
    def _check_ranges(self):
        for rec in self:
            for fname in RANGES:
                error = check_range(fname, rec[fname])
                if error:
                    raise ValidationError(
                        _(
                            "Field %(f)s for %(a)s on %(d)s: %(e)s.",
                            f=FIELD_LABELS[fname],
                            a=rec.animal_id.display_name,
                            d=rec.date,
                            e=error,
                        )
                    )

    @api.constrains("animal_id", "date")
    def _check_animal(self):
        for rec in self:
            animal = rec.animal_id
            if animal.sex != "female":
                raise ValidationError(
                    _("Field Animal: %(a)s is a male and cannot be milked.", a=animal.display_name)
                )
            if animal.birth_date and rec.date < animal.birth_date:
                raise ValidationError(
                    _(
                        "Field Date: %(d)s is before %(a)s was born (%(b)s).",
                        d=rec.date,
                        a=animal.display_name,
                        b=animal.birth_date,
                    )
                )
            if rec.date > fields.Date.context_today(rec):
                raise ValidationError(_("Field Date: a milking cannot be in the future."))

    def _check_one_per_session(self):
        """One record per cow, day and session (one grouped query for the batch)."""
        if not self:
            return
        self.flush_model(["animal_id", "date", "session"])
        self.env.cr.execute(
            SQL(
                """
                SELECT m.animal_id, m.date, m.session
                  FROM dairy_milk_record m
                 WHERE (m.animal_id, m.date, m.session) IN (
                        SELECT animal_id, date, session FROM dairy_milk_record WHERE id = ANY(%s))
                 GROUP BY m.animal_id, m.date, m.session
                HAVING count(*) > 1
                 LIMIT 1
                """,
                list(self.ids),
            )
        )
        row = self.env.cr.fetchone()
        if row:
            animal = self.env["dairy.animal"].browse(row[0])
            raise ValidationError(
                _(
                    "Field Session: %(a)s already has a %(s)s milking on %(d)s.",
                    a=animal.display_name,
                    s=row[2].upper(),
                    d=row[1],
                )
            )

    # =============================================================== API
    @api.model
    def record_readings(self, readings):
        """Create milk records from meter/import readings; safe to call again.

        ``readings``: list of dicts with ``animal_id`` (or ``eid`` / ``visual_tag``),
        ``milking_time`` or ``date`` + ``session``, ``yield_l`` and optional quality
        fields, ``source`` (default ``meter``) and ``external_ref``. Readings whose
        ``external_ref`` already exists are skipped. Returns the ids of the created
        records (one batch create). Raises ``ValidationError`` for bad input, creating
        nothing.
        """
        Animal = self.env["dairy.animal"]
        company = self.env.company
        refs = [r["external_ref"] for r in readings if r.get("external_ref")]
        existing = set()
        if refs:
            existing = set(
                self.search([("external_ref", "in", refs), ("company_id", "=", company.id)]).mapped(
                    "external_ref"
                )
            )
        keys = {r.get("eid") for r in readings} | {r.get("visual_tag") for r in readings}
        keys.discard(None)
        animals = {}
        if keys:
            for animal in Animal.search(
                [
                    "|",
                    ("eid", "in", list(keys)),
                    ("visual_tag", "in", list(keys)),
                    ("company_id", "=", company.id),
                ]
            ):
                animals[animal.eid] = animal.id
                animals[animal.visual_tag] = animal.id
        allowed = set(self._fields) - {"id"}
        vals_list, seen = [], set()
        for reading in readings:
            ref = reading.get("external_ref")
            if ref and (ref in existing or ref in seen):
                continue
            seen.add(ref)
            vals = {k: v for k, v in reading.items() if k in allowed}
            if not vals.get("animal_id"):
                key = reading.get("eid") or reading.get("visual_tag")
                if key not in animals:
                    raise ValidationError(_("Field Animal: unknown animal %s.", key))
                vals["animal_id"] = animals[key]
            vals.setdefault("source", "meter")
            vals_list.append(vals)
        return self.create(vals_list).ids

    @api.model
    def get_daily_totals(self, date_from, date_to, barn_ids=None):
        """Herd totals per day: ``{date: {total, sellable, withdrawn, cows}}`` (one query)."""
        domain = [("date", ">=", date_from), ("date", "<=", date_to)]
        if barn_ids:
            domain.append(("barn_id", "in", barn_ids))
        out = defaultdict(dict)
        for day, total, sellable, withdrawn, cows in self._read_group(
            domain,
            ["date:day"],
            [
                "yield_l:sum",
                "sellable_yield_l:sum",
                "withdrawn_yield_l:sum",
                "animal_id:count_distinct",
            ],
        ):
            out[fields.Date.to_string(day)] = {
                "total": round(total, 2),
                "sellable": round(sellable, 2),
                "withdrawn": round(withdrawn, 2),
                "cows": cows,
            }
        return dict(out)
