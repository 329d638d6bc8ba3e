# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Throw-away model used only by the tests (loaded with odoo-test-helper)."""

from odoo import fields, models


class SmartDairyTestAlert(models.Model):
    _name = "smart.dairy.test.alert"
    _inherit = "smart.dairy.alert.mixin"
    _description = "Smart Dairy test alert"
    _alert_dedup_fields = ("source", "subject")

    source = fields.Char()
    subject = fields.Char()
