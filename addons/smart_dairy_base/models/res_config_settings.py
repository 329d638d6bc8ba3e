# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

FARM_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    smart_dairy_farm_code = fields.Char(
        string="Farm code",
        config_parameter="smart_dairy.farm_code",
        default="sd1",
        help="Identifier of this farm in MQTT topics: farm/{farm code}/...",
    )
    smart_dairy_alert_reopen_window = fields.Integer(
        string="Alert reopen window (minutes)",
        config_parameter="smart_dairy.alert_reopen_window_minutes",
        default=30,
        help="A condition that comes back this soon after its alert cleared reopens "
        "that alert instead of creating a new one. 0 disables.",
    )
    smart_dairy_milk_price_bdt = fields.Float(
        string="Farm-gate milk price (BDT/L)",
        config_parameter="smart_dairy.milk_price_bdt",
        default=60.0,
        help="Used to value milk in farm KPIs and lost-milk estimates.",
    )

    @api.constrains(
        "smart_dairy_farm_code", "smart_dairy_alert_reopen_window", "smart_dairy_milk_price_bdt"
    )
    def _check_smart_dairy_settings(self):
        for settings in self:
            code = settings.smart_dairy_farm_code or ""
            if not FARM_CODE_RE.match(code):
                raise ValidationError(
                    _(
                        "Farm code %(code)r must be 1–32 lowercase letters, digits, '-' or '_' "
                        "(it is used in MQTT topics).",
                        code=code,
                    )
                )
            if settings.smart_dairy_alert_reopen_window < 0:
                raise ValidationError(_("The alert reopen window cannot be negative."))
            if settings.smart_dairy_milk_price_bdt < 0:
                raise ValidationError(_("The milk price cannot be negative."))
