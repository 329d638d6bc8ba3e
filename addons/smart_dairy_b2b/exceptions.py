# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Refusals of the one ordering path (``smart.dairy.b2b.quick.order._b2b_submit``).

Odoo exceptions (callers that catch ``AccessError`` / ``ValidationError`` keep working) with a
machine ``code``, so that a caller answers a refusal its own way (the REST API chooses the
status code) without checking again. Not in ``lib``: that package imports no Odoo.
"""

from odoo.exceptions import AccessError, ValidationError


class B2bSubmitAccessError(AccessError):
    """``_b2b_submit`` refused who is ordering; ``code`` says why (the REST API answers it).

    ``account_inactive``, ``role_cannot_order``, ``not_your_draft``, ``not_allowed``.
    """

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


class B2bSubmitError(ValidationError):
    """``_b2b_submit`` refused what is ordered; ``code`` says why, nothing was written.

    ``credit_hold`` (the message gives the reason), ``invalid_lines`` (``rows``: the priced
    rows in error, each with its ``key``, ``code`` and ``message``), ``no_lines``.
    """

    def __init__(self, message, code, rows=()):
        super().__init__(message)
        self.code = code
        self.rows = list(rows)
