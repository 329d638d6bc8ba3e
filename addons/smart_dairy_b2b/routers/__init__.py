from .b2b import b2b_router
