#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Herd list with its computed columns: 300 animals vs 30 (baseline).

Loads the herd list exactly as the web client does (``web_search_read`` with the
fields of the list view, cold cache) for 30 and for 300 animals created in a
rolled-back transaction. The query count must not grow with the number of animals.

    FARM_BENCH_DB=<db> FARM_BENCH_CONFIG=<odoo.conf> python3 bench/bench_farm_herd_list.py
"""

import json
import os
import statistics
import time
from datetime import timedelta

import benchlib
from lxml import etree

N_BIG, N_SMALL = 300, 30


def odoo_env():
    return benchlib.odoo_env("FARM", "smart_dairy_farm", {"tracking_disable": True})


def main():
    env, cr = odoo_env()
    from odoo import fields

    repeat = int(os.environ.get("FARM_BENCH_REPEAT", "5"))
    try:
        Animal = env["dairy.animal"]
        today = fields.Date.context_today(Animal)
        barn = env["dairy.barn"].create({"name": "Bench barn", "code": "BENCH-L"})
        herd = Animal.create(
            [
                {
                    "visual_tag": f"BENCH-L-{i:04d}",
                    "birth_date": today - timedelta(days=1200 + i),
                    "barn_id": barn.id,
                    "sex": "female",
                    "hf_pct": 75.0,
                }
                for i in range(N_BIG)
            ]
        )
        env["dairy.breeding.event"].create(
            [
                {"animal_id": c.id, "event_type": "calving", "date": today - timedelta(days=10 + i)}
                for i, c in enumerate(herd)
            ]
        )
        env["dairy.milk.record"].create(
            [
                {"animal_id": c.id, "date": today - timedelta(days=d), "session": s, "yield_l": 7}
                for c in herd
                for d in range(1, 4)
                for s in ("am", "pm")
            ]
        )
        env.flush_all()
        view = env.ref("smart_dairy_farm.dairy_animal_view_list")
        names = [n.get("name") for n in etree.fromstring(view.arch_db.encode()).iter("field")]
        spec = {
            n: {"fields": {"display_name": {}}} if Animal._fields[n].type == "many2one" else {}
            for n in names
        }

        def load(n):
            env.invalidate_all()
            q0 = cr.sql_log_count
            t0 = time.perf_counter()
            res = Animal.web_search_read([("id", "in", herd[:n].ids)], spec, limit=n)
            ms = (time.perf_counter() - t0) * 1000
            assert res["length"] == n
            return ms, cr.sql_log_count - q0

        load(N_SMALL)  # warm ir.rule / translation caches
        small = [load(N_SMALL) for _ in range(repeat)]
        big = [load(N_BIG) for _ in range(repeat)]
        small_ms = statistics.median(ms for ms, _q in small)
        big_ms = statistics.median(ms for ms, _q in big)
        print(
            json.dumps(
                {
                    "bench": "farm_herd_list",
                    "columns": len(spec),
                    "animals": N_BIG,
                    "list_ms": round(big_ms, 1),
                    "baseline_animals": N_SMALL,
                    "baseline_list_ms": round(small_ms, 1),
                    "ratio": round(big_ms / small_ms, 2),
                    "queries": big[-1][1],
                    "baseline_queries": small[-1][1],
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
