"""Validation of MQTT / REST payloads (pure, no I/O).

``parse(topic, payload_bytes, received_at)`` returns a list of typed items ready for
:func:`iot_ingestor.storage.write_batch`, or raises :class:`PayloadError` with a stable
``reason`` code (used as the dead-letter reason) and a human message.

Topics (seed contract)::

    farm/{farm}/sensors/{temperature|humidity|ammonia}
    farm/{farm}/animals/{animal}/{activity|location}
    farm/{farm}/milking/{animal}/production
    farm/{farm}/rfid/scan

``{animal}`` is an ISO 11784 EID (15 digits: 3-digit country code + 12-digit national id
< 2**38) or a visual tag (``SD-0001``). Device timestamps are ISO-8601 (``Z``/offset; a naive
timestamp is taken as UTC) or epoch seconds; the receive time is kept separately.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "Limits",
    "Location",
    "Milking",
    "PayloadError",
    "Reading",
    "RfidScan",
    "SENSOR_METRICS",
    "ACTIVITY_METRICS",
    "parse",
    "parse_animal",
    "parse_timestamp",
]

MAX_PAYLOAD_BYTES = 64 * 1024
NATIONAL_ID_LIMIT = 2**38

_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
_EID_RE = re.compile(r"^\d{15}$")

# topic kind -> (metric name, unit, min, max)
SENSOR_METRICS = {
    "temperature": ("temperature_c", "degC", -40.0, 70.0),
    "humidity": ("humidity_pct", "%", 0.0, 100.0),
    "ammonia": ("ammonia_ppm", "ppm", 0.0, 1000.0),
}
# collar payload field -> (unit, min, max)
ACTIVITY_METRICS = {
    "activity": ("index", 0.0, 100000.0),
    "steps": ("steps", 0.0, 1000000.0),
    "rumination_min": ("min", 0.0, 1440.0),
    "lying_min": ("min", 0.0, 1440.0),
    "body_temp_c": ("degC", 30.0, 45.0),
    "battery_pct": ("%", 0.0, 100.0),
}
# milk meter payload field -> (min, max); yield_l is required
MILKING_FIELDS = {
    "yield_l": (0.0, 80.0),
    "fat_pct": (0.0, 15.0),
    "snf_pct": (0.0, 20.0),
    "protein_pct": (0.0, 10.0),
    "conductivity_ms_cm": (0.0, 20.0),
    "milk_temp_c": (0.0, 50.0),
    "duration_s": (0.0, 7200.0),
}
SESSIONS = ("AM", "PM", "MID")


class PayloadError(ValueError):
    """A message that cannot be stored. ``reason`` is a stable code, ``message`` explains."""

    def __init__(self, reason: str, message: str, field: str | None = None):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.field = field


@dataclass(frozen=True, slots=True)
class Limits:
    """Plausibility window for device timestamps relative to the receive time."""

    max_future: timedelta = timedelta(minutes=10)
    max_age: timedelta = timedelta(days=400)


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Reading:
    """One numeric observation; natural key (device_code, metric, ts)."""

    device_code: str
    metric: str
    ts: datetime
    value: float
    received_at: datetime
    farm: str
    unit: str | None = None
    barn: str | None = None
    animal_ref: str | None = None
    animal_eid: str | None = None
    kind = "reading"


@dataclass(frozen=True, slots=True)
class Milking:
    """One milking from a milk meter; natural key (animal_ref, ts, device_code)."""

    animal_ref: str
    animal_eid: str | None
    ts: datetime
    device_code: str
    received_at: datetime
    farm: str
    yield_l: float
    session: str | None = None
    fat_pct: float | None = None
    snf_pct: float | None = None
    protein_pct: float | None = None
    conductivity_ms_cm: float | None = None
    milk_temp_c: float | None = None
    duration_s: float | None = None
    kind = "milking"


@dataclass(frozen=True, slots=True)
class RfidScan:
    """One RFID read; natural key (reader_code, eid, ts)."""

    reader_code: str
    eid: str
    ts: datetime
    received_at: datetime
    farm: str
    location: str | None = None
    kind = "rfid"


@dataclass(frozen=True, slots=True)
class Location:
    """Animal position; natural key (animal_ref, ts, device_code)."""

    animal_ref: str
    animal_eid: str | None
    ts: datetime
    device_code: str
    received_at: datetime
    farm: str
    zone: str | None = None
    x: float | None = None
    y: float | None = None
    kind = "location"


def parse_animal(ref: str) -> tuple[str, str | None]:
    """Return ``(animal_ref, eid_or_None)``; raise PayloadError for a malformed identifier."""
    if not isinstance(ref, str) or not ref:
        raise PayloadError("bad_identifier", "animal identifier is empty", "animal")
    if ref.isdigit():
        if not _EID_RE.match(ref):
            raise PayloadError(
                "bad_identifier", f"EID {ref!r} must have exactly 15 digits", "animal"
            )
        if int(ref[3:]) >= NATIONAL_ID_LIMIT:
            raise PayloadError(
                "bad_identifier", f"EID {ref!r}: national id must be < 2^38", "animal"
            )
        return ref, ref
    if not _TAG_RE.match(ref):
        raise PayloadError("bad_identifier", f"animal tag {ref!r} is not a valid tag", "animal")
    return ref, None


def _code(value, field: str) -> str:
    if not isinstance(value, str):
        raise PayloadError("wrong_type", f"{field} must be a string", field)
    if not _CODE_RE.match(value):
        raise PayloadError("bad_identifier", f"{field} {value!r} is not a valid code", field)
    return value


def _opt_code(value, field: str) -> str | None:
    if value is None:
        return None
    return _code(value, field)


def _number(value, field: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError("wrong_type", f"{field} must be a number, got {value!r}", field)
    value = float(value)
    if not math.isfinite(value) or value < lo or value > hi:
        raise PayloadError("absurd_value", f"{field}={value} outside [{lo}, {hi}]", field)
    return value


def parse_timestamp(value, received_at: datetime, limits: Limits = DEFAULT_LIMITS) -> datetime:
    """Device timestamp -> aware UTC datetime, checked against the receive time."""
    if value is None:
        raise PayloadError("missing_field", "timestamp is required", "timestamp")
    if isinstance(value, bool):
        raise PayloadError("wrong_type", "timestamp must be ISO-8601 or epoch", "timestamp")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise PayloadError("bad_timestamp", "timestamp is not finite", "timestamp")
        try:
            ts = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise PayloadError("bad_timestamp", f"epoch {value!r}: {exc}", "timestamp") from None
    elif isinstance(value, str):
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            raise PayloadError(
                "bad_timestamp", f"timestamp {value[:40]!r} is not ISO-8601", "timestamp"
            ) from None
        ts = ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    else:
        raise PayloadError("wrong_type", "timestamp must be ISO-8601 or epoch", "timestamp")
    if ts > received_at + limits.max_future:
        raise PayloadError(
            "bad_timestamp", f"timestamp {ts.isoformat()} is in the future", "timestamp"
        )
    if ts < received_at - limits.max_age:
        raise PayloadError("bad_timestamp", f"timestamp {ts.isoformat()} is too old", "timestamp")
    return ts


def _device(data: dict, *names: str) -> str:
    for name in names:
        if name in data:
            return _code(data[name], name)
    raise PayloadError("missing_field", f"{names[0]} is required", names[0])


def _load(payload: bytes | str) -> dict:
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogatepass")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadError("too_large", f"payload of {len(payload)} bytes > {MAX_PAYLOAD_BYTES}")
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError("not_json", f"payload is not JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise PayloadError("not_object", "payload must be a JSON object")
    return data


def parse(
    topic: str,
    payload: bytes | str,
    received_at: datetime | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list:
    """Validate one message; return a non-empty list of items or raise PayloadError."""
    if received_at is None:
        received_at = datetime.now(UTC)
    parts = topic.split("/") if isinstance(topic, str) else []
    if len(parts) < 3 or parts[0] != "farm":
        raise PayloadError("unknown_topic", f"topic {str(topic)[:120]!r} is not farm/...")
    farm = parts[1]
    if not _CODE_RE.match(farm):
        raise PayloadError("unknown_topic", f"farm code {farm[:40]!r} is not valid")
    kind = parts[2]
    n = len(parts)
    if kind == "sensors" and n == 4 and parts[3] in SENSOR_METRICS:
        return _parse_sensor(parts[3], farm, _load(payload), received_at, limits)
    if kind == "animals" and n == 5 and parts[4] in ("activity", "location"):
        animal_ref, eid = parse_animal(parts[3])
        data = _load(payload)
        if parts[4] == "activity":
            return _parse_activity(animal_ref, eid, farm, data, received_at, limits)
        return _parse_location(animal_ref, eid, farm, data, received_at, limits)
    if kind == "milking" and n == 5 and parts[4] == "production":
        animal_ref, eid = parse_animal(parts[3])
        return _parse_milking(animal_ref, eid, farm, _load(payload), received_at, limits)
    if kind == "rfid" and n == 4 and parts[3] == "scan":
        return _parse_rfid(farm, _load(payload), received_at, limits)
    raise PayloadError("unknown_topic", f"topic {topic[:120]!r} is not a known farm topic")


def _parse_sensor(kind, farm, data, received_at, limits):
    metric, unit, lo, hi = SENSOR_METRICS[kind]
    device = _device(data, "device_id", "sensor_id")
    ts = parse_timestamp(data.get("timestamp"), received_at, limits)
    if "value" not in data:
        raise PayloadError("missing_field", "value is required", "value")
    value = _number(data["value"], "value", lo, hi)
    barn = _opt_code(data.get("barn"), "barn")
    return [Reading(device, metric, ts, value, received_at, farm, unit, barn)]


def _parse_activity(animal_ref, eid, farm, data, received_at, limits):
    device = _device(data, "device_id", "collar_id")
    ts = parse_timestamp(data.get("timestamp"), received_at, limits)
    barn = _opt_code(data.get("barn"), "barn")
    items = []
    for field, (unit, lo, hi) in ACTIVITY_METRICS.items():
        if field in data and data[field] is not None:
            value = _number(data[field], field, lo, hi)
            items.append(
                Reading(device, field, ts, value, received_at, farm, unit, barn, animal_ref, eid)
            )
    if not items:
        raise PayloadError(
            "missing_field",
            f"activity payload carries no metric (expected one of {', '.join(ACTIVITY_METRICS)})",
            "activity",
        )
    return items


def _parse_location(animal_ref, eid, farm, data, received_at, limits):
    device = _device(data, "device_id", "collar_id")
    ts = parse_timestamp(data.get("timestamp"), received_at, limits)
    zone = _opt_code(data.get("zone"), "zone")
    x = data.get("x")
    y = data.get("y")
    x = None if x is None else _number(x, "x", -1e7, 1e7)
    y = None if y is None else _number(y, "y", -1e7, 1e7)
    if zone is None and (x is None or y is None):
        raise PayloadError("missing_field", "location needs a zone or x and y", "zone")
    return [Location(animal_ref, eid, ts, device, received_at, farm, zone, x, y)]


def _parse_milking(animal_ref, eid, farm, data, received_at, limits):
    device = _device(data, "device_id", "meter_id")
    ts = parse_timestamp(data.get("timestamp"), received_at, limits)
    if "yield_l" not in data:
        raise PayloadError("missing_field", "yield_l is required", "yield_l")
    values = {}
    for field, (lo, hi) in MILKING_FIELDS.items():
        if data.get(field) is not None:
            values[field] = _number(data[field], field, lo, hi)
    session = data.get("session")
    if session is not None:
        if not isinstance(session, str) or session.upper() not in SESSIONS:
            raise PayloadError("wrong_type", f"session must be one of {SESSIONS}", "session")
        session = session.upper()
    return [Milking(animal_ref, eid, ts, device, received_at, farm, session=session, **values)]


def _parse_rfid(farm, data, received_at, limits):
    reader = _device(data, "reader_id", "device_id")
    if "eid" not in data:
        raise PayloadError("missing_field", "eid is required", "eid")
    if not isinstance(data["eid"], str):
        raise PayloadError("wrong_type", "eid must be a string of 15 digits", "eid")
    ref, eid = parse_animal(data["eid"])
    if eid is None:
        raise PayloadError("bad_identifier", f"eid {ref!r} must have 15 digits", "eid")
    ts = parse_timestamp(data.get("timestamp"), received_at, limits)
    location = _opt_code(data.get("location"), "location")
    return [RfidScan(reader, eid, ts, received_at, farm, location)]
