# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..lib.schedule import to_ingestor
from .iot_device import DEVICE_TYPES

# metric names as stored by the ingestor (iot_ingestor.payloads)
METRICS = [
    ("temperature_c", "Temperature (°C)"),
    ("humidity_pct", "Relative humidity (%)"),
    ("ammonia_ppm", "Ammonia (ppm)"),
    ("activity", "Activity index"),
    ("steps", "Steps"),
    ("rumination_min", "Rumination (min)"),
    ("lying_min", "Lying time (min)"),
    ("body_temp_c", "Body temperature (°C)"),
    ("battery_pct", "Battery (%)"),
    ("yield_l", "Milk yield (L)"),
    ("fat_pct", "Milk fat (%)"),
    ("snf_pct", "Milk SNF (%)"),
    ("protein_pct", "Milk protein (%)"),
    ("conductivity_ms_cm", "Milk conductivity (mS/cm)"),
    ("milk_temp_c", "Milk temperature (°C)"),
]
SCOPES = [
    ("all", "All devices"),
    ("device", "Devices"),
    ("device_type", "Device type"),
    ("barn", "Barn"),
    ("animal", "Animals"),
    ("group", "Animal group"),
]
DAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
DEFAULT_TZ = "Asia/Dhaka"


class IotAlertRule(models.Model):
    _name = "iot.alert.rule"
    _description = "IoT alert rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    kind = fields.Selection(
        [("threshold", "Threshold"), ("connectivity", "Connectivity (silent device)")],
        required=True,
        default="threshold",
    )
    metric = fields.Selection(METRICS)
    scope = fields.Selection(SCOPES, required=True, default="all")
    device_ids = fields.Many2many("iot.device", string="Devices")
    device_type = fields.Selection(DEVICE_TYPES)
    barn_id = fields.Many2one("dairy.barn")
    animal_ids = fields.Many2many("dairy.animal", string="Animals")
    group_id = fields.Many2one("dairy.animal.group", string="Animal group")
    use_min = fields.Boolean(string="Minimum")
    min_value = fields.Float(digits=(10, 3))
    use_max = fields.Boolean(string="Maximum")
    max_value = fields.Float(digits=(10, 3))
    duration_min = fields.Float(
        string="For at least (min)",
        digits=(8, 2),
        help="The value must stay out of range this long (device time) before the alert fires.",
    )
    repeat_count = fields.Integer(
        string="Readings in a row",
        default=1,
        help="Consecutive out-of-range readings needed before the alert fires.",
    )
    hysteresis = fields.Float(
        digits=(10, 3),
        help="The alert clears only once the value is back inside the range by this margin.",
    )
    silence_factor = fields.Float(
        default=3.0,
        help="Connectivity: silent for this many × the device's expected interval.",
    )
    severity = fields.Selection(
        [("warning", "Warning"), ("minor", "Minor"), ("major", "Major"), ("critical", "Critical")],
        required=True,
        default="major",
    )
    notify_activity = fields.Boolean(string="Odoo activity", default=True)
    notify_email = fields.Boolean(string="E-mail")
    notify_bus = fields.Boolean(string="Live notification", default=True)
    notify_sms = fields.Boolean(string="SMS")
    sms_gateway_id = fields.Many2one("iot.sms.gateway", string="SMS gateway")
    user_ids = fields.Many2many("res.users", string="Notify", domain="[('share', '=', False)]")
    schedule_ids = fields.One2many(
        "iot.alert.rule.schedule", "rule_id", string="Active hours", copy=True
    )
    alert_ids = fields.One2many("iot.alert", "rule_id")
    open_alert_count = fields.Integer(compute="_compute_open_alert_count")
    description = fields.Text()

    _sql_constraints = [
        ("repeat_positive", "CHECK(repeat_count >= 1)", "Readings in a row must be at least 1."),
        ("duration_positive", "CHECK(duration_min >= 0)", "The duration cannot be negative."),
        ("hysteresis_positive", "CHECK(hysteresis >= 0)", "The hysteresis cannot be negative."),
    ]

    def _compute_open_alert_count(self):
        counts = dict(
            self.env["iot.alert"]._read_group(
                [("rule_id", "in", self.ids), ("is_open", "=", True)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.open_alert_count = counts.get(rule, 0)

    @api.constrains(
        "kind",
        "metric",
        "use_min",
        "use_max",
        "min_value",
        "max_value",
        "hysteresis",
        "scope",
        "device_ids",
        "device_type",
        "barn_id",
        "animal_ids",
        "group_id",
        "silence_factor",
        "notify_sms",
        "sms_gateway_id",
    )
    def _check_rule(self):
        for rule in self:
            if rule.kind == "threshold":
                if not rule.metric:
                    raise ValidationError(_("Field Metric: a threshold rule needs a metric."))
                if not (rule.use_min or rule.use_max):
                    raise ValidationError(
                        _(
                            "Field Minimum/Maximum: rule %s needs a minimum, a maximum or both.",
                            rule.name,
                        )
                    )
                if rule.use_min and rule.use_max:
                    if rule.min_value >= rule.max_value:
                        raise ValidationError(_("Field Minimum: must be below the maximum."))
                    if rule.hysteresis * 2 >= rule.max_value - rule.min_value:
                        raise ValidationError(
                            _(
                                "Field Hysteresis: %(h)s is too wide for the range %(a)s–%(b)s.",
                                h=rule.hysteresis,
                                a=rule.min_value,
                                b=rule.max_value,
                            )
                        )
            elif rule.silence_factor < 1:
                raise ValidationError(_("Field Silence factor: must be at least 1."))
            missing = {
                "device": not rule.device_ids,
                "device_type": not rule.device_type,
                "barn": not rule.barn_id,
                "animal": not rule.animal_ids,
                "group": not rule.group_id,
            }.get(rule.scope)
            if missing:
                raise ValidationError(
                    _(
                        "Field Scope: choose the %s the rule applies to.",
                        dict(SCOPES)[rule.scope].lower(),
                    )
                )
            if rule.kind == "connectivity" and rule.scope in ("animal", "group"):
                raise ValidationError(
                    _("Field Scope: connectivity rules apply to devices, a device type or a barn.")
                )
            if rule.notify_sms and not rule.sms_gateway_id:
                raise ValidationError(_("Field SMS gateway: choose the gateway for SMS."))

    @api.model
    def _farm_tz(self):
        return self.env.company.partner_id.tz or DEFAULT_TZ

    def _ingestor_dict(self):
        """The rule as the ingestor caches it (see iot_ingestor.alerts.Rule.from_dict)."""
        self.ensure_one()
        rule = self
        data = {
            "id": rule.id,
            "name": rule.name,
            "kind": rule.kind,
            "metric": rule.metric or "",
            "scope": rule.scope,
            "device_codes": [],
            "device_type": rule.device_type or None,
            "barn": rule.barn_id.code or None,
            "animal_eids": [],
            "min_value": rule.min_value if rule.use_min else None,
            "max_value": rule.max_value if rule.use_max else None,
            "duration_s": int(round(rule.duration_min * 60)),
            "repeat_count": max(rule.repeat_count, 1),
            "hysteresis": rule.hysteresis,
            "severity": rule.severity,
            "schedule": to_ingestor(
                (s.dayofweek, s.hour_from, s.hour_to) for s in rule.schedule_ids
            ),
            "tz": self._farm_tz(),
            "silence_factor": rule.silence_factor or 3.0,
            "active": rule.active,
            "write_date": fields.Datetime.to_string(rule.write_date),
        }
        if rule.scope == "device":
            data["device_codes"] = rule.device_ids.mapped("code")
        elif rule.scope == "animal":
            data["animal_eids"] = [a.eid for a in rule.animal_ids if a.eid]
        elif rule.scope == "group":
            animals = self.env["dairy.animal"].search([("group_id", "=", rule.group_id.id)])
            data["animal_eids"] = [a.eid for a in animals if a.eid]
        if rule.kind == "connectivity":
            # the ingestor scopes connectivity rules by type / devices / barn only
            data["scope"] = rule.scope if rule.scope != "all" else "all"
        return data


class IotAlertRuleSchedule(models.Model):
    _name = "iot.alert.rule.schedule"
    _description = "Active hours of an alert rule"
    _order = "dayofweek, hour_from"

    rule_id = fields.Many2one("iot.alert.rule", required=True, ondelete="cascade", index=True)
    dayofweek = fields.Selection(DAYS, string="Day", help="Empty = every day.")
    hour_from = fields.Float(string="From", required=True, default=0.0)
    hour_to = fields.Float(string="To", required=True, default=24.0)

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for line in self:
            for value in (line.hour_from, line.hour_to):
                if not 0 <= value <= 24:
                    raise ValidationError(_("Field From/To: hours go from 0 to 24."))
            if line.hour_from == line.hour_to:
                raise ValidationError(_("Field To: the slot is empty (from = to)."))
