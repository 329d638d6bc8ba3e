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
