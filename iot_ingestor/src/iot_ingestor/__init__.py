"""Smart Dairy IoT ingestor: MQTT (QoS 1, manual acks) -> PostgreSQL schema ``iot``.

Public API used by other components (e.g. the Odoo REST controller):

- :func:`iot_ingestor.payloads.parse` -- validate one message (topic, raw bytes, receive time);
- :func:`iot_ingestor.storage.write_batch` -- idempotent write of parsed items (no commit).
"""

__version__ = "0.1.0"
