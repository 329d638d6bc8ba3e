from . import iot_api_key_wizard
