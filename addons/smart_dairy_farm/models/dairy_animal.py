# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..tools.eid import normalize_eid
from ..tools.repro import (
    animal_kpis,
    conceptions_from_events,
    pregnancy_rate_21d,
    reproductive_state,
)

STATUSES = [
    ("calf", "Calf"),
    ("heifer", "Heifer"),
    ("lactating", "Lactating"),
    ("dry", "Dry"),
    ("sold", "Sold"),
    ("dead", "Dead"),
    ("culled", "Culled"),
]
EXIT_STATUSES = ("sold", "dead", "culled")


class DairyAnimal(models.Model):
    _name = "dairy.animal"
    _inherit = ["mail.thread", "image.mixin", "dairy.herd.seed.mixin"]
    _description = "Dairy animal"
    _order = "visual_tag"
    _rec_names_search = ["visual_tag", "eid", "name"]

    # ------------------------------------------------------------ identity
    eid = fields.Char(
        string="EID",
        size=15,
        index=True,
        tracking=True,
        copy=False,
        help="ISO 11784 electronic id: 15 digits = 3-digit country/manufacturer code "
        "+ 12-digit national id (< 2^38).",
    )
    visual_tag = fields.Char(
        required=True,
        index=True,
        tracking=True,
        copy=False,
        help="Ear tag number, unique in the company.",
    )
    name = fields.Char()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    sex = fields.Selection(
        [("female", "Female"), ("male", "Male")], required=True, default="female"
    )
    birth_date = fields.Date(tracking=True)
    breed_id = fields.Many2one("dairy.breed", index=True)
    hf_pct = fields.Float(
        string="HF %", digits=(5, 2), help="Holstein Friesian share of a crossbred animal (0–100)."
    )
    breed_display = fields.Char(compute="_compute_breed_display", string="Breed (detail)")
    dam_id = fields.Many2one("dairy.animal", index=True, domain="[('sex', '=', 'female')]")
    sire_id = fields.Many2one("dairy.animal", index=True, domain="[('sex', '=', 'male')]")
    sire_name = fields.Char(help="Bull or semen straw when the sire is not in the herd.")
    offspring_ids = fields.One2many("dairy.animal", "dam_id", string="Calves")
    # ------------------------------------------------------------ origin and exit
    origin = fields.Selection(
        [("born", "Born on farm"), ("purchased", "Purchased")], default="born", required=True
    )
    purchase_date = fields.Date()
    purchase_price = fields.Monetary(currency_field="currency_id")
    seller_id = fields.Many2one("res.partner")
    status = fields.Selection(STATUSES, required=True, default="heifer", index=True, tracking=True)
    exit_date = fields.Date(tracking=True)
    exit_reason = fields.Char()
    # ------------------------------------------------------------ location
    barn_id = fields.Many2one(
        "dairy.barn", index=True, tracking=True, domain="[('company_id', '=', company_id)]"
    )
    pen_id = fields.Many2one("dairy.pen", index=True, domain="[('barn_id', '=', barn_id)]")
    group_id = fields.Many2one(
        "dairy.animal.group", index=True, domain="[('company_id', '=', company_id)]"
    )
    # ------------------------------------------------------------ weight
    weight_ids = fields.One2many("dairy.animal.weight", "animal_id", string="Weights")
    last_weight_kg = fields.Float(compute="_compute_last_weight", store=True, string="Weight (kg)")
    # ------------------------------------------------------------ lactation and milk
    lactation_ids = fields.One2many("dairy.lactation", "animal_id", string="Lactations")
    previous_lactations = fields.Integer(
        help="Lactations completed before the animal's records start (purchased cows)."
    )
    lactation_number = fields.Integer(
        compute="_compute_lactation", store=True, string="Lactation no."
    )
    current_lactation_id = fields.Many2one(
        "dairy.lactation", compute="_compute_lactation", store=True, string="Current lactation"
    )
    current_calving_date = fields.Date(
        related="current_lactation_id.calving_date", store=True, string="Calving date"
    )
    current_lactation_yield = fields.Float(
        related="current_lactation_id.total_yield", store=True, string="Lactation yield (L)"
    )
    days_in_milk = fields.Integer(
        compute="_compute_days_in_milk", search="_search_days_in_milk", string="DIM"
    )
    avg_yield_7d = fields.Float(
        string="7-day avg (L/day)",
        readonly=True,
        digits=(6, 2),
        help="Average daily yield over the last 7 days with records.",
    )
    milk_record_ids = fields.One2many("dairy.milk.record", "animal_id")
    age_months = fields.Integer(
        compute="_compute_age", search="_search_age_months", string="Age (months)"
    )
    age_display = fields.Char(compute="_compute_age", string="Age")
    # ------------------------------------------------------------ health
    health_event_ids = fields.One2many("dairy.health.event", "animal_id")
    milk_sellable_from = fields.Date(
        compute="_compute_withdrawal",
        store=True,
        help="End of the longest milk withdrawal of the animal's treatments.",
    )
    under_withdrawal = fields.Boolean(
        compute="_compute_under_withdrawal", search="_search_under_withdrawal"
    )
    # ------------------------------------------------------------ breeding
    breeding_event_ids = fields.One2many("dairy.breeding.event", "animal_id")
    repro_status = fields.Selection(
        [("open", "Open"), ("inseminated", "Inseminated"), ("pregnant", "Pregnant")],
        compute="_compute_repro",
        store=True,
        string="Reproduction",
    )
    is_pregnant = fields.Boolean(compute="_compute_repro", store=True, string="Pregnant")
    last_heat_date = fields.Date(compute="_compute_repro", store=True)
    last_insemination_date = fields.Date(compute="_compute_repro", store=True)
    services_since_calving = fields.Integer(compute="_compute_repro", store=True)
    conception_date = fields.Date(compute="_compute_repro", store=True)
    expected_calving_date = fields.Date(compute="_compute_repro", store=True, index=True)
    days_open = fields.Integer(compute="_compute_repro_kpis")
    calving_interval = fields.Float(compute="_compute_repro_kpis", string="Calving interval (d)")
    services_per_conception = fields.Float(compute="_compute_repro_kpis")
    # ------------------------------------------------------------ attention
    attention_event_ids = fields.One2many("dairy.attention.event", "animal_id")
    open_attention_count = fields.Integer(compute="_compute_open_attention_count")

    _sql_constraints = [
        ("eid_company_uniq", "unique(eid, company_id)", "This EID is already used."),
        ("tag_company_uniq", "unique(visual_tag, company_id)", "This visual tag is already used."),
    ]

    # ================================================================ computes
    @api.depends("visual_tag", "name")
    def _compute_display_name(self):
        for animal in self:
            animal.display_name = (
                f"{animal.visual_tag} {animal.name}" if animal.name else animal.visual_tag or ""
            )

    @api.depends("breed_id", "hf_pct")
    def _compute_breed_display(self):
        for animal in self:
            if animal.breed_id.is_crossbreed and animal.hf_pct:
                animal.breed_display = _("%(hf)s%% HF × Local", hf=f"{animal.hf_pct:g}")
            else:
                animal.breed_display = animal.breed_id.name or ""

    @api.depends("weight_ids.weight_kg", "weight_ids.date")
    def _compute_last_weight(self):
        for animal in self:
            weights = animal.weight_ids.sorted(lambda w: (w.date, w.id))
            animal.last_weight_kg = weights[-1:].weight_kg if weights else 0.0

    @api.depends("lactation_ids.state", "lactation_ids.calving_date", "previous_lactations")
    def _compute_lactation(self):
        for animal in self:
            lactations = animal.lactation_ids
            animal.lactation_number = animal.previous_lactations + len(lactations)
            open_ = lactations.filtered(lambda lac: lac.state == "open")
            animal.current_lactation_id = (
                open_.sorted("calving_date", reverse=True)[:1] if open_ else False
            )

    @api.depends("current_calving_date")
    def _compute_days_in_milk(self):
        today = fields.Date.context_today(self)
        for animal in self:
            calving = animal.current_calving_date
            animal.days_in_milk = (today - calving).days if calving else 0

    def _search_days_in_milk(self, operator, value):
        # DIM ≥ v  ⇔  calving ≤ today − v (a lower DIM is a later calving)
        today = fields.Date.context_today(self)
        flip = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}
        if operator not in flip or not isinstance(value, int | float):
            raise ValidationError(_("Unsupported search on days in milk: %s", operator))
        domain = [("current_calving_date", flip[operator], today - timedelta(days=int(value)))]
        return expression.AND([domain, [("current_lactation_id", "!=", False)]])

    @api.depends("birth_date")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for animal in self:
            if not animal.birth_date:
                animal.age_months, animal.age_display = 0, ""
                continue
            months = (
                (today.year - animal.birth_date.year) * 12
                + (today.month - animal.birth_date.month)
                - (today.day < animal.birth_date.day)
            )
            animal.age_months = max(months, 0)
            years, rest = divmod(max(months, 0), 12)
            animal.age_display = (
                _("%(y)sy %(m)sm", y=years, m=rest) if years else _("%(m)sm", m=rest)
            )

    def _search_age_months(self, operator, value):
        # age ≥ v months  ⇔  born on or before today − v months
        today = fields.Date.context_today(self)
        flip = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
        if operator not in flip:
            raise ValidationError(_("Unsupported search on age: %s", operator))
        limit = fields.Date.subtract(today, months=int(value))
        return [("birth_date", flip[operator], limit)]

    @api.depends("health_event_ids.milk_sellable_from", "health_event_ids.state")
    def _compute_withdrawal(self):
        for animal in self:
            ends = [
                e.milk_sellable_from
                for e in animal.health_event_ids
                if e.state == "done" and e.milk_sellable_from
            ]
            animal.milk_sellable_from = max(ends) if ends else False

    @api.depends("milk_sellable_from")
    def _compute_under_withdrawal(self):
        today = fields.Date.context_today(self)
        for animal in self:
            animal.under_withdrawal = bool(
                animal.milk_sellable_from and animal.milk_sellable_from > today
            )

    def _search_under_withdrawal(self, operator, value):
        today = fields.Date.context_today(self)
        positive = (operator == "=") == bool(value)
        if operator not in ("=", "!="):
            raise ValidationError(_("Unsupported search on withdrawal: %s", operator))
        if positive:
            return [("milk_sellable_from", ">", today)]
        return ["|", ("milk_sellable_from", "=", False), ("milk_sellable_from", "<=", today)]

    @api.depends(
        "breeding_event_ids.date",
        "breeding_event_ids.event_type",
        "breeding_event_ids.pregnancy_result",
    )
    def _compute_repro(self):
        for animal in self:
            state = reproductive_state(animal._repro_event_tuples())
            animal.repro_status = state["state"] if animal.sex == "female" else False
            animal.is_pregnant = state["state"] == "pregnant"
            animal.last_heat_date = state["last_heat"]
            animal.last_insemination_date = state["last_insemination"]
            animal.services_since_calving = state["services"]
            animal.conception_date = state["conception"]
            animal.expected_calving_date = state["expected_calving"]

    def _repro_event_tuples(self):
        return [(e.date, e.event_type, e.pregnancy_result) for e in self.breeding_event_ids]

    def _compute_repro_kpis(self):
        today = fields.Date.context_today(self)
        for animal in self:
            events = animal._repro_event_tuples()
            calvings = [lac.calving_date for lac in animal.lactation_ids if lac.calving_date]
            kpis = animal_kpis(
                calvings,
                [d for d, k, _r in events if k == "insemination"],
                conceptions_from_events(events),
                today,
            )
            animal.days_open = kpis["days_open"] or 0
            animal.calving_interval = kpis["calving_interval"] or 0.0
            animal.services_per_conception = kpis["services_per_conception"] or 0.0

    @api.depends("attention_event_ids.is_open")
    def _compute_open_attention_count(self):
        counts = dict(
            self.env["dairy.attention.event"]._read_group(
                [("animal_id", "in", self.ids), ("is_open", "=", True)],
                ["animal_id"],
                ["__count"],
            )
        )
        for animal in self:
            animal.open_attention_count = counts.get(animal, 0)

    # ================================================================ milk statistics
    def _refresh_milk_stats(self):
        """Recompute ``avg_yield_7d`` of these animals with one grouped query."""
        if not self:
            return
        today = fields.Date.context_today(self)
        since = today - timedelta(days=6)
        Milk = self.env["dairy.milk.record"]
        rows = Milk._read_group(
            [("animal_id", "in", self.ids), ("date", ">=", since), ("date", "<=", today)],
            ["animal_id", "date:day"],
            ["yield_l:sum"],
        )
        per_animal = {}
        for animal, _day, total in rows:
            per_animal.setdefault(animal.id, []).append(total)
        by_value = {}
        for animal in self:
            days = per_animal.get(animal.id)
            value = round(sum(days) / len(days), 2) if days else 0.0
            if animal.avg_yield_7d != value:
                by_value.setdefault(value, []).append(animal.id)
        for value, ids in by_value.items():
            self.browse(ids).write({"avg_yield_7d": value})

    @api.model
    def _cron_refresh_milk_stats(self):
        self.search([("status", "in", ("lactating", "dry"))])._refresh_milk_stats()

    # ================================================================ validation
    @api.model
    def _normalize_identity(self, vals):
        if vals.get("eid"):
            try:
                vals["eid"] = normalize_eid(vals["eid"])
            except ValueError as err:
                raise ValidationError(_("Field EID: %s", err))
        if "visual_tag" in vals and vals["visual_tag"]:
            vals["visual_tag"] = vals["visual_tag"].strip()
        return vals

    def _precheck_unique(self, vals_list):
        """Clear error for a duplicate EID / visual tag before PostgreSQL refuses it."""
        # sudo: only counts identifiers in the same company, returns nothing to the user
        Animal = self.sudo().with_context(active_test=False)
        for field, label in (("eid", _("EID")), ("visual_tag", _("Visual tag"))):
            seen = set()
            for vals in vals_list:
                if not vals.get(field):
                    continue
                company = vals.get("company_id") or (
                    self.company_id.id if len(self.company_id) == 1 else self.env.company.id
                )
                key = (vals[field], company)
                if key in seen:
                    raise ValidationError(
                        _("Field %(f)s: %(v)s appears twice.", f=label, v=vals[field])
                    )
                seen.add(key)
                domain = [(field, "=", vals[field]), ("company_id", "=", company)]
                if self.ids:
                    domain.append(("id", "not in", self.ids))
                if Animal.search_count(domain, limit=1):
                    raise ValidationError(
                        _(
                            "Field %(f)s: %(v)s is already used by another animal.",
                            f=label,
                            v=vals[field],
                        )
                    )
            if len(self) > 1 and any(vals.get(field) for vals in vals_list):
                raise ValidationError(_("Field %(f)s must be different for each animal.", f=label))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_identity(vals)
        self._precheck_unique(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if "eid" in vals or "visual_tag" in vals:
            self._normalize_identity(vals)
            self._precheck_unique([vals])
        return super().write(vals)

    @api.constrains("birth_date", "exit_date", "status")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for animal in self:
            if animal.birth_date and animal.birth_date > today:
                raise ValidationError(
                    _(
                        "Field Birth date: %(a)s cannot be born in the future (%(d)s).",
                        a=animal.display_name,
                        d=animal.birth_date,
                    )
                )
            if animal.status in EXIT_STATUSES and not animal.exit_date:
                raise ValidationError(
                    _(
                        "Field Exit date: %(a)s is %(s)s, give the exit date.",
                        a=animal.display_name,
                        s=animal.status,
                    )
                )
            if animal.exit_date and animal.birth_date and animal.exit_date < animal.birth_date:
                raise ValidationError(_("Field Exit date: before the birth date."))

    @api.constrains("hf_pct")
    def _check_hf_pct(self):
        for animal in self:
            if not 0.0 <= animal.hf_pct <= 100.0:
                raise ValidationError(_("Field HF %: must be between 0 and 100."))

    @api.constrains("visual_tag")
    def _check_tag(self):
        for animal in self:
            if not (animal.visual_tag or "").strip():
                raise ValidationError(_("Field Visual tag is required."))

    @api.constrains("dam_id", "sire_id", "birth_date", "sex")
    def _check_parents(self):
        for animal in self:
            dam, sire = animal.dam_id, animal.sire_id
            if dam:
                if dam.sex != "female":
                    raise ValidationError(
                        _("Field Dam: %(d)s is not a female.", d=dam.display_name)
                    )
                if dam.birth_date and animal.birth_date and dam.birth_date >= animal.birth_date:
                    raise ValidationError(
                        _(
                            "Field Dam: %(d)s (born %(db)s) is not older than %(a)s (born %(ab)s).",
                            d=dam.display_name,
                            db=dam.birth_date,
                            a=animal.display_name,
                            ab=animal.birth_date,
                        )
                    )
            if sire:
                if sire.sex != "male":
                    raise ValidationError(
                        _("Field Sire: %(s)s is not a male.", s=sire.display_name)
                    )
                if sire.birth_date and animal.birth_date and sire.birth_date >= animal.birth_date:
                    raise ValidationError(_("Field Sire: the sire must be older than the calf."))
            if animal.sex == "male" and animal.offspring_ids:
                raise ValidationError(
                    _("Field Sex: %(a)s is the dam of other animals.", a=animal.display_name)
                )
        self._check_pedigree_cycles()

    def _check_pedigree_cycles(self):
        for animal in self:
            seen = set()
            todo = [animal.dam_id, animal.sire_id]
            while todo:
                parent = todo.pop()
                if not parent:
                    continue
                if parent == animal:
                    raise ValidationError(
                        _("Field Dam/Sire: %(a)s would be its own ancestor.", a=animal.display_name)
                    )
                if parent.id in seen:
                    continue
                seen.add(parent.id)
                todo += [parent.dam_id, parent.sire_id]

    @api.model
    def compute_herd_kpis(self, date_from, date_to):
        """Herd reproduction and milk KPIs over ``[date_from, date_to]`` (a few queries).

        Returns a dict: cows (female animals that calved at least once), lactating,
        dry, pregnant, avg_days_open, avg_calving_interval, services_per_conception,
        pregnancy_rate_21d (%), eligible_cycles, pregnancies, milk_l, sellable_l,
        avg_daily_l.
        """
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        today = fields.Date.context_today(self)
        cows = self.search([("sex", "=", "female"), ("lactation_number", ">", 0)])
        events = {}
        for row in self.env["dairy.breeding.event"].search_read(
            [("animal_id", "in", cows.ids)],
            ["animal_id", "date", "event_type", "pregnancy_result"],
            order="date",
        ):
            events.setdefault(row["animal_id"][0], []).append(
                (row["date"], row["event_type"], row["pregnancy_result"])
            )
        calvings = {}
        for row in self.env["dairy.lactation"].search_read(
            [("animal_id", "in", cows.ids)], ["animal_id", "calving_date"], order="calving_date"
        ):
            calvings.setdefault(row["animal_id"][0], []).append(row["calving_date"])
        herd, days_open, intervals, services, conceptions_n = [], [], [], 0, 0
        for cow in cows:
            ev = events.get(cow.id, [])
            conceptions = conceptions_from_events(ev)
            cow_calvings = calvings.get(cow.id, [])
            herd.append(
                {
                    "calvings": cow_calvings,
                    "conceptions": conceptions,
                    "exit": cow.exit_date or None,
                }
            )
            if cow.status not in ("lactating", "dry"):
                continue
            kpis = animal_kpis(
                cow_calvings, [d for d, k, _r in ev if k == "insemination"], conceptions, today
            )
            if kpis["days_open"] is not None:
                days_open.append(kpis["days_open"])
            if kpis["calving_interval"]:
                intervals.append(kpis["calving_interval"])
            served = {d for d, k, _r in ev if k == "insemination"}
            conceptions_n += sum(
                1 for c in conceptions if date_from <= c <= date_to and c in served
            )
            services += sum(1 for d in served if date_from <= d <= date_to)
        rate, eligible, pregnancies = pregnancy_rate_21d(herd, date_from, date_to)
        milk = self.env["dairy.milk.record"]._read_group(
            [("date", ">=", date_from), ("date", "<=", date_to), ("animal_id", "in", cows.ids)],
            [],
            ["yield_l:sum", "sellable_yield_l:sum"],
        )[0]
        n_days = (date_to - date_from).days + 1
        present = cows.filtered(lambda c: c.status in ("lactating", "dry"))
        return {
            "cows": len(present),
            "lactating": len(present.filtered(lambda c: c.status == "lactating")),
            "dry": len(present.filtered(lambda c: c.status == "dry")),
            "pregnant": len(present.filtered("is_pregnant")),
            "avg_days_open": round(sum(days_open) / len(days_open), 1) if days_open else 0.0,
            "avg_calving_interval": round(sum(intervals) / len(intervals), 1) if intervals else 0.0,
            "services_per_conception": round(services / conceptions_n, 2) if conceptions_n else 0.0,
            "pregnancy_rate_21d": rate,
            "eligible_cycles": eligible,
            "pregnancies": pregnancies,
            "milk_l": round(milk[0] or 0.0, 1),
            "sellable_l": round(milk[1] or 0.0, 1),
            "avg_daily_l": round((milk[0] or 0.0) / n_days, 1),
        }

    # ================================================================ actions
    def _open_related(self, model, name, extra_context=None):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("animal_id", "=", self.id)],
            "context": dict({"default_animal_id": self.id}, **(extra_context or {})),
        }

    def action_view_milk(self):
        return self._open_related("dairy.milk.record", _("Milk records"))

    def action_view_health(self):
        return self._open_related("dairy.health.event", _("Health events"))

    def action_view_breeding(self):
        return self._open_related("dairy.breeding.event", _("Breeding events"))

    def action_view_attention(self):
        return self._open_related("dairy.attention.event", _("Attention events"))


class DairyAnimalWeight(models.Model):
    _name = "dairy.animal.weight"
    _description = "Animal weighing"
    _order = "date desc, id desc"

    animal_id = fields.Many2one("dairy.animal", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="animal_id.company_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    weight_kg = fields.Float(string="Weight (kg)", required=True)
    method = fields.Selection([("scale", "Scale"), ("tape", "Heart-girth tape")], default="scale")

    @api.constrains("weight_kg", "date", "animal_id")
    def _check_weight(self):
        for rec in self:
            if not 0 < rec.weight_kg <= 1500:
                raise ValidationError(_("Field Weight (kg): must be between 0 and 1500."))
            if rec.animal_id.birth_date and rec.date < rec.animal_id.birth_date:
                raise ValidationError(_("Field Date: the weighing is dated before birth."))
