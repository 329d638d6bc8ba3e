# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Alert lifecycle shared by IoT alerts and farm attention events.

Lifecycle::

    active ──acknowledge──> acknowledged ──resolve──> resolved
       │                         │
       └────── clear (the condition disappeared on its own) ──> cleared

``active`` and ``acknowledged`` are *open*. There is at most one open alert per
``dedup_key`` (a partial unique index enforces it in PostgreSQL, so two concurrent
writers cannot both create one). Raising an alert whose key already has an open
alert updates that alert instead: ``last_seen`` moves forward, ``occurrence_count``
grows and the severity can only go up. When the condition comes back within the
"reopen window" after a *clear*, the cleared alert is reopened instead of creating
a new one (flap suppression); the window is a suite setting.

Concrete models inherit ``smart.dairy.alert.mixin`` and either pass ``dedup_key``
in the values or list the fields that identify "the same problem" in
``_alert_dedup_fields`` (like OCA ``base_tier_validation`` is configured by class
attributes).
"""

from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

OPEN_STATES = ("active", "acknowledged")
SEVERITY_RANK = {"warning": 0, "minor": 1, "major": 2, "critical": 3}
REOPEN_WINDOW_PARAM = "smart_dairy.alert_reopen_window_minutes"


def build_dedup_key(parts):
    """Return the canonical dedup key for an iterable of identifying values.

    Records count by id, ``False``/``None`` by an empty slot: ``("rule", 3, False)`` →
    ``"rule|3|"``. A key never depends on display names, which may change.
    """
    out = []
    for part in parts:
        if isinstance(part, models.BaseModel):
            part = part.id or ""
        elif part is None or part is False:
            part = ""
        out.append(str(part))
    return "|".join(out)


def max_severity(current, new):
    """The higher of two severities (unknown values rank lowest)."""
    if SEVERITY_RANK.get(new, -1) > SEVERITY_RANK.get(current, -1):
        return new
    return current


class SmartDairyAlertMixin(models.AbstractModel):
    _name = "smart.dairy.alert.mixin"
    _description = "Smart Dairy alert lifecycle"
    _order = "is_open desc, severity_rank desc, last_seen desc, id desc"

    # Fields whose values identify "the same problem"; used when no dedup_key is given.
    _alert_dedup_fields = ()

    name = fields.Char(required=True)
    state = fields.Selection(
        [
            ("active", "Active"),
            ("acknowledged", "Acknowledged"),
            ("resolved", "Resolved"),
            ("cleared", "Cleared"),
        ],
        default="active",
        required=True,
        readonly=True,
        index=True,
        copy=False,
    )
    is_open = fields.Boolean(compute="_compute_is_open", store=True, index=True, string="Open")
    severity = fields.Selection(
        [
            ("warning", "Warning"),
            ("minor", "Minor"),
            ("major", "Major"),
            ("critical", "Critical"),
        ],
        default="warning",
        required=True,
    )
    severity_rank = fields.Integer(compute="_compute_severity_rank", store=True)
    dedup_key = fields.Char(readonly=True, index=True, copy=False)
    first_seen = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True, copy=False
    )
    last_seen = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True, copy=False
    )
    occurrence_count = fields.Integer(default=1, readonly=True, copy=False)
    acknowledged_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    acknowledged_date = fields.Datetime(readonly=True, copy=False)
    resolved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False)
    resolution_note = fields.Text(copy=False)
    cleared_date = fields.Datetime(readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    @api.depends("state")
    def _compute_is_open(self):
        for alert in self:
            alert.is_open = alert.state in OPEN_STATES

    @api.depends("severity")
    def _compute_severity_rank(self):
        for alert in self:
            alert.severity_rank = SEVERITY_RANK.get(alert.severity, 0)

    def init(self):
        # One open alert per dedup key, enforced by PostgreSQL for every concrete model.
        if self._abstract or not self._auto:
            return
        index = f"{self._table}_one_open_per_key"
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON %s (dedup_key) "
                "WHERE is_open AND dedup_key IS NOT NULL",
                SQL.identifier(index),
                SQL.identifier(self._table),
            )
        )

    # ------------------------------------------------------------------ keys
    @api.model
    def _alert_key_from_vals(self, vals):
        if vals.get("dedup_key"):
            return vals["dedup_key"]
        if not self._alert_dedup_fields:
            return False
        missing = [f for f in self._alert_dedup_fields if f not in vals]
        if missing:
            raise ValidationError(
                _("Cannot identify the alert: missing %(fields)s.", fields=", ".join(missing))
            )
        return build_dedup_key([self._name] + [vals[f] for f in self._alert_dedup_fields])

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("dedup_key"):
                key = self._alert_key_from_vals(vals)
                if key:
                    vals["dedup_key"] = key
        return super().create(vals_list)

    # --------------------------------------------------------------- raising
    @api.model
    def _alert_reopen_window(self):
        value = self.env["ir.config_parameter"].sudo().get_param(REOPEN_WINDOW_PARAM, "0")
        try:
            return max(int(value), 0)
        except ValueError:
            return 0

    @api.model
    def raise_alert(self, vals, seen_at=None):
        """Raise (or repeat) the alert described by ``vals`` and return it.

        - an open alert with the same dedup key → ``last_seen``/``occurrence_count``
          updated, severity raised if the new one is higher; nothing else changes;
        - a cleared alert with the same key, cleared less than the reopen window ago →
          reopened (``active``), counted as a new occurrence;
        - otherwise a new alert is created.

        The lookup locks the open row (``FOR UPDATE``) so concurrent repeats count
        correctly; the partial unique index stops two concurrent creations.
        """
        seen_at = seen_at or fields.Datetime.now()
        key = self._alert_key_from_vals(vals)
        if not key:
            raise ValidationError(_("An alert needs a dedup key to be raised."))
        existing = self._alert_find_open(key)
        if existing:
            existing._alert_repeat(vals, seen_at)
            return existing
        window = self._alert_reopen_window()
        if window:
            recent = self.search(
                [
                    ("dedup_key", "=", key),
                    ("state", "=", "cleared"),
                    ("cleared_date", ">=", seen_at - timedelta(minutes=window)),
                ],
                order="cleared_date desc",
                limit=1,
            )
            if recent:
                recent.write({"state": "active", "cleared_date": False})
                recent._alert_repeat(vals, seen_at)
                return recent
        create_vals = dict(vals, dedup_key=key, first_seen=seen_at, last_seen=seen_at)
        return self.create(create_vals)

    @api.model
    def _alert_find_open(self, key):
        self.flush_model(["dedup_key", "state", "is_open"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE dedup_key = %s AND is_open ORDER BY id LIMIT 1 FOR UPDATE",
                SQL.identifier(self._table),
                key,
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _alert_repeat(self, vals, seen_at):
        self.ensure_one()
        update = {
            "occurrence_count": self.occurrence_count + 1,
            "last_seen": max(self.last_seen, seen_at),
        }
        severity = max_severity(self.severity, vals.get("severity", self.severity))
        if severity != self.severity:
            update["severity"] = severity
        self.write(update)

    @api.model
    def clear_alert(self, key, cleared_at=None):
        """The condition behind ``key`` went away: move its open alert to ``cleared``.

        Returns the cleared alert (empty recordset when nothing was open), so a
        retried clear is harmless.
        """
        alert = self._alert_find_open(key)
        if alert:
            alert.write({"state": "cleared", "cleared_date": cleared_at or fields.Datetime.now()})
        return alert

    # --------------------------------------------------------------- actions
    def action_acknowledge(self):
        for alert in self:
            if alert.state != "active":
                raise UserError(
                    _(
                        "Only active alerts can be acknowledged (%(name)s is %(state)s).",
                        name=alert.name,
                        state=alert.state,
                    )
                )
        self.write(
            {
                "state": "acknowledged",
                "acknowledged_by_id": self.env.uid,
                "acknowledged_date": fields.Datetime.now(),
            }
        )
        return True

    def action_resolve(self, note=None):
        for alert in self:
            if alert.state not in OPEN_STATES:
                raise UserError(
                    _(
                        "Only open alerts can be resolved (%(name)s is %(state)s).",
                        name=alert.name,
                        state=alert.state,
                    )
                )
        vals = {
            "state": "resolved",
            "resolved_by_id": self.env.uid,
            "resolved_date": fields.Datetime.now(),
        }
        if note:
            vals["resolution_note"] = note
        self.write(vals)
        return True
