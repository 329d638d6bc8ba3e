# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

INGESTOR_LOGIN = "iot_ingestor"


class IotApiKeyWizard(models.TransientModel):
    _name = "iot.api.key.wizard"
    _description = "Create an API key (shown once)"

    target = fields.Selection([("device", "Device / gateway (REST API)"),
                               ("ingestor", "Ingestor technical user (XML-RPC)")],
                              required=True, default="device")
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


class IotDevice(models.Model):
    _inherit = "iot.device"

    @api.model
    def create_ingestor_api_key(self, name="iot_ingestor daemon"):
        """Create an XML-RPC API key for the ingestor's technical user; return it once.

        Administrators only (``make demo`` calls it from ``odoo-bin shell``). The key has no
        expiry: it is a machine credential, rotated by creating a new one and deleting the old.
        """
        if not (self.env.su or self.env.user._is_system()):
            raise UserError(_("Only administrators can create the ingestor's API key."))
        user = self.env.ref("smart_iot_mgmt.user_iot_ingestor")
        # sudo + with_user: keys are generated for the current user; the administrator acts
        # for the technical user, which has no UI session of its own.
        return self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, name, None)
