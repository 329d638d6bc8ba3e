from . import registration
from . import portal
from . import orders
from . import quick_order
