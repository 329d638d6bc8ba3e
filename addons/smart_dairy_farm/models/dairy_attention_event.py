# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# ICAR guidelines for attention (sensor) events: category and cause
CAUSES = [
    ("heat", "Heat"),
    ("low_rumination", "Lower rumination"),
    ("low_activity", "Lower activity"),
    ("mastitis", "Mastitis"),
    ("ketosis", "Ketosis"),
    ("lameness", "Lameness"),
    ("yield_drop", "Yield drop"),
    ("calving_due", "Calving due"),
    ("heat_stress", "Heat stress"),
    ("illness", "Illness (fever)"),
    ("other", "Other"),
]
CAUSE_CATEGORY = {
    "heat": "behaviour",
    "low_rumination": "health",
    "low_activity": "behaviour",
    "mastitis": "health",
    "ketosis": "health",
    "lameness": "health",
    "yield_drop": "health",
    "calving_due": "other",
    "heat_stress": "environment",
    "illness": "health",
    "other": "other",
}
PRIORITY_SEVERITY = {"0": "warning", "1": "minor", "2": "major", "3": "critical"}


class DairyAttentionEvent(models.Model):
    _name = "dairy.attention.event"
    _inherit = ["smart.dairy.alert.mixin"]
    _description = "Attention event"
    _alert_dedup_fields = ("animal_id", "cause")

    animal_id = fields.Many2one("dairy.animal", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    barn_id = fields.Many2one(related="animal_id.barn_id", store=True, string="Barn")
    category = fields.Selection(
        [
            ("behaviour", "Behaviour"),
            ("health", "Health"),
            ("environment", "Environment"),
            ("other", "Other"),
        ],
        compute="_compute_category",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    cause = fields.Selection(CAUSES, required=True, index=True)
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")],
        default="1",
        required=True,
    )
    source = fields.Selection(
        [("manual", "Manual"), ("sensor", "Sensor rule"), ("ml", "ML model")],
        default="manual",
        required=True,
    )
    score = fields.Float(help="Model probability / score when raised by ML.")
    model_version = fields.Char()
    description = fields.Text()

    @api.depends("animal_id")
    def _compute_company_id(self):
        for event in self:
            event.company_id = event.animal_id.company_id or self.env.company

    @api.depends("cause")
    def _compute_category(self):
        for event in self:
            event.category = CAUSE_CATEGORY.get(event.cause, "other")

    @api.model
    def _prepare_alert_vals(self, vals):
        vals = dict(vals)
        if vals.get("priority") and "severity" not in vals:
            vals["severity"] = PRIORITY_SEVERITY[vals["priority"]]
        if not vals.get("name") and vals.get("animal_id") and vals.get("cause"):
            animal = self.env["dairy.animal"].browse(vals["animal_id"])
            vals["name"] = _(
                "%(tag)s: %(cause)s",
                tag=animal.visual_tag,
                cause=dict(CAUSES).get(vals["cause"], vals["cause"]),
            )
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._prepare_alert_vals(v) for v in vals_list])

    @api.model
    def raise_attention(self, animal_id, cause, vals=None):
        """Raise (or repeat) the attention event ``cause`` for one animal; return its id.

        Public entry point for ML scoring and sensor rules (usable over XML-RPC).
        ``vals`` may hold ``priority`` ('0'–'3'), ``severity``, ``score``,
        ``model_version``, ``source``, ``description``, ``name`` and ``seen_at``
        (datetime string, default now). One open event per animal and cause: a repeat
        updates the open event (count, last seen, priority/severity only go up).
        """
        vals = dict(vals or {})
        seen_at = fields.Datetime.to_datetime(vals.pop("seen_at", None)) or fields.Datetime.now()
        if cause not in dict(CAUSES):
            raise ValidationError(_("Field Cause: unknown cause %s.", cause))
        animal = self.env["dairy.animal"].browse(int(animal_id)).exists()
        if not animal:
            raise ValidationError(_("Field Animal: animal %s does not exist.", animal_id))
        vals.update(animal_id=animal.id, cause=cause)
        vals = self._prepare_alert_vals(vals)
        event = self.raise_alert(vals, seen_at=seen_at)
        if vals.get("priority") and vals["priority"] > event.priority:
            event.priority = vals["priority"]
        for key in ("score", "model_version"):
            if key in vals and event[key] != vals[key]:
                event[key] = vals[key]
        return event.id
