# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models
from odoo.exceptions import UserError


class IotApiKeyWizard(models.TransientModel):
    _name = "iot.api.key.wizard"
    _description = "Create an API key (shown once)"

    target = fields.Selection(
        [
            ("device", "Device / gateway (REST API)"),
            ("ingestor", "Ingestor technical user (XML-RPC)"),
        ],
        required=True,
        default="device",
    )
    device_id = fields.Many2one("iot.device")
    key = fields.Char(readonly=True)

    def action_generate(self):
        self.ensure_one()
        if self.target == "device":
            if not self.device_id:
                raise UserError(_("Choose the device or gateway."))
            key = self.device_id.generate_api_key()
        else:
            key = self.env["iot.device"].create_ingestor_api_key()
        self.key = key
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
