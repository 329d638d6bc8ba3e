"""Shared set-up of the Odoo benchmarks (not a test; imported by bench/bench_*.py).

Each bench runs against an existing database and rolls back what it creates.
"""

import os


def odoo_env(area, module, context=None):
    """Return ``(env, cr)`` as superuser on the bench database.

    The database comes from ``<AREA>_BENCH_DB`` or ``SMART_DAIRY_BENCH_DB`` (set by
    `make bench`), the Odoo config from ``<AREA>_BENCH_CONFIG`` or ``SMART_DAIRY_ODOO_CONF``.
    """
    import odoo
    from odoo.tools import config

    db = os.environ.get(f"{area}_BENCH_DB") or os.environ.get("SMART_DAIRY_BENCH_DB")
    if not db:
        raise SystemExit(f"Set {area}_BENCH_DB to a database with {module} installed.")
    args = ["-d", db]
    conf = os.environ.get(f"{area}_BENCH_CONFIG") or os.environ.get("SMART_DAIRY_ODOO_CONF")
    if conf:
        args = ["-c", conf, *args]
    config.parse_config(args)
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(context or {})), cr


def b2b_company(env, name):
    """A BDT company for a B2B bench; returns ``(env, company)`` with the env switched to it."""
    bdt = env.ref("base.BDT")
    company = env["res.company"].create({"name": name, "currency_id": bdt.id})
    return env(context=dict(env.context, allowed_company_ids=[company.id])), company


def b2b_gold_buyer(env, company, label, login):
    """An approved Gold partner with one portal buyer; returns the buyer (``res.users``)."""
    from odoo import Command

    gold = env.ref("smart_dairy_b2b.tier_gold")
    partner = env["res.partner"].create(
        {
            "name": f"{label} Gold Partner",
            "is_company": True,
            "b2b_status": "approved",
            "b2b_tier_id": gold.id,
        }
    )
    contact = env["res.partner"].create({"name": f"{label} buyer", "parent_id": partner.id})
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": f"{label} buyer",
                "login": login,
                "partner_id": contact.id,
                "groups_id": [Command.set([env.ref("base.group_portal").id])],
                "b2b_role": "buyer",
                "company_id": company.id,
                "company_ids": [Command.set([company.id])],
            }
        )
    )


def batched_vs_naive(measure, repeat, output=None):
    """Measure the "batched" code path against the "naive" baseline in the same run.

    ``measure(variant)`` returns ``(ms, queries, result)``; each variant is warmed up once,
    then run ``repeat`` times (median time, query count of the last run). ``output(result)``
    is what both variants must agree on (asserted). Returns ``(fields, batched_output)`` where
    ``fields`` are the JSON figures: times, queries, ``speedup``, ``query_ratio``, ``repeat``.
    """
    import statistics

    output = output or (lambda result: result)
    figures, outputs = {}, {}
    for variant in ("batched", "naive"):
        measure(variant)  # warm-up (QWeb compilation, caches)
        runs = [measure(variant) for _ in range(repeat)]
        figures[variant] = (round(statistics.median(r[0] for r in runs), 1), runs[-1][1])
        outputs[variant] = output(runs[-1][2])
    assert outputs["batched"] == outputs["naive"], "both variants must give the same result"
    (b_ms, b_q), (n_ms, n_q) = figures["batched"], figures["naive"]
    fields = {
        "batched_ms": b_ms,
        "batched_queries": b_q,
        "baseline_naive_ms": n_ms,
        "baseline_naive_queries": n_q,
        "speedup": round(n_ms / b_ms, 2),
        "query_ratio": round(n_q / max(1, b_q), 1),
        "repeat": repeat,
    }
    return fields, outputs["batched"]
