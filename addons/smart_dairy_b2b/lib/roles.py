# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What each role of a partner's portal user may do (plain rules, enforced by the models)."""

ROLES = (
    ("admin", "Administrator"),
    ("manager", "Manager"),
    ("buyer", "Buyer"),
    ("viewer", "Viewer"),
)

_CAN = {
    "admin": {"order", "approve_orders", "manage_users", "company_orders", "invoices", "credit"},
    "manager": {"order", "approve_orders", "company_orders", "invoices", "credit"},
    "buyer": {"order"},
    "viewer": {"company_orders", "invoices"},
}


def can(role, action):
    return action in _CAN.get(role or "", set())


def check_order_limit(role, limit, amount):
    """Raise ``ValueError`` when a user may not place an order of ``amount``."""
    if not can(role, "order"):
        raise ValueError("Your role does not allow placing orders.")
    if role == "buyer" and limit and amount > limit:
        raise ValueError(
            f"This order ({amount:,.2f}) is above your personal order limit ({limit:,.2f}); "
            "ask a manager of your company to place it."
        )
    return True
