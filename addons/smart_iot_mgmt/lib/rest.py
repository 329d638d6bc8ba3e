# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""REST ingestion bodies → the MQTT messages they stand for.

The REST API validates exactly like MQTT: each JSON object is turned into the ``(topic,
payload)`` a device would have published, then :func:`iot_ingestor.payloads.parse` checks it.
A body is one object or a list of objects (at most ``MAX_ITEMS``).

- ``sensor-reading``: ``{"type": "temperature|humidity|ammonia", "device_id", "timestamp",
  "value", "barn"?}`` → ``farm/{farm}/sensors/{type}``
- ``animal-activity``: ``{"animal": EID or tag, "device_id", "timestamp", "activity"?,
  "steps"?, "rumination_min"?, "lying_min"?, "body_temp_c"?, "battery_pct"?}``
  → ``farm/{farm}/animals/{animal}/activity``
- ``milk-production``: ``{"animal", "device_id", "timestamp", "yield_l", "session"?,
  "fat_pct"?, ...}`` → ``farm/{farm}/milking/{animal}/production``
"""

import json

MAX_ITEMS = 1000
KINDS = ("sensor-reading", "animal-activity", "milk-production")
SENSOR_TYPES = ("temperature", "humidity", "ammonia")
# the metric a sensor "type" is stored under (aliases accepted from the seed examples)
SENSOR_ALIASES = {
    "temperature": "temperature",
    "temperature_c": "temperature",
    "humidity": "humidity",
    "humidity_pct": "humidity",
    "ammonia": "ammonia",
    "ammonia_ppm": "ammonia",
    "nh3": "ammonia",
}


class RestError(ValueError):
    """A 4xx answer: ``status``, stable ``code``, human ``message`` and ``details``."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    def body(self):
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


def load_body(raw):
    """Parse the request body into a list of objects (``RestError`` 400 otherwise)."""
    if not raw:
        raise RestError(400, "empty_body", "The request body is empty; send a JSON object.")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise RestError(400, "not_json", "The request body is not valid JSON.") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise RestError(400, "empty_body", "The list of readings is empty.")
    if len(items) > MAX_ITEMS:
        raise RestError(
            413,
            "too_many_items",
            f"At most {MAX_ITEMS} readings per request, got {len(items)}.",
            {"max_items": MAX_ITEMS},
        )
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise RestError(
                422, "not_object", "Each reading must be a JSON object.", {"index": index}
            )
    return items


def to_message(kind, item, farm):
    """``(topic, payload bytes, device code)`` for one REST object, or ``RestError`` 422."""
    body = dict(item)
    if kind == "sensor-reading":
        sensor = body.pop("type", None) or body.pop("metric", None) or body.pop("sensor_type", None)
        if sensor is None:
            raise RestError(
                422,
                "missing_field",
                f"type is required (one of {', '.join(SENSOR_TYPES)}).",
                {"field": "type"},
            )
        sensor = SENSOR_ALIASES.get(str(sensor).lower()) if isinstance(sensor, str) else None
        if sensor is None:
            raise RestError(
                422,
                "bad_value",
                f"type must be one of {', '.join(SENSOR_TYPES)}.",
                {"field": "type"},
            )
        topic = f"farm/{farm}/sensors/{sensor}"
    elif kind in ("animal-activity", "milk-production"):
        animal = body.pop("animal", None) or body.pop("animal_id", None) or body.pop("eid", None)
        if animal is None:
            raise RestError(
                422, "missing_field", "animal (EID or visual tag) is required.", {"field": "animal"}
            )
        if not isinstance(animal, str) or "/" in animal or "+" in animal or "#" in animal:
            raise RestError(
                422,
                "wrong_type",
                "animal must be an EID or a visual tag string.",
                {"field": "animal"},
            )
        topic = (
            f"farm/{farm}/animals/{animal}/activity"
            if kind == "animal-activity"
            else f"farm/{farm}/milking/{animal}/production"
        )
    else:
        raise RestError(404, "unknown_kind", f"Unknown reading kind {kind!r}.")
    device = (
        body.get("device_id")
        or body.get("collar_id")
        or body.get("meter_id")
        or body.get("sensor_id")
    )
    return topic, json.dumps(body).encode("utf-8"), device if isinstance(device, str) else None


def payload_error(exc, index):
    """``RestError`` 422 from an ``iot_ingestor.payloads.PayloadError``."""
    details = {"index": index, "reason": exc.reason}
    if getattr(exc, "field", None):
        details["field"] = exc.field
    return RestError(422, exc.reason, exc.message, details)
