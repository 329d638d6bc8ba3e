# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools.repro import GESTATION_DAYS

EVENT_TYPES = [
    ("heat", "Heat"),
    ("insemination", "Insemination"),
    ("pregnancy_check", "Pregnancy check"),
    ("calving", "Calving"),
    ("abortion", "Abortion"),
    ("dry_off", "Dry-off"),
]


class DairyBreedingEvent(models.Model):
    _name = "dairy.breeding.event"
    _description = "Breeding event"
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    animal_id = fields.Many2one(
        "dairy.animal",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('sex', '=', 'female')]",
    )
    company_id = fields.Many2one(related="animal_id.company_id", store=True, index=True)
    barn_id = fields.Many2one(related="animal_id.barn_id", string="Barn")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    event_type = fields.Selection(EVENT_TYPES, required=True, default="heat", index=True)
    # heat
    heat_source = fields.Selection(
        [("observed", "Observed"), ("detected", "Detected (collar)")], default="observed"
    )
    # insemination
    service_type = fields.Selection(
        [("ai", "Artificial insemination"), ("natural", "Natural")], default="ai"
    )
    sire_id = fields.Many2one("dairy.animal", string="Bull", domain="[('sex', '=', 'male')]")
    semen_straw = fields.Char(help="Straw / bull code of the semen used.")
    technician = fields.Char()
    # pregnancy check
    pregnancy_result = fields.Selection([("pregnant", "Pregnant"), ("open", "Open")])
    check_method = fields.Selection(
        [("palpation", "Rectal palpation"), ("ultrasound", "Ultrasound"), ("test", "Milk test")],
    )
    expected_calving_date = fields.Date(compute="_compute_expected_calving", store=True)
    # calving
    calf_sex = fields.Selection([("female", "Female"), ("male", "Male")])
    calf_tag = fields.Char(help="Visual tag for the calf; generated when empty.")
    calf_eid = fields.Char(string="Calf EID")
    calf_name = fields.Char()
    calving_ease = fields.Selection(
        [("1", "Unassisted"), ("2", "Easy pull"), ("3", "Hard pull"), ("4", "Caesarean")],
    )
    calf_id = fields.Many2one("dairy.animal", readonly=True, copy=False)
    lactation_id = fields.Many2one("dairy.lactation", readonly=True, copy=False)
    note = fields.Text()
    color = fields.Integer(compute="_compute_color")

    @api.depends("event_type", "animal_id.visual_tag", "pregnancy_result")
    def _compute_name(self):
        types = dict(EVENT_TYPES)
        for ev in self:
            label = types.get(ev.event_type, "")
            if ev.event_type == "pregnancy_check" and ev.pregnancy_result:
                label = f"{label}: {dict(self._fields['pregnancy_result'].selection)[ev.pregnancy_result]}"
            ev.name = f"{ev.animal_id.visual_tag or ''} {label}".strip()

    @api.depends("event_type", "date", "pregnancy_result")
    def _compute_expected_calving(self):
        for ev in self:
            conception = False
            if ev.event_type == "insemination":
                conception = ev.date
            elif ev.event_type == "pregnancy_check" and ev.pregnancy_result == "pregnant":
                services = ev.animal_id.breeding_event_ids.filtered(
                    lambda e, ev=ev: e.event_type == "insemination" and e.date <= ev.date
                )
                conception = (
                    max(services.mapped("date")) if services else ev.date - timedelta(days=35)
                )
            ev.expected_calving_date = (
                conception + timedelta(days=GESTATION_DAYS) if conception else False
            )

    def _compute_color(self):
        colors = {
            "heat": 9,
            "insemination": 4,
            "pregnancy_check": 10,
            "calving": 3,
            "abortion": 1,
            "dry_off": 7,
        }
        for ev in self:
            ev.color = colors.get(ev.event_type, 0)

    # ================================================================ validation
    @api.constrains("animal_id", "date", "event_type", "pregnancy_result", "calf_sex")
    def _check_event(self):
        today = fields.Date.context_today(self)
        types = dict(EVENT_TYPES)
        for ev in self:
            animal = ev.animal_id
            if animal.sex != "female":
                raise ValidationError(
                    _(
                        "Field Animal: %(a)s is a male; a %(t)s needs a cow or heifer.",
                        a=animal.display_name,
                        t=types[ev.event_type].lower(),
                    )
                )
            if animal.birth_date and ev.date < animal.birth_date:
                raise ValidationError(
                    _(
                        "Field Date: %(d)s is before %(a)s was born (%(b)s).",
                        d=ev.date,
                        a=animal.display_name,
                        b=animal.birth_date,
                    )
                )
            if ev.date > today:
                raise ValidationError(_("Field Date: a breeding event cannot be in the future."))
            if ev.event_type == "pregnancy_check" and not ev.pregnancy_result:
                raise ValidationError(_("Field Result: give the pregnancy check result."))

    # ================================================================ effects
    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        if not self.env.context.get("dairy_skip_effects"):
            for ev in events.sorted(lambda e: (e.date, e.id)):
                if ev.event_type == "calving":
                    ev._apply_calving()
                elif ev.event_type == "dry_off":
                    ev._apply_dry_off()
        return events

    def write(self, vals):
        res = super().write(vals)
        if "date" in vals:
            for ev in self.filtered(lambda e: e.event_type == "calving" and e.lactation_id):
                ev.lactation_id.calving_date = ev.date
        return res

    def _apply_calving(self):
        self.ensure_one()
        animal = self.animal_id
        Lactation = self.env["dairy.lactation"]
        open_lac = animal.lactation_ids.filtered(lambda lac: lac.state == "open")
        for lac in open_lac:
            if lac.calving_date >= self.date:
                raise ValidationError(
                    _(
                        "Field Date: %(a)s already calved on %(d)s.",
                        a=animal.display_name,
                        d=lac.calving_date,
                    )
                )
            lac.dry_off_date = self.date - timedelta(days=1)
        lactation = Lactation.create(
            {
                "animal_id": animal.id,
                "number": animal.lactation_number + 1,
                "calving_date": self.date,
                "calving_event_id": self.id,
            }
        )
        vals = {"lactation_id": lactation.id}
        if self.calf_sex:
            vals["calf_id"] = self._register_calf().id
        self.write(vals)
        animal.status = "lactating"

    def _register_calf(self):
        dam = self.animal_id
        service = dam.breeding_event_ids.filtered(
            lambda e: e.event_type == "insemination" and e.date < self.date
        ).sorted("date")[-1:]
        sire = service.sire_id
        hf = dam.hf_pct
        if sire and sire.hf_pct:
            hf = (dam.hf_pct + sire.hf_pct) / 2
        elif service.semen_straw and service.semen_straw.upper().startswith("HF"):
            hf = (dam.hf_pct + 100.0) / 2
        tag = self.calf_tag or f"{dam.visual_tag}-C{self.date:%y%m%d}"
        return self.env["dairy.animal"].create(
            {
                "visual_tag": tag,
                "eid": self.calf_eid or False,
                "name": self.calf_name or False,
                "sex": self.calf_sex,
                "birth_date": self.date,
                "dam_id": dam.id,
                "sire_id": sire.id or False,
                "sire_name": service.semen_straw or False,
                "breed_id": dam.breed_id.id,
                "hf_pct": hf,
                "status": "calf",
                "origin": "born",
                "barn_id": dam.barn_id.id,
                "company_id": dam.company_id.id,
            }
        )

    def _apply_dry_off(self):
        self.ensure_one()
        animal = self.animal_id
        open_lac = animal.lactation_ids.filtered(lambda lac: lac.state == "open")
        if not open_lac:
            raise ValidationError(
                _("Field Animal: %(a)s has no open lactation to dry off.", a=animal.display_name)
            )
        if any(lac.calving_date > self.date for lac in open_lac):
            raise ValidationError(_("Field Date: the dry-off is before the calving."))
        open_lac.dry_off_date = self.date
        self.lactation_id = open_lac[:1]
        animal.status = "dry"
