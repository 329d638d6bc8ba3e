#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""B2B catalog page for a Gold partner with 200 products: batched vs naive per-product pricing.

Both variants run as the partner's portal user (record rules on), cold cache, and render the
same QWeb catalog table (prices, quantity-break table, pack rules, stock):

* ``batched`` - what ``/b2b/catalog`` does: ``product.pricelist._b2b_catalog_prices`` (one
  rules query per pricelist and one engine call per distinct break quantity) + batched stock;
* ``naive`` - the per-product way: rules fetched and prices computed product by product, for
  1 unit and for each break quantity, stock read product by product.

Data is created in a transaction that is rolled back.

    B2B_BENCH_DB=<db> B2B_BENCH_CONFIG=<odoo.conf> python3 bench/bench_b2b_catalog.py
"""

import json
import os
import time

import benchlib

N_PRODUCTS = 200


def odoo_env():
    return benchlib.odoo_env("B2B", "smart_dairy_b2b", {"tracking_disable": True})


def setup(env):
    env, company = benchlib.b2b_company(env, "Bench B2B BD")
    categ = env["product.category"].create({"name": "Bench dairy"})
    products = env["product.product"].create(
        [
            {
                "name": f"Bench SKU {i:03d}",
                "default_code": f"BENCH-{i:03d}",
                "list_price": 20 + (i * 7) % 1500,
                "categ_id": categ.id,
                "b2b_published": True,
                "sale_ok": True,
                "b2b_pack_label": "Crate of 12",
                "b2b_qty_multiple": 12,
                "b2b_min_qty": 12,
            }
            for i in range(N_PRODUCTS)
        ]
    )
    gold = env.ref("smart_dairy_b2b.tier_gold")
    # a few date-boxed promotions, as in real life
    env["product.pricelist.item"].create(
        [
            {
                "pricelist_id": gold.pricelist_id.id,
                "applied_on": "0_product_variant",
                "product_id": p.id,
                "compute_price": "formula",
                "price_discount": 10,
            }
            for p in products[:10]
        ]
    )
    user = benchlib.b2b_gold_buyer(env, company, "Bench", "bench_b2b_buyer")
    env.flush_all()
    return env, user, categ


def naive_rows(env, partner, categ):
    """Per-product price computation (the baseline)."""
    products = env["product.product"].search(
        [("b2b_published", "=", True), ("categ_id", "=", categ.id)], order="categ_id, name"
    )
    pricelist = partner._b2b_pricelist()
    date = env.cr.now()
    rows = []
    for product in products:
        rules = pricelist._get_applicable_rules(product, date)
        thresholds = sorted({1.0} | {max(1.0, r.min_quantity) for r in rules})
        table = []
        for qty in thresholds:
            price = pricelist._get_product_price(product, qty, date=date)
            if not table or table[-1][1] != round(price, 2):
                table.append((qty, round(price, 2), 0.0))
        rows.append(
            {
                "product": product,
                "price": table[0][1],
                "list_price": product.list_price,
                "breaks": table if len(table) > 1 else [],
                "pack": product.b2b_pack_label,
                "min_qty": product.b2b_min_qty,
                "multiple": product.b2b_qty_multiple,
                "stock": product.sudo().with_prefetch().qty_available,
            }
        )
    return rows


def measure(env, user, categ, variant):
    from odoo.addons.smart_dairy_b2b.controllers.portal import B2bPortal

    uenv = env(user=user)
    partner = uenv.user.partner_id
    env.invalidate_all()
    env.registry.clear_cache()
    cr = env.cr
    q0, t0 = cr.sql_log_count, time.perf_counter()
    if variant == "batched":
        rows, pricelist = B2bPortal._b2b_catalog(uenv, partner, category_id=categ.id, limit=None)
    else:
        rows = naive_rows(uenv, partner, categ)
        pricelist = partner._b2b_pricelist()
    html = uenv["ir.qweb"]._render(
        "smart_dairy_b2b.b2b_catalog_table",
        {"rows": rows, "currency": pricelist.currency_id, "can_order": True},
    )
    elapsed = time.perf_counter() - t0
    assert len(rows) == N_PRODUCTS, len(rows)
    assert str(html).count("o_b2b_product_row") == N_PRODUCTS
    return elapsed * 1000, cr.sql_log_count - q0, rows


def main():
    env, cr = odoo_env()
    repeat = int(os.environ.get("B2B_BENCH_REPEAT", "5"))
    try:
        env, user, categ = setup(env)
        fields, _table = benchlib.batched_vs_naive(
            lambda variant: measure(env, user, categ, variant),
            repeat,
            output=lambda rows: [(r["price"], len(r["breaks"])) for r in rows],
        )
        print(
            json.dumps(
                {"bench": "b2b_catalog_page", "products": N_PRODUCTS, "tier": "Gold", **fields}
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
