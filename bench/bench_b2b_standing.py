#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Generation of 1,000 standing orders (one due occurrence each) vs a plain batch create.

Figure: ``smart.dairy.b2b.standing.order._generate`` - due-date computation, one savepoint per
occurrence, idempotency (unique index), credit and approval checks of the created orders.
Baseline, same run: the same 1,000 draft orders created with one ``sale.order.create`` of a
list (no recurrence, no idempotency, no per-occurrence isolation). Then a second ``_generate``
run shows the cost of an idempotent no-op pass. Everything is rolled back.

    B2B_BENCH_DB=<db> B2B_BENCH_CONFIG=<odoo.conf> python3 bench/bench_b2b_standing.py
"""

import json
import os
import time

import benchlib


def odoo_env():
    return benchlib.odoo_env("B2B", "smart_dairy_b2b", {})


def main():
    env, cr = odoo_env()
    from odoo import fields

    n = int(os.environ.get("B2B_BENCH_N", "1000"))
    env = env(context={"tracking_disable": True, "mail_create_nolog": True})
    tier = env.ref("smart_dairy_b2b.tier_silver")
    products = env["product.product"].search([("b2b_published", "=", True)], limit=3)
    if not products:
        raise SystemExit("No published B2B product: install with demo data or run the seed.")
    today = fields.Date.context_today(env["res.partner"])
    try:
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Bench Standing {i:05d}",
                    "is_company": True,
                    "b2b_status": "approved",
                    "b2b_tier_id": tier.id,
                }
                for i in range(n)
            ]
        )
        lines = [(0, 0, {"product_id": p.id, "quantity": 12}) for p in products]
        standing = env["smart.dairy.b2b.standing.order"].create(
            [
                {
                    "name": f"Bench SO {i:05d}",
                    "partner_id": partner.id,
                    "rule": "daily",
                    "date_start": today,
                    "line_ids": lines,
                }
                for i, partner in enumerate(partners)
            ]
        )
        env.flush_all()

        cr.execute("SAVEPOINT bench_baseline")
        t0 = time.perf_counter()
        env["sale.order"].create([so._prepare_order(today) for so in standing])
        env.flush_all()
        baseline = time.perf_counter() - t0
        cr.execute("ROLLBACK TO SAVEPOINT bench_baseline")
        env.invalidate_all()

        t0 = time.perf_counter()
        created = standing._generate(today=today)
        env.flush_all()
        figure = time.perf_counter() - t0

        env.invalidate_all()
        t0 = time.perf_counter()
        again = standing._generate(today=today)
        noop = time.perf_counter() - t0
        print(
            json.dumps(
                {
                    "bench": "b2b_standing_order_generation",
                    "standing_orders": n,
                    "orders_created": len(created),
                    "second_run_created": len(again),
                    "generate_s": round(figure, 3),
                    "baseline_batch_create_s": round(baseline, 3),
                    "ratio": round(figure / baseline, 2) if baseline else None,
                    "idempotent_rerun_s": round(noop, 3),
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
