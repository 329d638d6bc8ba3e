# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""IoT alerts on the suite's alert lifecycle (``smart.dairy.alert.mixin``).

One open alert per (rule, subject): the dedup key is ``iot.alert|rule<id>|<subject>`` where the
subject is ``device:<code>`` or ``animal:<eid>`` as the ingestor evaluates it. Each breach
*episode* the ingestor reports carries its own key (``rule<id>:<subject>:<epoch>``); episodes
are kept in ``iot.alert.episode`` (unique key) so a retried raise/clear changes nothing.
"""

from odoo import _, api, fields, models

from odoo.addons.smart_dairy_base.models.smart_dairy_alert_mixin import max_severity

from .iot_alert_rule import METRICS


class IotAlert(models.Model):
    _name = "iot.alert"
    _inherit = ["smart.dairy.alert.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "IoT alert"
    _order = "is_open desc, severity_rank desc, last_seen desc, id desc"

    rule_id = fields.Many2one("iot.alert.rule", index=True, ondelete="set null")
    kind = fields.Selection(related="rule_id.kind", store=True)
    subject = fields.Char(
        index=True,
        readonly=True,
        help="What the rule was evaluated for: device:<code> / animal:<eid>.",
    )
    device_id = fields.Many2one("iot.device", index=True, ondelete="set null")
    device_code = fields.Char(readonly=True)
    animal_id = fields.Many2one("dairy.animal", index=True, ondelete="set null")
    barn_id = fields.Many2one("dairy.barn", index=True, ondelete="set null")
    metric = fields.Selection(METRICS + [("connectivity", "Connectivity")])
    value = fields.Float(string="First value", digits=(10, 3), readonly=True)
    last_value = fields.Float(digits=(10, 3), readonly=True)
    min_value = fields.Float(digits=(10, 3), readonly=True)
    max_value = fields.Float(digits=(10, 3), readonly=True)
    reading_count = fields.Integer(
        string="Readings",
        readonly=True,
        help="Out-of-range readings counted by the ingestor in the current episode.",
    )
    message = fields.Text(readonly=True)
    current_key = fields.Char(
        readonly=True,
        index=True,
        copy=False,
        help="Key of the ingestor episode currently behind the alert.",
    )
    episode_ids = fields.One2many("iot.alert.episode", "alert_id")
    sms_ids = fields.One2many("iot.sms.message", "alert_id", string="SMS")

    # ------------------------------------------------------------------ ingestor contract
    @api.model
    def _iot_values(self, item, rule, device, animal):
        subject = item.get("subject") or f"device:{item.get('device_code')}"
        label = (
            animal.display_name
            if animal
            else (device.display_name if device else item.get("device_code"))
        )
        barn = animal.barn_id if animal and animal.barn_id else device.barn_id
        metric = item.get("metric") or rule.metric
        return {
            "name": f"{rule.name}: {label}",
            "rule_id": rule.id,
            "subject": subject,
            "device_id": device.id or False,
            "device_code": item.get("device_code"),
            "animal_id": animal.id or False,
            "barn_id": barn.id or False,
            "metric": metric if metric in dict(self._fields["metric"].selection) else False,
            "severity": item.get("severity") or rule.severity,
            "value": _num(item.get("value")),
            "min_value": _num(item.get("min_value")),
            "max_value": _num(item.get("max_value")),
            "message": item.get("message"),
            "company_id": rule.company_id.id,
            "dedup_key": f"iot.alert|rule{rule.id}|{subject}",
        }

    def _iot_absorb(self, item, seen_at, key):
        """Monotonic update from a (possibly repeated) raise item: a replay changes nothing."""
        self.ensure_one()
        vals = {}
        count = int(item.get("count") or 0)
        if count > self.reading_count:
            vals["reading_count"] = count
        if seen_at and seen_at > self.last_seen:
            vals["last_seen"] = seen_at
            vals["last_value"] = _num(item.get("value"))
        severity = max_severity(self.severity, item.get("severity") or self.severity)
        if severity != self.severity:
            vals["severity"] = severity
        if self.is_open and self.current_key != key:
            vals["current_key"] = key
        if item.get("message") and item["message"] != self.message:
            vals["message"] = item["message"]
        if vals:
            self.write(vals)

    # ------------------------------------------------------------------ notifications
    def _notify_channels(self):
        """Tell people about newly opened alerts through the rule's channels."""
        for alert in self.filtered("rule_id"):
            rule = alert.rule_id
            users = rule.user_ids
            text = alert._notification_text()
            if rule.notify_activity:
                for user in users or self.env.user:
                    alert.activity_schedule(
                        "mail.mail_activity_data_todo",
                        user_id=user.id,
                        summary=alert.name[:120],
                        note=text,
                    )
            if rule.notify_email and users:
                alert.message_post(
                    body=text,
                    subject=_("[%(sev)s] %(name)s", sev=alert.severity.upper(), name=alert.name),
                    partner_ids=users.partner_id.ids,
                    subtype_xmlid="mail.mt_comment",
                    message_type="notification",
                )
            if rule.notify_bus:
                targets = users or self.env.ref("smart_dairy_base.group_iot_operator").users
                for user in targets:
                    user.partner_id._bus_send(
                        "simple_notification",
                        {
                            "title": _("IoT alert (%s)", alert.severity),
                            "message": alert.name,
                            "sticky": alert.severity == "critical",
                            "type": "danger"
                            if alert.severity in ("critical", "major")
                            else "warning",
                        },
                    )
            if rule.notify_sms and rule.sms_gateway_id:
                numbers = [u.partner_id.mobile or u.partner_id.phone for u in users]
                messages = rule.sms_gateway_id.send([n for n in numbers if n], text[:300])
                messages.write({"alert_id": alert.id})

    def _notification_text(self):
        self.ensure_one()
        return self.message or self.name


class IotAlertEpisode(models.Model):
    _name = "iot.alert.episode"
    _description = "Breach episode reported by the ingestor (idempotency record)"
    _order = "id desc"

    key = fields.Char(required=True, index=True, readonly=True)
    alert_id = fields.Many2one("iot.alert", required=True, ondelete="cascade", index=True)
    first_seen = fields.Datetime(readonly=True)
    cleared_at = fields.Datetime(readonly=True)
    clear_reason = fields.Char(readonly=True)

    _sql_constraints = [("key_uniq", "unique(key)", "An ingestor episode is recorded once.")]


def _num(value):
    if value in (None, False, ""):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
