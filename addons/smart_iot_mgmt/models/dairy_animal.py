# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class DairyAnimal(models.Model):
    _inherit = "dairy.animal"

    iot_device_ids = fields.One2many("iot.device", "animal_id", string="Devices")
    iot_assignment_ids = fields.One2many(
        "iot.device.assignment", "animal_id", string="Device history"
    )
    collar_id = fields.Many2one(
        "iot.device",
        compute="_compute_collar",
    )
    iot_last_data_at = fields.Datetime(string="Last sensor data", readonly=True)
    iot_alert_ids = fields.One2many("iot.alert", "animal_id", string="IoT alerts")

    @api.depends("iot_device_ids.device_type")
    def _compute_collar(self):
        for animal in self:
            animal.collar_id = animal.iot_device_ids.filtered(
                lambda d: d.device_type == "activity_collar"
            )[:1]
