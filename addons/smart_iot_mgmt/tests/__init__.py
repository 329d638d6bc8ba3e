from . import test_pure
from . import test_device
from . import test_rules
from . import test_alerts
from . import test_storage_views
from . import test_xmlrpc
from . import test_rest_api
from . import test_dashboard
