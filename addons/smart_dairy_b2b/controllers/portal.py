# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import html2plaintext

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..lib import credit, order_lines, pricing, roles
from ..lib.errors import error_message
from .registration import DELIVERY_KEYS

CATALOG_PAGE_SIZE = 200


class B2bPortal(CustomerPortal):
    # ------------------------------------------------------------------ helpers
    def _b2b_user(self):
        user = request.env.user
        if user._is_public() or not user._b2b_portal_ok():
            return None
        return user

    def _b2b_denied(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return request.render(
            "smart_dairy_b2b.b2b_access_denied",
            {"status": partner.b2b_status if not request.env.user._is_public() else False},
            status=403,
        )

    def _prepare_portal_layout_values(self):
        # Not _prepare_home_portal_values: its keys are returned to /my/counters.
        values = super()._prepare_portal_layout_values()
        user = request.env.user
        values["b2b_ok"] = bool(not user._is_public() and user._b2b_portal_ok())
        values["b2b_role"] = user.b2b_role
        return values

    @staticmethod
    def _b2b_catalog(env, partner, search=None, category_id=None, limit=CATALOG_PAGE_SIZE):
        """Products, prices, break tables and stock for one partner (batched).

        Runs with the caller's rights: record rules decide which products are visible.
        """
        domain = [("b2b_published", "=", True), ("sale_ok", "=", True)]
        if search:
            domain += ["|", ("name", "ilike", search), ("default_code", "ilike", search)]
        if category_id:
            domain.append(("categ_id", "child_of", int(category_id)))
        products = env["product.product"].search(domain, limit=limit, order="categ_id, name")
        pricelist = partner._b2b_pricelist()
        prices = pricelist._b2b_catalog_prices(products) if products else {}
        # sudo: portal users cannot read stock quants; only the on-hand figures of the
        # products already visible to them are read.
        stock = {p.id: p.qty_available for p in products.sudo()}
        rows = []
        for product in products:
            tmpl = product.product_tmpl_id
            info = prices[product.id]
            rows.append(
                {
                    "product": product,
                    "price": info["price"],
                    "list_price": info["list_price"],
                    "breaks": info["breaks"],
                    "pack": tmpl.b2b_pack_label,
                    "min_qty": tmpl.b2b_min_qty,
                    "multiple": tmpl.b2b_qty_multiple,
                    "stock": stock[product.id],
                }
            )
        return rows, pricelist

    # ------------------------------------------------------------------ catalog
    @http.route("/b2b/catalog", type="http", auth="user", website=True)
    def b2b_catalog(self, search=None, category=None, **kw):
        user = self._b2b_user()
        if not user:
            return self._b2b_denied()
        env = request.env
        categories = env["product.product"].search([]).categ_id
        try:
            category_id = int(category) if category else None
        except ValueError:
            category_id = None
        rows, pricelist = self._b2b_catalog(env, user.partner_id, search, category_id)
        return request.render(
            "smart_dairy_b2b.b2b_catalog_page",
            {
                "rows": rows,
                "pricelist": pricelist,
                "currency": pricelist.currency_id,
                "categories": categories,
                "category_id": category_id,
                "search": search or "",
                "can_order": user._b2b_can("order"),
                "tier": user.partner_id.commercial_partner_id.sudo().b2b_tier_id,
                "message": kw.get("message"),
                "error": kw.get("error"),
            },
        )

    @staticmethod
    def _b2b_catalog_lines(post):
        """The catalog's ``qty_<product id>`` fields as order lines keyed by product id."""
        lines = []
        for key, value in post.items():
            if not key.startswith("qty_") or str(value or "").strip() in ("", "0"):
                continue
            try:
                product_id = int(key[4:])
            except ValueError:
                raise ValidationError(request.env._("Invalid quantity.")) from None
            lines.append({"key": key, "product_id": product_id, "quantity": str(value)[:32]})
        if not lines:
            raise ValidationError(request.env._("Enter at least one quantity."))
        if len(lines) > order_lines.MAX_ROWS:
            raise ValidationError(
                request.env._("Order at most %(n)s products at once.", n=order_lines.MAX_ROWS)
            )
        return lines

    @http.route("/b2b/order", type="http", auth="user", website=True, methods=["POST"])
    def b2b_order(self, **post):
        """Quick order from the catalog: a new quotation through the portal's one ordering path
        (``smart.dairy.b2b.quick.order._b2b_submit``: the same gates as the pad and uploads)."""
        user = self._b2b_user()
        if not user:
            return self._b2b_denied()
        if not user._b2b_can("order"):
            return request.render(
                "smart_dairy_b2b.b2b_access_denied", {"status": "viewer"}, status=403
            )
        try:
            order, _priced = request.env["smart.dairy.b2b.quick.order"]._b2b_submit(
                user, self._b2b_catalog_lines(post)
            )
        except (ValidationError, AccessError, UserError) as exc:
            return request.redirect("/b2b/catalog?" + url_encode({"error": error_message(exc)}))
        return request.redirect(order.get_portal_url())

    # ------------------------------------------------------------------ company users
    @http.route("/my/b2b/users", type="http", auth="user", website=True, methods=["GET"])
    def b2b_users(self, **kw):
        user = self._b2b_user()
        if not user or not user._b2b_can("manage_users"):
            return self._b2b_denied()
        return request.render(
            "smart_dairy_b2b.b2b_users_page",
            {
                "users": user._b2b_company_users(),
                "roles": roles.ROLES,
                "error": kw.get("error"),
                "me": user,
                "page_name": "b2b_users",
            },
        )

    @http.route("/my/b2b/users/add", type="http", auth="user", website=True, methods=["POST"])
    def b2b_users_add(self, name=None, email=None, role=None, order_limit=None, **kw):
        user = self._b2b_user()
        if not user:
            return self._b2b_denied()
        try:
            limit = float(order_limit or 0)
            with request.env.cr.savepoint():
                user._b2b_add_company_user((name or "").strip(), (email or "").strip(), role, limit)
        except ValueError:
            return request.redirect("/my/b2b/users?error=Order+limit+must+be+a+number")
        except (ValidationError, AccessError) as exc:
            message = error_message(exc)
            return request.redirect("/my/b2b/users?" + url_encode({"error": message}))
        return request.redirect("/my/b2b/users")

    @http.route(
        "/my/b2b/users/<int:user_id>/update",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_users_update(self, user_id, role=None, active=None, order_limit=None, **kw):
        user = self._b2b_user()
        if not user:
            return self._b2b_denied()
        target = request.env["res.users"].browse(user_id)
        try:
            with request.env.cr.savepoint():
                user._b2b_set_company_user(
                    target,
                    role=role or None,
                    active={"1": True, "0": False}.get(active),
                    order_limit=float(order_limit) if order_limit not in (None, "") else None,
                )
        except (ValidationError, AccessError, ValueError) as exc:
            message = error_message(exc)
            return request.redirect("/my/b2b/users?" + url_encode({"error": message}))
        return request.redirect("/my/b2b/users")

    # ------------------------------------------------------------------ delivery locations
    # form input -> res.partner field: the registration form's delivery block + street2
    LOCATION_INPUTS = {**DELIVERY_KEYS, "street2": "street2"}

    def _b2b_location_form(self, user, location=None, values=None, error=None, status=200):
        env = request.env
        if values is None:
            values = {}
            if location:
                for key, fname in self.LOCATION_INPUTS.items():
                    value = location[fname]
                    if fname in ("bd_district_id", "bd_upazila_id"):
                        value = str(value.id) if value else ""
                    elif fname in ("b2b_latitude", "b2b_longitude"):
                        value = str(value) if value else ""
                    elif fname == "comment":
                        value = html2plaintext(value) if value else ""
                    values[key] = value or ""
        return request.render(
            "smart_dairy_b2b.b2b_location_form_page",
            {
                "location": location,
                "values": values,
                "error": error,
                # sudo: the geography is public reference data
                "districts": env["l10n_bd_smart.district"].sudo().search([]),
                "upazilas": env["l10n_bd_smart.upazila"].sudo().search([]),
                "page_name": "b2b_locations",
            },
            status=status,
        )

    @http.route("/my/b2b/locations", type="http", auth="user", website=True, methods=["GET"])
    def b2b_locations(self, **kw):
        """Delivery addresses of the user's company: every role reads, the admin edits."""
        user = self._b2b_user()
        if not user:
            return self._b2b_denied()
        # sudo: archived addresses are hidden by core's rules; the search is restricted to the
        # user's own commercial partner by _b2b_delivery_locations.
        locations = user.partner_id.sudo()._b2b_delivery_locations(active_test=False)
        return request.render(
            "smart_dairy_b2b.b2b_locations_page",
            {
                "locations": locations,
                "can_edit": user._b2b_can("manage_users"),
                "error": kw.get("error"),
                "page_name": "b2b_locations",
            },
        )

    @http.route(
        ["/my/b2b/locations/new", "/my/b2b/locations/<int:location_id>/edit"],
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def b2b_location_edit(self, location_id=None, **kw):
        user = self._b2b_user()
        if not user or not user._b2b_can("manage_users"):
            return self._b2b_denied()
        location = None
        if location_id:
            location = request.env["res.partner"]._b2b_portal_location(user, location_id)
            if not location:
                return request.not_found()
        return self._b2b_location_form(user, location)

    @http.route(
        ["/my/b2b/locations/save", "/my/b2b/locations/<int:location_id>/save"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_location_save(self, location_id=None, **post):
        user = self._b2b_user()
        if not user or not user._b2b_can("manage_users"):
            return self._b2b_denied()
        Partner = request.env["res.partner"]
        location = None
        if location_id:
            location = Partner._b2b_portal_location(user, location_id)
            if not location:
                return request.not_found()
        values = {k: (post.get(k) or "").strip() for k in self.LOCATION_INPUTS}
        loc = {fname: values[key] or False for key, fname in self.LOCATION_INPUTS.items()}
        for fname in ("bd_district_id", "bd_upazila_id"):
            try:
                loc[fname] = int(loc[fname]) if loc[fname] else False
            except ValueError:
                loc[fname] = False
        try:
            with request.env.cr.savepoint():
                Partner._b2b_portal_save_location(user, loc, location_id=location_id)
        except (ValidationError, AccessError) as exc:
            message = error_message(exc)
            return self._b2b_location_form(user, location, values, message, status=400)
        return request.redirect("/my/b2b/locations")

    @http.route(
        "/my/b2b/locations/<int:location_id>/archive",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_location_archive(self, location_id, active=None, **kw):
        user = self._b2b_user()
        if not user or not user._b2b_can("manage_users"):
            return self._b2b_denied()
        Partner = request.env["res.partner"]
        if not Partner._b2b_portal_location(user, location_id):
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                Partner._b2b_portal_set_location_active(user, location_id, active == "1")
        except (ValidationError, AccessError) as exc:
            message = error_message(exc)
            return request.redirect("/my/b2b/locations?" + url_encode({"error": message}))
        return request.redirect("/my/b2b/locations")

    # quantities helper exposed for templates
    @staticmethod
    def _suggest(qty, min_qty, multiple):
        return pricing.suggest_quantity(qty, min_qty, multiple)

    @http.route(
        "/my/orders/<int:order_id>/b2b_approve",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def b2b_order_partner_approve(self, order_id, **kw):
        """A manager / admin of the customer approves a buyer's order above the buyer's limit."""
        user = self._b2b_user()
        if not user:
            return self._b2b_denied()
        # Read with the user's rights: record rules hide other partners' orders.
        order = request.env["sale.order"].browse(order_id).exists()
        try:
            order.check_access("read")
            order.action_b2b_partner_approve()
        except (AccessError, UserError, MissingError) as exc:
            message = error_message(exc)
            return request.redirect("/my/orders?" + url_encode({"error": message}))
        return request.redirect(order.get_portal_url())

    # ------------------------------------------------------------------ credit dashboard
    @http.route("/my/b2b/credit", type="http", auth="user", website=True, methods=["GET"])
    def b2b_credit(self, **kw):
        """Credit limit, used, available, aging, overdue invoices and pending approvals."""
        user = self._b2b_user()
        if not user or not user._b2b_can("credit"):
            return self._b2b_denied()
        # sudo: the figures of the user's own company only (checked above); nothing else.
        partner = user.partner_id.commercial_partner_id.sudo()
        partner._b2b_credit_refresh()
        env = request.env
        today = fields.Date.context_today(partner)
        # Read with the user's rights: record rules restrict to his company's documents.
        overdue = env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
            ],
            order="invoice_date_due",
        )
        pending = env["sale.order"].search(
            [("state", "in", ("draft", "sent")), ("b2b_partner_approval", "=", "pending")]
        )
        return request.render(
            "smart_dairy_b2b.b2b_credit_page",
            {
                "partner": partner,
                "overdue": overdue,
                "pending": pending,
                "today": today,
                "status_label": dict(credit.STATUSES)[partner.b2b_credit_status],
                "page_name": "b2b_credit",
            },
        )
