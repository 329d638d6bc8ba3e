from .iot import iot_router
