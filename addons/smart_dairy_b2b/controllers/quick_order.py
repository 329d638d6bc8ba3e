# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quick order pad (``/b2b/quick-order``) and CSV / XLSX upload of order lines."""

from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from ..lib import order_lines
from ..lib.errors import error_message
from .portal import B2bPortal

MAX_PAD_LINES = order_lines.MAX_ROWS


class B2bQuickOrder(B2bPortal):
    def _b2b_quick_user(self):
        """``(user, None)`` or ``(None, response)`` for users who may not order."""
        user = self._b2b_user()
        if not user:
            return None, self._b2b_denied()
        if not user._b2b_can("order"):
            return None, request.render(
                "smart_dairy_b2b.b2b_access_denied", {"status": "viewer"}, status=403
            )
        return user, None

    def _b2b_quick_values(self, user, **extra):
        env = request.env
        Quick = env["smart.dairy.b2b.quick.order"]
        commercial = user.partner_id.commercial_partner_id
        # the reason shown on the pad before he tries to check out
        hold = None
        try:
            commercial._b2b_check_credit_hold()
        except ValidationError as exc:
            hold = error_message(exc)
        pricelist = user.partner_id._b2b_pricelist()
        values = {
            "draft": Quick._b2b_current_draft(user),
            "locations": Quick._b2b_delivery_locations(user),
            "hold": hold,
            "currency": pricelist.currency_id,
            "max_rows": order_lines.MAX_ROWS,
            "max_kb": order_lines.MAX_FILE_BYTES // 1024,
            "report": None,
            "report_order": None,
            "error": None,
            "message": None,
            "page_name": "b2b_quick_order",
        }
        values.update(extra)
        return values

    # ------------------------------------------------------------------ pages
    @http.route("/b2b/quick-order", type="http", auth="user", website=True, methods=["GET"])
    def b2b_quick_order(self, **kw):
        user, denied = self._b2b_quick_user()
        if denied:
            return denied
        return request.render(
            "smart_dairy_b2b.b2b_quick_order_page",
            self._b2b_quick_values(user, error=kw.get("error"), message=kw.get("message")),
        )

    @http.route(
        "/b2b/quick-order/template.csv", type="http", auth="user", website=True, methods=["GET"]
    )
    def b2b_quick_order_template(self, **kw):
        user, denied = self._b2b_quick_user()
        if denied:
            return denied
        return request.make_response(
            order_lines.template_csv(),
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", 'attachment; filename="quick_order_template.csv"'),
            ],
        )

    # ------------------------------------------------------------------ JSON (the pad)
    @staticmethod
    def _b2b_json_lines(lines):
        if not isinstance(lines, list) or len(lines) > MAX_PAD_LINES:
            raise ValidationError(request.env._("Send at most %(n)s lines.", n=MAX_PAD_LINES))
        clean = []
        for line in lines:
            if not isinstance(line, dict):
                raise ValidationError(request.env._("Malformed line."))
            clean.append(
                {
                    "key": str(line.get("key") or len(clean) + 1)[:32],
                    "sku": str(line.get("sku") or "")[:64],
                    "quantity": str(line.get("quantity") or "")[:32],
                }
            )
        return clean

    @staticmethod
    def _b2b_json_keys(keys):
        """Row keys of the pad's "Order only N" rows, as :meth:`_b2b_json_lines` cleans keys."""
        if keys is None or keys is False:
            return set()
        if (
            not isinstance(keys, list)
            or len(keys) > MAX_PAD_LINES
            or not all(isinstance(key, (str, int)) and not isinstance(key, bool) for key in keys)
        ):
            raise ValidationError(
                request.env._("Malformed list of rows to order only what is available.")
            )
        return {str(key)[:32] for key in keys}

    @http.route("/b2b/quick-order/price", type="json", auth="user", methods=["POST"])
    def b2b_quick_order_price(self, lines=None, order_id=None, target="current", **kw):
        """Prices, break hints and checks of every row of the pad: one batched call."""
        user, denied = self._b2b_quick_user()
        if denied:
            return {"error": request.env._("Your role does not allow placing orders.")}
        Quick = request.env["smart.dairy.b2b.quick.order"]
        try:
            clean = self._b2b_json_lines(lines or [])
        except ValidationError as exc:
            return {"error": error_message(exc)}
        order = Quick._b2b_current_draft(user, order_id) if target == "current" else None
        return Quick._b2b_price_lines(user.partner_id, clean, order=order or None)

    @http.route("/b2b/quick-order/suggest", type="json", auth="user", methods=["POST"])
    def b2b_quick_order_suggest(self, term="", **kw):
        user, denied = self._b2b_quick_user()
        if denied:
            return []
        term = str(term or "").strip()[:64]
        if len(term) < 2:
            return []
        # the user's rights: record rules decide which products he may see
        products = request.env["product.product"].search(
            [
                ("b2b_published", "=", True),
                ("sale_ok", "=", True),
                ("default_code", "!=", False),
                "|",
                ("name", "ilike", term),
                ("default_code", "ilike", term),
            ],
            limit=8,
            order="default_code",
        )
        return [
            {"sku": p.default_code, "name": p.name, "pack": p.b2b_pack_label or ""}
            for p in products
        ]

    @http.route("/b2b/quick-order/submit", type="json", auth="user", methods=["POST"])
    def b2b_quick_order_submit(
        self,
        lines=None,
        target="current",
        order_id=None,
        commitment_date=None,
        shipping_id=None,
        client_ref=None,
        only_available=None,
        **kw,
    ):
        user, denied = self._b2b_quick_user()
        if denied:
            return {"error": request.env._("Your role does not allow placing orders.")}
        Quick = request.env["smart.dairy.b2b.quick.order"]
        try:
            clean = self._b2b_json_lines(lines or [])
            only = self._b2b_json_keys(only_available)
            order = None
            if target == "current" and order_id:
                order = Quick._b2b_current_draft(user, order_id)
                if not order:
                    raise AccessError(request.env._("This order is not one of your drafts."))
            order, _priced = Quick._b2b_submit(
                user,
                clean,
                order=order,
                header={
                    "shipping_id": shipping_id,
                    "commitment_date": commitment_date,
                    "client_ref": client_ref,
                },
                only_available=only,
            )
        except (ValidationError, AccessError, UserError, ValueError) as exc:
            return {"error": error_message(exc)}
        return {"url": order.get_portal_url(), "name": order.name}

    # ------------------------------------------------------------------ upload
    @http.route("/b2b/quick-order/upload", type="http", auth="user", website=True, methods=["POST"])
    def b2b_quick_order_upload(self, upload=None, target="current", **kw):
        user, denied = self._b2b_quick_user()
        if denied:
            return denied
        Quick = request.env["smart.dairy.b2b.quick.order"]
        filename = getattr(upload, "filename", "") or ""
        data = upload.read(order_lines.MAX_FILE_BYTES + 1) if upload else b""
        try:
            raw = order_lines.read_upload(filename, data)
        except order_lines.UploadError as exc:
            return request.render(
                "smart_dairy_b2b.b2b_quick_order_page",
                self._b2b_quick_values(user, error=error_message(exc)),
            )
        lines = [{"key": str(r.line_no), "sku": r.sku, "quantity": r.quantity} for r in raw]
        order = Quick._b2b_current_draft(user) if target == "current" else None
        try:
            order, priced = Quick._b2b_submit(user, lines, order=order or None, skip_errors=True)
        except (ValidationError, AccessError, UserError) as exc:
            # nothing was written (e.g. credit hold): still show what each row would do
            priced = Quick._b2b_price_lines(user.partner_id, lines, order=order or None)
            return request.render(
                "smart_dairy_b2b.b2b_quick_order_page",
                self._b2b_quick_values(
                    user, error=error_message(exc), report=priced["rows"], report_order=None
                ),
            )
        return request.render(
            "smart_dairy_b2b.b2b_quick_order_page",
            self._b2b_quick_values(user, report=priced["rows"], report_order=order),
        )

    @http.route(
        "/b2b/quick-order/available", type="http", auth="user", website=True, methods=["POST"]
    )
    def b2b_quick_order_available(self, order_id=None, product_id=None, quantity=None, **kw):
        """The "order only what is available" choice of a short-stock row of the report."""
        user, denied = self._b2b_quick_user()
        if denied:
            return denied
        Quick = request.env["smart.dairy.b2b.quick.order"]
        try:
            order = Quick._b2b_current_draft(user, int(order_id or 0))
            if not order:
                raise MissingError(request.env._("This order is not one of your drafts."))
            Quick._b2b_set_available(user, order, int(product_id or 0), float(quantity or 0))
        except (ValidationError, AccessError, UserError, MissingError, ValueError) as exc:
            return request.redirect("/b2b/quick-order?" + url_encode({"error": error_message(exc)}))
        return request.redirect(order.get_portal_url())
