# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""REST ingestion for devices that cannot speak MQTT: ``/api/v1/iot/...``.

Authentication: the device's (or its gateway's) API key as ``Authorization: Bearer <key>`` or
``X-API-Key``. Each body is validated exactly like the MQTT payload it stands for
(:func:`iot_ingestor.payloads.parse`) and stored by the ingestor's own code
(:func:`iot_ingestor.storage.write_batch`) in the request's transaction: idempotent on the
natural keys, rollups and alert rules included. Errors are JSON
``{"error": {"code", "message", "details"}}`` with a 4xx status; nothing is stored when any
item of a request is refused.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from odoo.api import Environment

from odoo.addons.fastapi.dependencies import odoo_env

from ..lib import apikeys
from ..lib.rest import RestError, load_body, payload_error, to_message

iot_router = APIRouter(tags=["iot"])

EXAMPLES = {
    "sensor-reading": {
        "type": "temperature",
        "device_id": "ENV-B1",
        "timestamp": "2026-05-01T06:00:00+06:00",
        "value": 29.4,
        "barn": "B1",
    },
    "animal-activity": {
        "animal": "050100000000001",
        "device_id": "COL-0001",
        "timestamp": "2026-05-01T06:00:00+06:00",
        "activity": 412,
        "rumination_min": 31,
        "body_temp_c": 38.7,
        "battery_pct": 88,
    },
    "milk-production": {
        "animal": "050100000000001",
        "device_id": "MM-P01",
        "timestamp": "2026-05-01T05:42:00+06:00",
        "yield_l": 11.8,
        "session": "AM",
        "fat_pct": 4.1,
        "conductivity_ms_cm": 5.2,
    },
}


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _error(exc: RestError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def ingest(env: Environment, kind: str, raw: bytes, headers, received_at=None) -> dict:
    """Authenticate, validate and store one REST request; ``RestError`` on refusal."""
    from iot_ingestor.payloads import PayloadError, parse
    from iot_ingestor.storage import write_batch

    from ..models.iot_schema import iot_schema_ready, raw_cursor

    key = apikeys.from_headers(headers)
    if not key:
        raise RestError(
            401, "missing_api_key", "Send the device API key as 'Authorization: Bearer <key>'."
        )
    owner = env["iot.device"]._authenticate_api_key(key)
    if not owner:
        raise RestError(401, "invalid_api_key", "The API key is unknown or was revoked.")
    items_in = load_body(raw)
    farm = env["ir.config_parameter"].sudo().get_param("smart_dairy.farm_code", "sd1")
    received_at = received_at or datetime.now(UTC)
    parsed = []
    for index, item in enumerate(items_in):
        try:
            topic, payload, device = to_message(kind, item, farm)
        except RestError as exc:
            exc.details.setdefault("index", index)
            raise
        try:
            parsed.extend(parse(topic, payload, received_at))
        except PayloadError as exc:
            raise payload_error(exc, index) from None
        if device and not owner._may_post_for(device):
            raise RestError(
                403,
                "forbidden_device",
                f"This API key may not send data for device {device!r}.",
                {"index": index, "field": "device_id"},
            )
    if not iot_schema_ready(env.cr):
        raise RestError(503, "storage_unavailable", "The time-series storage is not ready.")
    env.flush_all()
    res = write_batch(raw_cursor(env.cr), parsed)
    return {
        "received": len(items_in),
        "stored": res.inserted,
        "duplicates": res.duplicates,
        "alerts_queued": res.alerts_queued,
    }


def _endpoint(kind: str):
    def handler(
        env: Annotated[Environment, Depends(odoo_env)],
        request: Request,
        raw: Annotated[bytes, Depends(raw_body)],
    ):
        try:
            out = ingest(env, kind, raw, request.headers)
        except RestError as exc:
            return _error(exc)
        return JSONResponse(out, status_code=201 if out["stored"] else 200)

    handler.__name__ = "post_" + kind.replace("-", "_")
    handler.__doc__ = (
        f"Store one {kind.replace('-', ' ')} (or a list of them), validated like "
        "the MQTT payload. 201 when something new was stored, 200 when every "
        "item was already stored (a retry)."
    )
    return handler


for _kind in EXAMPLES:
    iot_router.add_api_route(
        f"/{_kind}",
        _endpoint(_kind),
        methods=["POST"],
        name=f"post_{_kind.replace('-', '_')}",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"type": "object"}, "example": EXAMPLES[_kind]}
                },
            }
        },
        responses={
            401: {"description": "Missing or invalid API key"},
            403: {"description": "Key may not post for device"},
            422: {"description": "Invalid payload"},
        },
    )
