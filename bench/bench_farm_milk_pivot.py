#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Milk pivot over 2 years × 255 cows × 2 milkings, by month and barn.

Times the grouped reads the pivot view issues (month × barn cells, month totals, barn
totals, grand total) through the ORM, against the same four aggregates written as raw
SQL ``GROUP BY`` queries (baseline). When the database holds fewer than 200,000 milk records
the demo herd is seeded first (``seed_demo_herd(255, 730, 42)``, timed as ``seed_s``)
inside the transaction, which is rolled back at the end: the database is unchanged.

    FARM_BENCH_DB=<db> FARM_BENCH_CONFIG=<odoo.conf> python3 bench/bench_farm_milk_pivot.py
"""

import json
import os
import statistics
import time

import benchlib


def odoo_env():
    return benchlib.odoo_env("FARM", "smart_dairy_farm", {"tracking_disable": True})


def main():
    env, cr = odoo_env()
    repeat = int(os.environ.get("FARM_BENCH_REPEAT", "5"))
    try:
        Milk = env["dairy.milk.record"]
        seed_s = None
        if Milk.search_count([]) < 200000:
            t0 = time.perf_counter()
            env["dairy.animal"].seed_demo_herd(n_cows=255, days=730, seed=42)
            seed_s = round(time.perf_counter() - t0, 1)
        cr.execute("ANALYZE dairy_milk_record")
        records = Milk.search_count([])
        measures = ["yield_l:sum", "sellable_yield_l:sum"]

        def pivot():
            env.invalidate_all()
            t0 = time.perf_counter()
            cells = Milk.read_group([], measures, ["date:month", "barn_id"], lazy=False)
            Milk.read_group([], measures, ["date:month"], lazy=False)
            Milk.read_group([], measures, ["barn_id"], lazy=False)
            Milk.read_group([], measures, [], lazy=False)
            return (time.perf_counter() - t0) * 1000, len(cells)

        sums = "sum(yield_l), sum(sellable_yield_l) FROM dairy_milk_record"
        raw_queries = [
            f"SELECT date_trunc('month', date), barn_id, {sums} GROUP BY 1, 2",
            f"SELECT date_trunc('month', date), {sums} GROUP BY 1",
            f"SELECT barn_id, {sums} GROUP BY 1",
            f"SELECT {sums}",
        ]

        def raw_sql():
            t0 = time.perf_counter()
            counts = []
            for query in raw_queries:
                cr.execute(query)
                counts.append(len(cr.fetchall()))
            return (time.perf_counter() - t0) * 1000, counts[0]

        pivot()
        raw_sql()
        orm_runs = [pivot() for _ in range(repeat)]
        sql_runs = [raw_sql() for _ in range(repeat)]
        orm_ms = statistics.median(ms for ms, _n in orm_runs)
        sql_ms = statistics.median(ms for ms, _n in sql_runs)
        print(
            json.dumps(
                {
                    "bench": "farm_milk_pivot_month_barn",
                    "milk_records": records,
                    "seed_s": seed_s,
                    "pivot_cells": orm_runs[-1][1],
                    "pivot_ms": round(orm_ms, 1),
                    "baseline_raw_sql_ms": round(sql_ms, 1),
                    "ratio": round(orm_ms / sql_ms, 2),
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
