# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Schema ``iot`` belongs to the ingestor; Odoo only reads it (and the REST API writes through
the ingestor's own storage code). At install, Odoo runs the ingestor's idempotent migration on a
separate connection so both sides agree on the DDL; the SQL-view models are created over it.
"""

import logging

import psycopg2

from odoo import sql_db

_logger = logging.getLogger(__name__)


def iot_schema_ready(cr):
    """True when the ingestor's tables exist (``iot.meta`` and ``iot.reading``)."""
    cr.execute(
        "SELECT to_regclass('iot.meta') IS NOT NULL AND to_regclass('iot.reading') IS NOT NULL"
    )
    return bool(cr.fetchone()[0])


def ensure_iot_schema(cr):
    """Create/upgrade schema ``iot`` with :func:`iot_ingestor.schema.migrate`.

    Runs on its own connection (the migration commits and takes an advisory lock, like the
    daemon does at start), so it is harmless to call while the daemon runs. Returns the
    storage mode ('native' / 'timescale'), or None when the ingestor package is missing.
    """
    try:
        from iot_ingestor.schema import migrate
    except ImportError:  # pragma: no cover - declared as external dependency
        _logger.warning("iot_ingestor is not importable: schema iot not migrated")
        return None
    _db, info = sql_db.connection_info_for(cr.dbname)
    conn = psycopg2.connect(**info)
    try:
        return migrate(conn)
    finally:
        conn.close()


def raw_cursor(cr):
    """The psycopg2 cursor under an Odoo (test) cursor, for the ingestor's storage code.

    Same connection and transaction as ``cr``: what the REST API stores is committed (or
    rolled back) with the request.
    """
    return cr._obj
