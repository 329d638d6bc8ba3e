# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quick order pad and CSV / XLSX upload: batched pricing + validation, and the submit path.

No table: the order is the partner's draft ``sale.order``. Every method runs with the portal
user's rights (record rules choose the products he may buy and the orders he may see); the
few ``sudo()`` calls are commented.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..exceptions import B2bSubmitAccessError, B2bSubmitError
from ..lib import order_lines
from ..lib.errors import error_message


class B2bQuickOrder(models.AbstractModel):
    _name = "smart.dairy.b2b.quick.order"
    _description = "B2B quick order pad and upload"

    # ------------------------------------------------------------------ lookups
    @api.model
    def _b2b_search_products(self, field, values, wanted, key):
        """``{key(product): product | "hidden"}`` for the products whose ``field`` is in
        ``values``; ``wanted``: the keys asked for. One search with the user's rights, a second
        one only when some keys were not found.

        ``"hidden"``: the product exists but this user may not buy it (not published, not for
        sale, or another company's - record rules).
        """
        Product = self.env["product.product"]
        visible = Product.search(
            [(field, "in", values), ("b2b_published", "=", True), ("sale_ok", "=", True)]
        )
        found = {key(p): p for p in visible}
        missing = wanted - set(found)
        if missing:
            # sudo: only tells "exists but not for you" from "unknown"; nothing is read.
            hidden = Product.sudo().with_context(active_test=False).search([(field, "in", values)])
            for code in {key(p) for p in hidden} & missing:
                found[code] = order_lines.HIDDEN
        return found

    @api.model
    def _b2b_find_products(self, skus):
        """``{sku.upper(): product | "hidden"}`` for the SKUs that exist (the pad, uploads)."""
        keys = {s.strip().upper() for s in skus if s and s.strip()}
        if not keys:
            return {}
        codes = list(keys | {s.strip() for s in skus if s} | {k.lower() for k in keys})
        return self._b2b_search_products(
            "default_code", codes, keys, lambda p: p.default_code.upper()
        )

    @api.model
    def _b2b_find_product_ids(self, product_ids):
        """``{id: product | "hidden"}`` for the product ids that exist (the catalog posts ids)."""
        ids = {int(i) for i in product_ids}
        if not ids:
            return {}
        return self._b2b_search_products("id", list(ids), ids, lambda p: p.id)

    @api.model
    def _b2b_current_draft(self, user, order_id=None):
        """The partner's draft order the user may add to (his own rights: record rules)."""
        commercial = user.partner_id.commercial_partner_id
        domain = [
            ("state", "=", "draft"),
            ("partner_id", "child_of", commercial.id),
            ("b2b_standing_order_id", "=", False),
        ]
        if order_id:
            domain.append(("id", "=", int(order_id)))
        return self.env["sale.order"].search(domain, order="write_date desc, id desc", limit=1)

    @api.model
    def _b2b_delivery_locations(self, user):
        """Delivery addresses of the user's company (core child partners of type delivery)."""
        commercial = user.partner_id.commercial_partner_id
        # sudo: portal users cannot list their company's contacts; the domain keeps his own
        # company's delivery addresses only.
        return (
            self.env["res.partner"]
            .sudo()
            .search(
                [("type", "=", "delivery"), ("commercial_partner_id", "=", commercial.id)],
                order="name",
            )
        )

    # ------------------------------------------------------------------ pricing + checks
    @api.model
    def _b2b_price_lines(self, partner, lines, order=None):
        """Price and check all ``lines`` at once.

        ``lines``: ``[{"key", "sku", "quantity"}]`` (quantity as typed), or ``"product_id"``
        instead of ``"sku"`` (the catalog). ``order``: a draft whose lines the new ones are
        merged into (its quantities count for breaks and stock).
        Returns ``{"rows": [...], "total": untaxed total of the valid rows, "currency"}``.
        Queries do not grow with the number of lines: one product search per kind of key (SKUs,
        ids; one more when some are unknown), the batched break tables, one stock computation.
        """
        pricelist = partner._b2b_pricelist()
        found = self._b2b_find_products(
            [str(line.get("sku") or "") for line in lines if not line.get("product_id")]
        )
        found_ids = self._b2b_find_product_ids(
            [line["product_id"] for line in lines if line.get("product_id")]
        )
        products = self.env["product.product"].browse(
            {p.id for p in (*found.values(), *found_ids.values()) if not isinstance(p, str)}
        )
        if order:
            products |= order.order_line.product_id.filtered(
                lambda p: p.b2b_published and p.sale_ok
            )
        tables = pricelist._b2b_catalog_prices(products) if products else {}
        # sudo: portal users cannot read stock; free quantities of products they may buy only.
        stock = {
            p.id: (p.free_qty if p.is_storable else None)
            for p in products.sudo().with_context(active_test=False)
        }
        existing = {}
        if order:
            for line in order.order_line.filtered(lambda line: not line.display_type):
                existing[line.product_id.id] = (
                    existing.get(line.product_id.id, 0.0) + line.product_uom_qty
                )
        rows = []
        for line in lines:
            if line.get("product_id"):
                product = found_ids.get(int(line["product_id"]))
                sku = f"#{line['product_id']}"
            else:
                sku = str(line.get("sku") or "").strip()
                product = found.get(sku.upper())
            row = {"key": line.get("key"), "sku": sku, "product_id": False, "name": ""}
            if product is not None and not isinstance(product, str):
                tmpl = product.product_tmpl_id
                row.update(
                    product_id=product.id,
                    name=product.name,
                    sku=product.default_code or product.name,
                    pack=tmpl.b2b_pack_label or "",
                    min_qty=tmpl.b2b_min_qty,
                    multiple=tmpl.b2b_qty_multiple,
                )
                check = order_lines.check_row(
                    line.get("quantity"),
                    product,
                    tmpl.b2b_min_qty,
                    tmpl.b2b_qty_multiple,
                    None,  # stock is checked on the merged quantity below
                    product.name,
                )
            elif product is None and line.get("product_id"):
                check = order_lines.RowCheck(order_lines.UNKNOWN_SKU, self.env._("unknown product"))
            else:
                check = order_lines.check_row(line.get("quantity"), product)
            row.update(code=check.code, message=check.message, quantity=check.quantity)
            row.update(check.extra)
            rows.append(row)
        # merged quantities per product (the order gets one line per product)
        totals = order_lines.merge_quantities(
            ((r["product_id"], r["quantity"]) for r in rows if r["code"] == order_lines.OK),
            existing,
        )
        family = {}
        if pricelist.b2b_family_breaks:
            for product_id, qty in totals.items():
                categ = products.browse(product_id).categ_id.id
                family[categ] = family.get(categ, 0.0) + qty
        total = 0.0
        for row in rows:
            if row["code"] != order_lines.OK:
                continue
            product = products.browse(row["product_id"])
            table = tables[product.id]
            merged = totals[product.id]
            price_qty = family.get(product.categ_id.id, merged) if family else merged
            price = order_lines.price_for_quantity(table["breaks"], price_qty, table["price"])
            free = stock[product.id]
            if free is not None:
                stock_check = order_lines.check_row(
                    merged, product, 0.0, row["multiple"], free, product.name
                )
                if stock_check.code == order_lines.SHORT_STOCK:
                    # what this row may still get once the draft's quantity is served
                    already = merged - row["quantity"]
                    row.update(
                        code=stock_check.code,
                        message=stock_check.message,
                        available=max(0.0, stock_check.available - already),
                    )
            row.update(
                unit_price=price,
                list_price=table["list_price"],
                subtotal=pricelist.currency_id.round(price * row["quantity"]),
                merged_quantity=merged,
                hint=order_lines.break_hint(table["breaks"], price_qty),
            )
            total += row["subtotal"]
        return {
            "rows": rows,
            "total": pricelist.currency_id.round(total),
            "currency": pricelist.currency_id.name,
        }

    # ------------------------------------------------------------------ submit
    @api.model
    def _b2b_check_header(self, user, shipping_id=None, commitment_date=None, client_ref=None):
        vals = {}
        if shipping_id:
            location = self._b2b_delivery_locations(user).filtered(
                lambda p: p.id == int(shipping_id)
            )
            if not location:
                raise AccessError(self.env._("Unknown delivery location."))
            vals["partner_shipping_id"] = location.id
        if commitment_date:
            try:
                day = fields.Date.to_date(commitment_date)
            except ValueError:
                raise ValidationError(
                    self.env._("The requested delivery date is not a date.")
                ) from None
            if day < fields.Date.context_today(self):
                raise ValidationError(self.env._("The requested delivery date is in the past."))
            vals["commitment_date"] = fields.Datetime.to_datetime(day).replace(hour=6)
        if client_ref:
            vals["client_order_ref"] = str(client_ref).strip()[:64]
        return vals

    @api.model
    def _b2b_submit(
        self,
        user,
        lines,
        order=None,
        header=None,
        skip_errors=False,
        only_available=(),
        values=None,
    ):
        """Create the partner's draft order or add ``lines`` to ``order`` (one of his drafts).

        The one ordering path (catalog ``/b2b/order``, quick order pad, upload, order templates
        and "Order again", REST ``POST /orders``): the account is active and the role may
        order, every line passes the pack and sellability checks, the credit hold refuses with
        its reason, a buyer above his personal limit leaves the order waiting for a manager of
        his company; internal approvals follow from the amount (``sale_order_approval``). Rows
        in error refuse the whole submit (catalog, pad, templates, REST) or are left out and
        reported (upload, ``skip_errors``). ``lines``: ``[{"key", "sku" or "product_id",
        "quantity"}]``. ``only_available``: keys of short-stock rows to order at the available
        quantity instead of a backorder. ``values``: fields the caller
        sets on a *new* order (``origin``, ``b2b_idempotency_key``; never the user's input).
        Refusals raise :class:`B2bSubmitAccessError` / :class:`B2bSubmitError` (an
        ``AccessError`` / ``ValidationError`` with a ``code``) and write nothing.
        Returns ``(order, priced)``.
        """
        if not user._b2b_portal_ok():
            raise B2bSubmitAccessError(
                self.env._("Your company's B2B account is not active."), "account_inactive"
            )
        if not user._b2b_can("order"):
            raise B2bSubmitAccessError(
                self.env._("Your role does not allow placing orders."), "role_cannot_order"
            )
        partner = user.partner_id
        commercial = partner.commercial_partner_id
        if order and (
            order.state != "draft"
            or order.partner_id.commercial_partner_id != commercial
            or order != self._b2b_current_draft(user, order.id)
        ):
            raise B2bSubmitAccessError(
                self.env._("This order is not one of your company's drafts."), "not_your_draft"
            )
        header_vals = self._b2b_check_header(user, **(header or {}))
        priced = self._b2b_price_lines(partner, lines, order=order)
        errors = [r for r in priced["rows"] if r["code"] in order_lines.ERROR_CODES]
        if errors and not skip_errors:
            raise B2bSubmitError(
                self.env._("Correct these lines first: %(lines)s.")
                % {"lines": "; ".join(f"{r['sku'] or '?'}: {r['message']}" for r in errors)},
                "invalid_lines",
                errors,
            )
        quantities, short = {}, []
        for row in priced["rows"]:
            if row["code"] in order_lines.ERROR_CODES:
                continue
            qty = row["quantity"]
            if row["code"] == order_lines.SHORT_STOCK and row["key"] in only_available:
                qty = row["available"]
                # the line must still respect the minimum (with what the draft already has);
                # the pad offers no "order only N" then, but stock can move before saving
                line_qty = row["merged_quantity"] - row["quantity"] + qty
                if qty <= 0 or (row.get("min_qty") and line_qty < row["min_qty"] - 1e-9):
                    short.append(row)
                    continue
            if qty > 0:
                quantities[row["product_id"]] = quantities.get(row["product_id"], 0.0) + qty
        if short:
            raise B2bSubmitError(
                self.env._(
                    "Not enough in stock to order only what is available: %(lines)s. Order the "
                    "full quantity (the rest follows as a backorder) or remove the line."
                )
                % {
                    "lines": "; ".join(
                        self.env._(
                            "%(sku)s: %(n)s available, minimum order %(min)s",
                            sku=r["sku"],
                            n=f"{r['available']:g}",
                            min=f"{r.get('min_qty') or 0:g}",
                        )
                        for r in short
                    )
                },
                "invalid_lines",
                short,
            )
        if not quantities and not (order and header_vals):
            raise B2bSubmitError(self.env._("No valid line to order."), "no_lines")
        try:
            commercial._b2b_check_credit_hold()
        except ValidationError as exc:
            raise B2bSubmitError(error_message(exc), "credit_hold") from None
        pricelist = partner._b2b_pricelist()
        # sudo: portal users cannot write sale orders. The products were found with the
        # user's rights, the order is one of his company's drafts (checked above), prices come
        # from the partner's pricelist and the order constraints re-check the partner.
        with self.env.cr.savepoint():
            if order:
                order_sudo = order.sudo()
                by_product = {}
                for line in order_sudo.order_line.filtered(lambda ln: not ln.display_type):
                    by_product.setdefault(line.product_id.id, line)
                commands = []
                for product_id, qty in quantities.items():
                    line = by_product.get(product_id)
                    if line:
                        commands.append(
                            (1, line.id, {"product_uom_qty": line.product_uom_qty + qty})
                        )
                    else:
                        commands.append((0, 0, {"product_id": product_id, "product_uom_qty": qty}))
                order_sudo.write(dict(header_vals, order_line=commands))
            else:
                order_sudo = (
                    self.env["sale.order"]
                    .sudo()
                    .create(
                        dict(
                            values or {},
                            **header_vals,
                            partner_id=partner.id,
                            pricelist_id=pricelist.id,
                            order_line=[
                                (0, 0, {"product_id": pid, "product_uom_qty": qty})
                                for pid, qty in quantities.items()
                            ],
                        )
                    )
                )
            try:
                user._b2b_check_can_order(order_sudo.amount_untaxed)
            except AccessError as exc:
                # A buyer above his personal limit: the order waits for a manager of his
                # company (approved on the portal) instead of being refused.
                if user.b2b_role != "buyer":
                    raise B2bSubmitAccessError(error_message(exc), "not_allowed") from None
                if order_sudo.b2b_partner_approval == "none":
                    order_sudo.write({"b2b_partner_approval": "pending"})
                    order_sudo.message_post(
                        body=self.env._(
                            "%(user)s's order is above his personal limit: it waits for a "
                            "manager of %(partner)s.",
                            user=user.name,
                            partner=commercial.name,
                        )
                    )
        return self.env["sale.order"].browse(order_sudo.id), priced

    @api.model
    def _b2b_set_available(self, user, order, product_id, quantity):
        """Lower a short-stock line to ``quantity`` (what is available), instead of a backorder."""
        if not user._b2b_can("order") or order != self._b2b_current_draft(user, order.id):
            raise AccessError(self.env._("This order is not one of your company's drafts."))
        line = order.order_line.filtered(lambda ln: ln.product_id.id == product_id)[:1]
        if not line:
            raise ValidationError(self.env._("This product is not on the order."))
        tmpl = line.product_id.product_tmpl_id
        check = order_lines.check_row(
            quantity, line.product_id, tmpl.b2b_min_qty, tmpl.b2b_qty_multiple, name=tmpl.name
        )
        if check.is_error:
            raise ValidationError(check.message)
        if quantity >= line.product_uom_qty:
            raise ValidationError(self.env._("Only a lower quantity can be chosen here."))
        # sudo: portal users cannot write order lines; the draft is his company's (checked).
        line.sudo().product_uom_qty = quantity
        return line
