# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The user-facing text of an Odoo exception (pure Python)."""


def error_message(exc):
    """``UserError("x").args[0]`` when there is one, else ``str(exc)``."""
    return str(exc.args[0] if exc.args else exc)
