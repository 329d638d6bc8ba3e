# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pluggable SMS gateway.

``iot.sms.gateway.send(numbers, body)`` records one ``iot.sms.message`` per number and hands
it to ``_send_<provider>``. Providers: ``log`` (records only: development and tests) and
``http`` (a generic JSON POST that most Bangladeshi bulk-SMS APIs accept). Another module adds
a provider with ``selection_add`` and a ``_send_<code>`` method. Delivery problems never break
the alert that triggered the SMS: the message is marked ``failed`` with the error.
"""

import logging

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class IotSmsGateway(models.Model):
    _name = "iot.sms.gateway"
    _description = "SMS gateway"

    name = fields.Char(required=True)
    provider = fields.Selection(
        [("log", "Log only (testing)"), ("http", "HTTP JSON API")], required=True, default="log"
    )
    api_url = fields.Char(string="API URL")
    api_token_param = fields.Char(
        string="Token parameter",
        help="Name of the system parameter holding the API token (secrets stay out of records).",
    )
    sender_id = fields.Char(string="Sender id")
    timeout_s = fields.Float(default=10.0)
    active = fields.Boolean(default=True)
    message_ids = fields.One2many("iot.sms.message", "gateway_id")

    def send(self, numbers, body):
        """Send ``body`` to each number; return the ``iot.sms.message`` records."""
        self.ensure_one()
        numbers = [n.strip() for n in numbers if n and n.strip()]
        messages = (
            self.env["iot.sms.message"]
            .sudo()
            .create([{"gateway_id": self.id, "number": n, "body": body} for n in numbers])
        )
        for message in messages:
            try:
                getattr(self, f"_send_{self.provider}")(message)
                message.state = "sent"
            except Exception as exc:  # noqa: BLE001 - the outside world: record and go on
                _logger.warning("SMS to %s failed: %s", message.number, exc)
                message.write({"state": "failed", "error": str(exc)[:500]})
        return messages

    def _send_log(self, message):
        _logger.info("SMS (log gateway %s) to %s: %s", self.name, message.number, message.body)

    def _send_http(self, message):
        if not self.api_url:
            raise UserError(_("SMS gateway %s has no API URL.", self.name))
        token = ""
        if self.api_token_param:
            token = self.env["ir.config_parameter"].sudo().get_param(self.api_token_param, "")
        response = requests.post(
            self.api_url,
            json={"to": message.number, "text": message.body, "sender": self.sender_id or ""},
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=self.timeout_s or 10.0,
        )
        response.raise_for_status()
        message.provider_ref = str(response.json().get("id", ""))[:64] if response.content else ""

    @api.model
    def _cron_gc_messages(self, days=90):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        self.env["iot.sms.message"].sudo().search([("create_date", "<", limit)]).unlink()


class IotSmsMessage(models.Model):
    _name = "iot.sms.message"
    _description = "SMS sent for an IoT alert"
    _order = "id desc"

    gateway_id = fields.Many2one("iot.sms.gateway", required=True, ondelete="cascade")
    alert_id = fields.Many2one("iot.alert", ondelete="set null", index=True)
    number = fields.Char(required=True)
    body = fields.Text(required=True)
    state = fields.Selection(
        [("outgoing", "Outgoing"), ("sent", "Sent"), ("failed", "Failed")],
        default="outgoing",
        required=True,
    )
    error = fields.Char()
    provider_ref = fields.Char()
