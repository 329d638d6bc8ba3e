from . import bd_geography
from . import res_partner
