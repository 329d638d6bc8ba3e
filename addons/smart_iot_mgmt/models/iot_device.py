# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..lib import apikeys

DEVICE_TYPES = [
    ("environment", "Environment sensor"),
    ("activity_collar", "Activity collar"),
    ("milk_meter", "Milk meter"),
    ("rfid_reader", "RFID reader"),
    ("gateway", "Gateway"),
    ("cold_chain_probe", "Cold-chain probe"),
]
# default expected reporting interval per type, seconds (0 = reports on events only)
DEFAULT_INTERVALS = {
    "environment": 60,
    "activity_collar": 300,
    "milk_meter": 0,
    "rfid_reader": 0,
    "gateway": 60,
    "cold_chain_probe": 300,
}
STATUSES = [
    ("discovered", "Discovered"),
    ("active", "Active"),
    ("silent", "Silent"),
    ("faulty", "Faulty"),
    ("retired", "Retired"),
]
# the MQTT payload kind of a discovered device → its most likely type
KIND_TYPES = {"milking": "milk_meter", "rfid": "rfid_reader", "location": "activity_collar"}
PREFIX_TYPES = (
    ("COL-", "activity_collar"),
    ("ENV-", "environment"),
    ("MM-", "milk_meter"),
    ("RFID-", "rfid_reader"),
    ("GW-", "gateway"),
    ("CC-", "cold_chain_probe"),
)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")  # = iot_ingestor.payloads
SILENCE_FACTOR_PARAM = "smart_iot_mgmt.silence_factor"


def guess_type(code, kind=None):
    for prefix, dtype in PREFIX_TYPES:
        if code.upper().startswith(prefix):
            return dtype
    return KIND_TYPES.get(kind or "")


class IotDevice(models.Model):
    _name = "iot.device"
    _inherit = ["iot.device.demo"]
    _description = "IoT device"
    _order = "device_type, code"
    _rec_names_search = ["code", "name", "serial_number"]

    code = fields.Char(
        required=True,
        index=True,
        copy=False,
        help="Identifier the device uses in MQTT payloads (device_id), e.g. COL-0001.",
    )
    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    device_type = fields.Selection(DEVICE_TYPES, index=True)
    model_name = fields.Char(string="Model")
    manufacturer = fields.Char()
    serial_number = fields.Char(copy=False)
    firmware_version = fields.Char(string="Firmware")
    install_date = fields.Date()
    barn_id = fields.Many2one("dairy.barn", index=True, ondelete="set null")
    pen_id = fields.Many2one("dairy.pen", domain="[('barn_id', '=', barn_id)]", ondelete="set null")
    location_note = fields.Char(string="Location", help="Free text, e.g. 'parlour stall 3'.")
    gateway_id = fields.Many2one(
        "iot.device", domain="[('device_type', '=', 'gateway')]", index=True, ondelete="set null"
    )
    child_ids = fields.One2many("iot.device", "gateway_id", string="Devices behind")
    animal_id = fields.Many2one(
        "dairy.animal",
        index=True,
        ondelete="set null",
        copy=False,
        help="Animal currently wearing the device (collars).",
    )
    animal_eid = fields.Char(related="animal_id.eid", string="Animal EID")
    assignment_ids = fields.One2many(
        "iot.device.assignment", "device_id", string="Assignment history"
    )
    expected_interval_s = fields.Integer(
        string="Expected interval (s)",
        help="How often the device reports. Silent after 3 × this without data; "
        "0 = reports on events only (never silent).",
    )
    battery_pct = fields.Float(string="Battery (%)", digits=(5, 1), readonly=True)
    last_seen = fields.Datetime(readonly=True, help="Device time of the latest message.")
    last_received_at = fields.Datetime(
        readonly=True, help="When the ingestor received the latest message."
    )
    msg_count = fields.Integer(string="Messages", readonly=True)
    first_seen = fields.Datetime(readonly=True, copy=False)
    status = fields.Selection(STATUSES, required=True, default="active", index=True, copy=False)
    discovered_kind = fields.Char(readonly=True, help="Payload kind seen when discovered.")
    discovered_farm = fields.Char(readonly=True)
    calibration_due = fields.Date(index=True)
    calibration_overdue = fields.Boolean(
        compute="_compute_calibration_overdue", search="_search_calibration_overdue"
    )
    freshness = fields.Selection(
        [("fresh", "Fresh"), ("late", "Late"), ("stale", "Stale"), ("never", "Never seen")],
        compute="_compute_freshness",
    )
    alert_ids = fields.One2many("iot.alert", "device_id")
    open_alert_count = fields.Integer(compute="_compute_open_alert_count")
    api_key_index = fields.Char(readonly=True, copy=False, index=True, groups="base.group_system")
    api_key_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    has_api_key = fields.Boolean(compute="_compute_has_api_key")
    note = fields.Text()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A device with this code already exists."),
        (
            "interval_positive",
            "CHECK(expected_interval_s >= 0)",
            "The expected interval cannot be negative.",
        ),
        (
            "battery_range",
            "CHECK(battery_pct >= 0 AND battery_pct <= 100)",
            "Battery must be between 0 and 100 %.",
        ),
    ]

    # ------------------------------------------------------------------ computes
    @api.depends("code")
    def _compute_name(self):
        for device in self:
            if not device.name:
                device.name = device.code

    @api.depends("code", "name", "device_type")
    def _compute_display_name(self):
        for device in self:
            if device.name and device.name != device.code:
                device.display_name = f"[{device.code}] {device.name}"
            else:
                device.display_name = device.code or ""

    def _compute_calibration_overdue(self):
        today = fields.Date.context_today(self)
        for device in self:
            device.calibration_overdue = bool(
                device.calibration_due and device.calibration_due < today
            )

    def _search_calibration_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on calibration overdue."))
        today = fields.Date.context_today(self)
        overdue = [("calibration_due", "<", today)]
        if (operator == "=") == value:
            return overdue
        return ["|", ("calibration_due", "=", False), ("calibration_due", ">=", today)]

    @api.depends("last_received_at", "expected_interval_s")
    def _compute_freshness(self):
        now = fields.Datetime.now()
        factor = self._silence_factor()
        for device in self:
            device.freshness = freshness(
                device.last_received_at, device.expected_interval_s, now, factor
            )

    def _compute_open_alert_count(self):
        counts = dict(
            self.env["iot.alert"]._read_group(
                [("device_id", "in", self.ids), ("is_open", "=", True)], ["device_id"], ["__count"]
            )
        )
        for device in self:
            device.open_alert_count = counts.get(device, 0)

    def _compute_has_api_key(self):
        # sudo: only tells whether a key exists, never exposes it
        for device in self:
            device.has_api_key = bool(device.sudo().api_key_hash)

    @api.model
    def _silence_factor(self):
        value = self.env["ir.config_parameter"].sudo().get_param(SILENCE_FACTOR_PARAM, "3")
        try:
            return max(float(value), 1.0)
        except ValueError:
            return 3.0

    # ------------------------------------------------------------------ constraints
    @api.constrains("code")
    def _check_code(self):
        for device in self:
            if not CODE_RE.match(device.code or ""):
                raise ValidationError(
                    _(
                        "Field Code: %(code)r must be 1–64 letters, digits, '_', '.', ':' or '-' "
                        "and start with a letter or digit (it is the MQTT device id).",
                        code=device.code,
                    )
                )

    @api.constrains("status", "device_type")
    def _check_type(self):
        for device in self:
            if device.status != "discovered" and not device.device_type:
                raise ValidationError(_("Field Type: set the type of device %s.", device.code))

    @api.constrains("animal_id", "device_type", "status")
    def _check_animal(self):
        for device in self.filtered("animal_id"):
            if device.status == "retired":
                raise ValidationError(_("A retired device cannot be on an animal."))
            if device.device_type != "activity_collar":
                continue
            other = self.search(
                [
                    ("id", "!=", device.id),
                    ("animal_id", "=", device.animal_id.id),
                    ("device_type", "=", "activity_collar"),
                ],
                limit=1,
            )
            if other:
                raise ValidationError(
                    _(
                        "Field Animal: %(animal)s already wears collar %(other)s.",
                        animal=device.animal_id.display_name,
                        other=other.code,
                    )
                )

    @api.constrains("gateway_id")
    def _check_gateway(self):
        for device in self.filtered("gateway_id"):
            if device.gateway_id == device or device.gateway_id.device_type != "gateway":
                raise ValidationError(
                    _("Field Gateway: %s is not a gateway.", device.gateway_id.code)
                )

    # ------------------------------------------------------------------ CRUD
    @api.onchange("device_type")
    def _onchange_device_type(self):
        if self.device_type and not self.expected_interval_s:
            self.expected_interval_s = DEFAULT_INTERVALS.get(self.device_type, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code"):
                vals["code"] = vals["code"].strip()
            if "expected_interval_s" not in vals and vals.get("device_type"):
                vals["expected_interval_s"] = DEFAULT_INTERVALS.get(vals["device_type"], 0)
        devices = super().create(vals_list)
        now = fields.Datetime.now()
        assignments = [
            {"device_id": d.id, "animal_id": d.animal_id.id, "date_start": now}
            for d in devices
            if d.animal_id
        ]
        if assignments:
            self.env["iot.device.assignment"].create(assignments)
        return devices

    def write(self, vals):
        if "code" in vals and vals["code"]:
            vals["code"] = vals["code"].strip()
        if "animal_id" in vals:
            new_animal = vals["animal_id"] or False
            moving = self.filtered(lambda d: d.animal_id.id != new_animal)
            if moving:
                moving._move_assignment(new_animal, vals.pop("assignment_note", None))
        vals.pop("assignment_note", None)
        return super().write(vals)

    def _move_assignment(self, animal_id, note=None):
        """Close the open assignment of each device and open one for ``animal_id``."""
        now = fields.Datetime.now()
        Assignment = self.env["iot.device.assignment"]
        Assignment.search([("device_id", "in", self.ids), ("date_end", "=", False)]).write(
            {"date_end": now}
        )
        if animal_id:
            Assignment.create(
                [
                    {"device_id": d.id, "animal_id": animal_id, "date_start": now, "note": note}
                    for d in self
                ]
            )

    # ------------------------------------------------------------------ actions
    def action_register(self):
        """A manager accepts discovered devices into the registry."""
        for device in self:
            if device.status != "discovered":
                raise UserError(_("%s is not a discovered device.", device.code))
            if not device.device_type:
                raise UserError(_("Set the type of %s before registering it.", device.code))
        for device in self:
            device.write(
                {
                    "status": "active",
                    "expected_interval_s": device.expected_interval_s
                    or DEFAULT_INTERVALS.get(device.device_type, 0),
                }
            )
        return True

    def action_mark_faulty(self):
        self.write({"status": "faulty"})
        return True

    def action_reactivate(self):
        self.filtered(lambda d: d.status in ("faulty", "silent", "retired")).write(
            {"status": "active", "active": True}
        )
        return True

    def action_retire(self):
        self.write({"status": "retired", "animal_id": False})
        return True

    def action_open_api_key_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "iot.api.key.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_device_id": self.id},
        }

    def generate_api_key(self):
        """Create (or replace) the REST API key of this device/gateway; return it once.

        Only IoT managers may call it. The key is not stored, only its digest.
        """
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group("smart_dairy_base.group_iot_manager")):
            raise UserError(_("Only IoT managers can create device API keys."))
        if self.status == "retired":
            raise UserError(_("A retired device cannot get an API key."))
        key, index, digest = apikeys.generate()
        # sudo: the key columns are restricted to system users; a manager may set them here
        self.sudo().write({"api_key_index": index, "api_key_hash": digest})
        return key

    def action_revoke_api_key(self):
        if not (self.env.su or self.env.user.has_group("smart_dairy_base.group_iot_manager")):
            raise UserError(_("Only IoT managers can revoke device API keys."))
        # sudo: see generate_api_key
        self.sudo().write({"api_key_index": False, "api_key_hash": False})
        return True

    @api.model
    def _authenticate_api_key(self, key):
        """The active device or gateway owning ``key``, else an empty recordset."""
        index = apikeys.key_index(key or "")
        if not index:
            return self.browse()
        # sudo: the lookup reads the restricted digest column; only the match is returned
        for device in self.sudo().search(
            [("api_key_index", "=", index), ("status", "!=", "retired")]
        ):
            if apikeys.verify(key, device.api_key_hash):
                return self.browse(device.id)
        return self.browse()

    def _may_post_for(self, code):
        """May this key owner send data in the name of device ``code``?

        A device only for itself; a gateway for the devices behind it and for devices not
        registered yet (they will show up as discovered).
        """
        self.ensure_one()
        if code == self.code:
            return True
        if self.device_type != "gateway":
            return False
        # sudo: a gateway user has no ACL; only existence and parentage are checked
        target = self.sudo().with_context(active_test=False).search([("code", "=", code)], limit=1)
        return not target or target.gateway_id.id == self.id

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_update_silent(self):
        """Active devices silent for ``factor`` × their interval → silent (and back)."""
        now = fields.Datetime.now()
        factor = self._silence_factor()
        candidates = self.search(
            [("status", "in", ("active", "silent")), ("expected_interval_s", ">", 0)]
        )
        to_silent = candidates.filtered(
            lambda d: (
                d.status == "active"
                and d.last_received_at
                and d.last_received_at < now - timedelta(seconds=d.expected_interval_s * factor)
            )
        )
        to_active = candidates.filtered(
            lambda d: (
                d.status == "silent"
                and d.last_received_at
                and d.last_received_at >= now - timedelta(seconds=d.expected_interval_s * factor)
            )
        )
        to_silent.write({"status": "silent"})
        to_active.write({"status": "active"})
        return {"silent": len(to_silent), "active": len(to_active)}


def freshness(last_received_at, interval_s, now, factor=3.0):
    """'fresh' within one interval (+ grace), 'late' before the silence limit, else 'stale'."""
    if not last_received_at:
        return "never"
    if not interval_s:
        return "fresh"
    age = (now - last_received_at).total_seconds()
    if age <= interval_s * 1.5:
        return "fresh"
    if age <= interval_s * factor:
        return "late"
    return "stale"


class IotDeviceAssignment(models.Model):
    _name = "iot.device.assignment"
    _description = "Device on an animal (history)"
    _order = "date_start desc, id desc"

    device_id = fields.Many2one("iot.device", required=True, ondelete="cascade", index=True)
    animal_id = fields.Many2one("dairy.animal", required=True, ondelete="cascade", index=True)
    date_start = fields.Datetime(required=True, default=fields.Datetime.now)
    date_end = fields.Datetime()
    note = fields.Char()
    company_id = fields.Many2one(related="device_id.company_id", store=True, index=True)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for rec in self:
            if rec.date_end and rec.date_end < rec.date_start:
                raise ValidationError(_("An assignment cannot end before it starts."))

    @api.model
    def device_on_animal_at(self, animal, when):
        """The collar assignment covering ``when`` for ``animal`` (history lookups)."""
        return self.search(
            [
                ("animal_id", "=", animal.id),
                ("date_start", "<=", when),
                "|",
                ("date_end", "=", False),
                ("date_end", ">", when),
            ],
            limit=1,
        )
