from . import dairy_milking_session
from . import dairy_herd_kpi
