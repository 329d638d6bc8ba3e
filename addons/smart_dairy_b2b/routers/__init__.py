from .b2b import b2b_router
from . import b2b_register  # noqa: F401  (adds its route to b2b_router)
