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
