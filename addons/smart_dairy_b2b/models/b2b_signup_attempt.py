# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models


class B2bSignupAttempt(models.Model):
    """One row per registration POST, to rate-limit by IP (works across workers)."""

    _name = "smart.dairy.b2b.signup.attempt"
    _description = "B2B registration attempt (rate limit)"
    _log_access = False

    ip = fields.Char(required=True, index=True)
    when = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    @api.model
    def _register_and_check(self, ip, limit=None, window_minutes=60):
        """Record an attempt from ``ip``; return False when the IP is over its limit."""
        if limit is None:
            limit = int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("smart_dairy_b2b.signup_rate_limit_per_hour", 5)
            )
        since = fields.Datetime.now() - timedelta(minutes=window_minutes)
        recent = self.search_count([("ip", "=", ip), ("when", ">=", since)])
        self.create({"ip": ip})
        return recent < limit

    @api.autovacuum
    def _gc_old_attempts(self):
        self.search([("when", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
