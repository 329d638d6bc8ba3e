from . import smart_dairy_alert_mixin
from . import res_config_settings
