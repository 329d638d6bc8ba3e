"""Superset configuration for the Smart Dairy stack (docker compose).

Every secret and address comes from the environment; nothing here is specific to a
machine. Dashboards read the `bi` schema through a read-only role (SUPERSET_BI_URI).
"""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_METADATA_URI"]
_redis = os.environ.get("REDIS_URL", "redis://redis:6379/1")
CACHE_CONFIG = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_KEY_PREFIX": "superset_",
    "CACHE_REDIS_URL": _redis,
}
DATA_CACHE_CONFIG = CACHE_CONFIG
WTF_CSRF_ENABLED = True
ENABLE_PROXY_FIX = True
FEATURE_FLAGS = {"DASHBOARD_RBAC": True}
