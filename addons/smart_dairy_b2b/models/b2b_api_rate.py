# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import sql


class B2bApiRate(models.Model):
    """REST API rate limit per client key, kept in PostgreSQL: GCRA, one row per key.

    GCRA (generic cell rate algorithm, a token bucket written as one timestamp): ``limit``
    requests per ``window`` means one request per *emission interval* ``T = window / limit``, with
    up to ``limit`` at once. The row keeps the key's *theoretical arrival time* ``tat``: when the
    requests accepted so far would be paid off at the steady rate. A request at ``now`` is accepted
    when ``max(tat, now) + T <= now + window`` and then moves ``tat`` to ``max(tat, now) + T``; a
    refused request changes nothing. So any stretch of ``d`` seconds accepts at most
    ``limit + floor(d / T)`` requests: no ``2 x limit`` burst where two fixed windows meet.

    One atomic ``INSERT ... ON CONFLICT DO UPDATE`` per request: every worker (and every host)
    updates the same row, so a multi-worker deployment enforces one limit. Time is the database
    clock (``now()``), not the workers' clocks; times are exact microseconds (``timestamp`` and
    ``interval``, no floating point).
    """

    _name = "smart.dairy.b2b.api.rate"
    _description = "B2B REST API rate limit (GCRA state per key)"
    _log_access = False

    key = fields.Char(required=True)
    tat = fields.Datetime(
        "Theoretical arrival time",
        required=True,
        index=True,
        help="When the key's accepted requests are paid off at the steady rate (UTC).",
    )
    allowed = fields.Boolean(help="Whether the key's last request was accepted.")

    _sql_constraints = [
        ("key_uniq", "unique(key)", "One rate-limit row per key."),
    ]

    # The decision reads the row's committed ``tat`` (the UPSERT locks it) and RETURNING gives the
    # new state: one statement, no read-then-write race.
    _HIT_SQL = """
        WITH clock AS (
            SELECT COALESCE(%(now)s::timestamp, now() AT TIME ZONE 'UTC') AS t
        )
        INSERT INTO smart_dairy_b2b_api_rate AS r (key, tat, allowed)
        SELECT %(key)s, clock.t + %(emission)s, TRUE
          FROM clock
        ON CONFLICT (key) DO UPDATE
           SET allowed = r.tat + %(emission)s <= (SELECT t FROM clock) + %(window)s,
               tat = CASE
                   WHEN r.tat + %(emission)s <= (SELECT t FROM clock) + %(window)s
                   THEN GREATEST(r.tat, (SELECT t FROM clock)) + %(emission)s
                   ELSE r.tat
               END
        RETURNING r.allowed,
                  extract(epoch FROM r.tat + %(emission)s - %(window)s - (SELECT t FROM clock))
    """

    @api.model
    def _gcra_params(self, key, limit, window_seconds, now):
        # The emission interval is rounded down to the microsecond, so ``limit`` requests at
        # once always fit in the window (the steady rate is faster by < 1 us per request).
        window_us = int(window_seconds) * 1_000_000
        return {
            "key": key,
            "now": now,
            "window": timedelta(microseconds=window_us),
            "emission": timedelta(microseconds=window_us // limit),
        }

    @staticmethod
    def _retry_after(wait_seconds):
        """Whole seconds until a refused request would be accepted (``Retry-After``)."""
        return max(1, math.ceil(wait_seconds))

    @api.model
    def _hit(self, key, limit, window_seconds=60):
        """Count one request of ``key``; return ``(allowed, retry_after_seconds)``.

        ``retry_after_seconds`` is 0 for an accepted request. A refused request is not counted:
        a client hammering the API gets one request through per emission interval, the steady
        rate, and not more.
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
    def _hit_cr(self, cr, key, limit, window_seconds, own_transaction=False, now=None):
        """:meth:`_hit` on cursor ``cr``; ``now`` (naive UTC datetime) replaces the database
        clock, for tests that drive time."""
        if limit < 1:
            # a limit of 0 closes the API for these keys
            return False, int(window_seconds)
        if own_transaction:
            # Odoo cursors run REPEATABLE READ, where two workers updating the same row get a
            # serialization error. READ COMMITTED makes the second wait for the first and decide
            # on its committed ``tat``: the UPSERT stays atomic.
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        cr.execute(self._HIT_SQL, self._gcra_params(key, limit, window_seconds, now))
        allowed, wait = cr.fetchone()
        return allowed, 0 if allowed else self._retry_after(wait)

    @api.model
    def _peek(self, key, limit, window_seconds=60, now=None):
        """``(allowed, retry_after_seconds)`` of the next request of ``key``, without counting."""
        if limit < 1:
            return False, int(window_seconds)
        self.env.cr.execute(
            """
            SELECT extract(epoch FROM tat + %(emission)s - %(window)s
                           - COALESCE(%(now)s::timestamp, now() AT TIME ZONE 'UTC'))
              FROM smart_dairy_b2b_api_rate
             WHERE key = %(key)s
            """,
            self._gcra_params(key, limit, window_seconds, now),
        )
        row = self.env.cr.fetchone()
        if not row or row[0] <= 0:
            return True, 0
        return False, self._retry_after(row[0])

    def _auto_init(self):
        # Up to 18.0.1.1.0 the table held fixed-window counters (key, window_start, hits), several
        # rows per key: they mean nothing here and would block unique(key). Start every key empty.
        if sql.column_exists(self.env.cr, self._table, "window_start"):
            self.env.cr.execute("DELETE FROM smart_dairy_b2b_api_rate")
        return super()._auto_init()

    @api.autovacuum
    def _gc_empty_buckets(self):
        """Drop the rows of keys whose bucket is empty (``tat`` passed): such a row decides
        exactly as no row does."""
        self.env.cr.execute(
            "DELETE FROM smart_dairy_b2b_api_rate WHERE tat < (now() AT TIME ZONE 'UTC')"
        )
