# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Credit control rules as plain Python: aging buckets, exposure, utilisation, status, score.

The models gather the figures with grouped SQL and call these functions; tests call them with
hand-computed values.
"""

from dataclasses import dataclass
from datetime import date

BUCKETS = ("0_30", "31_60", "61_90", "90_plus")
STATUSES = (
    ("active", "Active"),
    ("cash_only", "Cash only"),
    ("on_hold", "On hold"),
    ("suspended", "Suspended"),
)
# Statuses in which nothing may be sold on credit, shipped or paid online without a release.
HOLD_STATUSES = ("on_hold", "suspended")
CASH_ONLY_AT = 90.0
HOLD_AT = 100.0
DEFAULT_HOLD_OVERDUE_DAYS = 60

WEIGHTS = {"payment_history": 0.40, "overdue_ratio": 0.25, "order_volume": 0.20, "age": 0.15}
BANDS = (
    (80, "low", "Low risk"),
    (65, "normal", "Normal risk"),
    (50, "elevated", "Elevated risk"),
    (35, "high", "High risk"),
    (0, "critical", "Critical risk"),
)
BAND_SELECTION = [(code, label) for _floor, code, label in BANDS]


def bucket_of(days_overdue):
    """Aging bucket of an open item ``days_overdue`` days past its due date.

    Items not yet due (negative days) age in the first bucket, like core's aged receivable
    "current + 1-30".
    """
    if days_overdue <= 30:
        return "0_30"
    if days_overdue <= 60:
        return "31_60"
    if days_overdue <= 90:
        return "61_90"
    return "90_plus"


def aging(items, today):
    """Aging buckets of open items ``[(due_date, residual), ...]`` at ``today``.

    Returns ``{bucket: amount}`` for all four buckets plus ``max_overdue_days`` (0 when nothing
    is past due).
    """
    result = dict.fromkeys(BUCKETS, 0.0)
    max_overdue = 0
    for due, residual in items:
        days = (today - due).days
        result[bucket_of(days)] += residual
        if residual > 0 and days > max_overdue:
            max_overdue = days
    result["max_overdue_days"] = max_overdue
    return result


def exposure(receivable, uninvoiced_confirmed, drafts=0.0, include_drafts=False):
    """Open receivables + uninvoiced confirmed orders (+ quotations when asked)."""
    return receivable + uninvoiced_confirmed + (drafts if include_drafts else 0.0)


def utilisation(exposure_amount, limit):
    """Credit used in % of the limit; no limit (0) with an exposure counts as fully used."""
    if limit > 0:
        return round(100.0 * exposure_amount / limit, 2)
    return 100.0 if exposure_amount > 0 else 0.0


def auto_status(util_pct, max_overdue_days, hold_overdue_days=DEFAULT_HOLD_OVERDUE_DAYS):
    """Automatic status: ≥ 100 % or overdue > N days → on hold; ≥ 90 % → cash only."""
    if util_pct >= HOLD_AT or max_overdue_days > hold_overdue_days:
        return "on_hold"
    if util_pct >= CASH_ONLY_AT:
        return "cash_only"
    return "active"


def effective_status(auto, manual=None):
    """A credit manager's override (with a reason, kept in the history) beats the automatic one."""
    return manual or auto


def check_order(status, exposure_amount, limit, order_amount, prepaid=False):
    """Why an order of ``order_amount`` may not be confirmed on credit, or ``None``.

    ``prepaid``: the order is paid (online transaction done or authorised) — allowed for
    cash-only partners, never for partners on hold or suspended.
    """
    if status == "suspended":
        return "the customer's credit account is suspended"
    if status == "on_hold":
        return "the customer's credit account is on hold"
    if prepaid:
        return None
    if status == "cash_only":
        return "the customer is on cash only: the order must be paid before confirmation"
    if limit > 0 and exposure_amount + order_amount > limit:
        return (
            f"the order ({order_amount:,.2f}) would take the exposure to "
            f"{exposure_amount + order_amount:,.2f}, above the credit limit ({limit:,.2f})"
        )
    return None


@dataclass
class ScoreInput:
    paid_total: float = 0.0  # amount of invoices paid in the last 12 months
    paid_on_time: float = 0.0  # part of it paid by the due date
    receivable: float = 0.0  # open receivable
    overdue: float = 0.0  # part of it past due
    volume_12m: float = 0.0  # confirmed order amount in the last 12 months
    volume_reference: float = 1_000_000.0  # volume scoring full marks
    since: date | None = None  # start of the relationship
    today: date | None = None
    age_full_months: int = 36  # relationship age scoring full marks


def score_factors(data):
    """Each factor in [0, 1] (1 = best)."""
    payment = data.paid_on_time / data.paid_total if data.paid_total > 0 else 0.5
    overdue = 1.0 - (data.overdue / data.receivable) if data.receivable > 0 else 1.0
    volume = min(1.0, data.volume_12m / data.volume_reference) if data.volume_reference > 0 else 0.0
    months = 0
    if data.since and data.today:
        months = (data.today.year - data.since.year) * 12 + data.today.month - data.since.month
        if data.today.day < data.since.day:
            months -= 1
    age = min(1.0, max(0, months) / data.age_full_months) if data.age_full_months else 1.0
    clamp = lambda x: max(0.0, min(1.0, x))  # noqa: E731
    return {
        "payment_history": clamp(payment),
        "overdue_ratio": clamp(overdue),
        "order_volume": clamp(volume),
        "age": clamp(age),
    }


def credit_score(data):
    """Score 0-100: payment history 40 %, overdue ratio 25 %, order volume 20 %, age 15 %.

    Returns ``(score, band, factors)``.
    """
    factors = score_factors(data)
    score = round(100.0 * sum(WEIGHTS[k] * v for k, v in factors.items()))
    return score, band_of(score), factors


def band_of(score):
    for floor, code, _label in BANDS:
        if score >= floor:
            return code
    return "critical"
