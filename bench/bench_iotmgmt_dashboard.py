#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Live farm dashboard refresh (``iot.dashboard.get_data``) with a day of farm data.

Loads, inside a transaction that is rolled back at the end (the database is unchanged), 24 h
of climate readings for ENV-B1..B4 (temperature, humidity, ammonia every 10 s: 103,680
readings) plus one collar reading per cow for the herd's collars, through the ingestor's own
``write_batch`` (so the hourly rollups are maintained as in production). Then times one
dashboard refresh (median of N) against the baseline of computing the same 24 h charts from
the raw readings (``GROUP BY date_trunc('hour', ts)``) instead of the incremental rollups, and
the "latest reading per sensor" probe against a ``DISTINCT ON`` over the day (first version).
The dashboard polls every 2 s by default, so its refresh must stay far below that.

    IOTM_BENCH_DB=<db with smart_iot_mgmt> IOTM_BENCH_CONFIG=<odoo.conf> \
        python3 bench/bench_iotmgmt_dashboard.py
"""

import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

import benchlib


def odoo_env():
    return benchlib.odoo_env("IOTM", "smart_iot_mgmt", {"tracking_disable": True})


def load_day(env, cr):
    from iot_ingestor.payloads import Reading
    from iot_ingestor.storage import write_batch

    env["iot.device"].seed_demo_devices()
    env.flush_all()
    now = datetime.now(UTC).replace(microsecond=0)
    units = {"temperature_c": "degC", "humidity_pct": "%", "ammonia_ppm": "ppm"}
    items = []
    for k in range(1, 5):
        code, barn = f"ENV-B{k}", f"B{k}"
        for step in range(8640):
            ts = now - timedelta(seconds=10 * step)
            hour = ts.hour + ts.minute / 60
            temp = 27 + 5 * abs(12 - hour) / 12 + k * 0.2
            for metric, value in (
                ("temperature_c", temp),
                ("humidity_pct", 70 + k),
                ("ammonia_ppm", 8 + k + step % 7),
            ):
                items.append(
                    Reading(code, metric, ts, round(value, 2), ts, "sd1", units[metric], barn)
                )
    collars = env["iot.device"].search([("device_type", "=", "activity_collar")])
    for i, collar in enumerate(collars):
        ts = now - timedelta(seconds=30 + i)
        items.append(
            Reading(
                collar.code,
                "activity",
                ts,
                300.0,
                ts,
                "sd1",
                "index",
                None,
                collar.animal_id.eid,
                collar.animal_id.eid,
            )
        )
    t0 = time.perf_counter()
    for start in range(0, len(items), 20000):
        write_batch(cr._obj, items[start : start + 20000], evaluate_rules=False)
    cr.execute("ANALYZE iot.reading; ANALYZE iot.reading_hourly")
    return len(items), time.perf_counter() - t0, len(collars)


def main():
    env, cr = odoo_env()
    repeat = int(os.environ.get("IOTM_BENCH_REPEAT", "15"))
    try:
        rows, load_s, collars = load_day(env, cr)
        Dash = env["iot.dashboard"]
        codes = [f"ENV-B{k}" for k in range(1, 5)]

        def dashboard():
            env.invalidate_all()
            t0 = time.perf_counter()
            data = Dash.get_data()
            return (time.perf_counter() - t0) * 1000, data

        def raw_charts():
            t0 = time.perf_counter()
            cr.execute(
                "SELECT device_code, metric, date_trunc('hour', ts), avg(value) FROM iot.reading "
                "WHERE device_code = ANY(%s) AND ts >= date_trunc('hour', now()) - "
                "interval '23 hours' GROUP BY 1, 2, 3",
                (codes,),
            )
            return (time.perf_counter() - t0) * 1000, len(cr.fetchall())

        def latest_distinct_on():
            # the first version of the "latest reading" query: sorts the whole day
            t0 = time.perf_counter()
            cr.execute(
                "SELECT DISTINCT ON (device_code, metric) device_code, metric, value, ts "
                "FROM iot.reading WHERE device_code = ANY(%s) AND metric = ANY(%s) "
                "AND ts > now() - interval '24 hours' ORDER BY device_code, metric, ts DESC",
                (codes, ["temperature_c", "humidity_pct", "ammonia_ppm"]),
            )
            cr.fetchall()
            return (time.perf_counter() - t0) * 1000

        def latest_lateral():
            t0 = time.perf_counter()
            Dash._latest(codes)
            return (time.perf_counter() - t0) * 1000

        def rollup_charts():
            t0 = time.perf_counter()
            Dash._series(codes, datetime.now(UTC).replace(tzinfo=None))
            return (time.perf_counter() - t0) * 1000

        dashboard()
        raw_charts()
        dash_ms = statistics.median(dashboard()[0] for _ in range(repeat))
        raw_ms = statistics.median(raw_charts()[0] for _ in range(repeat))
        rollup_ms = statistics.median(rollup_charts() for _ in range(repeat))
        distinct_ms = statistics.median(latest_distinct_on() for _ in range(5))
        lateral_ms = statistics.median(latest_lateral() for _ in range(repeat))
        data = dashboard()[1]
        barn = [b for b in data["barns"] if b["code"] == "B1"]
        print(
            json.dumps(
                {
                    "bench": "iotmgmt_dashboard",
                    "readings_loaded": rows,
                    "load_s": round(load_s, 2),
                    "collars": collars,
                    "dashboard_refresh_ms_p50": round(dash_ms, 2),
                    "chart_from_rollups_ms_p50": round(rollup_ms, 2),
                    "baseline_chart_from_raw_readings_ms_p50": round(raw_ms, 2),
                    "ratio_chart_raw_vs_rollup": round(raw_ms / rollup_ms, 1)
                    if rollup_ms
                    else None,
                    "latest_readings_ms_p50": round(lateral_ms, 2),
                    "baseline_latest_distinct_on_ms_p50": round(distinct_ms, 2),
                    "ratio_latest_distinct_on_vs_lateral": round(distinct_ms / lateral_ms, 1)
                    if lateral_ms
                    else None,
                    "refresh_budget_ms": 2000,
                    "ratio_budget_vs_refresh": round(2000 / dash_ms, 1) if dash_ms else None,
                    "b1_chart_points": len(barn[0]["chart"]["temperature_c"]) if barn else 0,
                    "repeat": repeat,
                }
            )
        )
    finally:
        cr.rollback()
        cr.close()


if __name__ == "__main__":
    main()
