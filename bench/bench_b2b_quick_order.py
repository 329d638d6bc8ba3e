#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Quick order pad: pricing + validating a 500-line order, batched vs naive per line.

Both variants run as a Gold partner's portal buyer (record rules on), cold cache, on the same
500 lines (490 valid SKUs with quantities from 12 to 240 in crates of 12, half of the products
stocked, and 10 unknown SKUs) and must give the same code and unit price on every line:

* ``batched`` - what ``/b2b/quick-order/price`` does: ``smart.dairy.b2b.quick.order.
  _b2b_price_lines`` (one product search, the batched break tables of
  ``product.pricelist._b2b_catalog_prices``, one stock computation);
* ``naive`` - line by line: search the SKU, check its pack rules, price it with
  ``pricelist._get_product_price`` for its quantity, fetch its rules for the next break,
  read its stock.

Data is created in a transaction that is rolled back.

    B2B_BENCH_DB=<db> B2B_BENCH_CONFIG=<odoo.conf> python3 bench/bench_b2b_quick_order.py
"""

import json
import os
import time

import benchlib

N_LINES = 500
N_UNKNOWN = 10


def odoo_env():
    return benchlib.odoo_env("B2B", "smart_dairy_b2b", {"tracking_disable": True})


def setup(env):
    env, company = benchlib.b2b_company(env, "Bench Quick Order BD")
    categ = env["product.category"].create({"name": "Bench quick order"})
    n_products = N_LINES - N_UNKNOWN
    products = env["product.product"].create(
        [
            {
                "name": f"Bench QO SKU {i:03d}",
                "default_code": f"BQO-{i:03d}",
                "list_price": 20 + (i * 7) % 1500,
                "categ_id": categ.id,
                "b2b_published": True,
                "sale_ok": True,
                "is_storable": i % 2 == 0,
                "b2b_pack_label": "Crate of 12",
                "b2b_qty_multiple": 12,
                "b2b_min_qty": 12,
                "taxes_id": [],
            }
            for i in range(n_products)
        ]
    )
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    if not warehouse:
        warehouse = (
            env["stock.warehouse"]
            .with_company(company)
            .create({"name": "Bench QO", "code": "BQO", "company_id": company.id})
        )
    for i, product in enumerate(products.filtered("is_storable")):
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 60 + (i % 5) * 48
        )
    user = benchlib.b2b_gold_buyer(env, company, "Bench QO", "bench_b2b_qo_buyer")
    lines = [
        {"key": str(i), "sku": p.default_code, "quantity": str(12 * (1 + i % 20))}
        for i, p in enumerate(products)
    ]
    lines += [{"key": f"u{i}", "sku": f"NO-SUCH-{i}", "quantity": "12"} for i in range(N_UNKNOWN)]
    env.flush_all()
    return env, user, lines


def naive(env, user, lines):
    """Line by line (the baseline): same rules, one product at a time."""
    from odoo.addons.smart_dairy_b2b.lib import order_lines

    partner = user.partner_id
    pricelist = partner._b2b_pricelist()
    date = env.cr.now()
    Product = env["product.product"]
    rows = []
    total = 0.0
    for line in lines:
        product = Product.search(
            [
                ("default_code", "=", line["sku"]),
                ("b2b_published", "=", True),
                ("sale_ok", "=", True),
            ],
            limit=1,
        )
        if not product:
            rows.append({"key": line["key"], "code": order_lines.UNKNOWN_SKU})
            continue
        tmpl = product.product_tmpl_id
        free = product.sudo().free_qty if product.is_storable else None
        check = order_lines.check_row(
            line["quantity"], product, tmpl.b2b_min_qty, tmpl.b2b_qty_multiple, free, product.name
        )
        if check.is_error:
            rows.append({"key": line["key"], "code": check.code})
            continue
        price = pricelist.currency_id.round(
            pricelist._get_product_price(product, check.quantity, date=date)
        )
        rules = pricelist._get_applicable_rules(product, date)
        hint = None
        for qty in sorted({max(1.0, r.min_quantity) for r in rules}):
            if qty > check.quantity:
                hint = qty
                break
        subtotal = pricelist.currency_id.round(price * check.quantity)
        total += subtotal
        rows.append(
            {
                "key": line["key"],
                "code": check.code,
                "unit_price": price,
                "subtotal": subtotal,
                "hint": hint,
            }
        )
    return {"rows": rows, "total": pricelist.currency_id.round(total)}


def measure(env, user, lines, variant):
    uenv = env(user=user)
    env.invalidate_all()
    env.registry.clear_cache()
    cr = env.cr
    q0, t0 = cr.sql_log_count, time.perf_counter()
    if variant == "batched":
        res = uenv["smart.dairy.b2b.quick.order"]._b2b_price_lines(uenv.user.partner_id, lines)
    else:
        res = naive(uenv, uenv.user, lines)
    elapsed = time.perf_counter() - t0
    assert len(res["rows"]) == N_LINES, len(res["rows"])
    return elapsed * 1000, cr.sql_log_count - q0, res


def summary(res):
    rows = []
    for row in res["rows"]:
        hint = row.get("hint")
        if isinstance(hint, dict):
            hint = hint["from_qty"]
        rows.append((row["key"], row["code"], row.get("unit_price"), hint))
    return rows, res["total"]


def main():
    env, cr = odoo_env()
    repeat = int(os.environ.get("B2B_BENCH_REPEAT", "3"))
    try:
        env, user, lines = setup(env)
        fields, (rows, total) = benchlib.batched_vs_naive(
            lambda variant: measure(env, user, lines, variant), repeat, output=summary
        )
        codes = [row[1] for row in rows]
        print(
            json.dumps(
                {
                    "bench": "b2b_quick_order_500_lines",
                    "lines": N_LINES,
                    "short_stock_lines": codes.count("short_stock"),
                    "unknown_lines": codes.count("unknown_sku"),
                    "order_total": total,
                    **fields,
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
