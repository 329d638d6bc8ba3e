from . import test_pricing_pure
from . import test_pricing_odoo
from . import test_application
from . import test_portal_security
from . import test_registration_http
from . import test_tours
