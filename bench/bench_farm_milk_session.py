#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Saving a 255-cow milking session: one batch ``create`` vs one ``create`` per row.

Runs inside Odoo against an existing database with ``smart_dairy_farm`` installed,
in a transaction that is rolled back (the database is left unchanged).

    FARM_BENCH_DB=<db> FARM_BENCH_CONFIG=<odoo.conf> python3 bench/bench_farm_milk_session.py

Prints one JSON object: batch and row-by-row times (median of ``FARM_BENCH_REPEAT``
runs, default 3), their ratio and the SQL query counts.
"""

import json
import os
import statistics
import time
from datetime import timedelta

import benchlib

N_COWS = 255


def odoo_env():
    return benchlib.odoo_env("FARM", "smart_dairy_farm", {"tracking_disable": True})


def make_herd(env, today):
    barn = env["dairy.barn"].create({"name": "Bench barn", "code": "BENCH-S"})
    cows = env["dairy.animal"].create(
        [
            {
                "visual_tag": f"BENCH-S-{i:04d}",
                "birth_date": today - timedelta(days=1500),
                "barn_id": barn.id,
                "sex": "female",
            }
            for i in range(N_COWS)
        ]
    )
    env["dairy.breeding.event"].create(
        [
            {"animal_id": c.id, "event_type": "calving", "date": today - timedelta(days=60)}
            for c in cows
        ]
    )
    env.flush_all()
    return cows


def session_vals(cows, day):
    return [
        {
            "animal_id": c.id,
            "date": day,
            "session": "am",
            "yield_l": 5 + (i % 9),
            "fat_pct": 4.2,
            "snf_pct": 8.5,
            "source": "manual",
        }
        for i, c in enumerate(cows)
    ]


def timed(env, cr, fn):
    env.flush_all()
    q0 = cr.sql_log_count
    t0 = time.perf_counter()
    fn()
    env.flush_all()
    return (time.perf_counter() - t0) * 1000, cr.sql_log_count - q0


def main():
    env, cr = odoo_env()
    from odoo import fields

    repeat = int(os.environ.get("FARM_BENCH_REPEAT", "3"))
    try:
        Milk = env["dairy.milk.record"]
        today = fields.Date.context_today(env["dairy.animal"])
        cows = make_herd(env, today)
        batch, single, batch_q, single_q = [], [], 0, 0
        day = today - timedelta(days=1)
        for _ in range(repeat):
            vals = session_vals(cows, day)
            ms, batch_q = timed(env, cr, lambda vals=vals: Milk.create(vals))
            batch.append(ms)
            day -= timedelta(days=1)
            vals = session_vals(cows, day)

            def one_by_one(vals=vals):
                for v in vals:
                    Milk.create(v)

            ms, single_q = timed(env, cr, one_by_one)
            single.append(ms)
            day -= timedelta(days=1)
        batch_ms, single_ms = statistics.median(batch), statistics.median(single)
        print(
            json.dumps(
                {
                    "bench": "farm_milk_session_save",
                    "rows": N_COWS,
                    "repeat": repeat,
                    "batch_create_ms": round(batch_ms, 1),
                    "baseline_row_by_row_ms": round(single_ms, 1),
                    "ratio_row_by_row_over_batch": round(single_ms / batch_ms, 2),
                    "batch_queries": batch_q,
                    "row_by_row_queries": single_q,
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
