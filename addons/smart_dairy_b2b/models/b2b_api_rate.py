# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math

from odoo import api, fields, models


class B2bApiRate(models.Model):
    """REST API request counter per (client key, fixed time window), kept in PostgreSQL.

    One atomic ``INSERT ... ON CONFLICT DO UPDATE`` per request: every worker (and every host)
    counts in the same row, so a multi-worker deployment enforces one limit. Windows use the
    database clock (``now()``), not the workers' clocks.
    """

    _name = "smart.dairy.b2b.api.rate"
    _description = "B2B REST API rate-limit counter"
    _log_access = False

    key = fields.Char(required=True)
    window_start = fields.Datetime(required=True, index=True)
    hits = fields.Integer(required=True, default=0)

    _sql_constraints = [
        ("key_window_uniq", "unique(key, window_start)", "One counter per key and window."),
    ]

    _HIT_SQL = """
        WITH clock AS (
            SELECT extract(epoch FROM now()) AS t
        )
        INSERT INTO smart_dairy_b2b_api_rate AS r (key, window_start, hits)
        SELECT %(key)s,
               to_timestamp(floor(clock.t / %(window)s) * %(window)s) AT TIME ZONE 'UTC',
               1
          FROM clock
        ON CONFLICT (key, window_start) DO UPDATE SET hits = r.hits + 1
        RETURNING r.hits,
                  extract(epoch FROM r.window_start AT TIME ZONE 'UTC') + %(window)s
                  - (SELECT t FROM clock)
    """

    @api.model
    def _hit(self, key, limit, window_seconds=60):
        """Count one request of ``key``; return ``(allowed, retry_after_seconds)``.

        The request over the limit is counted too (a client hammering a closed window stays
        closed until the window ends).
        """
        if self.env.registry.in_test_mode():
            # Tests share one transaction (and an RLock that the request thread already holds):
            # a second cursor would deadlock there, and isolation does not matter.
            return self._hit_cr(self.env.cr, key, limit, window_seconds)
        # Own short transaction: the row lock is released at once (concurrent requests of the
        # same key do not wait for each other's work) and the count survives a request that
        # fails and rolls back.
        with self.env.registry.cursor() as cr:
            return self._hit_cr(cr, key, limit, window_seconds, own_transaction=True)

    @api.model
    def _hit_cr(self, cr, key, limit, window_seconds, own_transaction=False):
        if own_transaction:
            # Odoo cursors run REPEATABLE READ, where two workers updating the same counter row
            # get a serialization error. READ COMMITTED makes the second wait for the first and
            # add to its committed count: the UPSERT stays atomic.
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        cr.execute(self._HIT_SQL, {"key": key, "window": int(window_seconds)})
        hits, remaining = cr.fetchone()
        return hits <= limit, max(1, math.ceil(remaining))

    @api.model
    def _peek(self, key, window_seconds=60):
        """``(hits, retry_after_seconds)`` of ``key`` in the current window, without counting."""
        self.env.cr.execute(
            """
            SELECT hits,
                   extract(epoch FROM window_start AT TIME ZONE 'UTC') + %(window)s
                   - extract(epoch FROM now())
              FROM smart_dairy_b2b_api_rate
             WHERE key = %(key)s
               AND window_start = to_timestamp(
                       floor(extract(epoch FROM now()) / %(window)s) * %(window)s
                   ) AT TIME ZONE 'UTC'
            """,
            {"key": key, "window": int(window_seconds)},
        )
        row = self.env.cr.fetchone()
        return (row[0], max(1, math.ceil(row[1]))) if row else (0, 0)

    @api.autovacuum
    def _gc_old_windows(self):
        self.env.cr.execute(
            "DELETE FROM smart_dairy_b2b_api_rate WHERE window_start < "
            "(now() AT TIME ZONE 'UTC') - interval '1 day'"
        )
