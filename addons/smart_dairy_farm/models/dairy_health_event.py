# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

DISEASES = [
    ("mastitis", "Mastitis"),
    ("ketosis", "Ketosis"),
    ("milk_fever", "Milk fever"),
    ("metritis", "Metritis"),
    ("retained_placenta", "Retained placenta"),
    ("lameness", "Lameness"),
    ("fmd", "Foot-and-mouth disease"),
    ("lsd", "Lumpy skin disease"),
    ("anthrax", "Anthrax"),
    ("hs", "Haemorrhagic septicaemia"),
    ("parasites", "Parasites"),
    ("other", "Other"),
]


class DairyHealthEvent(models.Model):
    _name = "dairy.health.event"
    _description = "Health event"
    _order = "date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    animal_id = fields.Many2one("dairy.animal", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="animal_id.company_id", store=True, index=True)
    barn_id = fields.Many2one(related="animal_id.barn_id", string="Barn")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    event_type = fields.Selection(
        [
            ("diagnosis", "Diagnosis"),
            ("treatment", "Treatment"),
            ("vaccination", "Vaccination"),
            ("vet_check", "Vet check"),
        ],
        required=True,
        default="treatment",
        index=True,
    )
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done")], required=True, default="done", index=True
    )
    disease = fields.Selection(DISEASES)
    description = fields.Text()
    product_id = fields.Many2one(
        "product.product", string="Medicine", domain="[('dairy_is_medicine', '=', True)]"
    )
    dose = fields.Float(digits=(8, 2))
    dose_unit = fields.Selection(
        [
            ("ml", "ml"),
            ("g", "g"),
            ("mg", "mg"),
            ("tube", "tube"),
            ("bolus", "bolus"),
            ("dose", "dose"),
        ],
        default="ml",
    )
    route = fields.Selection(
        [
            ("im", "Intramuscular"),
            ("iv", "Intravenous"),
            ("sc", "Subcutaneous"),
            ("oral", "Oral"),
            ("intramammary", "Intramammary"),
            ("topical", "Topical"),
        ],
    )
    withdrawal_days = fields.Integer(
        string="Milk withdrawal (days)",
        compute="_compute_withdrawal_days",
        store=True,
        readonly=False,
        help="Defaults to the medicine's milk withdrawal period.",
    )
    milk_sellable_from = fields.Date(compute="_compute_sellable_from", store=True, index=True)
    next_due_date = fields.Date(help="Booster or follow-up due on this date.")
    vet_name = fields.Char(string="Vet / technician")
    cost = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    color = fields.Integer(compute="_compute_color")

    @api.depends("event_type", "disease", "product_id")
    def _compute_name(self):
        types = dict(self._fields["event_type"].selection)
        diseases = dict(DISEASES)
        for event in self:
            parts = [types.get(event.event_type, "")]
            if event.disease:
                parts.append(diseases[event.disease])
            if event.product_id:
                parts.append(event.product_id.name)
            event.name = " – ".join(p for p in parts if p)

    @api.depends("product_id")
    def _compute_withdrawal_days(self):
        for event in self:
            event.withdrawal_days = event.product_id.dairy_milk_withdrawal_days

    @api.depends("date", "withdrawal_days")
    def _compute_sellable_from(self):
        for event in self:
            event.milk_sellable_from = (
                event.date + timedelta(days=event.withdrawal_days)
                if event.date and event.withdrawal_days > 0
                else False
            )

    def _compute_color(self):
        colors = {"diagnosis": 1, "treatment": 2, "vaccination": 10, "vet_check": 4}
        for event in self:
            event.color = colors.get(event.event_type, 0)

    @api.constrains("date", "animal_id", "withdrawal_days", "dose", "state")
    def _check_event(self):
        today = fields.Date.context_today(self)
        for event in self:
            birth = event.animal_id.birth_date
            if birth and event.date < birth:
                raise ValidationError(
                    _(
                        "Field Date: %(d)s is before %(a)s was born (%(b)s).",
                        d=event.date,
                        a=event.animal_id.display_name,
                        b=birth,
                    )
                )
            if event.withdrawal_days < 0:
                raise ValidationError(_("Field Milk withdrawal (days): cannot be negative."))
            if event.dose < 0:
                raise ValidationError(_("Field Dose: cannot be negative."))
            if event.state == "done" and event.date > today:
                raise ValidationError(
                    _("Field Date: a done event cannot be in the future; plan it instead.")
                )

    def action_mark_done(self):
        self.write({"state": "done", "date": fields.Date.context_today(self)})
        return True
