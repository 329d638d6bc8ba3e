from . import test_bd_identifiers
from . import test_partner_bd
from . import test_geography
