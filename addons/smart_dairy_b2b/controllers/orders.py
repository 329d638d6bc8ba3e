# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Portal: order templates (/my/b2b/templates), "Order again" and "Save as template".

Everything runs with the portal user's rights: record rules decide which orders and templates
he may read (his company's only); another company's template or order answers 404.
"""

from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from ..lib.errors import error_message


class B2bOrdersPortal(http.Controller):
    def _b2b_orderer(self):
        """The current user when he is a B2B portal user, else ``None``."""
        user = request.env.user
        if user._is_public() or not user._b2b_portal_ok():
            return None
        return user

    @staticmethod
    def _b2b_readable(record):
        """``record`` if the current user may read it, else ``None`` (unknown = forbidden)."""
        record = record.exists()
        if not record:
            return None
        try:
            record.check_access("read")
        except AccessError:
            return None
        return record

    # ------------------------------------------------------------------ templates page
    def _b2b_own_record(self, model, record_id):
        """``record_id`` of ``model`` when the user may order and read it (record rules)."""
        if not self._b2b_orderer():
            return None
        return self._b2b_readable(request.env[model].browse(record_id))

    @http.route("/my/b2b/templates", type="http", auth="user", website=True, methods=["GET"])
    def b2b_templates(self, error=None, **kw):
        user = self._b2b_orderer()
        if not user:
            return request.redirect("/my")
        templates = request.env["smart.dairy.b2b.order.template"].search([])
        return request.render(
            "smart_dairy_b2b.b2b_order_templates_page",
            {
                "templates": templates,
                "can_order": user._b2b_can("order"),
                "error": error,
                "page_name": "b2b_templates",
            },
        )

    @http.route(
        "/my/b2b/templates/<int:template_id>/order",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_template_order(self, template_id, **kw):
        template = self._b2b_own_record("smart.dairy.b2b.order.template", template_id)
        if not template:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                order = template.action_b2b_order()
        except (ValidationError, AccessError) as exc:
            return request.redirect(
                "/my/b2b/templates?" + url_encode({"error": error_message(exc)})
            )
        return request.redirect(order.get_portal_url())

    @http.route(
        "/my/b2b/templates/<int:template_id>/delete",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_template_delete(self, template_id, **kw):
        template = self._b2b_own_record("smart.dairy.b2b.order.template", template_id)
        if not template:
            return request.not_found()
        template.unlink()
        return request.redirect("/my/b2b/templates")

    # ------------------------------------------------------------------ from an order
    @http.route(
        "/my/orders/<int:order_id>/b2b_save_template",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_save_template(self, order_id, name=None, **kw):
        order = self._b2b_own_record("sale.order", order_id)
        if not order:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                request.env["smart.dairy.b2b.order.template"]._b2b_create_from_order(order, name)
        except (ValidationError, AccessError, MissingError) as exc:
            return request.redirect(
                f"/my/orders/{order.id}?" + url_encode({"b2b_error": error_message(exc)})
            )
        return request.redirect("/my/b2b/templates")

    @http.route(
        "/my/orders/<int:order_id>/b2b_reorder",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_reorder(self, order_id, **kw):
        order = self._b2b_own_record("sale.order", order_id)
        if not order:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                new = request.env["smart.dairy.b2b.order.template"]._b2b_reorder(order)
        except (ValidationError, AccessError) as exc:
            return request.redirect(
                f"/my/orders/{order.id}?" + url_encode({"b2b_error": error_message(exc)})
            )
        return request.redirect(new.get_portal_url())
