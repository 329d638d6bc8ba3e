# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    iot_silence_factor = fields.Float(
        string="Silent after (× interval)",
        config_parameter="smart_iot_mgmt.silence_factor",
        default=3.0,
        help="A device is silent after this many times its expected reporting interval.",
    )
    iot_dashboard_refresh_s = fields.Integer(
        string="Dashboard refresh (s)",
        config_parameter="smart_iot_mgmt.dashboard_refresh_s",
        default=2,
    )

    @api.constrains("iot_silence_factor", "iot_dashboard_refresh_s")
    def _check_iot_settings(self):
        for settings in self:
            if settings.iot_silence_factor < 1:
                raise ValidationError(_("The silence factor must be at least 1."))
            if not 1 <= settings.iot_dashboard_refresh_s <= 60:
                raise ValidationError(_("The dashboard refresh must be 1–60 seconds."))
