"""Configuration from the environment (every variable is documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


def _env(name: str, default, cast=str):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return cast(raw)


@dataclass
class Config:
    db_dsn: str = ""
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = 1883
    mqtt_username: str = ""
    mqtt_password: str = ""
    mqtt_client_id: str = "iot-ingestor-1"
    mqtt_topics: str = "farm/#"
    mqtt_share_group: str = ""
    mqtt_session_expiry_s: int = 7 * 24 * 3600
    mqtt_receive_maximum: int = 10000
    mqtt_keepalive_s: int = 30
    batch_max: int = 5000
    batch_wait_ms: int = 250
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9108
    timescale: str = "auto"
    retention_days: int = 400
    rollup_tz: str = "Asia/Dhaka"
    max_future_s: int = 600
    partitions_ahead_months: int = 2
    maintenance_s: int = 3600
    odoo_url: str = ""
    odoo_db: str = ""
    odoo_user: str = ""
    odoo_api_key: str = ""
    odoo_timeout_s: float = 15.0
    odoo_sync_s: int = 60
    heartbeat_s: int = 60
    notify_animals_s: int = 300
    connectivity_check_s: int = 30
    outbox_base_backoff_s: float = 1.0
    outbox_max_backoff_s: float = 60.0
    outbox_max_attempts: int = 12
    log_level: str = "INFO"

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            **{f.name: _env(env_name(f.name), f.default, type(f.default)) for f in fields(cls)}
        )

    @classmethod
    def env_names(cls) -> list[str]:
        return [env_name(f.name) for f in fields(cls)]


_ODOO_CONNECTION = {"odoo_url", "odoo_db", "odoo_user", "odoo_api_key", "odoo_timeout_s"}


def env_name(field_name: str) -> str:
    """``ODOO_URL`` etc. for the Odoo connection, ``IOT_<FIELD>`` for everything else."""
    return field_name.upper() if field_name in _ODOO_CONNECTION else "IOT_" + field_name.upper()
