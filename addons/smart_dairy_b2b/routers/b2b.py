# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""B2B REST API ``/api/v1/b2b/...`` (OCA ``fastapi``; OpenAPI at ``/api/v1/b2b/openapi.json``).

Authentication: an API key of a partner's portal user (core ``res.users.apikeys``, scope
``b2b``) as ``Authorization: Bearer <key>`` or ``X-API-Key``. Every read and write then runs as
that portal user, so the record rules of the portal decide what exists: another partner's
order answers 404, never 403. Errors: ``{"error": {"code", "message", "details"}}``.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, HTTPBearer
from pydantic import AfterValidator, BaseModel, Field
from starlette.exceptions import HTTPException

from odoo.api import Environment
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from odoo.addons.fastapi.dependencies import odoo_env

from ..exceptions import B2bSubmitAccessError, B2bSubmitError
from ..lib import order_lines, roles
from ..lib.errors import error_message

_logger = logging.getLogger(__name__)
API_KEY_SCOPE = "b2b"
DEFAULT_RATE_LIMIT = 120  # requests per key per minute
DEFAULT_AUTH_FAILURE_LIMIT = 30  # requests without a valid key per client IP per minute
RATE_WINDOW_SECONDS = 60
MAX_ID = 2**31 - 1  # ids are PostgreSQL integers


class ApiError(Exception):
    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}
        self.headers = headers or {}


def _error(exc):
    body = {"error": {"code": exc.code, "message": exc.message, "details": exc.details}}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def validation_details(errors):
    """``{"fields": {"lines.0.quantity": "Input should be greater than 0", ...}}``."""
    fields = {}
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        if loc and loc[0] in ("body", "path", "query", "header"):
            loc = loc[1:]
        fields[".".join(loc) or "body"] = str(err.get("msg", "invalid"))
    return {"fields": fields}


class EnvelopeRoute(APIRoute):
    """Request validation errors answer 422 in the API's ``{"error": ...}`` envelope.

    (OCA ``fastapi`` removes FastAPI's exception handlers, so without this the dispatcher
    would answer ``{"detail": [...]}``.) Nothing has run yet when they happen.
    """

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def envelope_handler(request):
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return _error(
                    ApiError(
                        422,
                        "invalid_request",
                        "The request does not match the API schema.",
                        validation_details(exc.errors()),
                    )
                )
            except HTTPException as exc:  # FastAPI: a body that cannot be read (not UTF-8...)
                return _error(
                    ApiError(
                        exc.status_code,
                        "bad_request" if exc.status_code == 400 else "http_error",
                        str(exc.detail),
                        headers=dict(exc.headers or {}),
                    )
                )

        return envelope_handler


b2b_router = APIRouter(tags=["b2b"], route_class=EnvelopeRoute)


def _clean_text(value):
    # PostgreSQL text cannot hold NUL characters; lone surrogates cannot be encoded in UTF-8.
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("contains characters that are not allowed (NUL or lone surrogates)")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]

# Documentation of the two ways to send a key (the check itself is _user_env()).
bearer_scheme = HTTPBearer(auto_error=False, description="API key as a bearer token")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")
AUTH = [Security(bearer_scheme), Security(api_key_scheme)]


# ---------------------------------------------------------------------- schemas
class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict


class Error(BaseModel):
    error: ErrorBody


class PriceBreak(BaseModel):
    min_qty: float
    unit_price: float
    discount_pct: float


class CatalogItem(BaseModel):
    id: int
    sku: str | None
    name: str
    uom: str
    unit_price: float
    currency: str
    min_qty: float
    multiple: float
    pack: str | None
    breaks: list[PriceBreak]


class Catalog(BaseModel):
    items: list[CatalogItem]


class OrderLineIn(BaseModel):
    sku: Text | None = Field(
        default=None, max_length=64, description="Product reference (or give product_id)"
    )
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    quantity: float = Field(gt=0, le=1_000_000)


class OrderIn(BaseModel):
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    client_order_ref: Text | None = Field(default=None, max_length=64)


class OrderLineOut(BaseModel):
    product_id: int
    sku: str | None
    quantity: float
    unit_price: float
    subtotal: float


class Order(BaseModel):
    id: int
    reference: str
    state: str
    client_order_ref: str | None
    currency: str
    amount_untaxed: float
    amount_tax: float
    amount_total: float
    requires_approval: bool
    approval: str
    lines: list[OrderLineOut]


class Aging(BaseModel):
    days_0_30: float
    days_31_60: float
    days_61_90: float
    days_90_plus: float


class CreditStatus(BaseModel):
    partner_id: int
    currency: str
    limit: float
    used: float
    available: float
    utilisation: float
    status: str
    oldest_overdue_days: int
    aging: Aging


RATE_LIMITED = {"model": Error, "description": "Too many requests (see Retry-After)"}
INVALID = {"model": Error, "description": "Invalid request (details.fields names each field)"}
BAD_BODY = {"model": Error, "description": "The body cannot be read (e.g. not UTF-8)"}
ERRORS = {
    401: {"model": Error, "description": "Missing or invalid API key"},
    403: {"model": Error, "description": "The key's user may not do this"},
    404: {"model": Error, "description": "Not found (or not yours)"},
    422: INVALID,
    429: RATE_LIMITED,
}


# ---------------------------------------------------------------------- helpers
def _key_from(request):
    auth = request.headers.get("authorization") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def check_rate(env, key, limit, window=RATE_WINDOW_SECONDS, message=None):
    """Count a request in the shared PostgreSQL rate limit; ``ApiError`` 429 when over ``limit``."""
    # sudo: the counter table is technical, no user reads it.
    allowed, retry_after = env["smart.dairy.b2b.api.rate"].sudo()._hit(key, limit, window)
    if not allowed:
        raise ApiError(
            429,
            "rate_limited",
            message or f"At most {limit} requests per minute.",
            {"limit": limit, "retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def _auth_failures(env, request):
    """Key and limit of the per-IP counter of requests without a valid key (key guessing)."""
    ip = request.client.host if request.client else "unknown"
    limit = int(
        env["ir.config_parameter"]
        .sudo()
        .get_param("smart_dairy_b2b.api_auth_failures_per_minute", DEFAULT_AUTH_FAILURE_LIMIT)
    )
    return f"authfail:{ip}", limit


def _user_env(env, request):
    """The environment of the portal user owning the request's API key (``ApiError``)."""
    fail_key, fail_limit = _auth_failures(env, request)
    # sudo: the counter table is technical, no user reads it.
    allowed, retry_after = env["smart.dairy.b2b.api.rate"].sudo()._peek(fail_key, fail_limit)
    if not allowed:
        # refused before the (deliberately slow) key hashing
        raise ApiError(
            429,
            "rate_limited",
            "Too many requests without a valid API key from your network.",
            {"limit": fail_limit, "retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
    key = _key_from(request)
    if not key:
        check_rate(env, fail_key, fail_limit)
        raise ApiError(401, "missing_api_key", "Send your API key as 'Authorization: Bearer'.")
    uid = env["res.users.apikeys"]._check_credentials(scope=API_KEY_SCOPE, key=key)
    if not uid:
        check_rate(env, fail_key, fail_limit)
        raise ApiError(401, "invalid_api_key", "The API key is unknown, expired or revoked.")
    limit = int(
        env["ir.config_parameter"]
        .sudo()
        .get_param("smart_dairy_b2b.api_rate_limit_per_minute", DEFAULT_RATE_LIMIT)
    )
    check_rate(env, f"key:{uid}:{key[:8]}", limit)
    user = env["res.users"].sudo().browse(uid)
    if not user._b2b_portal_ok():
        raise ApiError(403, "not_b2b", "This user has no active B2B account.")
    companies = (user.company_id | user.company_ids).ids
    return env(user=uid, su=False, context=dict(env.context, allowed_company_ids=companies))


def _run(env, request, fn, status=200):
    try:
        user_env = _user_env(env, request)
        out = fn(user_env)
    except ApiError as exc:
        return _error(exc)
    except (AccessError, MissingError) as exc:
        _logger.info("B2B API: %s answered 404: %s", request.url.path, exc)
        return _error(ApiError(404, "not_found", "No such record."))
    if isinstance(out, tuple):
        out, status = out
    return JSONResponse(out, status_code=status)


def _order_out(order):
    order = order.sudo()  # read after the caller's access was checked
    return {
        "id": order.id,
        "reference": order.name,
        "state": order.state,
        "client_order_ref": order.client_order_ref or None,
        "currency": order.currency_id.name,
        "amount_untaxed": order.amount_untaxed,
        "amount_tax": order.amount_tax,
        "amount_total": order.amount_total,
        "requires_approval": bool(order._b2b_approval_pending()),
        "approval": order.b2b_partner_approval
        if order.b2b_partner_approval == "pending"
        else ("internal" if order.need_validation or order.review_ids else "none"),
        "lines": [
            {
                "product_id": line.product_id.id,
                "sku": line.product_id.default_code or None,
                "quantity": line.product_uom_qty,
                "unit_price": line.price_unit,
                "subtotal": line.price_subtotal,
            }
            for line in order.order_line
            if not line.display_type
        ],
    }


def _submit_refusal(exc):
    """The ``ApiError`` of a refusal of ``_b2b_submit`` (its ``code`` chooses the answer)."""
    if exc.code == "credit_hold":
        return ApiError(409, "credit_hold", error_message(exc))
    if exc.code == "role_cannot_order":
        return ApiError(403, "role_cannot_order", error_message(exc))
    if isinstance(exc, B2bSubmitAccessError):
        return ApiError(403, "not_allowed", "You may not place this order.")
    if exc.code == "invalid_lines":
        row = min(exc.rows, key=lambda r: r["key"])  # the first line in error
        if row["code"] in (order_lines.UNKNOWN_SKU, order_lines.NOT_SELLABLE):
            return ApiError(
                422, "unknown_product", "Unknown or unavailable product.", {"index": row["key"]}
            )
        return ApiError(
            422, "bad_quantity", row["message"], {"index": row["key"], "field": "quantity"}
        )
    return ApiError(422, "invalid_order", error_message(exc))


# ---------------------------------------------------------------------- routes
@b2b_router.get("/catalog", response_model=Catalog, responses=ERRORS, dependencies=AUTH)
def get_catalog(env: Annotated[Environment, Depends(odoo_env)], request: Request):
    """Published products with the caller's tier / contract price and quantity breaks."""

    def fn(uenv):
        partner = uenv.user.partner_id
        products = uenv["product.product"].search(
            [("b2b_published", "=", True), ("sale_ok", "=", True)], order="default_code, id"
        )
        pricelist = partner._b2b_pricelist()
        prices = pricelist.sudo()._b2b_catalog_prices(products.sudo()) if products else {}
        items = []
        for product in products:
            tmpl = product.product_tmpl_id
            price = prices[product.id]
            items.append(
                {
                    "id": product.id,
                    "sku": product.default_code or None,
                    "name": product.name,
                    # sudo: the unit's name of a product the user may read
                    "uom": product.sudo().uom_id.name,
                    "unit_price": price["price"],
                    "currency": pricelist.currency_id.name,
                    "min_qty": tmpl.b2b_min_qty or 0.0,
                    "multiple": tmpl.b2b_qty_multiple or 0.0,
                    "pack": tmpl.b2b_pack_label or None,
                    "breaks": [
                        {"min_qty": q, "unit_price": p, "discount_pct": d}
                        for q, p, d in price["breaks"]
                    ],
                }
            )
        return {"items": items}

    return _run(env, request, fn)


@b2b_router.post(
    "/orders",
    response_model=Order,
    status_code=201,
    responses={
        **ERRORS,
        200: {"model": Order, "description": "Replay of an earlier Idempotency-Key"},
        400: BAD_BODY,
        409: {"model": Error, "description": "Credit hold"},
    },
    dependencies=AUTH,
)
def post_order(
    env: Annotated[Environment, Depends(odoo_env)],
    request: Request,
    body: OrderIn,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=80)],
):
    """Place an order. The same ``Idempotency-Key`` always answers the same order."""

    def fn(uenv):
        user = uenv.user
        partner = user.partner_id
        commercial = partner.commercial_partner_id
        SaleOrder = uenv["sale.order"].sudo()
        previous = SaleOrder.search(
            [
                ("b2b_idempotency_key", "=", idempotency_key),
                ("partner_id.commercial_partner_id", "=", commercial.id),
            ],
            limit=1,
        )
        if previous:
            return _order_out(previous), 200
        lines = []
        for index, line in enumerate(body.lines):
            if not (line.product_id or line.sku):
                raise ApiError(422, "missing_field", "Give sku or product_id.", {"index": index})
            key = {"product_id": line.product_id} if line.product_id else {"sku": line.sku}
            lines.append(dict(key, key=index, quantity=line.quantity))
        try:
            # the portal's one ordering path, with the key owner's rights
            order, _priced = uenv["smart.dairy.b2b.quick.order"]._b2b_submit(
                user,
                lines,
                header={"client_ref": body.client_order_ref},
                values={"b2b_idempotency_key": idempotency_key},
            )
        except (B2bSubmitAccessError, B2bSubmitError) as exc:
            raise _submit_refusal(exc) from None
        except (UserError, ValidationError) as exc:
            raise ApiError(422, "invalid_order", error_message(exc)) from None
        return _order_out(order), 201

    return _run(env, request, fn)


@b2b_router.get("/orders/{order_id}", response_model=Order, responses=ERRORS, dependencies=AUTH)
def get_order(env: Annotated[Environment, Depends(odoo_env)], request: Request, order_id: RecordId):
    """One of the caller's orders (404 for any order the caller may not read)."""

    def fn(uenv):
        order = uenv["sale.order"].browse(order_id).exists()
        if not order:
            raise MissingError(uenv._("No such order."))
        order.check_access("read")
        return _order_out(order)

    return _run(env, request, fn)


@b2b_router.get(
    "/credit/status/{partner_id}",
    response_model=CreditStatus,
    responses=ERRORS,
    dependencies=AUTH,
)
def get_credit_status(
    env: Annotated[Environment, Depends(odoo_env)], request: Request, partner_id: RecordId
):
    """Credit limit, use, availability, status and aging of the caller's company."""

    def fn(uenv):
        user = uenv.user
        commercial = user.partner_id.commercial_partner_id
        if partner_id != commercial.id:
            raise MissingError(uenv._("No such partner."))
        if not roles.can(user.b2b_role, "credit"):
            raise ApiError(403, "role_cannot_see_credit", "Your role cannot see credit figures.")
        # sudo: the caller's own company, checked above
        partner = commercial.sudo()
        partner._b2b_credit_refresh()
        return {
            "partner_id": partner.id,
            "currency": partner.currency_id.name,
            "limit": partner.b2b_credit_limit,
            "used": partner.b2b_exposure,
            "available": partner.b2b_credit_available,
            "utilisation": partner.b2b_credit_utilisation,
            "status": partner.b2b_credit_status,
            "oldest_overdue_days": partner.b2b_max_overdue_days,
            "aging": {
                "days_0_30": partner.b2b_aging_0_30,
                "days_31_60": partner.b2b_aging_31_60,
                "days_61_90": partner.b2b_aging_61_90,
                "days_90_plus": partner.b2b_aging_90_plus,
            },
        }

    return _run(env, request, fn)
