# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``POST /api/v1/b2b/partners/register``: the "Become a partner" form as JSON (public).

Same fields, checks and workflow as ``/b2b/register`` (``controllers/registration.py``): the
application is created and submitted with the model's own methods and the applicant gets the
same confirmation e-mail. Rate limited per client IP with the form's attempt log. Every field
that is wrong is named in ``details.fields``; nothing is stored when anything is wrong.
"""

import base64
import binascii
import logging
import math
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from odoo import fields as odoo_fields
from odoo.api import Environment
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import single_email_re

from odoo.addons.fastapi.dependencies import odoo_env
from odoo.addons.l10n_bd_smart import bd_identifiers

from ..lib.errors import error_message
from ..models.res_partner import PARTNER_TYPES
from .b2b import BAD_BODY, INVALID, MAX_ID, RATE_LIMITED, ApiError, _clean_text, _error, b2b_router

_logger = logging.getLogger(__name__)
SIGNUP_WINDOW_MINUTES = 60  # as smart.dairy.b2b.signup.attempt._register_and_check()
MAX_DOCUMENT_BASE64 = 14 * 1024 * 1024  # ~10 MB of file; each type has its own lower limit


def _required(max_length):
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_clean_text),
    ]


def _optional(max_length):
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length),
        AfterValidator(_clean_text),
    ]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class DeliveryLocationIn(BaseModel):
    name: _optional(128) | None = None
    street: _optional(255) | None = None
    district_id: Id | None = None
    upazila_id: Id | None = None
    zip: _optional(16) | None = None
    phone: _optional(32) | None = None
    contact: _optional(255) | None = Field(default=None, description="Contact person on site")
    opening_hours: _optional(64) | None = None
    delivery_window: _optional(64) | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _street_or_name(self):
        if not (self.street or self.name):
            raise ValueError("give at least a street or a name")
        return self


class DocumentIn(BaseModel):
    type: _required(64) = Field(
        description="Document type code: trade_licence, bin_certificate, etin_certificate, other"
    )
    filename: _required(255)
    mimetype: _required(100) = Field(description="application/pdf, image/png or image/jpeg")
    content: str = Field(
        min_length=1, max_length=MAX_DOCUMENT_BASE64, description="File content, base64"
    )


class RegistrationIn(BaseModel):
    company_name: _required(255)
    partner_type: Literal[tuple(key for key, _label in PARTNER_TYPES)]
    contact_name: _required(255)
    email: _required(254)
    phone: _required(32)
    trade_licence: _required(64)
    bd_bin: _required(32) = Field(description="BIN, 13 digits (printed 9-4)")
    bd_etin: _optional(32) | None = Field(default=None, description="e-TIN, 12 digits")
    vat_registration: _optional(64) | None = None
    street: _optional(255) | None = None
    street2: _optional(255) | None = None
    district_id: Id
    upazila_id: Id | None = None
    zip: _optional(16) | None = None
    delivery_locations: list[DeliveryLocationIn] = Field(default_factory=list, max_length=20)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=10)


class Registration(BaseModel):
    id: int
    reference: str
    state: str


# ---------------------------------------------------------------------- checks
class _Errors(dict):
    def run(self, field, func, *args):
        """``func(*args)``; a ValueError / ValidationError is recorded against ``field``."""
        try:
            return func(*args)
        except (ValueError, ValidationError) as exc:
            self[field] = error_message(exc)
            return None


def _email(value):
    email = value.strip().lower()
    if not single_email_re.match(email):
        raise ValueError(f"{value} is not a valid e-mail address.")
    return email


def _geography(env, errors, prefix, district_id, upazila_id):
    # sudo: the static geography of Bangladesh, readable on the public form too.
    district = env["l10n_bd_smart.district"].sudo().browse(district_id or []).exists()
    if district_id and not district:
        errors[prefix + "district_id"] = "Unknown district."
    upazila = env["l10n_bd_smart.upazila"].sudo().browse(upazila_id or []).exists()
    if upazila_id and not upazila:
        errors[prefix + "upazila_id"] = "Unknown thana / upazila."
    elif upazila and district and upazila.district_id != district:
        errors[prefix + "upazila_id"] = f"{upazila.name} is not in {district.name}."


def _application_vals(env, body, errors):
    vals = {
        "company_name": body.company_name,
        "partner_type": body.partner_type,
        "contact_name": body.contact_name,
        "email": errors.run("email", _email, body.email),
        "phone": errors.run("phone", bd_identifiers.normalize_phone, body.phone),
        "trade_licence": body.trade_licence.upper(),
        "bd_bin": errors.run("bd_bin", bd_identifiers.normalize_bin, body.bd_bin),
        "bd_etin": body.bd_etin
        and errors.run("bd_etin", bd_identifiers.normalize_etin, body.bd_etin),
        "vat_registration": body.vat_registration or False,
        "street": body.street or False,
        "street2": body.street2 or False,
        "zip": body.zip and errors.run("zip", bd_identifiers.normalize_postcode, body.zip),
        "district_id": body.district_id,
        "upazila_id": body.upazila_id or False,
    }
    _geography(env, errors, "", body.district_id, body.upazila_id)
    _duplicates(env, vals, errors)
    return {key: value or False for key, value in vals.items()}


def _duplicates(env, vals, errors):
    """The model's duplicate rule (``_check_duplicates``), named per field before creating."""
    # sudo: existence checks only; the answer names no other applicant or partner.
    Application = env["smart.dairy.b2b.application"].sudo()
    Partner = env["res.partner"].sudo()
    for fname, partner_field, label in (
        ("bd_bin", "bd_bin", "BIN"),
        ("trade_licence", "b2b_trade_licence", "Trade licence"),
    ):
        value = vals.get(fname)
        if not value:
            continue
        used = Application.search_count(
            [(fname, "=", value), ("state", "!=", "rejected")], limit=1
        ) or Partner.search_count([("parent_id", "=", False), (partner_field, "=", value)], limit=1)
        if used:
            errors[fname] = f"{label} {value} is already registered."


def _delivery_vals(env, body, errors):
    country = env.ref("base.bd").id
    locations = []
    for index, loc in enumerate(body.delivery_locations):
        prefix = f"delivery_locations.{index}."
        _geography(env, errors, prefix, loc.district_id, loc.upazila_id)
        locations.append(
            {
                "name": loc.name or env._("Delivery"),
                "street": loc.street or False,
                "bd_district_id": loc.district_id or False,
                "bd_upazila_id": loc.upazila_id or False,
                "zip": loc.zip
                and errors.run(prefix + "zip", bd_identifiers.normalize_postcode, loc.zip),
                "phone": loc.phone
                and errors.run(prefix + "phone", bd_identifiers.normalize_phone, loc.phone),
                "comment": loc.contact or False,
                "b2b_opening_hours": loc.opening_hours or False,
                "b2b_delivery_window": loc.delivery_window or False,
                "b2b_latitude": loc.latitude or False,
                "b2b_longitude": loc.longitude or False,
                "country_id": country,
            }
        )
    return [{key: value or False for key, value in loc.items()} for loc in locations]


def _document_vals(env, body, errors):
    # sudo: the document types are configuration, readable on the public form too.
    types = env["smart.dairy.b2b.document.type"].sudo()
    docs = []
    for index, doc in enumerate(body.documents):
        field = f"documents.{index}"
        doc_type = types.search([("code", "=", doc.type)], limit=1)
        if not doc_type:
            codes = ", ".join(types.search([]).mapped("code"))
            errors[field + ".type"] = f"Unknown document type {doc.type!r} (one of {codes})."
            continue
        try:
            data = base64.b64decode(doc.content, validate=True)
        except (binascii.Error, ValueError):
            errors[field + ".content"] = "The content is not valid base64."
            continue
        real = errors.run(field, doc_type._check_file, doc.filename, data)
        if real and real != doc.mimetype.lower():
            errors[field + ".mimetype"] = (
                f"{doc.filename}: declared {doc.mimetype} but the content is {real}."
            )
        if real:
            docs.append({"type_id": doc_type.id, "filename": doc.filename, "file": doc.content})
    return docs


def _check_signup_rate(env, ip):
    """The web form's per-IP limit (``smart.dairy.b2b.signup.attempt``), with Retry-After."""
    # sudo: the attempt log is technical; anonymous callers add their own attempt only.
    Attempt = env["smart.dairy.b2b.signup.attempt"].sudo()
    if Attempt._register_and_check(ip, window_minutes=SIGNUP_WINDOW_MINUTES):
        return
    limit = int(
        env["ir.config_parameter"].sudo().get_param("smart_dairy_b2b.signup_rate_limit_per_hour", 5)
    )
    now = odoo_fields.Datetime.now()
    window = timedelta(minutes=SIGNUP_WINDOW_MINUTES)
    recent = Attempt.search(
        [("ip", "=", ip), ("when", ">=", now - window)], order="when desc", limit=max(limit, 1)
    )
    # allowed again once the limit-th latest attempt has left the window
    retry_after = max(1, math.ceil((recent[-1:].when + window - now).total_seconds()))
    raise ApiError(
        429,
        "rate_limited",
        "Too many applications from your network; please try again later.",
        {"limit": limit, "retry_after": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


# ---------------------------------------------------------------------- route
@b2b_router.post(
    "/partners/register",
    response_model=Registration,
    status_code=201,
    responses={
        400: BAD_BODY,
        422: INVALID,
        429: RATE_LIMITED,
    },
    openapi_extra={"security": []},
)
def post_partner_register(
    env: Annotated[Environment, Depends(odoo_env)], request: Request, body: RegistrationIn
):
    """Apply to become a B2B partner (public, no API key).

    Creates the application, submits it for review (partner, contact and delivery locations
    are created pending) and e-mails the confirmation, exactly as the web form. 422 names each
    wrong field in ``details.fields`` (BIN, e-TIN, phone, e-mail, duplicates, documents...).
    """
    ip = request.client.host if request.client else "unknown"
    try:
        _check_signup_rate(env, ip)
        errors = _Errors()
        vals = _application_vals(env, body, errors)
        delivery = _delivery_vals(env, body, errors)
        documents = _document_vals(env, body, errors)
        if errors:
            raise ApiError(
                422,
                "invalid_application",
                "Some fields are not valid.",
                {"fields": dict(errors)},
            )
        # sudo: anonymous applicants create their own application only; the values were
        # whitelisted by the schema above and are validated again by the model.
        Application = env["smart.dairy.b2b.application"].sudo()
        try:
            with env.cr.savepoint():
                app = Application.create(
                    dict(vals, ip_address=ip, document_ids=[(0, 0, d) for d in documents])
                )
                app.action_submit(delivery_locations=delivery)
                app._send_template("smart_dairy_b2b.mail_template_b2b_application_received")
        except (ValidationError, UserError, AccessError) as exc:
            raise ApiError(422, "invalid_application", error_message(exc)) from None
    except ApiError as exc:
        return _error(exc)
    _logger.info("B2B API: application %s registered from %s", app.name, ip)
    return JSONResponse({"id": app.id, "reference": app.name, "state": app.state}, status_code=201)
