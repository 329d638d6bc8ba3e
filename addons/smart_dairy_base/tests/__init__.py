from . import test_security_groups
from . import test_alert_mixin
from . import test_settings
